/**
 * examples/webhook-receiver. Its demo is run as users run it; then the receiver is run as a service against a
 * fake Primero this test holds, so that what Primero posted, what the receiver wrote back and whether
 * forwarding went quiet are read from Primero's side rather than from the example's own report.
 */
import type { ChildProcess } from 'node:child_process';
import { http, passthrough } from 'msw';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { PrimeroClient } from '../../src/index.js';
import { createFakePrimero, type FakePrimeroWithHandlers, type FakeServer } from '../../src/testing/index.js';
import { server } from '../support/server.js';
import { ownStderr, runExample, spawnExample } from './run-example.js';

const KEY = 'webhook-key-for-the-test';

const count = (text: string, needle: string) => text.split(needle).length - 1;

test('npm run example:webhook-receiver alone: each change received and acknowledged once, each echo skipped, then silence', async () => {
  const run = await runExample('webhook-receiver');
  expect(ownStderr(run.stderr)).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).toContain('Primero posted 8 deliveries (0 failed); the receiver processed 4, acknowledged 4, skipped 4 echoes, failed 0');
  const received = [...run.stdout.matchAll(/^received case ([0-9a-f-]{36}) /gm)].map((m) => m[1]);
  expect(new Set(received).size).toBe(4);
  for (const id of received) expect(count(run.stdout, `skipped case ${id}: the echo`)).toBe(1);
  expect(run.stdout).toMatch(/sync_status in Primero: (\S+=synced(, )?){4}\n/);
});

describe('webhook-receiver as a service, fed by a Primero it does not control', () => {
  let fake: FakePrimeroWithHandlers;
  let primero: FakeServer;
  let receiver: ChildProcess;
  let stdout = '';
  let stderr = '';
  let webhookUrl: string;
  let client: PrimeroClient;
  const changed: string[] = [];

  /** Waits for forwarding to go quiet; a loop of acknowledgements would never let it. */
  const quiet = () => Promise.race([fake.settle(), new Promise((_, reject) => setTimeout(() => reject(new Error('forwarding did not go quiet: a loop')), 5_000).unref())]);
  const acknowledgements = () =>
    fake.requests.filter((r) => r.method === 'PATCH' && (r.body as { data?: { mark_synced?: unknown } } | undefined)?.data?.mark_synced === true);

  beforeAll(async () => {
    fake = createFakePrimero({ cases: 10, seed: 3 });
    primero = await fake.listen();
    client = new PrimeroClient({ baseUrl: fake.baseUrl, auth: fake.credentials, fetch: fake.fetch });
    // Port 0: the receiver binds a free port itself and prints where; no port is picked here and handed over.
    receiver = spawnExample('examples/webhook-receiver/index.ts', {
      env: { PRIMERO_URL: primero.url, PRIMERO_USERNAME: fake.credentials.username, PRIMERO_PASSWORD: fake.credentials.password, PRIMERO_WEBHOOK_KEY: KEY, WEBHOOK_PORT: '0' },
    });
    receiver.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    receiver.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const listening = await until(() => /^Listening for \S+ at (http:\/\/127\.0\.0\.1:\d+\/primero), acknowledging as (\S+);/m.exec(stdout), 10_000, () => stderr);
    webhookUrl = listening[1] ?? '';
    expect(listening[2]).toBe(webhookUrl);
    // Then the webhook is registered in Primero, as an administrator would once the receiver is up.
    fake.store.webhooks.push({ url: webhookUrl, events: ['case.create', 'case.update', 'case.post'], auth: { type: 'api_key', key: KEY } });
  }, 15_000);

  // The fake posts with globalThis.fetch, which the unit tests' msw intercepts: let loopback through.
  beforeEach(() => {
    server.use(http.all(/^http:\/\/127\.0\.0\.1:\d+\//, () => passthrough()));
  });

  afterAll(async () => {
    if (receiver.exitCode === null) receiver.kill('SIGKILL');
    await primero?.close();
  });

  test('each change is received and acknowledged once, its echo skipped, and forwarding goes quiet', async () => {
    const [a, b, c] = [...fake.store.cases.keys()];
    if (!a || !b || !c) throw new Error('seed');
    await client.cases.update(a, { risk_level: 'high' });
    await client.cases.update(b, { risk_level: 'low' });
    const created = await client.cases.create({ module_id: 'primeromodule-cp' });
    await client.cases.sync(c);
    changed.push(a, b, created.id, c);
    await quiet();

    expect(fake.deliveries).toHaveLength(8);
    expect(fake.deliveries.every((d) => d.status === 200 && d.url === webhookUrl)).toBe(true);
    const acks = acknowledgements();
    expect(acks.map((r) => r.path).sort()).toEqual(changed.map((id) => `/cases/${id}`).sort());
    for (const ack of acks) expect((ack.body as { data: unknown }).data).toEqual({ mark_synced: true, mark_synced_url: webhookUrl, mark_synced_status: 'synced' });
    for (const id of changed) {
      expect(fake.store.cases.get(id)?.sync_status).toBe('synced');
      expect(count(stdout, `received case ${id} `)).toBe(1);
      expect(count(stdout, `skipped case ${id}: the echo`)).toBe(1);
    }
  });

  test('it prints ids, never a value of the child\'s record', () => {
    expect(changed).toHaveLength(4);
    for (const id of changed) {
      const record: Record<string, unknown> = fake.store.cases.get(id) ?? {};
      for (const field of ['name_first', 'name_last', 'date_of_birth', 'location_current']) {
        if (typeof record[field] === 'string') expect(stdout).not.toMatch(new RegExp(`\\b${String(record[field])}\\b`));
      }
    }
  });

  test('a real change to an acknowledged case is processed again, not mistaken for an echo', async () => {
    const [a] = changed;
    await client.cases.update(a ?? '', { risk_level: 'medium' });
    await quiet();
    expect(fake.deliveries).toHaveLength(10);
    expect(count(stdout, `received case ${a} `)).toBe(2);
    expect(acknowledgements()).toHaveLength(5);
  });

  test('a delivery without the webhook\'s key is refused and not acknowledged', async () => {
    const response = await fetch(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'not-the-key' },
      body: JSON.stringify({ data: { record_id: changed[0], record_type: 'case', hostname: 'x', last_updated_at: null } }),
    });
    expect(response.status).toBe(401);
    expect(acknowledgements()).toHaveLength(5);
  });

  test('it stops cleanly on SIGTERM and reports its counts', async () => {
    const exited = new Promise<number | null>((resolve) => receiver.once('exit', resolve));
    receiver.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toContain('Stopped: processed 5, acknowledged 5, skipped 5 echoes, failed 0');
    expect(ownStderr(stderr)).toBe('');
  });
});

/** Polls `probe` until it gives a value; the error names what the receiver said on stderr. */
async function until<T>(probe: () => T | null | undefined, timeoutMs: number, stderr: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`the receiver did not start: ${stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
