/**
 * Echo skipping (primero-api.md 7.4): acknowledging is an update that Primero forwards again. End to end
 * against the fake: a real receiver on loopback acknowledges through the SDK and never loops.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { http, passthrough } from 'msw';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { PrimeroClient } from '../../src/index.js';
import { FakePrimero } from '../../src/testing/fake.js';
import { AcknowledgementTracker, createWebhookHandler, parseWebhook, type WebhookDelivery } from '../../src/webhooks/index.js';
import { server as msw } from '../support/server.js';

const servers: Server[] = [];
beforeEach(() => msw.use(http.all(/^http:\/\/127\.0\.0\.1:\d+\//, () => passthrough())));
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => (s.closeAllConnections(), s.close(() => resolve())))));
});

function delivery(extra: Record<string, unknown> = {}, lastUpdatedAt = '2025-05-01T12:00:00.000Z'): WebhookDelivery {
  return parseWebhook({ data: { record_id: 'r1', record_type: 'case', hostname: 'h', age: 9, ...extra, last_updated_at: lastUpdatedAt } });
}

/** Fails the test instead of hanging when deliveries never settle (a loop). */
async function settleWithin(fake: FakePrimero, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`deliveries did not settle within ${ms} ms: a loop?`)), ms)));
  try {
    await Promise.race([fake.settle(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('AcknowledgementTracker', () => {
  test('an echo is same record, the acknowledgement\'s last_updated_at, and the same fields but sync status and audit', async () => {
    const tracker = new AcknowledgementTracker();
    tracker.remember(delivery(), { last_updated_at: '2025-05-01T12:05:00.000Z' });
    expect(await tracker.isEcho(delivery({ sync_status: 'synced', synced_at: 'x', last_updated_by: 'api' }, '2025-05-01T12:05:00.000Z'))).toBe(true);
    // Matching is not consumed: a second webhook's echo of the same acknowledgement is skipped too.
    expect(await tracker.isEcho(delivery({}, '2025-05-01T12:05:00.000Z'))).toBe(true);
    expect(await tracker.isEcho(delivery({ age: 10 }, '2025-05-01T12:05:00.000Z'))).toBe(false);
    expect(await tracker.isEcho(delivery({}, '2025-05-01T12:06:00.000Z'))).toBe(false);
    expect(await tracker.isEcho(delivery({ record_id: 'r2' }, '2025-05-01T12:05:00.000Z'))).toBe(false);
    expect(await tracker.isEcho(delivery({ hostname: 'other' }, '2025-05-01T12:05:00.000Z'))).toBe(false);
    // Key order does not matter.
    const reordered = parseWebhook({ data: { last_updated_at: '2025-05-01T12:05:00.000Z', age: 9, hostname: 'h', record_type: 'case', record_id: 'r1' } });
    expect(await tracker.isEcho(reordered)).toBe(true);
    tracker.forget(reordered);
    expect(await tracker.isEcho(reordered)).toBe(false);
  });

  test('without a last_updated_at in the answer, the fingerprint alone decides', async () => {
    const tracker = new AcknowledgementTracker();
    tracker.remember(delivery(), {});
    expect(await tracker.isEcho(delivery({ synced_at: 'y' }, 'anything'))).toBe(true);
    expect(await tracker.isEcho(delivery({ age: 1 }, 'anything'))).toBe(false);
  });

  test('entries expire after ttlMs and beyond maxEntries the oldest go', async () => {
    let now = 0;
    const tracker = new AcknowledgementTracker({ ttlMs: 1000, maxEntries: 2, now: () => now });
    tracker.remember(delivery({ record_id: 'a' }), {});
    tracker.remember(delivery({ record_id: 'b' }), {});
    tracker.remember(delivery({ record_id: 'c' }), {});
    expect(tracker.size).toBe(2);
    expect(await tracker.isEcho(delivery({ record_id: 'a' }))).toBe(false);
    expect(await tracker.isEcho(delivery({ record_id: 'c' }))).toBe(true);
    now = 1000;
    expect(await tracker.isEcho(delivery({ record_id: 'c' }))).toBe(false);
  });

  test('a delivery arriving while the acknowledgement is in flight waits for it', async () => {
    const tracker = new AcknowledgementTracker();
    let answer!: (value: { last_updated_at: string }) => void;
    const client = { cases: { markSynced: vi.fn(() => new Promise<{ last_updated_at: string }>((resolve) => (answer = resolve))) } };
    const acknowledging = tracker.acknowledge(client, delivery(), { status: 'synced', url: 'https://r.example/' });
    const judged = tracker.isEcho(delivery({ sync_status: 'synced' }, 'T2'));
    answer({ last_updated_at: 'T2' });
    await acknowledging;
    expect(await judged).toBe(true);
    expect(client.cases.markSynced).toHaveBeenCalledWith('r1', { status: 'synced', url: 'https://r.example/' });
  });

  test('a failed acknowledgement is forgotten and rethrown', async () => {
    const tracker = new AcknowledgementTracker();
    const client = { cases: { markSynced: () => Promise.reject(new Error('403')) } };
    await expect(tracker.acknowledge(client, delivery(), { status: 'synced', url: 'https://r.example/' })).rejects.toThrow('403');
    expect(tracker.size).toBe(0);
  });
});

describe('end to end against the fake: the receiver acknowledges and never loops (7.4)', () => {
  async function setUp(onDelivery: (d: WebhookDelivery) => unknown = () => undefined, now?: () => number) {
    const fake = new FakePrimero({ cases: 2, ...(now ? { now } : {}) });
    const client = new PrimeroClient({ baseUrl: fake.baseUrl, auth: fake.credentials, fetch: fake.fetch, validate: 'strict' });
    const calls = { onDelivery: [] as WebhookDelivery[], skipped: [] as WebhookDelivery[], errors: [] as unknown[] };
    const markSynced = vi.spyOn(client.cases, 'markSynced');
    const receiver = createServer();
    servers.push(receiver);
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/primero`;
    const handler = createWebhookHandler({
      auth: { apiKey: 'k-e2e' },
      acknowledge: { client, url },
      onDelivery: async (d) => {
        calls.onDelivery.push(d);
        await onDelivery(d);
      },
      onSkip: (d) => calls.skipped.push(d),
      onError: (e) => calls.errors.push(e),
    });
    receiver.on('request', handler);
    fake.store.webhooks.push({ url, events: ['case.create', 'case.update', 'case.post'], auth: { type: 'api_key', key: 'k-e2e' } });
    const [record] = fake.store.cases.values();
    if (!record) throw new Error('no case');
    return { fake, client, calls, markSynced, url, id: record.id };
  }

  test('one real update: one onDelivery, one markSynced, one skipped echo, and the deliveries settle', async () => {
    const { fake, client, calls, markSynced, url, id } = await setUp();
    await client.cases.update(id, { risk_level: 'high' });
    await settleWithin(fake, 5000);

    expect(calls.errors).toEqual([]);
    expect(calls.onDelivery).toHaveLength(1);
    expect(calls.onDelivery[0]?.data.risk_level).toBe('high');
    expect(markSynced).toHaveBeenCalledTimes(1);
    expect(markSynced).toHaveBeenCalledWith(id, { status: 'synced', url });
    expect(calls.skipped).toHaveLength(1);
    expect(calls.skipped[0]?.data.sync_status).toBe('synced');
    expect(fake.deliveries.map((d) => [d.event, d.status])).toEqual([
      ['case.update', 200],
      ['case.update', 200],
    ]);
    expect(fake.store.cases.get(id)?.sync_status).toBe('synced');

    // Quiet afterwards, and a second real change goes through the same way.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await settleWithin(fake, 5000);
    expect(fake.deliveries).toHaveLength(2);
    await client.cases.update(id, { risk_level: 'low' });
    await settleWithin(fake, 5000);
    expect(calls.onDelivery.map((d) => d.data.risk_level)).toEqual(['high', 'low']);
    expect(markSynced).toHaveBeenCalledTimes(2);
    expect(fake.deliveries).toHaveLength(4);
  });

  test('with a frozen clock (every save has the same last_updated_at), real changes still go through and echoes stop', async () => {
    const { fake, client, calls, markSynced, id } = await setUp(undefined, () => Date.UTC(2025, 4, 1, 12));
    await client.cases.update(id, { risk_level: 'high' });
    await settleWithin(fake, 5000);
    await client.cases.update(id, { risk_level: 'low' });
    await settleWithin(fake, 5000);
    expect(calls.onDelivery.map((d) => d.data.risk_level)).toEqual(['high', 'low']);
    expect(markSynced).toHaveBeenCalledTimes(2);
    expect(calls.skipped).toHaveLength(2);
  });

  test('a failing onDelivery answers 500, acknowledges failed, and its echo is skipped too', async () => {
    const { fake, client, calls, markSynced, url, id } = await setUp(() => {
      throw new Error('downstream refused Amina');
    });
    await client.cases.sync(id);
    await settleWithin(fake, 5000);
    expect(calls.onDelivery).toHaveLength(1);
    expect(markSynced).toHaveBeenCalledWith(id, { status: 'failed', url });
    expect(calls.skipped).toHaveLength(1);
    expect(fake.deliveries.map((d) => [d.event, d.status])).toEqual([
      ['case.post', 500],
      ['case.update', 200],
    ]);
    expect(fake.store.cases.get(id)?.sync_status).toBe('failed');
  });

  test('without echo skipping the same set-up would loop: the guard catches it', async () => {
    const fake = new FakePrimero({ cases: 1 });
    const client = new PrimeroClient({ baseUrl: fake.baseUrl, auth: fake.credentials, fetch: fake.fetch });
    const receiver = createServer();
    servers.push(receiver);
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/primero`;
    let acknowledged = 0;
    // A naive receiver: acknowledges every delivery, with no tracker. Stopped after 5 rounds.
    receiver.on(
      'request',
      createWebhookHandler({
        auth: { apiKey: 'k' },
        onDelivery: async (d) => {
          if (++acknowledged <= 5) await client.cases.markSynced(d.recordId, { status: 'synced', url });
        },
      }),
    );
    fake.store.webhooks.push({ url, events: ['case.update'], auth: { type: 'api_key', key: 'k' } });
    const [record] = fake.store.cases.values();
    await client.cases.update(record?.id ?? '', { risk_level: 'high' });
    await settleWithin(fake, 5000);
    expect(acknowledged).toBe(6);
  });
});
