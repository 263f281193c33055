/**
 * The transport: which failures are retried for which method, how long it waits, when it gives up,
 * what goes on the wire, how many requests run at once, and what the logger sees.
 * Backoff is 1-5 ms (testClient) so every retry test runs in milliseconds; one test waits a real second.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { http, HttpResponse, delay, passthrough } from 'msw';
import { describe, expect, test, vi } from 'vitest';
import { z } from 'zod';
import {
  AbortError,
  ConnectionError,
  PrimeroApiError,
  RequestValidationError,
  ResponseValidationError,
  ServerError,
  TimeoutError,
  isPrimeroError,
  path,
  sessionAuth,
  type FetchLike,
  type Logger,
} from '../src/index.js';
import { Limiter } from '../src/core/limiter.js';
import { rejection } from './support/async.js';
import { captureLogs } from './support/logs.js';
import { API, CREDENTIALS, recordRequests, server, testClient } from './support/server.js';

const RETRYABLE_STATUSES = [408, 429, 500, 502, 503, 504];
const FINAL_STATUSES = [400, 401, 403, 404, 409, 422];

/** Answers every method on `/cases/abc` with `respond(n)` (n = 1 for the first request) and counts. */
function route(respond: (n: number, request: Request) => Response | Promise<Response>): { count: () => number; times: number[] } {
  let n = 0;
  const times: number[] = [];
  server.use(
    http.all(`${API}/cases/abc`, ({ request }) => {
      times.push(performance.now());
      return respond(++n, request);
    }),
  );
  return { count: () => n, times };
}

function status(code: number, headers: Record<string, string> = {}): Response {
  return HttpResponse.json({ errors: [{ status: code, resource: '/api/v2/cases/abc', message: 'x' }] }, { status: code, headers });
}

/** Primero's configuration-update lock, as the server renders it (primero-api.md 1.5, 3.2). */
function configLock(retryAfter: string): Response {
  return HttpResponse.json(
    { errors: [{ status: 503, resource: '/api/v2/cases/abc', detail: `Retry-After: ${retryAfter}`, message: 'Service Unavailable' }] },
    { status: 503, headers: { 'Retry-After': retryAfter } },
  );
}

describe('retry matrix', () => {
  describe.each(['GET', 'PUT', 'DELETE'] as const)('%s (idempotent)', (method) => {
    test.each(RETRYABLE_STATUSES)('retried on %i up to maxRetries (3 attempts), then the typed error', async (code) => {
      const hits = route(() => status(code));
      const e = await rejection(testClient().request(method, '/cases/abc'));
      expect(hits.count()).toBe(3);
      expect(e).toBeInstanceOf(PrimeroApiError);
      expect((e as PrimeroApiError).status).toBe(code);
      expect((e as PrimeroApiError).attempts).toBe(3);
      expect((e as PrimeroApiError).method).toBe(method);
    });

    test('retried on connection errors, then ConnectionError with attempts', async () => {
      const hits = route(() => HttpResponse.error());
      const e = await rejection(testClient().request(method, '/cases/abc'));
      expect(hits.count()).toBe(3);
      expect(e).toBeInstanceOf(ConnectionError);
      expect((e as ConnectionError).attempts).toBe(3);
      expect((e as ConnectionError).url).toBe('/api/v2/cases/abc');
    });

    test.each(FINAL_STATUSES)('not retried on %i', async (code) => {
      const hits = route(() => status(code));
      const e = await rejection(testClient().request(method, '/cases/abc'));
      expect(hits.count()).toBe(1);
      expect((e as PrimeroApiError).status).toBe(code);
      expect((e as PrimeroApiError).attempts).toBe(1);
    });

    test('a retry that succeeds returns the data', async () => {
      const hits = route((n) => (n < 3 ? status(502) : HttpResponse.json({ data: { id: 'abc' } })));
      await expect(testClient().request(method, '/cases/abc')).resolves.toEqual({ data: { id: 'abc' } });
      expect(hits.count()).toBe(3);
    });
  });

  describe.each(['POST', 'PATCH'] as const)('%s (not idempotent)', (method) => {
    test.each([...RETRYABLE_STATUSES, ...FINAL_STATUSES])('never retried on %i', async (code) => {
      const hits = route(() => status(code));
      const e = await rejection(testClient().request(method, '/cases/abc', { body: { data: {} } }));
      expect(hits.count()).toBe(1);
      expect((e as PrimeroApiError).status).toBe(code);
      expect((e as PrimeroApiError).attempts).toBe(1);
    });

    test('not retried on a connection error (the server may have acted)', async () => {
      const hits = route(() => HttpResponse.error());
      const e = await rejection(testClient().request(method, '/cases/abc', { body: { data: {} } }));
      expect(hits.count()).toBe(1);
      expect(e).toBeInstanceOf(ConnectionError);
    });

    test('idempotent: true makes it retried like a GET (status and connection error)', async () => {
      const a = route((n) => (n === 1 ? status(500) : n === 2 ? HttpResponse.error() : HttpResponse.json({ data: { id: 'abc' } }, { status: 200 })));
      await expect(testClient().request(method, '/cases/abc', { body: { data: { id: 'abc' } }, idempotent: true })).resolves.toEqual({ data: { id: 'abc' } });
      expect(a.count()).toBe(3);
      server.resetHandlers();
      const b = route(() => status(503));
      const e = await rejection(testClient().request(method, '/cases/abc', { body: {}, idempotent: true }));
      expect(b.count()).toBe(3);
      expect((e as ServerError).attempts).toBe(3);
    });
  });

  test.each(['GET', 'PUT', 'DELETE', 'POST', 'PATCH'] as const)('%s is retried on the configuration lock (503 + Retry-After)', async (method) => {
    const hits = route((n) => (n < 3 ? configLock('0') : HttpResponse.json({ data: { ok: true } })));
    await expect(testClient().request(method, '/cases/abc', method === 'GET' ? {} : { body: { data: {} } })).resolves.toEqual({ data: { ok: true } });
    expect(hits.count()).toBe(3);

    const always = route(() => configLock('0'));
    const e = await rejection(testClient().request(method, '/cases/abc'));
    expect(always.count()).toBe(3);
    expect(e).toBeInstanceOf(ServerError);
    expect((e as ServerError).isConfigurationLock).toBe(true);
    expect((e as ServerError).retryAfterMs).toBe(0);
    expect((e as ServerError).attempts).toBe(3);
  });

  test.each(['POST', 'PATCH'] as const)("%s is not retried on a proxy's 503, even with Retry-After: only Primero's lock is known to refuse before acting", async (method) => {
    const hits = route(() => new HttpResponse('<html><body>503 Service Temporarily Unavailable</body></html>', { status: 503, headers: { 'Retry-After': '0', 'content-type': 'text/html' } }));
    const e = await rejection(testClient().request(method, '/cases/abc', { body: { data: {} } }));
    expect(hits.count()).toBe(1);
    expect((e as ServerError).isConfigurationLock).toBe(false);
  });

  test.each([
    ["a gateway's JSON without Primero's envelope", { message: 'Service Unavailable' }],
    ['an errors[] envelope with another message', { errors: [{ status: 503, resource: '/api/v2/cases/abc', message: 'upstream connect error' }] }],
  ])("a POST is not retried on a JSON 503 with Retry-After that is not Primero's lock: %s", async (_name, body) => {
    const hits = route(() => HttpResponse.json(body, { status: 503, headers: { 'Retry-After': '0' } }));
    const e = await rejection(testClient().request('POST', '/cases/abc', { body: { data: {} } }));
    expect(hits.count()).toBe(1);
    expect(e).toBeInstanceOf(ServerError);
    expect((e as ServerError).isConfigurationLock).toBe(false);
    expect((e as ServerError).retryAfterMs).toBe(0);
    expect((e as ServerError).attempts).toBe(1);
  });

  test('maxRetries: client option and per-call override', async () => {
    const five = route(() => status(500));
    await rejection(testClient({ maxRetries: 5 }).request('GET', '/cases/abc'));
    expect(five.count()).toBe(6);
    server.resetHandlers();
    const none = route(() => status(500));
    const e = await rejection(testClient({ maxRetries: 5 }).request('GET', '/cases/abc', { maxRetries: 0 }));
    expect(none.count()).toBe(1);
    expect((e as ServerError).attempts).toBe(1);
  });
});

describe('Retry-After', () => {
  test('is honoured (Retry-After: 1 waits about a second before the retry)', async () => {
    const { logger, logged: lines } = captureLogs();
    const hits = route((n) => (n === 1 ? status(429, { 'Retry-After': '1' }) : HttpResponse.json({ data: [] })));
    await expect(testClient({ logger }).request('GET', '/cases/abc')).resolves.toEqual({ data: [] });
    expect(hits.count()).toBe(2);
    const [first, second] = hits.times as [number, number];
    expect(second - first).toBeGreaterThanOrEqual(950);
    expect(second - first).toBeLessThan(2500);
    expect(lines.map((l) => l.event)).toContainEqual(expect.objectContaining({ type: 'retry', reason: '429', delayMs: 1000, attempt: 1 }));
  });

  test('longer than retry.maxRetryAfterMs: not waited for, thrown at once with retryAfterMs', async () => {
    const hits = route(() => configLock('60'));
    const client = testClient({ retry: { baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 10_000 } });
    const started = performance.now();
    const e = await rejection(client.request('POST', '/cases/abc', { body: { data: {} } }));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(hits.count()).toBe(1);
    expect(e).toBeInstanceOf(ServerError);
    expect((e as ServerError).retryAfterMs).toBe(60_000);
    expect((e as ServerError).isConfigurationLock).toBe(true);
    expect((e as ServerError).attempts).toBe(1);
  });

  test('the default limit is 60 s: a 429 asking for 120 s is thrown at once', async () => {
    const hits = route(() => status(429, { 'Retry-After': '120' }));
    const e = await rejection(testClient().request('GET', '/cases/abc'));
    expect(hits.count()).toBe(1);
    expect((e as PrimeroApiError).retryAfterMs).toBe(120_000);
  });
});

describe('timeouts', () => {
  test.each([
    ['timeoutMs', 2 ** 31],
    ['timeoutMs', -1],
    ['totalTimeoutMs', 0],
    ['maxRetries', Number.NaN],
    ['maxRetries', 1.5],
  ])('a per-call %s of %s is a RequestValidationError before anything is sent (a NaN retry count would retry for ever)', async (name, value) => {
    const hits = route(() => HttpResponse.json({ data: [] }));
    const e = await rejection(testClient().request('GET', '/cases/abc', { [name]: value }));
    expect(e).toBeInstanceOf(RequestValidationError);
    expect((e as RequestValidationError).issues).toEqual([{ path: [name], code: 'invalid_option' }]);
    expect(hits.count()).toBe(0);
  });

  test("a gateway's JSON 503 with Retry-After (Spring's {error: 'Service Unavailable'}) is not the lock: a POST is sent once", async () => {
    const hits = route(() =>
      HttpResponse.json({ timestamp: '2026-01-01T00:00:00Z', status: 503, error: 'Service Unavailable', path: '/api/v2/cases' }, { status: 503, headers: { 'Retry-After': '0' } }),
    );
    const e = await rejection(testClient().request('POST', '/cases/abc', { body: { data: {} } }));
    expect((e as ServerError).isConfigurationLock).toBe(false);
    expect(hits.count()).toBe(1);
  });

  test('timeoutMs bounds each attempt: TimeoutError scope attempt, retried for GET', async () => {
    const hits = route(async () => {
      await delay(1_000);
      return HttpResponse.json({ data: [] });
    });
    const started = performance.now();
    const e = await rejection(testClient({ timeoutMs: 30 }).request('GET', '/cases/abc'));
    expect(performance.now() - started).toBeLessThan(800);
    expect(e).toBeInstanceOf(TimeoutError);
    expect((e as TimeoutError).scope).toBe('attempt');
    expect((e as TimeoutError).timeoutMs).toBe(30);
    expect((e as TimeoutError).attempts).toBe(3);
    expect(hits.count()).toBe(3);
  });

  test('an attempt timeout of a POST is not retried', async () => {
    const hits = route(async () => {
      await delay(400);
      return HttpResponse.json({ data: {} });
    });
    const e = await rejection(testClient({ timeoutMs: 30 }).request('POST', '/cases/abc', { body: { data: {} } }));
    expect(e).toBeInstanceOf(TimeoutError);
    expect((e as TimeoutError).attempts).toBe(1);
    expect(hits.count()).toBe(1);
  });

  test('a slow attempt followed by a fast one succeeds', async () => {
    const hits = route(async (n) => {
      if (n === 1) await delay(400);
      return HttpResponse.json({ data: { n } });
    });
    await expect(testClient({ timeoutMs: 50 }).request('GET', '/cases/abc')).resolves.toEqual({ data: { n: 2 } });
    expect(hits.count()).toBe(2);
  });

  test('totalTimeoutMs is a deadline for the whole call: TimeoutError scope total', async () => {
    const hits = route(async () => {
      await delay(1_000);
      return HttpResponse.json({ data: [] });
    });
    const started = performance.now();
    const e = await rejection(testClient({ totalTimeoutMs: 60 }).request('GET', '/cases/abc'));
    expect(performance.now() - started).toBeLessThan(800);
    expect(e).toBeInstanceOf(TimeoutError);
    expect((e as TimeoutError).scope).toBe('total');
    expect((e as TimeoutError).timeoutMs).toBe(60);
    expect(hits.count()).toBe(1);
  });

  test('a backoff that would outlast the deadline is not started: the last error is thrown', async () => {
    const hits = route(() => status(500));
    const client = testClient({ retry: { baseDelayMs: 5_000, maxDelayMs: 5_000 }, totalTimeoutMs: 1_000 });
    const started = performance.now();
    const e = await rejection(client.request('GET', '/cases/abc'));
    expect(performance.now() - started).toBeLessThan(500);
    expect(e).toBeInstanceOf(ServerError);
    expect(hits.count()).toBe(1);
  });

  test('per-call timeoutMs and totalTimeoutMs override the client options', async () => {
    route(async () => {
      await delay(80);
      return HttpResponse.json({ data: 'ok' });
    });
    const strict = testClient({ timeoutMs: 20, maxRetries: 0 });
    await expect(strict.request('GET', '/cases/abc', { timeoutMs: 2_000 })).resolves.toEqual({ data: 'ok' });
    const lenient = testClient({ timeoutMs: 2_000, maxRetries: 0 });
    const e = await rejection(lenient.request('GET', '/cases/abc', { timeoutMs: 20 }));
    expect((e as TimeoutError).timeoutMs).toBe(20);
    expect((e as TimeoutError).scope).toBe('attempt');

    const deadline = testClient({ totalTimeoutMs: 20 });
    await expect(deadline.request('GET', '/cases/abc', { totalTimeoutMs: 2_000 })).resolves.toEqual({ data: 'ok' });
    const e2 = await rejection(testClient({ totalTimeoutMs: 2_000 }).request('GET', '/cases/abc', { totalTimeoutMs: 20 }));
    expect((e2 as TimeoutError).scope).toBe('total');
    expect((e2 as TimeoutError).timeoutMs).toBe(20);
  });
});

/**
 * A real HTTP server on loopback that sends its headers at once, then the start of a body, and never the
 * rest: what msw cannot show (its bodies ignore the request's signal). Undici's own fetch runs underneath.
 */
async function stallingServer(): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const stalling: Server = createServer((_request, response) => {
    hits++;
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.write('{"data":');
  });
  await new Promise<void>((resolve) => stalling.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(stalling.address() as AddressInfo).port}`;
  server.use(http.all(`${url}/*`, () => passthrough()));
  return {
    url,
    hits: () => hits,
    close: () =>
      new Promise<void>((resolve) => {
        stalling.closeAllConnections();
        stalling.close(() => resolve());
      }),
  };
}

describe('timeouts and aborts while the body is read (a real connection)', () => {
  test('timeoutMs covers the body: headers on time and a body that stalls is a TimeoutError, retried for GET', async () => {
    const stalling = await stallingServer();
    try {
      const started = performance.now();
      const e = await rejection(testClient({ baseUrl: stalling.url, timeoutMs: 60, maxRetries: 1 }).request('GET', '/cases/abc'));
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(e).toBeInstanceOf(TimeoutError);
      expect((e as TimeoutError).scope).toBe('attempt');
      expect((e as TimeoutError).attempts).toBe(2);
      expect(stalling.hits()).toBe(2);
    } finally {
      await stalling.close();
    }
  });

  test('an abort while the body is read rejects at once with AbortError', async () => {
    const stalling = await stallingServer();
    try {
      const controller = new AbortController();
      const reason = new Error('user left');
      setTimeout(() => controller.abort(reason), 60);
      const started = performance.now();
      const e = await rejection(testClient({ baseUrl: stalling.url, timeoutMs: 10_000 }).request('GET', '/cases/abc', { signal: controller.signal }));
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(e).toBeInstanceOf(AbortError);
      expect((e as AbortError).cause).toBe(reason);
      expect(stalling.hits()).toBe(1);
    } finally {
      await stalling.close();
    }
  });

  test('totalTimeoutMs ends a stalled body too: TimeoutError scope total', async () => {
    const stalling = await stallingServer();
    try {
      const e = await rejection(testClient({ baseUrl: stalling.url, timeoutMs: 10_000, totalTimeoutMs: 60 }).request('GET', '/cases/abc'));
      expect(e).toBeInstanceOf(TimeoutError);
      expect((e as TimeoutError).scope).toBe('total');
    } finally {
      await stalling.close();
    }
  });
});

describe("a caller's fetch", () => {
  /** A fetch that reads only the Request, as a proxy-aware wrapper may: it ends when the Request's signal fires. */
  const requestOnly: FetchLike = (request) =>
    new Promise<Response>((_resolve, reject) => {
      if (request.signal.aborted) reject(request.signal.reason);
      request.signal.addEventListener('abort', () => reject(request.signal.reason), { once: true });
    });

  test("gets the attempt's timeout on the Request it is given", async () => {
    const started = performance.now();
    const e = await rejection(testClient({ fetch: requestOnly, timeoutMs: 40, maxRetries: 0 }).request('GET', '/cases/abc'));
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(e).toBeInstanceOf(TimeoutError);
    expect((e as TimeoutError).scope).toBe('attempt');
  });

  test("gets the caller's abort on the Request it is given", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const e = await rejection(testClient({ fetch: requestOnly, timeoutMs: 10_000 }).request('GET', '/cases/abc', { signal: controller.signal }));
    expect(e).toBeInstanceOf(AbortError);
  });

  test('gets the query in the URL, encoded once, and the redirect mode manual', async () => {
    const seen: Request[] = [];
    const fetch: FetchLike = async (request) => {
      seen.push(request);
      return HttpResponse.json({ data: [] });
    };
    await testClient({ fetch }).request('GET', '/cases', { query: { query: 'Amina Yusuf', fields: ['id', 'name'], page: 2 } });
    expect(seen[0]?.url).toBe('https://primero.test/api/v2/cases?query=Amina+Yusuf&fields=id%2Cname&page=2');
    expect(seen[0]?.redirect).toBe('manual');
  });
});

describe('errors without an answer', () => {
  test('ConnectionError and TimeoutError carry the redacted url only', async () => {
    const query = { query: 'Amina Yusuf', page: 3 };
    route(() => HttpResponse.error());
    const connection = await rejection(testClient({ maxRetries: 0 }).request('GET', '/cases/abc', { query }));
    server.resetHandlers();
    route(async () => {
      await delay(300);
      return HttpResponse.json({});
    });
    const timeout = await rejection(testClient({ maxRetries: 0, timeoutMs: 20 }).request('GET', '/cases/abc', { query }));
    expect(connection).toBeInstanceOf(ConnectionError);
    expect(timeout).toBeInstanceOf(TimeoutError);
    for (const e of [connection, timeout] as (ConnectionError | TimeoutError)[]) {
      expect(e.url).toBe('/api/v2/cases/abc?query=…&page=3');
      for (const view of [e.message, JSON.stringify(e), inspect(e)]) {
        expect(view).not.toContain('Amina');
        expect(view).not.toContain('primero.test');
      }
    }
  });

  const thrownBy: [string, () => unknown, string][] = [
    [
      'a TypeError quoting the URL, caused by an ECONNRESET',
      () => new TypeError('failed for https://x/api/v2/cases?case_id=CP-SECRET&name=Amina', { cause: Object.assign(new Error('boom Amina'), { code: 'ECONNRESET' }) }),
      'TypeError (ECONNRESET)',
    ],
    [
      'a TypeError whose cause has a code that is not an error code',
      () => new TypeError('failed for CP-SECRET', { cause: Object.assign(new Error('boom'), { code: 'reset by Amina' }) }),
      'TypeError',
    ],
    ['an Error whose name is not a class name', () => Object.assign(new Error('CP-SECRET'), { name: 'Amina CP-SECRET' }), 'Error'],
    ['a thrown string', () => 'failed: CP-SECRET Amina', 'Error'],
  ];

  test.each(thrownBy)("ConnectionError.cause carries only the failure's name and code: %s", async (_name, make, summary) => {
    const fetch = vi.fn<FetchLike>(async () => {
      throw make();
    });
    const e = await rejection(testClient({ fetch, maxRetries: 0 }).request('GET', '/cases'));
    expect(e).toBeInstanceOf(ConnectionError);
    const error = e as ConnectionError;
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(error.cause).toBeInstanceOf(Error);
    expect((error.cause as Error).message).toBe(summary);
    const code = /\((\w+)\)$/.exec(summary)?.[1];
    expect(error.message).toBe(`${code ? `Connection failed: ${code}` : 'Connection failed'} (GET /api/v2/cases)`);
    const views = [inspect(error, { showHidden: true, depth: 10 }), JSON.stringify(error), String(error), error.stack ?? '', (error.cause as Error).stack ?? ''];
    for (const view of views) {
      expect(view).not.toContain('CP-SECRET');
      expect(view).not.toContain('Amina');
    }
  });
});

describe('abort', () => {
  test('an already-aborted signal sends nothing', async () => {
    const seen = recordRequests();
    const hits = route(() => HttpResponse.json({}));
    const reason = new Error('user left');
    const e = await rejection(testClient().request('GET', '/cases/abc', { signal: AbortSignal.abort(reason) }));
    expect(e).toBeInstanceOf(AbortError);
    expect((e as AbortError).cause).toBe(reason);
    expect(hits.count()).toBe(0);
    expect(seen).toHaveLength(0);
  });

  test('aborting mid-request rejects at once with AbortError, no retry', async () => {
    const hits = route(async () => {
      await delay(1_000);
      return HttpResponse.json({ data: [] });
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const started = performance.now();
    const e = await rejection(testClient({ totalTimeoutMs: 5_000 }).request('GET', '/cases/abc', { signal: controller.signal }));
    expect(performance.now() - started).toBeLessThan(800);
    expect(e).toBeInstanceOf(AbortError);
    expect(isPrimeroError(e, 'TimeoutError')).toBe(false);
    expect(hits.count()).toBe(1);
  });

  test('aborting during the backoff wait stops retrying', async () => {
    const hits = route(() => status(500));
    const controller = new AbortController();
    const logger: Logger = {
      info: (_message, event) => {
        if (event.type === 'retry') setTimeout(() => controller.abort(), 20);
      },
    };
    const client = testClient({ logger, retry: { baseDelayMs: 10_000, maxDelayMs: 10_000 } });
    const started = performance.now();
    const e = await rejection(client.request('GET', '/cases/abc', { signal: controller.signal }));
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(e).toBeInstanceOf(AbortError);
    expect(hits.count()).toBe(1);
  });

  test('a signal aborted just before the backoff wait (here by the retry log event) stops at once', async () => {
    const hits = route(() => status(502));
    const controller = new AbortController();
    const logger: Logger = { info: (_message, event) => event.type === 'retry' && controller.abort() };
    const e = await rejection(testClient({ logger }).request('GET', '/cases/abc', { signal: controller.signal }));
    expect(e).toBeInstanceOf(AbortError);
    expect(hits.count()).toBe(1);
  });
});

describe('unreadable 2xx bodies', () => {
  const truncated = () => new HttpResponse('{"data":[{"id":"abc","name":"Am', { status: 200, headers: { 'Content-Type': 'application/json' } });
  const html = () => new HttpResponse('<!DOCTYPE html><html><body>Please log in</body></html>', { status: 200, headers: { 'Content-Type': 'text/html' } });

  test.each([
    ['truncated JSON', truncated, 'incomplete or malformed JSON'],
    ['an HTML page', html, 'an HTML page'],
  ])('a 200 with %s is a ConnectionError, retried for GET', async (_name, respond, reason) => {
    const hits = route(respond);
    const e = await rejection(testClient().request('GET', '/cases/abc'));
    expect(e).toBeInstanceOf(ConnectionError);
    expect((e as ConnectionError).message).toContain(reason);
    expect((e as ConnectionError).message).not.toContain('Am');
    expect((e as ConnectionError).attempts).toBe(3);
    expect(hits.count()).toBe(3);
  });

  test.each([
    ['truncated JSON', truncated],
    ['an HTML page', html],
  ])('a 200 with %s is not retried for POST', async (_name, respond) => {
    const hits = route(respond);
    const e = await rejection(testClient().request('POST', '/cases/abc', { body: { data: {} } }));
    expect(e).toBeInstanceOf(ConnectionError);
    expect((e as ConnectionError).attempts).toBe(1);
    expect(hits.count()).toBe(1);
  });
});

describe('request shape', () => {
  test('GET: /api/v2 prefix, Accept JSON, no body, no content type', async () => {
    let received: { url: string; body: string; headers: Headers } | undefined;
    server.use(
      http.get(`${API}/cases`, async ({ request }) => {
        received = { url: request.url, body: await request.text(), headers: request.headers };
        return HttpResponse.json({ data: [] });
      }),
    );
    await expect(testClient().request('GET', '/cases')).resolves.toEqual({ data: [] });
    expect(received?.url).toBe(`${API}/cases`);
    expect(received?.body).toBe('');
    expect(received?.headers.get('accept')).toBe('application/json');
    expect(received?.headers.get('content-type')).toBeNull();
  });

  test('POST: the JSON body as given, with content-type application/json', async () => {
    let received: { body: unknown; headers: Headers } | undefined;
    server.use(
      http.post(`${API}/cases`, async ({ request }) => {
        received = { body: await request.json(), headers: request.headers };
        return HttpResponse.json({ data: { id: 'new' } });
      }),
    );
    const body = { data: { name: 'Test Child', age: 9, services_section: [{ service_type: 'health' }] } };
    await expect(testClient().request('POST', '/cases', { body })).resolves.toEqual({ data: { id: 'new' } });
    expect(received?.body).toEqual(body);
    expect(received?.headers.get('content-type')).toMatch(/^application\/json/);
    expect(received?.headers.get('accept')).toBe('application/json');
  });

  test('query serialisation: lists as a,b, Dates as ISO, booleans, numbers; undefined and null left out', async () => {
    const seen = recordRequests();
    server.use(http.get(`${API}/cases`, () => HttpResponse.json({ data: [] })));
    await testClient().request('GET', '/cases', {
      query: {
        status: ['open', 'closed'],
        age: [5, 10],
        last_updated_at: new Date('2026-01-02T03:04:05.678Z'),
        record_state: true,
        flagged: false,
        per: 50,
        owned_by: undefined,
        sex: null,
        query: 'a b&c=d',
      },
    });
    expect(seen).toHaveLength(1);
    const query = seen[0]?.query as URLSearchParams;
    expect([...query.keys()].sort()).toEqual(['age', 'flagged', 'last_updated_at', 'per', 'query', 'record_state', 'status']);
    expect(query.get('status')).toBe('open,closed');
    expect(query.get('age')).toBe('5,10');
    expect(query.get('last_updated_at')).toBe('2026-01-02T03:04:05.678Z');
    expect(query.get('record_state')).toBe('true');
    expect(query.get('flagged')).toBe('false');
    expect(query.get('per')).toBe('50');
    expect(query.get('query')).toBe('a b&c=d');
  });

  test.each([
    ['an empty list', { status: [] }],
    ['NaN', { per: Number.NaN }],
    ['Infinity', { page: Number.POSITIVE_INFINITY }],
    ['an invalid Date', { created_at: new Date('not a date') }],
  ])('%s in the query is a RequestValidationError before any request', async (_name, query) => {
    const seen = recordRequests();
    const e = await rejection(testClient().request('GET', '/cases', { query }));
    expect(e).toBeInstanceOf(RequestValidationError);
    expect((e as RequestValidationError).issues[0]?.path).toEqual(Object.keys(query));
    expect(seen).toHaveLength(0);
  });

  test('client headers and per-call headers are sent; auth-free requests carry no Authorization', async () => {
    const seen = recordRequests();
    server.use(http.get(`${API}/cases`, () => HttpResponse.json({ data: [] })));
    const client = testClient({ headers: { 'X-Gateway-Key': 'gw-1' } });
    await client.request('GET', '/cases', { headers: { 'X-Trace-Id': 'trace-9' } });
    await client.request('GET', '/cases');
    expect(seen[0]?.headers.get('x-gateway-key')).toBe('gw-1');
    expect(seen[0]?.headers.get('x-trace-id')).toBe('trace-9');
    expect(seen[1]?.headers.get('x-gateway-key')).toBe('gw-1');
    expect(seen[1]?.headers.get('x-trace-id')).toBeNull();
    expect(seen[0]?.headers.get('authorization')).toBeNull();
  });

  const BAD_VALUE = 'gw-SECRET-1\nX-Injected: 1';

  test.each([
    ['a client header value', { headers: { 'X-Gateway-Key': BAD_VALUE } }, {}, 'X-Gateway-Key'],
    ['a per-call header value', {}, { headers: { 'X-Trace-Id': BAD_VALUE } }, 'X-Trace-Id'],
    ['a per-call header name', {}, { headers: { 'X Trace': 'v' } }, 'X Trace'],
  ])('an invalid header (%s) is a RequestValidationError before anything is sent, even a login; never retried; the value not repeated', async (_name, clientOptions, callOptions, header) => {
    const seen = recordRequests();
    const fetch = vi.fn<FetchLike>(async () => HttpResponse.json({ data: [] }));
    const { logger, logged } = captureLogs();
    const client = testClient({ ...clientOptions, fetch, logger, logLevel: 'debug', auth: sessionAuth(CREDENTIALS) });
    const e = await rejection(client.request('GET', '/cases', callOptions));
    expect(e).toBeInstanceOf(RequestValidationError);
    expect((e as RequestValidationError).issues).toEqual([{ path: ['headers', header], code: 'invalid_header' }]);
    expect(fetch).not.toHaveBeenCalled();
    expect(seen).toHaveLength(0);
    expect(logged).toEqual([]); // no request, no retry
    for (const view of [(e as Error).message, JSON.stringify(e), inspect(e, { showHidden: true, depth: 10 })]) {
      expect(view).not.toContain('SECRET');
      expect(view).not.toContain('Injected');
    }
  });

  test.each([
    [
      'a circular body',
      () => {
        const data: Record<string, unknown> = { name: 'Amina' };
        data.self = data;
        return { data };
      },
    ],
    ['a BigInt in the body', () => ({ data: { age: 10n } })],
  ])('%s on PUT is a RequestValidationError: nothing sent, never retried', async (_name, body) => {
    const seen = recordRequests();
    const fetch = vi.fn<FetchLike>(async () => HttpResponse.json({ data: {} }));
    const { logger, logged } = captureLogs();
    const e = await rejection(testClient({ fetch, logger, logLevel: 'debug' }).request('PUT', '/cases/abc', { body: body() }));
    expect(e).toBeInstanceOf(RequestValidationError);
    expect((e as RequestValidationError).issues).toEqual([{ path: ['body'], code: 'invalid_json' }]);
    expect((e as Error).message).not.toContain('Amina');
    expect(fetch).not.toHaveBeenCalled();
    expect(seen).toHaveLength(0);
    expect(logged).toEqual([]);
  });

  test('204 and an empty 200 resolve to undefined', async () => {
    server.use(
      http.post(`${API}/cases/abc/incidents`, () => new HttpResponse(null, { status: 204 })),
      http.delete(`${API}/cases/abc`, () => new HttpResponse('', { status: 200 })),
    );
    const client = testClient();
    await expect(client.request('POST', '/cases/abc/incidents', { body: { data: { incident_ids: ['i1'] } } })).resolves.toBeUndefined();
    await expect(client.request('DELETE', '/cases/abc')).resolves.toBeUndefined();
  });
});

describe('path validation', () => {
  test.each([
    ['no leading slash', 'cases'],
    ['a protocol-relative path', '//evil.example/api/v2/cases'],
    ['a .. segment', '/cases/../users'],
    ['a . segment', '/./cases'],
    ['an encoded .. segment', '/cases/%2e%2e/users'],
    ['an encoded .. segment in capitals', '/cases/%2E%2E'],
    ['a half-encoded .. segment (.%2e)', '/cases/.%2e/.%2e/.%2e/admin'],
    ['a half-encoded .. segment (%2e.)', '/cases/%2e./users'],
    ['backslashes, which URLs read as slashes', '/cases\\..\\..\\admin'],
    ['a tab inside a dot segment, which URLs drop', '/cases/.\t./users'],
    ['a newline inside a dot segment, which URLs drop', '/cases/.\n./users'],
    ['a query', '/cases?status=open'],
    ['a fragment', '/cases#top'],
    ['an empty path', ''],
  ])('client.request rejects %s, sending nothing', async (_name, bad) => {
    const seen = recordRequests();
    server.use(http.all(`${API}/*`, () => HttpResponse.json({ data: [] })), http.all('*', () => HttpResponse.json({ data: [] })));
    const e = await rejection(testClient().request('GET', bad));
    expect(e).toBeInstanceOf(RequestValidationError);
    expect(seen).toHaveLength(0);
  });

  test('ordinary paths with dots inside segments are fine', async () => {
    const seen = recordRequests();
    server.use(http.get(`${API}/*`, () => HttpResponse.json({ data: 1 })));
    await testClient().request('GET', '/forms/export.v2/..hidden/a..b');
    expect(seen.map((s) => s.path)).toEqual(['/api/v2/forms/export.v2/..hidden/a..b']);
  });

  test('the path tag encodes each value as one segment', async () => {
    expect(path`/cases/${'a/b'}`).toBe('/cases/a%2Fb');
    expect(path`/cases/${'x?y#z'}/referrals/${42}`).toBe('/cases/x%3Fy%23z/referrals/42');
    expect(path`/cases/${'..%2f'}`).toBe('/cases/..%252f');
    const seen = recordRequests();
    server.use(http.get(`${API}/cases/:id`, ({ params }) => HttpResponse.json({ data: { id: params.id } })));
    await expect(testClient().request('GET', path`/cases/${'a/b'}`)).resolves.toEqual({ data: { id: 'a/b' } });
    expect(seen.map((s) => s.path)).toEqual(['/api/v2/cases/a%2Fb']);
  });

  test.each(['', '.', '..'])('the path tag rejects %j', (value) => {
    expect(() => path`/cases/${value}/referrals`).toThrow(RequestValidationError);
  });
});

describe('concurrency', () => {
  async function peak(client: ReturnType<typeof testClient>, calls: number): Promise<{ peak: number; handled: number }> {
    let inFlight = 0;
    let max = 0;
    let handled = 0;
    server.use(
      http.get(`${API}/cases/:id`, async ({ params }) => {
        inFlight++;
        max = Math.max(max, inFlight);
        await delay(60);
        inFlight--;
        handled++;
        return HttpResponse.json({ data: { id: params.id } });
      }),
    );
    const results = await Promise.all(Array.from({ length: calls }, (_, i) => client.request('GET', `/cases/${i}`)));
    expect(results).toEqual(Array.from({ length: calls }, (_, i) => ({ data: { id: String(i) } })));
    return { peak: max, handled };
  }

  test('maxConcurrency: 2 keeps at most 2 requests in flight while 6 run', async () => {
    expect(await peak(testClient({ maxConcurrency: 2 }), 6)).toEqual({ peak: 2, handled: 6 });
  });

  test('the default is 4', async () => {
    expect(await peak(testClient(), 10)).toEqual({ peak: 4, handled: 10 });
  });

  test('the fast path takes a free slot without a promise, and never one that a waiting request is owed', async () => {
    const limiter = new Limiter(1);
    const first = limiter.tryAcquire();
    expect(first).toBeTypeOf('function');
    expect(limiter.tryAcquire()).toBeUndefined();
    const queued = limiter.acquire();
    first!();
    const second = await queued; // the freed slot went to the request already waiting
    expect(limiter.tryAcquire()).toBeUndefined();
    second();
    expect(limiter.tryAcquire()).toBeTypeOf('function');
    expect(() => new Limiter(1).tryAcquire(AbortSignal.abort())).toThrow(AbortError);
  });

  test('a waiting request that is aborted frees its place in the queue', async () => {
    const client = testClient({ maxConcurrency: 1 });
    let handled = 0;
    server.use(
      http.get(`${API}/cases/:id`, async () => {
        await delay(30);
        handled++;
        return HttpResponse.json({ data: 1 });
      }),
    );
    const controller = new AbortController();
    const first = client.request('GET', '/cases/1');
    const queued = rejection(client.request('GET', '/cases/2', { signal: controller.signal }));
    const third = client.request('GET', '/cases/3');
    controller.abort();
    expect(await queued).toBeInstanceOf(AbortError);
    await expect(Promise.all([first, third])).resolves.toEqual([{ data: 1 }, { data: 1 }]);
    expect(handled).toBe(2);
  });
});

describe('logger', () => {
  const QUERY = { query: 'Amina Yusuf', case_id: 'CP-0042', page: 2, per: 50, order_by: 'created_at', order: 'asc', fields: 'short' };
  const REDACTED = '/api/v2/cases?query=…&case_id=…&page=2&per=50&order_by=created_at&order=asc&fields=short';

  test('request, response and retry events: method, redacted path, status, durationMs; no headers, no bodies', async () => {
    const { logger, logged: lines } = captureLogs();
    let n = 0;
    server.use(
      http.get(`${API}/cases`, () =>
        ++n === 1
          ? HttpResponse.json({ errors: [{ status: 500, message: 'Amina Yusuf crashed it' }] }, { status: 500 })
          : HttpResponse.json({ data: [{ name: 'Amina Yusuf' }] }, { headers: { 'X-Request-Id': 'r-2', 'Set-Cookie': 'session=s3cr3t' } }),
      ),
    );
    const client = testClient({ logger, logLevel: 'debug', headers: { 'X-Gateway-Key': 'gw-s3cr3t' } });
    await client.request('GET', '/cases', { query: QUERY, headers: { 'X-Trace': 'call-s3cr3t' } });

    expect(lines.map((l) => [l.level, l.event.type])).toEqual([
      ['debug', 'request'],
      ['warn', 'response'],
      ['info', 'retry'],
      ['debug', 'request'],
      ['debug', 'response'],
    ]);
    const events = lines.map((l) => l.event);
    expect(events[0]).toEqual({ type: 'request', method: 'GET', path: REDACTED, attempt: 1 });
    expect(events[1]).toEqual({ type: 'response', method: 'GET', path: REDACTED, attempt: 1, status: 500, durationMs: expect.any(Number) });
    expect(events[2]).toEqual({ type: 'retry', method: 'GET', path: REDACTED, attempt: 1, reason: '500', delayMs: expect.any(Number) });
    expect(events[4]).toEqual({ type: 'response', method: 'GET', path: REDACTED, attempt: 2, status: 200, durationMs: expect.any(Number), requestId: 'r-2' });
    for (const event of events) if (event.type === 'response') expect(event.durationMs).toBeGreaterThanOrEqual(0);

    const everything = JSON.stringify(lines);
    for (const secret of ['Amina', 'CP-0042', 's3cr3t', 'X-Gateway-Key', 'x-gateway-key']) expect(everything).not.toContain(secret);
  });

  test('logBodies: true adds request and response bodies', async () => {
    const { logger, logged: lines } = captureLogs();
    server.use(http.post(`${API}/cases`, () => HttpResponse.json({ data: { id: 'new', name: 'Test Child' } })));
    const body = { data: { name: 'Test Child' } };
    await testClient({ logger, logLevel: 'debug', logBodies: true }).request('POST', '/cases', { body });
    expect(lines.map((l) => l.event)).toEqual([
      { type: 'request', method: 'POST', path: '/api/v2/cases', attempt: 1, body },
      { type: 'response', method: 'POST', path: '/api/v2/cases', attempt: 1, status: 200, durationMs: expect.any(Number), body: { data: { id: 'new', name: 'Test Child' } } },
    ]);
  });

  test('logBodies: true logs a body that is not JSON as text', async () => {
    const { logger, logged: lines } = captureLogs();
    route(() => new HttpResponse('Retry later\n', { status: 429, headers: { 'Content-Type': 'text/plain' } }));
    await rejection(testClient({ logger, logLevel: 'warn', logBodies: true }).request('POST', '/cases/abc', { body: { data: {} } }));
    expect(lines.map((l) => l.event)).toEqual([
      { type: 'response', method: 'POST', path: '/api/v2/cases/abc', attempt: 1, status: 429, durationMs: expect.any(Number), body: 'Retry later\n' },
    ]);
  });

  test('the default level (info) logs retries but not every request', async () => {
    const { logger, logged: lines } = captureLogs();
    route((n) => (n === 1 ? HttpResponse.error() : HttpResponse.json({ data: 1 })));
    await testClient({ logger }).request('GET', '/cases/abc');
    expect(lines.map((l) => l.event)).toEqual([{ type: 'retry', method: 'GET', path: '/api/v2/cases/abc', attempt: 1, reason: 'ConnectionError', delayMs: expect.any(Number) }]);
  });

  test('a throwing logger does not break the request', async () => {
    const boom = () => {
      throw new Error('logger down');
    };
    const logger: Logger = { debug: boom, info: boom, warn: boom, error: boom };
    const hits = route((n) => (n === 1 ? status(503) : HttpResponse.json({ data: 'ok' })));
    const client = testClient({ logger, logLevel: 'debug', logBodies: true });
    await expect(client.request('GET', '/cases/abc')).resolves.toEqual({ data: 'ok' });
    expect(hits.count()).toBe(2);
    route(() => status(404));
    expect(await rejection(client.request('GET', '/cases/abc'))).toBeInstanceOf(PrimeroApiError);
  });
});

describe('requestWithResponse and response schemas', () => {
  const Case = z.object({ data: z.object({ id: z.string(), age: z.number() }) });

  test('requestWithResponse returns status, headers, requestId and data', async () => {
    server.use(
      http.post(`${API}/cases`, () => HttpResponse.json({ data: { id: 'c1' } }, { status: 201, headers: { 'X-Request-Id': 'req-77', 'X-Extra': 'yes' } })),
    );
    const response = await testClient().requestWithResponse('POST', '/cases', { body: { data: {} } });
    expect(response.status).toBe(201);
    expect(response.requestId).toBe('req-77');
    expect(response.headers.get('x-extra')).toBe('yes');
    expect(response.data).toEqual({ data: { id: 'c1' } });
  });

  test('requestWithResponse headers leave out Set-Cookie and Authorization, and keep the others', async () => {
    // A plain Response: msw would keep the cookies of its HttpResponse and add them to later requests.
    server.use(
      http.get(
        `${API}/cases`,
        () =>
          new Response(JSON.stringify({ data: [] }), {
            headers: [
              ['Content-Type', 'application/json; charset=utf-8'],
              ['X-Request-Id', 'req-88'],
              ['Set-Cookie', '_app_session=sid-SECRET; path=/; HttpOnly'],
              ['Set-Cookie', 'CSRF-TOKEN=csrf-SECRET; path=/'],
              ['Authorization', 'Bearer jwt-SECRET'],
            ],
          }),
      ),
    );
    const response = await testClient().requestWithResponse('GET', '/cases');
    expect(response.data).toEqual({ data: [] });
    expect(response.requestId).toBe('req-88');
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('x-request-id')).toBe('req-88');
    expect(response.headers.has('set-cookie')).toBe(false);
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(response.headers.has('authorization')).toBe(false);
    expect([...response.headers.keys()]).not.toContain('set-cookie');
    expect(inspect(response, { depth: 10 })).not.toContain('SECRET');
  });

  test("validate 'loose' (default) returns a matching body as sent, a deployment's custom field included; 'strict' returns the schema's output", async () => {
    const body = { data: { id: 'c1', age: 12, custom_field_x: 'kept' } };
    route(() => HttpResponse.json(body));
    await expect(testClient().request('GET', '/cases/abc', { schema: Case })).resolves.toEqual(body);
    await expect(testClient({ validate: 'loose' }).request('GET', '/cases/abc', { schema: Case })).resolves.toEqual(body);
    await expect(testClient({ validate: 'strict' }).request('GET', '/cases/abc', { schema: Case })).resolves.toEqual({ data: { id: 'c1', age: 12 } });
  });

  test("validate 'strict': a mismatch is a ResponseValidationError listing paths, never values", async () => {
    const hits = route(() => HttpResponse.json({ data: { id: 'c1', age: 'Amina Yusuf, twelve' } }));
    const e = await rejection(testClient({ validate: 'strict' }).request('GET', '/cases/abc', { schema: Case }));
    expect(e).toBeInstanceOf(ResponseValidationError);
    const error = e as ResponseValidationError;
    expect(error.issues).toEqual([{ path: ['data', 'age'], code: 'invalid_type', expected: 'number' }]);
    expect(error.url).toBe('/api/v2/cases/abc');
    for (const view of [error.message, JSON.stringify(error)]) expect(view).not.toContain('Amina');
    expect(hits.count()).toBe(1);
  });

  test("validate 'strict': a matching body is returned parsed", async () => {
    route(() => HttpResponse.json({ data: { id: 'c1', age: 12, extra: true } }));
    const data = await testClient({ validate: 'strict' }).request('GET', '/cases/abc', { schema: Case });
    expect(data).toEqual({ data: { id: 'c1', age: 12 } });
  });

  test("validate 'loose' (default): the body is returned as sent and a validation warning is logged", async () => {
    const { logger, logged: lines } = captureLogs();
    const body = { data: { id: 'c1', age: 'Amina Yusuf, twelve' } };
    route(() => HttpResponse.json(body));
    await expect(testClient({ logger }).request('GET', '/cases/abc', { schema: Case })).resolves.toEqual(body);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.level).toBe('warn');
    expect(lines[0]?.event).toEqual({ type: 'validation', method: 'GET', path: '/api/v2/cases/abc', issues: [{ path: ['data', 'age'], code: 'invalid_type' }] });
    expect(JSON.stringify(lines)).not.toContain('Amina');
  });

  test("validate 'off': the body is trusted and nothing is logged", async () => {
    const { logger, logged: lines } = captureLogs();
    const body = { data: { id: 1 } };
    route(() => HttpResponse.json(body));
    await expect(testClient({ logger, validate: 'off' }).request('GET', '/cases/abc', { schema: Case })).resolves.toEqual(body);
    expect(lines).toHaveLength(0);
  });
});
