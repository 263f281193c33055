/**
 * Fault soak: the fake Primero fails 10% of the requests it gets, in every way it can (500, 502, 503, a reset
 * connection, a truncated body, a proxy's HTML 502), while the SDK reads 10,000 cases and makes writes.
 * Faults are drawn from streams seeded by the fake's seed, so every run meets the same faults.
 *
 * What must hold (sdk-design.md 3.6, README "Retries, timeouts and concurrency"):
 * - reads: exactly the 10,000 stored cases arrive, each once, with the SDK's de-duplication switched off so
 *   a page delivered twice would show;
 * - a POST that failed is reported, never silently sent again: the fake sees exactly one POST per call;
 * - a create the SDK made idempotent (a client-generated id) leaves exactly one record per call, however
 *   many attempts it took.
 */
import { describe, expect, test } from 'vitest';
import { ConnectionError, PrimeroClient, ServerError, isPrimeroError, type ClientOptions } from '../../src/index.js';
import { createFakePrimero, type FakePrimeroWithHandlers, type FaultRule } from '../../src/testing/index.js';

const CASES = 10_000;
const RATE = 0.1;
const SEED = 4;

/** Six rules, one per way of failing, each at the rate that makes one request in ten fail overall. */
function faults(method: 'GET' | 'POST', path: string): FaultRule[] {
  const each = 1 - (1 - RATE) ** (1 / 6);
  return [
    { method, path, rate: each, kind: 'status', status: 500 },
    { method, path, rate: each, kind: 'status', status: 502 },
    { method, path, rate: each, kind: 'status', status: 503 },
    { method, path, rate: each, kind: 'reset' },
    { method, path, rate: each, kind: 'truncate' },
    { method, path, rate: each, kind: 'html502' },
  ];
}

function clientOf(fake: FakePrimeroWithHandlers, extra: Partial<ClientOptions> = {}): PrimeroClient {
  return new PrimeroClient({
    baseUrl: fake.baseUrl,
    auth: fake.credentials,
    fetch: fake.fetch,
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
    // Three faults in a row on one page are likely somewhere in ~250 requests at 10%: enough retries that the
    // soak tests delivery, not the retry budget (which test/transport.test.ts covers).
    maxRetries: 6,
    ...extra,
  });
}

describe('reading 10,000 cases with 10% of GETs failing', () => {
  const fake = createFakePrimero({ cases: CASES, seed: SEED, faults: faults('GET', '/cases') });
  const stored = new Set(fake.store.cases.keys());
  // What the client met, across every scan of this block: statuses, and resets (the fetch rejected).
  const met = new Set<string>();
  const seenFaults = new Set<string>();
  const counting = (async (input: Request, init?: RequestInit) => {
    try {
      const response = await fake.fetch(input, init);
      met.add(`${response.status}${response.headers.get('content-type')?.includes('html') ? ' html' : ''}`);
      return response;
    } catch (error) {
      met.add('reset');
      throw error;
    }
  }) as typeof fake.fetch;
  const client = () => clientOf(fake, { fetch: counting });

  test.each([
    ['sequentially', 0],
    ['with prefetch 3', 3],
  ])('%s: exactly the stored cases arrive, each once', async (_how, prefetch) => {
    fake.requests.length = 0;
    const ids: string[] = [];
    // dedupe: false, so a page the SDK delivered twice would not be hidden by its own de-duplication.
    for await (const record of client().paginate<{ id: string }>('/cases', { per: 100, prefetch, dedupe: false })) ids.push(record.id);

    expect(ids).toHaveLength(CASES);
    expect(new Set(ids).size).toBe(CASES);
    expect(ids.every((id) => stored.has(id))).toBe(true);

    // The faults really happened, about one request in ten, each paid for by exactly one more request.
    const requests = fake.requests.filter((r) => r.method === 'GET' && r.path === '/cases');
    const faulted = requests.filter((r) => r.fault);
    for (const r of faulted) seenFaults.add(r.fault as string);
    expect(requests.length - faulted.length).toBe(CASES / 100);
    expect(faulted.length / requests.length).toBeGreaterThan(0.04);
    expect(faulted.length / requests.length).toBeLessThan(0.2);
  });

  test('the typed resource (de-duplication on, bigger pages, prefetch 2) yields the same 10,000 ids', async () => {
    fake.requests.length = 0;
    const ids = new Set<string>();
    let count = 0;
    for await (const record of client().cases.list({ per: 250, prefetch: 2 })) {
      ids.add(record.id);
      count++;
    }
    for (const r of fake.requests) if (r.fault) seenFaults.add(r.fault);
    expect(count).toBe(CASES);
    expect(ids).toEqual(stored);
  });

  test('every kind of failure was met and recovered from', () => {
    expect(seenFaults).toEqual(new Set(['status', 'reset', 'truncate', 'html502']));
    for (const answer of ['500', '502', '503', '502 html', 'reset', '200']) expect(met).toContain(answer);
  });
});

describe('writes with 10% of POSTs failing', () => {
  const CALLS = 300;
  const body = (i: number) => ({ module_id: 'primeromodule-cp', name_first: `Soak Child ${i}`, age: i % 18 });

  test('a failed POST is reported, never silently repeated: one POST per call, and only completed work is stored', async () => {
    const fake = createFakePrimero({ cases: 0, seed: SEED, faults: faults('POST', '/cases') });
    const client = clientOf(fake);
    const outcomes: Array<'created' | 'ServerError' | 'ConnectionError'> = [];
    for (let i = 0; i < CALLS; i++) {
      try {
        await client.cases.create(body(i), { idempotent: false });
        outcomes.push('created');
      } catch (error) {
        // Only the two kinds a fault can cause, typed.
        if (error instanceof ServerError) outcomes.push('ServerError');
        else if (error instanceof ConnectionError) outcomes.push('ConnectionError');
        else throw error;
      }
    }
    const posts = fake.requests.filter((r) => r.method === 'POST' && r.path === '/cases');
    // Exactly one attempt per call: no retry on a status, a reset, a cut-off answer or an HTML page.
    expect(posts).toHaveLength(CALLS);
    const faulted = posts.filter((r) => r.fault);
    expect(faulted.length).toBeGreaterThan(5);
    expect(new Set(faulted.map((r) => r.fault))).toEqual(new Set(['status', 'reset', 'truncate', 'html502']));
    expect(outcomes.filter((o) => o !== 'created')).toHaveLength(faulted.length);
    // What the server did: every answered create, plus those whose answer was lost or cut off after the work
    // was done (a reset after the fact, a truncated body). Nothing more: no hidden second attempt.
    const doneButLost = faulted.filter((r) => r.fault === 'reset' || r.fault === 'truncate').length;
    expect(fake.store.cases.size).toBe(outcomes.filter((o) => o === 'created').length + doneButLost);
    const names = [...fake.store.cases.values()].map((r) => r.name_first);
    expect(new Set(names).size).toBe(names.length);
  });

  test('idempotent creates (the default: a client-generated id) leave exactly one record per call', async () => {
    const fake = createFakePrimero({ cases: 0, seed: SEED + 1, faults: faults('POST', '/cases') });
    const client = clientOf(fake);
    const created: string[] = [];
    for (let i = 0; i < CALLS; i++) created.push((await client.cases.create(body(i))).id);

    expect(new Set(created).size).toBe(CALLS);
    expect(fake.store.cases.size).toBe(CALLS);
    expect(new Set(fake.store.cases.keys())).toEqual(new Set(created));
    const names = [...fake.store.cases.values()].map((r) => r.name_first);
    expect(new Set(names)).toEqual(new Set(Array.from({ length: CALLS }, (_, i) => `Soak Child ${i}`)));

    // Faults did happen and were recovered by repeating the same create (same id), never a new one.
    const posts = fake.requests.filter((r) => r.method === 'POST' && r.path === '/cases');
    expect(posts.length).toBeGreaterThan(CALLS);
    const idsSent = posts.map((r) => (r.body as { data: { id: string } }).data.id);
    expect(new Set(idsSent)).toEqual(new Set(created));
  });

  test('a 503 without Retry-After is not the configuration lock: a non-idempotent POST meeting it is not repeated', async () => {
    const fake = createFakePrimero({ cases: 0, seed: SEED, faults: [{ method: 'POST', path: '/cases', kind: 'status', status: 503, times: 1 }] });
    const error = await clientOf(fake).cases.create(body(1), { idempotent: false }).catch((e: unknown) => e);
    expect(isPrimeroError(error, 'ServerError') && !error.isConfigurationLock).toBe(true);
    expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(fake.store.cases.size).toBe(0);
  });
});
