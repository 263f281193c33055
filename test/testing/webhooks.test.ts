/**
 * Data forwarding of the fake (primero-api.md section 7), against a real HTTP receiver on loopback: what
 * is posted, with which headers, when, and what a failing receiver changes (nothing for the request that
 * caused the change).
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { http, passthrough } from 'msw';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { PrimeroClient } from '../../src/index.js';
import { FakePrimero } from '../../src/testing/fake.js';
import { CP_MODULE } from '../../src/testing/seed.js';
import type { FakeRecord, FakeWebhook } from '../../src/testing/store.js';
import { server } from '../support/server.js';

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  text: string;
}

interface Receiver {
  url: string;
  received: Received[];
  /** The status the receiver answers with. */
  status: number;
  close(): Promise<void>;
}

const receivers: Receiver[] = [];

/** A webhook receiver: a real HTTP server on 127.0.0.1 that records every request and answers `status`. */
async function startReceiver(status = 200): Promise<Receiver> {
  const received: Received[] = [];
  const receiver: Receiver = { url: '', received, status, close: async () => {} };
  const http = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, text: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(receiver.status, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      http.closeAllConnections();
      http.close(() => resolve());
    });
  receivers.push(receiver);
  return receiver;
}

// The unit tests' msw server intercepts globalThis.fetch, which the fake posts with: let loopback through.
beforeEach(() => {
  server.use(http.all(/^http:\/\/127\.0\.0\.1:\d+\//, () => passthrough()));
});
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
});

const API_KEY: FakeWebhook['auth'] = { type: 'api_key', key: 'k-7f3a9c' };
const BASIC: FakeWebhook['auth'] = { type: 'basic', username: 'openfn', password: 's3cret:with-colon' };
const ALL_EVENTS = ['case.create', 'case.update', 'case.post'];

/** Headers a POST from fetch carries anyway; anything else must be one Primero sends (7.3). */
const TRANSPORT_HEADERS = new Set(['host', 'connection', 'content-length', 'user-agent', 'accept', 'accept-language', 'accept-encoding', 'sec-fetch-mode', 'transfer-encoding']);

function firstCase(fake: FakePrimero): FakeRecord {
  const record = [...fake.store.cases.values()][0];
  if (!record) throw new Error('the fake has no case');
  return record;
}

function body(received: Received | undefined): { data: Record<string, unknown> } {
  if (!received) throw new Error('nothing was delivered');
  return JSON.parse(received.text) as { data: Record<string, unknown> };
}

describe('data forwarding to a real receiver (primero-api.md 7)', () => {
  test('7.3: an api_key webhook gets POST <url> with Content-Type, cache-control, x-api-key and nothing else', async () => {
    const receiver = await startReceiver();
    const fake = new FakePrimero({ cases: 3 });
    fake.store.webhooks.push({ url: `${receiver.url}/primero/hook?source=primero`, events: ALL_EVENTS, auth: API_KEY });
    fake.state.recordChanged('create', 'case', firstCase(fake));
    await fake.settle();

    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/primero/hook?source=primero');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['cache-control']).toBe('no-cache');
    expect(request?.headers['x-api-key']).toBe('k-7f3a9c');
    expect(request?.headers.authorization).toBeUndefined();
    // No signature, no event name, no delivery id: only what any HTTP client sends besides.
    const extra = Object.keys(request?.headers ?? {}).filter((name) => !TRANSPORT_HEADERS.has(name));
    expect(extra.sort()).toEqual(['cache-control', 'content-type', 'x-api-key']);
  });

  test('7.3: a basic_auth webhook gets Authorization: Basic of user:password, and no x-api-key', async () => {
    const receiver = await startReceiver();
    const fake = new FakePrimero({ cases: 3 });
    fake.store.webhooks.push({ url: `${receiver.url}/hook`, events: ALL_EVENTS, auth: BASIC });
    fake.state.recordChanged('update', 'case', firstCase(fake));
    await fake.settle();

    const headers = receiver.received[0]?.headers;
    expect(headers?.authorization).toBe(`Basic ${Buffer.from('openfn:s3cret:with-colon').toString('base64')}`);
    expect(headers?.['x-api-key']).toBeUndefined();
    expect(headers?.['content-type']).toBe('application/json');
  });

  test('7.3: the body is {data: {record_id, record_type, hostname, ...fields, last_updated_at}} and names no event', async () => {
    const receiver = await startReceiver();
    const fake = new FakePrimero({ cases: 3, seed: 5 });
    fake.store.webhooks.push({ url: `${receiver.url}/hook`, events: ALL_EVENTS, auth: API_KEY });
    const record = [...fake.store.cases.values()].find((r) => Array.isArray(r.services_section) && r.services_section.length) ?? firstCase(fake);
    fake.state.recordChanged('post', 'case', record);
    await fake.settle();

    const payload = body(receiver.received[0]);
    expect(Object.keys(payload)).toEqual(['data']);
    const { data } = payload;
    expect(Object.keys(data).slice(0, 3)).toEqual(['record_id', 'record_type', 'hostname']);
    expect(Object.keys(data).at(-1)).toBe('last_updated_at');
    expect(data).toEqual({ record_id: record.id, record_type: 'case', hostname: 'primero.fake', ...record });
    expect(data.case_id).toBe(record.unique_identifier);
    expect(data.services_section).toEqual(record.services_section);
    // create, update and post are indistinguishable to the receiver (7.3).
    const text = receiver.received[0]?.text ?? '';
    for (const word of ['case.post', 'case.create', 'case.update', '"event"', '"action"', 'signature', 'delivery']) expect(text).not.toContain(word);
  });

  test('7.3: hostname is the host of the fake\'s baseUrl', async () => {
    const receiver = await startReceiver();
    const fake = new FakePrimero({ cases: 1, baseUrl: 'https://cpims.example.org:8443/' });
    fake.store.webhooks.push({ url: `${receiver.url}/hook`, events: ALL_EVENTS, auth: API_KEY });
    fake.state.recordChanged('create', 'case', firstCase(fake));
    await fake.settle();
    expect(body(receiver.received[0]).data.hostname).toBe('cpims.example.org:8443');
  });

  test('7.3: the acknowledgement keys are never sent and a hidden name is masked (RecordDataService.data)', async () => {
    const receiver = await startReceiver();
    const fake = new FakePrimero({ cases: 1 });
    fake.store.webhooks.push({ url: `${receiver.url}/hook`, events: ALL_EVENTS, auth: API_KEY });
    const record = Object.assign(firstCase(fake), { name: 'Amina Keo', hidden_name: true, mark_synced: true, mark_synced_url: 'x', mark_synced_status: 'synced' });
    fake.state.recordChanged('update', 'case', record);
    await fake.settle();

    const { data } = body(receiver.received[0]);
    expect(data.name).toBe('*******');
    expect(data).not.toHaveProperty('mark_synced');
    expect(data).not.toHaveProperty('mark_synced_url');
    expect(data).not.toHaveProperty('mark_synced_status');
    expect(receiver.received[0]?.text).not.toContain('Amina');
  });

  test('7.1: only webhooks subscribed to the event get it', async () => {
    const onlyPost = await startReceiver();
    const createAndUpdate = await startReceiver();
    const fake = new FakePrimero({ cases: 1 });
    fake.store.webhooks.push({ url: `${onlyPost.url}/hook`, events: ['case.post'], auth: API_KEY });
    fake.store.webhooks.push({ url: `${createAndUpdate.url}/hook`, events: ['case.create', 'case.update'], auth: BASIC });
    const record = firstCase(fake);
    fake.state.recordChanged('create', 'case', record);
    fake.state.recordChanged('update', 'case', record);
    await fake.settle();
    expect(onlyPost.received).toHaveLength(0);
    expect(createAndUpdate.received).toHaveLength(2);

    fake.state.recordChanged('post', 'case', record);
    fake.state.recordChanged('create', 'incident', record);
    await fake.settle();
    expect(onlyPost.received).toHaveLength(1);
    expect(createAndUpdate.received).toHaveLength(2);
    expect(fake.deliveries.map((d) => d.event).sort()).toEqual(['case.create', 'case.post', 'case.update']);
  });

  test('7.2: delivery runs after the change is answered, as a job, with the record as it is when the job runs', async () => {
    const receiver = await startReceiver();
    const fake = new FakePrimero({ cases: 1 });
    fake.store.webhooks.push({ url: `${receiver.url}/hook`, events: ALL_EVENTS, auth: API_KEY });
    const record = firstCase(fake);
    fake.state.recordChanged('update', 'case', record);
    expect(fake.deliveries).toHaveLength(0);
    // WebhookJob reloads the record by id: a save before it runs is what it sends.
    record.risk_level = 'high';
    await fake.settle();
    expect(receiver.received).toHaveLength(1);
    expect(body(receiver.received[0]).data.risk_level).toBe('high');
  });

  test('7.2: a record gone when the job runs is not sent', async () => {
    const receiver = await startReceiver();
    const fake = new FakePrimero({ cases: 1 });
    fake.store.webhooks.push({ url: `${receiver.url}/hook`, events: ALL_EVENTS, auth: API_KEY });
    const record = firstCase(fake);
    fake.state.recordChanged('update', 'case', record);
    fake.store.cases.delete(record.id);
    await fake.settle();
    expect(receiver.received).toHaveLength(0);
    expect(fake.deliveries).toHaveLength(0);
  });

  test('7.2: a receiver answering 500 is recorded and retried never; the next webhook still gets it', async () => {
    const failing = await startReceiver(500);
    const healthy = await startReceiver(201);
    const fake = new FakePrimero({ cases: 1, now: () => Date.UTC(2025, 4, 1, 12) });
    fake.store.webhooks.push({ url: `${failing.url}/hook`, events: ALL_EVENTS, auth: API_KEY });
    fake.store.webhooks.push({ url: `${healthy.url}/hook`, events: ALL_EVENTS, auth: BASIC });
    const record = firstCase(fake);
    expect(() => fake.state.recordChanged('update', 'case', record)).not.toThrow();
    await fake.settle();

    expect(failing.received).toHaveLength(1);
    expect(healthy.received).toHaveLength(1);
    expect(fake.deliveries).toEqual([
      { url: `${failing.url}/hook`, event: 'case.update', recordId: record.id, status: 500, at: '2025-05-01T12:00:00.000Z' },
      { url: `${healthy.url}/hook`, event: 'case.update', recordId: record.id, status: 201, at: '2025-05-01T12:00:00.000Z' },
    ]);
  });

  test('7.2: a receiver that cannot be reached is recorded with the error; the job ends there, as WebhookJob rescues it', async () => {
    const gone = await startReceiver();
    const goneUrl = `${gone.url}/hook`;
    await gone.close();
    const healthy = await startReceiver();
    const fake = new FakePrimero({ cases: 1 });
    fake.store.webhooks.push({ url: goneUrl, events: ALL_EVENTS, auth: API_KEY });
    fake.store.webhooks.push({ url: `${healthy.url}/hook`, events: ALL_EVENTS, auth: API_KEY });
    fake.state.recordChanged('create', 'case', firstCase(fake));
    await fake.settle();

    expect(fake.deliveries).toHaveLength(1);
    expect(fake.deliveries[0]).toMatchObject({ url: goneUrl, event: 'case.create' });
    expect(fake.deliveries[0]?.status).toBeUndefined();
    expect(fake.deliveries[0]?.error).toEqual(expect.any(String));
    expect(healthy.received).toHaveLength(0);
  });

  test('webhookFetch replaces globalThis.fetch for deliveries', async () => {
    const seen: Array<{ url: string; init: RequestInit }> = [];
    const fake = new FakePrimero({
      cases: 1,
      webhookFetch: async (url, init) => {
        seen.push({ url, init });
        return new Response(null, { status: 204 });
      },
    });
    fake.store.webhooks.push({ url: 'https://partner.example/hook', events: ALL_EVENTS, auth: API_KEY });
    fake.state.recordChanged('post', 'case', firstCase(fake));
    await fake.settle();
    expect(seen).toHaveLength(1);
    expect(seen[0]?.url).toBe('https://partner.example/hook');
    expect(seen[0]?.init.method).toBe('POST');
    expect(fake.deliveries[0]).toMatchObject({ event: 'case.post', status: 204 });
  });

  test('with no webhook subscribed, nothing is posted and settle resolves at once', async () => {
    const posted: string[] = [];
    const fake = new FakePrimero({ cases: 1, webhookFetch: async (url) => (posted.push(url), new Response(null)) });
    fake.state.recordChanged('create', 'case', firstCase(fake));
    await fake.settle();
    expect(posted).toEqual([]);
    expect(fake.deliveries).toEqual([]);
  });
});

describe('end to end: the SDK changes a case, the fake forwards it (primero-api.md 7.2, 7.4)', () => {
  async function setUp(status = 200) {
    const receiver = await startReceiver(status);
    const fake = new FakePrimero({ cases: 2 });
    fake.store.webhooks.push({ url: `${receiver.url}/hook`, events: ALL_EVENTS, auth: API_KEY });
    const client = new PrimeroClient({ baseUrl: fake.baseUrl, auth: fake.credentials, fetch: fake.fetch, validate: 'strict' });
    return { receiver, fake, client };
  }

  test('7.2: create, update and the manual sync each deliver once: case.create, case.update, case.post', async () => {
    const { receiver, fake, client } = await setUp();
    const created = await client.cases.create({ module_id: CP_MODULE, name_first: 'Test', age: 9, sex: 'female' });
    await fake.settle();
    await client.cases.update(created.id, { risk_level: 'high' });
    await fake.settle();
    const synced = await client.cases.sync(created.id);
    await fake.settle();

    expect(synced.record_id).toBe(created.id);
    expect(fake.deliveries.map((d) => [d.event, d.recordId, d.status])).toEqual([
      ['case.create', created.id, 200],
      ['case.update', created.id, 200],
      ['case.post', created.id, 200],
    ]);
    const bodies = receiver.received.map(body);
    const stored = fake.store.cases.get(created.id);
    expect(bodies).toHaveLength(3);
    for (const { data } of bodies) {
      expect(data).toMatchObject({ record_id: created.id, record_type: 'case', hostname: 'primero.fake', id: created.id, name_first: 'Test', age: 9 });
      expect(data.last_updated_at).toEqual(expect.any(String));
      expect(data.case_id).toBe(stored?.case_id);
    }
    expect(bodies[0]?.data.risk_level).toBeUndefined();
    expect(bodies[1]?.data.risk_level).toBe('high');
    // The same envelope whatever the event, and no event name in it: the receiver cannot tell them apart.
    for (const [i, received] of receiver.received.entries()) {
      const keys = Object.keys(bodies[i]?.data ?? {});
      expect(keys.slice(0, 3)).toEqual(['record_id', 'record_type', 'hostname']);
      expect(keys.at(-1)).toBe('last_updated_at');
      expect(received.text).not.toMatch(/case\.(create|update|post)/);
    }
  });

  test('7.2: a receiver answering 500 leaves the update that caused it untouched, and is recorded', async () => {
    const { receiver, fake, client } = await setUp(500);
    const [record] = fake.store.cases.values();
    const updated = await client.cases.update(record?.id ?? '', { risk_level: 'low' });
    expect(updated.id).toBe(record?.id);
    expect(fake.store.cases.get(record?.id ?? '')?.risk_level).toBe('low');
    await fake.settle();
    expect(receiver.received).toHaveLength(1);
    expect(fake.deliveries).toEqual([expect.objectContaining({ event: 'case.update', recordId: record?.id, status: 500 })]);
    // No retry: it stays one delivery.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await fake.settle();
    expect(receiver.received).toHaveLength(1);
  });

  test('7.4: the mark_synced acknowledgement is itself an update, delivered as case.update (the loop a receiver must skip)', async () => {
    const { receiver, fake, client } = await setUp();
    const [record] = fake.store.cases.values();
    const id = record?.id ?? '';
    await client.cases.sync(id);
    await fake.settle();
    await client.cases.markSynced(id, { status: 'synced', url: `${receiver.url}/hook` });
    await fake.settle();

    expect(fake.deliveries.map((d) => d.event)).toEqual(['case.post', 'case.update']);
    const ack = body(receiver.received[1]).data;
    expect(ack.record_id).toBe(id);
    expect(ack).not.toHaveProperty('mark_synced');
    expect(ack).not.toHaveProperty('mark_synced_url');
    expect(ack).not.toHaveProperty('mark_synced_status');
  });
});

test('webhookTimeoutMs bounds how long a receiver may take: past it the delivery fails', async () => {
  const fake = new FakePrimero({
    cases: 1,
    webhookTimeoutMs: 20,
    // A receiver that never answers; it gives up only when the delivery's signal fires.
    webhookFetch: (_url, init) => new Promise((_, reject) => init.signal?.addEventListener('abort', () => reject(init.signal?.reason))),
  });
  fake.store.webhooks.push({ url: 'https://slow.example/hook', events: ['case.post'], auth: { type: 'api_key', key: 'k' } });
  const started = Date.now();
  fake.state.recordChanged('post', 'case', [...fake.store.cases.values()][0]!);
  await fake.settle();
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(fake.deliveries[0]).toMatchObject({ event: 'case.post' });
  expect(fake.deliveries[0]?.error).toEqual(expect.any(String));
});
