/**
 * The three ways to put the fake in front of the SDK: msw handlers (`fake.handlers`), a `fetch`
 * (`fake.fetch`), and a real HTTP server on loopback (`fake.listen()`), each carrying the same fetch-style
 * core (`fake.handle`). Cookie sessions are the demanding case: Set-Cookie lines must survive each adapter
 * unmerged, and nothing but the client's own jar may add cookies (msw's cookie store keeps only cookies of
 * its `HttpResponse`; the fake answers with plain `Response`s).
 */
import { createServer } from 'node:net';
import { http, passthrough } from 'msw';
import { afterEach, describe, expect, test } from 'vitest';
import { ConnectionError, PrimeroClient, TimeoutError, sessionAuth, type ClientOptions } from '../../src/index.js';
import { createFakePrimero, type FakeServer } from '../../src/testing/index.js';
import { rejection } from '../support/async.js';
import { server } from '../support/server.js';

const open: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

/** Serves a fake on an ephemeral port and lets those requests past msw (the suite's unhandled-request guard). */
async function listen(fake: ReturnType<typeof createFakePrimero>): Promise<FakeServer> {
  const served = await fake.listen({ port: 0 });
  open.push(served);
  server.use(http.all(`${served.url}/*`, () => passthrough()));
  return served;
}

const options = (extra: Partial<ClientOptions>): ClientOptions => ({ baseUrl: 'https://unused.test', retry: { baseDelayMs: 1, maxDelayMs: 5 }, ...extra });

/** The `_app_session` values of a Cookie header: exactly one when only the client's jar sent cookies. */
const sessionCookies = (header: string | null) => (header ?? '').split(';').filter((part) => part.trim().startsWith('_app_session='));

describe('msw handlers (server.use(...fake.handlers))', () => {
  test('a cookie session with CSRF works through msw, and only the client sends cookies', async () => {
    const fake = createFakePrimero({ cases: 0, auth: 'session' });
    server.use(...fake.handlers);
    const client = new PrimeroClient(options({ baseUrl: fake.baseUrl, auth: sessionAuth(fake.credentials) }));
    await client.lookups.list().firstPage();
    await client.tokens.refresh(); // a write: needs the fresh X-CSRF-Token
    await client.users.list().firstPage();
    // The GET after the login brought the fresh CSRF-TOKEN (1.5): the write needs no extra GET.
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /primero', 'POST /tokens', 'GET /lookups', 'POST /tokens', 'GET /users']);
    expect(fake.requests[3]?.headers.get('x-csrf-token')).toBeTruthy();
    expect(fake.requests[3]?.headers.get('x-csrf-token')).not.toBe(fake.requests[1]?.headers.get('x-csrf-token'));
    for (const request of fake.requests.slice(1)) expect(sessionCookies(request.headers.get('cookie'))).toHaveLength(1);
    expect(fake.activeSessions()).toEqual(['demo_caseworker']);
  });

  test('Basic through msw needs no cookie at all', async () => {
    const fake = createFakePrimero({ cases: 0 });
    server.use(...fake.handlers);
    const client = new PrimeroClient(options({ baseUrl: fake.baseUrl, auth: fake.credentials }));
    expect((await client.users.list().collect({ max: 50 })).map((u) => u.user_name)).toContain('demo_caseworker');
    expect(fake.requests.map((r) => r.headers.get('cookie'))).toEqual([null]);
  });

  test("an injected reset is msw's network error: fetch rejects, the SDK sees a ConnectionError", async () => {
    const fake = createFakePrimero({ cases: 0, faults: [{ path: '/lookups', kind: 'reset' }] });
    server.use(...fake.handlers);
    await expect(fetch(`${fake.baseUrl}/api/v2/lookups`)).rejects.toBeInstanceOf(TypeError);
    const client = new PrimeroClient(options({ baseUrl: fake.baseUrl, auth: fake.credentials, maxRetries: 1 }));
    const error = await rejection(client.lookups.list().firstPage());
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).attempts).toBe(2);
  });
});

describe('fetch adapter (fake.fetch) and the core (fake.handle)', () => {
  test('fake.fetch answers like fetch, from fake.baseUrl; paths outside /api/v2 are a plain 404', async () => {
    const fake = createFakePrimero({ cases: 0 });
    const response = await fake.fetch(`${fake.baseUrl}/api/v2/primero`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(((await response.json()) as { data: { locales: string[] } }).data.locales).toContain('en');
    const outside = await fake.fetch(`${fake.baseUrl}/login`);
    expect(outside.status).toBe(404);
    expect(await outside.text()).toBe('Not Found');
  });

  test("a reset is Response.error() from handle, and Node fetch's own TypeError (ECONNRESET cause) from fake.fetch", async () => {
    const fake = createFakePrimero({ cases: 0, faults: [{ path: '/lookups', kind: 'reset' }] });
    const core = await fake.handle(new Request(`${fake.baseUrl}/api/v2/lookups`));
    expect(core.type).toBe('error');
    expect(core.status).toBe(0);
    const error = await rejection(fake.fetch(`${fake.baseUrl}/api/v2/lookups`));
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toMatchObject({ message: 'fetch failed', cause: { code: 'ECONNRESET', message: 'socket hang up' } });
  });

  test('an aborted request ends injected latency with the abort reason, as fetch rejects', async () => {
    const fake = createFakePrimero({ cases: 0, faults: [{ kind: 'latency', ms: 5_000 }] });
    const started = Date.now();
    const error = await rejection(fake.fetch(`${fake.baseUrl}/api/v2/lookups`, { signal: AbortSignal.timeout(30) }));
    expect((error as Error).name).toBe('TimeoutError');
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('real HTTP (fake.listen)', () => {
  test('two clients at once, Basic and a cookie session, over loopback', async () => {
    const fake = createFakePrimero({ cases: 0 });
    const { url } = await listen(fake);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const basic = new PrimeroClient(options({ baseUrl: url, auth: fake.credentials }));
    const session = new PrimeroClient(options({ baseUrl: url, auth: sessionAuth({ username: 'cp_worker', password: fake.credentials.password }) }));
    const rounds = Array.from({ length: 8 }, (_, i) => [
      basic.lookups.list().firstPage(),
      session.users.list().firstPage(),
      i % 4 === 0 ? session.tokens.refresh() : session.forms.list(),
    ]);
    const results = await Promise.all(rounds.flat());
    expect(results).toHaveLength(24);
    // One login for the session client, however many of its calls were waiting on it.
    expect(fake.requests.filter((r) => r.method === 'POST' && r.body !== undefined)).toHaveLength(1);
    for (const request of fake.requests.filter((r) => r.headers.has('cookie'))) expect(sessionCookies(request.headers.get('cookie'))).toHaveLength(1);
    expect(fake.activeSessions()).toEqual(['cp_worker']);
  });

  test('close() ends keep-alive connections and frees the port', async () => {
    const fake = createFakePrimero({ cases: 0 });
    const served = await listen(fake);
    const client = new PrimeroClient(options({ baseUrl: served.url, auth: fake.credentials, maxRetries: 0 }));
    await client.lookups.list().firstPage();
    const port = Number(new URL(served.url).port);
    await served.close();
    open.splice(open.indexOf(served), 1);
    expect(await rejection(client.lookups.list().firstPage())).toBeInstanceOf(ConnectionError);
    // The port can be taken again at once.
    const probe = createServer();
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(port, '127.0.0.1', () => resolve());
    });
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  });

  test('a client timeout closes the connection, which ends the injected latency on the server', async () => {
    const fake = createFakePrimero({ cases: 0, faults: [{ path: '/lookups', kind: 'latency', ms: 5_000 }] });
    const { url } = await listen(fake);
    const client = new PrimeroClient(options({ baseUrl: url, auth: fake.credentials, maxRetries: 0, timeoutMs: 50 }));
    const started = Date.now();
    expect(await rejection(client.lookups.list().firstPage())).toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('routing edge cases', () => {
  const basic = { authorization: `Basic ${Buffer.from(`demo_caseworker:primero-demo-1`).toString('base64')}` };

  test('a malformed percent-escape in a path is the 404 envelope, not a 500', async () => {
    const fake = createFakePrimero({ cases: 0 });
    const response = await fake.handle(new Request(`${fake.baseUrl}/api/v2/cases/%E0%A4%A`, { headers: basic }));
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ errors: [expect.objectContaining({ status: 404, resource: '/api/v2/cases/%E0%A4%A', message: 'Not Found' })] });
  });

  test('HEAD is routed like GET and answers with its status and headers, no body', async () => {
    const fake = createFakePrimero({ cases: 3 });
    const id = [...fake.store.cases.keys()][0]!;
    const head = await fake.handle(new Request(`${fake.baseUrl}/api/v2/cases/${id}`, { method: 'HEAD', headers: basic }));
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toContain('application/json');
    expect(await head.text()).toBe('');
    expect((await fake.handle(new Request(`${fake.baseUrl}/api/v2/cases/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`, { method: 'HEAD', headers: basic }))).status).toBe(404);
    const served = await fake.listen({ port: 0 });
    try {
      server.use(http.all(`${served.url}/*`, () => passthrough()));
      const overHttp = await fetch(`${served.url}/api/v2/cases`, { method: 'HEAD', headers: basic });
      expect(overHttp.status).toBe(200);
    } finally {
      await served.close();
    }
  });

  test('recordRequests: false keeps fake.requests empty; the default records every request', async () => {
    const quiet = createFakePrimero({ cases: 1, recordRequests: false });
    const loud = createFakePrimero({ cases: 1 });
    for (const fake of [quiet, loud]) await fake.handle(new Request(`${fake.baseUrl}/api/v2/cases`, { headers: basic }));
    expect(quiet.requests).toEqual([]);
    expect(loud.requests.map((r) => r.path)).toEqual(['/cases']);
  });
});
