/**
 * Pagination (primero-api.md sections 2.2 and 2.3): `client.paginate()` and `PagedIterable` against an
 * in-test list server with real LIMIT/OFFSET semantics.
 */
import { inspect } from 'node:util';
import fc from 'fast-check';
import { http, HttpResponse } from 'msw';
import { describe, expect, test, vi } from 'vitest';
import { z } from 'zod';
import {
  AbortError,
  CollectLimitError,
  NotFoundError,
  PagedIterable,
  RequestValidationError,
  ResponseValidationError,
  ServerError,
  type LogEvent,
  type ValidationMode,
} from '../src/index.js';
import { API, recordRequests, server, testClient } from './support/server.js';

// ---------------------------------------------------------------------------------------------------------
// An in-test list endpoint: `records` is the table, sliced by OFFSET (page - 1) * per LIMIT per.
// ---------------------------------------------------------------------------------------------------------

interface Rec {
  id: string;
  created_at: string;
}

const T0 = Date.UTC(2024, 0, 1);

/** `count` records with ascending `created_at`, numbered from `from`. */
function makeRecords(count: number, from = 0): Rec[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `case-${String(from + i).padStart(5, '0')}`,
    created_at: new Date(T0 + (from + i) * 60_000).toISOString(),
  }));
}

interface ListServer {
  /** The table; tests may mutate it between pages. */
  records: Rec[];
  /** Every request, in arrival order. */
  requests: { page: number; per: number; query: URLSearchParams }[];
  /** Pages in the order their responses were sent. */
  completed: number[];
  /** Pages whose request the client aborted while the server was still working on it. */
  aborted: number[];
  /** Most requests the server was handling at once. */
  maxInFlight: number;
}

interface ListOptions {
  path?: string;
  /** Server-side work time for a page; the wait ends early when the client aborts. */
  delayMs?: (page: number) => number;
  /** Called on arrival, before the page is cut. */
  onRequest?: (page: number, list: ListServer) => void;
  /** Called after the page was cut from the table, before the response is sent. */
  afterPage?: (page: number, list: ListServer) => void;
  /** What the metadata reports as `total` (default: the table's length). */
  reportTotal?: (actual: number) => number;
  /** The page size the server applies (default `min(per, 1000)`, as Primero). */
  serverPer?: (requested: number) => number;
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
function workFor(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function serveList(records: Rec[], options: ListOptions = {}): ListServer {
  const list: ListServer = { records, requests: [], completed: [], aborted: [], maxInFlight: 0 };
  let inFlight = 0;
  server.use(
    http.get(`${API}${options.path ?? '/cases'}`, async ({ request }) => {
      const query = new URL(request.url).searchParams;
      const page = Number(query.get('page') ?? '1');
      const requested = Number(query.get('per') ?? '20');
      const per = options.serverPer ? options.serverPer(requested) : Math.min(requested, 1000);
      list.requests.push({ page, per: requested, query });
      inFlight++;
      list.maxInFlight = Math.max(list.maxInFlight, inFlight);
      try {
        options.onRequest?.(page, list);
        const ms = options.delayMs?.(page) ?? 0;
        if (ms > 0 && !(await workFor(ms, request.signal))) {
          list.aborted.push(page);
          return HttpResponse.json({ errors: [{ message: 'aborted' }] }, { status: 499 });
        }
        const data = list.records.slice((page - 1) * per, page * per);
        const total = options.reportTotal ? options.reportTotal(list.records.length) : list.records.length;
        options.afterPage?.(page, list);
        list.completed.push(page);
        return HttpResponse.json({ data, metadata: { total, per, page } });
      } finally {
        inFlight--;
      }
    }),
  );
  return list;
}

const pagesOf = (list: ListServer) => list.requests.map((r) => r.page);
const idsOf = (items: readonly { id: string }[]) => items.map((r) => r.id);

async function drain<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** Iterates, keeping what was yielded before a failure. */
async function drainUntilError<T>(iterable: AsyncIterable<T>): Promise<{ items: T[]; error: unknown }> {
  const items: T[] = [];
  try {
    for await (const item of iterable) items.push(item);
  } catch (error) {
    return { items, error };
  }
  return { items, error: undefined };
}

const tick = (ms = 10) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------------------

describe('laziness', () => {
  test('creating the iterable (or a byPage generator) sends nothing; iterating does', async () => {
    const seen = recordRequests();
    const list = serveList(makeRecords(3));
    const client = testClient();
    const iterable = client.paginate<Rec>('/cases', { prefetch: 2 });
    const pages = iterable.byPage();
    await tick(20);
    expect(seen).toHaveLength(0);
    expect(list.requests).toHaveLength(0);

    expect(idsOf(await drain(iterable))).toEqual(['case-00000', 'case-00001', 'case-00002']);
    expect(seen).toHaveLength(1);
    // The generator created earlier only starts on its first next().
    await pages.next();
    expect(seen).toHaveLength(2);
    await pages.return();
  });

  test('a bad path is refused when paginate() is called, before anything is sent', () => {
    const seen = recordRequests();
    const client = testClient();
    expect(() => client.paginate('/cases?status=open')).toThrow(RequestValidationError);
    expect(() => client.paginate('https://evil.test/cases')).toThrow(RequestValidationError);
    expect(seen).toHaveLength(0);
  });
});

describe('for await over every page', () => {
  test('yields each record exactly once, in order, and stops when page * per >= total (250 / 100 -> 3 requests)', async () => {
    const records = makeRecords(250);
    const list = serveList(records);
    const items = await drain(testClient().paginate<Rec>('/cases'));
    expect(items).toEqual(records);
    expect(new Set(idsOf(items)).size).toBe(250);
    expect(pagesOf(list)).toEqual([1, 2, 3]);
  });

  test('a page past the end is never requested, even with prefetch (200 / 100 -> pages 1 and 2 only)', async () => {
    for (const prefetch of [0, 3]) {
      server.resetHandlers();
      const list = serveList(makeRecords(200));
      const items = await drain(testClient().paginate<Rec>('/cases', { prefetch }));
      expect(items).toHaveLength(200);
      expect(pagesOf(list)).toEqual([1, 2]);
    }
  });

  test('an empty list makes exactly one request', async () => {
    const list = serveList([]);
    expect(await drain(testClient().paginate<Rec>('/cases'))).toEqual([]);
    expect(pagesOf(list)).toEqual([1]);
  });

  test('stops on an empty page even though total says there is more', async () => {
    // A stale count: the server claims 10 000 rows but only has 150.
    const list = serveList(makeRecords(150), { reportTotal: () => 10_000 });
    const items = await drain(testClient().paginate<Rec>('/cases', { prefetch: 0 }));
    expect(items).toHaveLength(150);
    expect(pagesOf(list)).toEqual([1, 2, 3]);
  });

  test('a total that shrinks mid-scan ends the scan instead of looping', async () => {
    // Rows are deleted after page 1: page 2 comes back empty while page 1 said 300.
    const list = serveList(makeRecords(300), {
      afterPage: (page, l) => {
        if (page === 1) l.records = l.records.slice(0, 90);
      },
    });
    const items = await drain(testClient().paginate<Rec>('/cases'));
    expect(idsOf(items)).toEqual(idsOf(makeRecords(100)));
    expect(pagesOf(list)).toEqual([1, 2]);
  });
});

describe('query', () => {
  test('default: page, per=100, order_by=created_at, order=asc, with the user query kept', async () => {
    const list = serveList(makeRecords(1));
    await drain(testClient().paginate<Rec>('/cases', { query: { status: 'open', flagged: true, owned_by: ['a', 'b'] } }));
    const query = list.requests[0]?.query;
    expect(Object.fromEntries(query ?? [])).toEqual({
      order_by: 'created_at',
      order: 'asc',
      status: 'open',
      flagged: 'true',
      owned_by: 'a,b',
      page: '1',
      per: '100',
    });
  });

  test("the user's order_by is kept and no order is added", async () => {
    const list = serveList(makeRecords(1));
    await drain(testClient().paginate<Rec>('/cases', { query: { order_by: 'age' } }));
    const query = list.requests[0]?.query;
    expect(query?.get('order_by')).toBe('age');
    expect(query?.has('order')).toBe(false);
  });

  test('an undefined order_by in the query does not erase the default sort', async () => {
    const list = serveList(makeRecords(3));
    await drain(testClient().paginate<Rec>('/cases', { query: { order_by: undefined, order: undefined } }));
    const first = list.requests[0]!;
    expect(first.query.get('order_by')).toBe('created_at');
    expect(first.query.get('order')).toBe('asc');
  });

  test('sort: {by, direction} is sent; sort: false sends no sort at all', async () => {
    const list = serveList(makeRecords(1));
    const client = testClient();
    await drain(client.paginate<Rec>('/cases', { sort: { by: 'registration_date', direction: 'desc' } }));
    await drain(client.paginate<Rec>('/cases', { sort: { by: 'age' } }));
    await drain(client.paginate<Rec>('/cases', { sort: false }));
    expect(list.requests.map((r) => [r.query.get('order_by'), r.query.get('order')])).toEqual([
      ['registration_date', 'desc'],
      ['age', 'asc'],
      [null, null],
    ]);
  });

  test.each([
    ['/cases', 'created_at', 'asc'],
    ['/incidents', 'created_at', 'asc'],
    ['/tracing_requests', 'created_at', 'asc'],
    ['/families', 'created_at', 'asc'],
    ['/registry_records', 'created_at', 'asc'],
    ['/tasks', null, null],
    ['/audit_logs', null, null],
  ])('the default sort of %s: order_by %s, order %s (only record collections are sorted by creation)', async (path, orderBy, order) => {
    const list = serveList(makeRecords(1), { path });
    await drain(testClient().paginate<Rec>(path));
    expect(list.requests.map((r) => [r.query.get('order_by'), r.query.get('order')])).toEqual([[orderBy, order]]);
  });

  test('sort: {by, direction} is sent on a list without a default sort (/tasks); sort: false sends none on a record list', async () => {
    const tasks = serveList(makeRecords(1), { path: '/tasks' });
    const incidents = serveList(makeRecords(1), { path: '/incidents' });
    const client = testClient();
    await drain(client.paginate<Rec>('/tasks', { sort: { by: 'due_date', direction: 'desc' } }));
    await drain(client.paginate<Rec>('/tasks', { sort: { by: 'priority' } }));
    await drain(client.paginate<Rec>('/incidents', { sort: false }));
    expect(tasks.requests.map((r) => Object.fromEntries(r.query))).toEqual([
      { order_by: 'due_date', order: 'desc', page: '1', per: '100' },
      { order_by: 'priority', order: 'asc', page: '1', per: '100' },
    ]);
    expect(incidents.requests.map((r) => Object.fromEntries(r.query))).toEqual([{ page: '1', per: '100' }]);
  });

  test('page and per set by the user in the query are overridden by the iterator', async () => {
    const list = serveList(makeRecords(150));
    const items = await drain(testClient().paginate<Rec>('/cases', { query: { page: 7, per: 3 }, per: 100 }));
    expect(items).toHaveLength(150);
    expect(list.requests.map((r) => [r.query.get('page'), r.query.get('per')])).toEqual([
      ['1', '100'],
      ['2', '100'],
    ]);
  });

  test.each([
    [5000, 1000],
    [1000, 1000],
    [0, 1],
    [-5, 1],
    [250.9, 250],
    [Number.NaN, 100],
    [undefined, 100],
  ])('per %s is sent as %s', async (per, sent) => {
    const list = serveList(makeRecords(2));
    await drain(testClient().paginate<Rec>('/cases', per === undefined ? {} : { per }));
    expect(list.requests[0]?.query.get('per')).toBe(String(sent));
  });

  test("the server's metadata.per drives the stop rule, not the requested per", async () => {
    // An endpoint that pages by 50 whatever is asked: page*requestedPer would stop after page 2.
    const list = serveList(makeRecords(120), { serverPer: () => 50 });
    const items = await drain(testClient().paginate<Rec>('/cases', { per: 100 }));
    expect(items).toHaveLength(120);
    expect(new Set(idsOf(items)).size).toBe(120);
    expect(pagesOf(list)).toEqual([1, 2, 3]);
  });
});

describe('records changing during a scan', () => {
  test('records created during the scan (appended, newer created_at) are seen', async () => {
    const list = serveList(makeRecords(250), {
      afterPage: (page, l) => {
        if (page === 1) l.records.push(...makeRecords(60, 250));
      },
    });
    const items = await drain(testClient().paginate<Rec>('/cases'));
    expect(idsOf(items)).toEqual(idsOf(makeRecords(310)));
    expect(pagesOf(list)).toEqual([1, 2, 3, 4]);
  });

  test('a record shifted into an already-read page is not yielded twice', async () => {
    const original = makeRecords(250);
    const list = serveList([...original], {
      afterPage: (page, l) => {
        // A back-dated record sorts first: every later row moves one place, so page 2 starts with page 1's last row.
        if (page === 1) l.records.unshift({ id: 'case-backdated', created_at: new Date(T0 - 86_400_000).toISOString() });
      },
    });
    const items = await drain(testClient().paginate<Rec>('/cases'));
    expect(idsOf(items)).toEqual(idsOf(original));
    expect(pagesOf(list)).toEqual([1, 2, 3]);
  });

  test('de-duplication is per scan: a second scan of the same iterable yields everything again', async () => {
    const list = serveList(makeRecords(120));
    const iterable = testClient().paginate<Rec>('/cases');
    expect(await drain(iterable)).toHaveLength(120);
    expect(await drain(iterable)).toHaveLength(120);
    expect(pagesOf(list)).toEqual([1, 2, 1, 2]);
  });

  test('dedupe: false keeps every item and a key function decides what a repeat is (tasks carry their case id); the default drops a repeated id', async () => {
    interface Task {
      id: string;
      type: string;
    }
    // Three pages of 2: one case has several tasks, and one task is shifted from page 1 into page 2.
    const pages: Task[][] = [
      [
        { id: 'case-1', type: 'service' },
        { id: 'case-1', type: 'assessment' },
      ],
      [
        { id: 'case-1', type: 'assessment' },
        { id: 'case-2', type: 'service' },
      ],
      [{ id: 'case-1', type: 'followup' }],
    ];
    server.use(
      http.get(`${API}/tasks`, ({ request }) => {
        const page = Number(new URL(request.url).searchParams.get('page'));
        return HttpResponse.json({ data: pages[page - 1] ?? [], metadata: { total: 5, per: 2, page } });
      }),
    );
    const client = testClient();
    const keys = (tasks: Task[]) => tasks.map((t) => `${t.id}:${t.type}`);

    expect(keys(await drain(client.paginate<Task>('/tasks', { per: 2, dedupe: false })))).toEqual([
      'case-1:service',
      'case-1:assessment',
      'case-1:assessment',
      'case-2:service',
      'case-1:followup',
    ]);
    expect(keys(await drain(client.paginate<Task>('/tasks', { per: 2, dedupe: (t) => `${t.id}:${t.type}` })))).toEqual([
      'case-1:service',
      'case-1:assessment',
      'case-2:service',
      'case-1:followup',
    ]);
    expect(keys(await drain(client.paginate<Task>('/tasks', { per: 2 })))).toEqual(['case-1:service', 'case-2:service']);
  });

  test('records without an id are never dropped', async () => {
    server.use(
      http.get(`${API}/cases`, () =>
        HttpResponse.json({ data: [{ name: 'a' }, { name: 'b' }, { id: 'x' }, { id: 'x' }], metadata: { total: 4, per: 100, page: 1 } }),
      ),
    );
    expect(await drain(testClient().paginate('/cases'))).toEqual([{ name: 'a' }, { name: 'b' }, { id: 'x' }]);
  });
});

describe('byPage and firstPage', () => {
  test('byPage() yields each page with the server metadata', async () => {
    const records = makeRecords(250);
    const list = serveList(records);
    const pages = await drain(testClient().paginate<Rec>('/cases').byPage());
    expect(pages.map((p) => p.metadata)).toEqual([
      { total: 250, per: 100, page: 1 },
      { total: 250, per: 100, page: 2 },
      { total: 250, per: 100, page: 3 },
    ]);
    expect(pages.map((p) => p.data.length)).toEqual([100, 100, 50]);
    expect(pages.flatMap((p) => p.data)).toEqual(records);
    expect(pagesOf(list)).toEqual([1, 2, 3]);
  });

  test('firstPage() makes exactly one request, even with prefetch', async () => {
    const list = serveList(makeRecords(500));
    const first = await testClient().paginate<Rec>('/cases', { prefetch: 3, per: 50 }).firstPage();
    expect(first.metadata).toEqual({ total: 500, per: 50, page: 1 });
    expect(idsOf(first.data)).toEqual(idsOf(makeRecords(50)));
    await tick(20);
    expect(pagesOf(list)).toEqual([1]);
  });
});

describe('collect', () => {
  test('returns every record when the total is within max', async () => {
    const records = makeRecords(250);
    const list = serveList(records);
    expect(await testClient().paginate<Rec>('/cases').collect({ max: 250 })).toEqual(records);
    expect(pagesOf(list)).toEqual([1, 2, 3]);
  });

  test('throws CollectLimitError as soon as metadata.total exceeds max, after ONE request', async () => {
    const list = serveList(makeRecords(250));
    const error = await testClient()
      .paginate<Rec>('/cases', { prefetch: 2 })
      .collect({ max: 249 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CollectLimitError);
    expect(error).toMatchObject({ name: 'CollectLimitError', max: 249, total: 250 });
    await tick(20);
    expect(pagesOf(list)).toEqual([1]);
  });

  test('with prefetch 2, a total over max stops collect() before any other page is even started', async () => {
    const fetched: number[] = [];
    const iterable = new PagedIterable<{ id: string }>(
      async (page, per) => {
        fetched.push(page);
        return { data: Array.from({ length: per }, (_, i) => ({ id: `${page}-${i}` })), metadata: { total: 250, per, page } };
      },
      { per: 100, prefetch: 2 },
    );
    const error = await iterable.collect({ max: 249 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CollectLimitError);
    expect(error).toMatchObject({ max: 249, total: 250 });
    expect(fetched).toEqual([1]);
  });

  test('throws CollectLimitError when records created mid-scan push the count past max', async () => {
    const list = serveList(makeRecords(150), {
      afterPage: (page, l) => {
        if (page === 1) l.records.push(...makeRecords(100, 150));
      },
    });
    const error = await testClient()
      .paginate<Rec>('/cases')
      .collect({ max: 200 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CollectLimitError);
    expect(error).toMatchObject({ max: 200, total: 250 });
    expect(pagesOf(list)).toEqual([1, 2]);
  });

  test.each([
    ['no options', undefined],
    ['no max', {}],
    ['a string max', { max: '10' }],
    ['a negative max', { max: -1 }],
    ['NaN', { max: Number.NaN }],
  ])('RequestValidationError for %s, before anything is sent', async (_label, options) => {
    const seen = recordRequests();
    serveList(makeRecords(5));
    const iterable = testClient().paginate<Rec>('/cases');
    await expect(iterable.collect(options as unknown as { max: number })).rejects.toBeInstanceOf(RequestValidationError);
    expect(seen).toHaveLength(0);
  });

  test('max: 0 collects an empty list', async () => {
    const list = serveList([]);
    expect(await testClient().paginate<Rec>('/cases').collect({ max: 0 })).toEqual([]);
    expect(pagesOf(list)).toEqual([1]);
  });
});

describe('prefetch', () => {
  /** Requests as the server receives them and pages as the consumer finishes them (40 ms each), on one timeline. */
  async function timeline(prefetch: number): Promise<string[]> {
    const trace: string[] = [];
    serveList(makeRecords(500), { onRequest: (page) => trace.push(`request ${page}`) });
    for await (const page of testClient({ maxConcurrency: 8 }).paginate<Rec>('/cases', { prefetch }).byPage()) {
      await tick(40);
      trace.push(`consumed ${page.metadata.page}`);
    }
    return trace;
  }

  test('prefetch 2 requests pages 2 and 3 as soon as page 1 arrives, while the consumer is still on page 1', async () => {
    expect(await timeline(2)).toEqual([
      'request 1',
      'request 2',
      'request 3',
      'consumed 1',
      'request 4',
      'consumed 2',
      'request 5',
      'consumed 3',
      'consumed 4',
      'consumed 5',
    ]);
  });

  test('prefetch 0 stays strictly sequential: each page is requested after the previous one was consumed', async () => {
    expect(await timeline(0)).toEqual([
      'request 1',
      'consumed 1',
      'request 2',
      'consumed 2',
      'request 3',
      'consumed 3',
      'request 4',
      'consumed 4',
      'request 5',
      'consumed 5',
    ]);
  });

  test('pages are yielded in order even when later pages answer first', async () => {
    const records = makeRecords(500);
    // Later pages are faster: page 2 takes 60 ms, page 5 takes 15 ms.
    const list = serveList(records, { delayMs: (page) => (page === 1 ? 0 : (6 - page) * 15) });
    const items = await drain(testClient({ maxConcurrency: 8 }).paginate<Rec>('/cases', { prefetch: 4 }));
    expect(items).toEqual(records);
    expect(list.completed).toEqual([1, 5, 4, 3, 2]);
    expect(pagesOf(list)).toEqual([1, 2, 3, 4, 5]);
  });

  test.each([0, 1, 2, 3])('prefetch %i keeps up to prefetch + 1 pages in flight', async (prefetch) => {
    const list = serveList(makeRecords(1000), { delayMs: () => 8 });
    const items = await drain(testClient({ maxConcurrency: 10 }).paginate<Rec>('/cases', { prefetch }));
    expect(items).toHaveLength(1000);
    expect(list.maxInFlight).toBe(prefetch + 1);
    expect([...pagesOf(list)].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  test("the client's maxConcurrency bounds prefetching", async () => {
    const list = serveList(makeRecords(1000), { delayMs: () => 8 });
    const items = await drain(testClient({ maxConcurrency: 2 }).paginate<Rec>('/cases', { prefetch: 5 }));
    expect(items).toHaveLength(1000);
    expect(list.maxInFlight).toBe(2);
  });

  test('a prefetch that is not a number is read as 0 (no TypeError)', async () => {
    const list = serveList(makeRecords(250), { delayMs: () => 2 });
    const items = await drain(testClient().paginate<Rec>('/cases', { prefetch: Number.NaN }));
    expect(items).toHaveLength(250);
    expect(pagesOf(list)).toEqual([1, 2, 3]);
    expect(list.maxInFlight).toBe(1);
  });

  test('breaking out early aborts the prefetched requests still in flight', async () => {
    const list = serveList(makeRecords(1000), { delayMs: (page) => (page <= 2 ? 0 : 5_000) });
    const started = Date.now();
    let count = 0;
    for await (const _ of testClient({ maxConcurrency: 8 }).paginate<Rec>('/cases', { prefetch: 3 })) {
      if (++count === 101) break; // first record of page 2: pages 3, 4 and 5 are in flight
    }
    await vi.waitFor(() => expect([...list.aborted].sort()).toEqual([3, 4, 5]));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(pagesOf(list)).toEqual([1, 2, 3, 4, 5]);
    expect(list.completed).toEqual([1, 2]);
    // Nothing more is requested afterwards.
    await tick(30);
    expect(pagesOf(list)).toEqual([1, 2, 3, 4, 5]);
  });

  test('an error on a page read ahead surfaces only when that page is reached, in order', async () => {
    let served = 0;
    server.use(
      http.get(`${API}/cases`, ({ request }) => {
        served++;
        const page = Number(new URL(request.url).searchParams.get('page'));
        if (page === 3) return HttpResponse.json({ errors: [{ status: 404, message: 'Not Found' }] }, { status: 404 });
        return HttpResponse.json({ data: makeRecords(100, (page - 1) * 100), metadata: { total: 400, per: 100, page } });
      }),
    );
    const { items, error } = await drainUntilError(testClient({ maxConcurrency: 8 }).paginate<Rec>('/cases', { prefetch: 3 }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(idsOf(items)).toEqual(idsOf(makeRecords(200)));
    expect(served).toBe(4);
  });
});

describe('abort', () => {
  test.each([
    { where: 'paginate options', prefetch: 0 },
    { where: 'request options', prefetch: 0 },
    { where: 'paginate options', prefetch: 2 },
  ])('a signal in $where aborted mid-page (prefetch $prefetch) rejects with AbortError and stops', async ({ where, prefetch }) => {
    const controller = new AbortController();
    const reason = new Error('user cancelled');
    const last = 2 + prefetch;
    const list = serveList(makeRecords(1000), {
      delayMs: (page) => (page === 1 ? 0 : 5_000),
      onRequest: (_page, l) => {
        if (l.requests.length === last) setTimeout(() => controller.abort(reason), 5);
      },
    });
    const client = testClient({ maxConcurrency: 8 });
    const iterable =
      where === 'paginate options'
        ? client.paginate<Rec>('/cases', { prefetch, signal: controller.signal })
        : client.paginate<Rec>('/cases', { prefetch }, { signal: controller.signal });
    const iterator = iterable[Symbol.asyncIterator]();
    const items: Rec[] = [];
    let error: unknown;
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.done) break;
        items.push(next.value);
      }
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).cause).toBe(reason);
    expect(items).toHaveLength(100);
    // The iterator is finished: no further request, no further item.
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    const expected = Array.from({ length: last }, (_, i) => i + 1);
    await vi.waitFor(() => expect([...list.aborted].sort()).toEqual(expected.slice(1)));
    await tick(20);
    expect(pagesOf(list)).toEqual(expected);
  });

  test('with signals in both places, either one aborts', async () => {
    for (const which of ['paginate', 'request'] as const) {
      server.resetHandlers();
      const paginateSignal = new AbortController();
      const requestSignal = new AbortController();
      const list = serveList(makeRecords(300), {
        delayMs: (page) => (page === 1 ? 0 : 1_000),
        onRequest: (page) => {
          if (page === 2) setTimeout(() => (which === 'paginate' ? paginateSignal : requestSignal).abort(), 5);
        },
      });
      const iterable = testClient().paginate<Rec>('/cases', { signal: paginateSignal.signal }, { signal: requestSignal.signal });
      const { items, error } = await drainUntilError(iterable);
      expect(error).toBeInstanceOf(AbortError);
      expect(items).toHaveLength(100);
      await vi.waitFor(() => expect(list.aborted).toEqual([2]));
    }
  });

  test('a signal aborted before iterating rejects with AbortError and sends nothing', async () => {
    const seen = recordRequests();
    serveList(makeRecords(10));
    const iterable = testClient().paginate<Rec>('/cases', { signal: AbortSignal.abort() });
    await expect(drain(iterable)).rejects.toBeInstanceOf(AbortError);
    await expect(iterable.firstPage()).rejects.toBeInstanceOf(AbortError);
    expect(seen).toHaveLength(0);
  });
});

describe('errors from a later page', () => {
  test('a 404 on page 2 propagates as NotFoundError after page 1 was yielded', async () => {
    const list = serveList(makeRecords(250));
    server.use(
      http.get(`${API}/cases`, ({ request }) => {
        const page = new URL(request.url).searchParams.get('page');
        if (page !== '2') return undefined; // fall through to the list
        list.requests.push({ page: 2, per: 100, query: new URL(request.url).searchParams });
        return HttpResponse.json({ errors: [{ status: 404, resource: '/api/v2/cases', message: 'Not Found' }] }, { status: 404 });
      }),
    );
    const { items, error } = await drainUntilError(testClient().paginate<Rec>('/cases'));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, method: 'GET', attempts: 1 });
    expect(items).toHaveLength(100);
    expect(pagesOf(list)).toEqual([1, 2]);
  });

  test('a 500 on page 2 propagates as ServerError after the retries', async () => {
    const pages: number[] = [];
    server.use(
      http.get(`${API}/cases`, ({ request }) => {
        const page = Number(new URL(request.url).searchParams.get('page'));
        pages.push(page);
        if (page === 2) return HttpResponse.json({ errors: [{ status: 500, message: 'boom' }] }, { status: 500 });
        return HttpResponse.json({ data: makeRecords(100), metadata: { total: 250, per: 100, page } });
      }),
    );
    const { items, error } = await drainUntilError(testClient({ maxRetries: 2 }).paginate<Rec>('/cases'));
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 500, attempts: 3 });
    expect(items).toHaveLength(100);
    expect(pages).toEqual([1, 2, 2, 2]);
  });
});

describe('response shape', () => {
  const badBodies: [string, unknown][] = [
    ['an array', [{ id: 'a' }]],
    ['an empty object', {}],
    ['data as an object', { data: { id: 'a' }, metadata: { total: 1, per: 100, page: 1 } }],
    ['data: null', { data: null, metadata: { total: 1, per: 100, page: 1 } }],
    ['no metadata', { data: [{ id: 'a' }] }],
    ['metadata: null', { data: [], metadata: null }],
    ['a string total', { data: [{ id: 'a', name: 'SECRET-NAME' }], metadata: { total: 'SECRET-TOTAL', per: 100, page: 1 } }],
    ['a negative total', { data: [], metadata: { total: -1, per: 100, page: 1 } }],
    ['per null', { data: [], metadata: { total: 0, per: null, page: null } }],
    ['JSON null', null],
    ['a JSON string', 'SECRET-STRING'],
  ];
  const modes: ValidationMode[] = ['strict', 'loose', 'off'];

  test.each(modes.flatMap((mode) => badBodies.map(([label, body]) => [mode, label, body] as const)))(
    'validate %s, %s -> ResponseValidationError (paths only)',
    async (mode, _label, body) => {
      const seen = recordRequests();
      server.use(http.get(`${API}/cases`, () => HttpResponse.json(body as never)));
      const error = await drain(testClient({ validate: mode }).paginate('/cases')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ResponseValidationError);
      const rve = error as ResponseValidationError;
      expect(rve.method).toBe('GET');
      expect(rve.url).toBe('/api/v2/cases');
      expect(rve.issues.length).toBeGreaterThan(0);
      for (const issue of rve.issues) expect(Object.keys(issue).sort()).toEqual(expect.arrayContaining(['code', 'path']));
      const shown = `${rve.message} ${JSON.stringify(rve)} ${inspect(rve)}`;
      expect(shown).not.toContain('SECRET');
      expect(seen).toHaveLength(1); // not retried
    },
  );

  test('a 204 / empty body is a ResponseValidationError, not a TypeError', async () => {
    server.use(http.get(`${API}/cases`, () => new HttpResponse(null, { status: 204 })));
    const iterable = testClient({ validate: 'off' }).paginate('/cases');
    await expect(drain(iterable)).rejects.toBeInstanceOf(ResponseValidationError);
    await expect(iterable.firstPage()).rejects.toBeInstanceOf(ResponseValidationError);
    await expect(iterable.collect({ max: 10 })).rejects.toBeInstanceOf(ResponseValidationError);
  });

  test('the issue path of a malformed envelope is exact', async () => {
    server.use(http.get(`${API}/cases`, () => HttpResponse.json({ data: [], metadata: { total: 'x', per: 100, page: 1 } })));
    const error = (await drain(testClient().paginate('/cases')).catch((e: unknown) => e)) as ResponseValidationError;
    expect(error.issues).toEqual([{ path: ['metadata', 'total'], code: 'invalid_type', expected: 'number' }]);
    expect(error.message).toContain('/metadata/total');
  });
});

describe('item schema', () => {
  const Item = z.object({ id: z.string(), age: z.number() });
  const sent = [
    { id: 'c0', age: 3 },
    { id: 'c1', age: 7 },
    { id: 'c2', age: 11 },
    { id: 'c3', age: 'SECRET-twelve' },
    { id: 'c4', age: 15 },
  ];
  const serveItems = () =>
    server.use(http.get(`${API}/cases`, () => HttpResponse.json({ data: sent, metadata: { total: 5, per: 100, page: 1 } })));

  function spyLogger() {
    const events: { level: string; message: string; event: LogEvent }[] = [];
    const at = (level: string) => (message: string, event: LogEvent) => events.push({ level, message, event });
    return { events, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
  }

  test("validate 'strict': ResponseValidationError naming data/3/age, without the value", async () => {
    serveItems();
    const { events, logger } = spyLogger();
    const error = (await drain(testClient({ validate: 'strict', logger }).paginate('/cases', { schema: Item })).catch(
      (e: unknown) => e,
    )) as ResponseValidationError;
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(error.issues).toEqual([{ path: ['data', 3, 'age'], code: 'invalid_type', expected: 'number' }]);
    expect(error.message).toContain('/data/3/age');
    const shown = `${error.message} ${error.stack ?? ''} ${JSON.stringify(error)} ${inspect(error, { depth: 5 })}`;
    expect(shown).not.toContain('SECRET');
    expect(shown).not.toContain('twelve');
    expect(events.filter((e) => e.event.type === 'validation')).toHaveLength(0);
  });

  test("validate 'strict' with valid items returns them typed", async () => {
    server.use(
      http.get(`${API}/cases`, () => HttpResponse.json({ data: [{ id: 'a', age: 1 }], metadata: { total: 1, per: 100, page: 1 } })),
    );
    const items: { id: string; age: number }[] = await drain(testClient({ validate: 'strict' }).paginate('/cases', { schema: Item }));
    expect(items).toEqual([{ id: 'a', age: 1 }]);
  });

  test("validate 'loose': items returned as sent and one 'validation' log event with paths only", async () => {
    serveItems();
    const { events, logger } = spyLogger();
    const items = await drain(testClient({ validate: 'loose', logger }).paginate('/cases', { schema: Item }));
    expect(items).toEqual(sent);
    const validation = events.filter((e) => e.event.type === 'validation');
    expect(validation).toHaveLength(1);
    expect(validation[0]?.level).toBe('warn');
    expect(validation[0]?.event).toEqual({
      type: 'validation',
      method: 'GET',
      path: '/api/v2/cases',
      issues: [{ path: ['data', 3, 'age'], code: 'invalid_type' }],
    });
    expect(JSON.stringify(events)).not.toContain('SECRET');
  });

  test("validate 'loose' returns matching items as sent, custom fields included; 'strict' returns the schema's output", async () => {
    const items = [
      { id: 'a', age: 1, custom_field_x: 'kept' },
      { id: 'b', age: 2, custom_field_x: 'kept too' },
    ];
    server.use(http.get(`${API}/cases`, () => HttpResponse.json({ data: items, metadata: { total: 2, per: 100, page: 1 } })));
    expect(await drain(testClient().paginate('/cases', { schema: Item }))).toEqual(items);
    expect(await drain(testClient({ validate: 'loose' }).paginate('/cases', { schema: Item }))).toEqual(items);
    expect(await drain(testClient({ validate: 'strict' }).paginate('/cases', { schema: Item }))).toEqual([
      { id: 'a', age: 1 },
      { id: 'b', age: 2 },
    ]);
  });

  test("validate 'off': items are not checked", async () => {
    serveItems();
    const { events, logger } = spyLogger();
    const items = await drain(testClient({ validate: 'off', logger }).paginate('/cases', { schema: Item }));
    expect(items).toEqual(sent);
    expect(events.filter((e) => e.event.type === 'validation')).toHaveLength(0);
  });
});

describe('PagedIterable on its own', () => {
  test('passes the clamped per and a signal to the fetcher, and aborts that signal when iteration stops early', async () => {
    const calls: { page: number; per: number; signal: AbortSignal }[] = [];
    const iterable = new PagedIterable<{ id: number }>(
      async (page, per, signal) => {
        calls.push({ page, per, signal });
        return { data: [{ id: page * 10 }, { id: page * 10 + 1 }], metadata: { total: 100, per: 2, page } };
      },
      { per: 2 },
    );
    for await (const item of iterable) if (item.id === 21) break;
    expect(calls.map((c) => [c.page, c.per])).toEqual([
      [1, 2],
      [2, 2],
    ]);
    expect(calls.every((c) => c.signal.aborted)).toBe(true);
  });
});

describe('property', () => {
  test('for any total, per and prefetch: exactly total distinct ids in max(1, ceil(total / per)) requests', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2500 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 0, max: 3 }),
        async (total, per, prefetch) => {
          server.resetHandlers();
          const records = makeRecords(total);
          const list = serveList(records);
          const items = await drain(testClient().paginate<Rec>('/cases', { per, prefetch }));
          const expectedRequests = Math.max(1, Math.ceil(total / per));
          expect(items).toHaveLength(total);
          expect(new Set(idsOf(items)).size).toBe(total);
          expect(idsOf(items)).toEqual(idsOf(records));
          expect(list.requests).toHaveLength(expectedRequests);
          expect([...pagesOf(list)].sort((a, b) => a - b)).toEqual(Array.from({ length: expectedRequests }, (_, i) => i + 1));
        },
      ),
      {
        numRuns: 30, // ~1 ms per request: 30 runs average ~2000 requests
        examples: [
          [0, 1, 0],
          [1, 1, 3],
          [1000, 1000, 0],
          [1001, 1000, 3],
          [2500, 1000, 2],
          [2500, 7, 1],
        ],
      },
    );
  });
});
