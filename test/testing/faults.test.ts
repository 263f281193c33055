/**
 * Fault injection (`faults` option, `fake.faults`): every kind through the SDK, over `fake.fetch` and over
 * real HTTP, with the shapes of primero-api.md 3.1-3.4 and the retry rules of sdk-design.md 3.6 (GETs are
 * retried; a POST is never repeated unless the SDK made it idempotent). Faults are drawn from per-route
 * streams seeded from the fake's seed, so every run below meets the same faults.
 */
import { http, passthrough } from 'msw';
import { afterEach, describe, expect, test } from 'vitest';
import { ConnectionError, PrimeroClient, ServerError, TimeoutError, type ClientOptions } from '../../src/index.js';
import { DEMO_PASSWORD, createFakePrimero, type FakePrimeroOptions, type FakeServer, type FaultRule } from '../../src/testing/index.js';
import { rejection } from '../support/async.js';
import { server } from '../support/server.js';

const BASIC = { authorization: `Basic ${Buffer.from(`demo_caseworker:${DEMO_PASSWORD}`).toString('base64')}` };
const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

type Via = 'fetch' | 'http';

/** A fake and a Basic client on it, through `fake.fetch` or a real loopback server. */
async function world(via: Via, options: FakePrimeroOptions = {}) {
  const fake = createFakePrimero({ cases: 0, seed: 9, ...options });
  let baseUrl = fake.baseUrl;
  if (via === 'http') {
    const served = await fake.listen({ port: 0 });
    servers.push(served);
    server.use(http.all(`${served.url}/*`, () => passthrough()));
    baseUrl = served.url;
  }
  const client = (extra: Partial<ClientOptions> = {}) =>
    new PrimeroClient({ baseUrl, auth: fake.credentials, retry: { baseDelayMs: 1, maxDelayMs: 5 }, ...(via === 'fetch' ? { fetch: fake.fetch } : {}), ...extra });
  /** A raw GET as any HTTP client would send it. */
  const get = (path: string) => (via === 'fetch' ? fake.fetch : fetch)(`${baseUrl}/api/v2${path}`, { headers: BASIC });
  const seen = (path: string) => fake.requests.filter((r) => r.path === path).map((r) => r.fault ?? 'ok');
  return { fake, client, get, seen };
}

describe.each<Via>(['fetch', 'http'])('each fault kind through the SDK (%s)', (via) => {
  test('status: a 500 on a GET is retried; a lasting one is a ServerError carrying the envelope (3.1)', async () => {
    const { fake, client, seen } = await world(via, { faults: [{ method: 'GET', path: '/lookups', kind: 'status', status: 500, times: 1 }] });
    await client().lookups.list().firstPage();
    expect(seen('/lookups')).toEqual(['status', 'ok']);

    fake.faults.splice(0, 1, { path: '/lookups', kind: 'status', status: 500, message: 'PG::ConnectionBad' });
    const error = await rejection(client({ maxRetries: 2 }).lookups.list().firstPage());
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 500, attempts: 3, errors: [{ status: 500, resource: '/api/v2/lookups', message: 'PG::ConnectionBad' }] });
  });

  test('reset: the dropped connection of a GET is retried; a lasting one is a ConnectionError', async () => {
    const { fake, client, seen } = await world(via, { faults: [{ path: '/lookups', kind: 'reset', times: 2 }] });
    await client().lookups.list().firstPage();
    expect(seen('/lookups')).toEqual(['reset', 'reset', 'ok']);

    fake.faults.splice(0, 1, { path: '/users', kind: 'reset' });
    const error = await rejection(client({ maxRetries: 1 }).users.list().firstPage());
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).attempts).toBe(2);
    expect(seen('/users')).toEqual(['reset', 'reset']);
  });

  test('truncate: a 200 whose JSON is cut in half is retried like a network failure', async () => {
    const { fake, client, get, seen } = await world(via);
    const whole = await (await get('/lookups')).text();
    fake.faults.push({ path: '/lookups', kind: 'truncate', times: 1 });
    const cut = await get('/lookups');
    expect(cut.status).toBe(200);
    const text = await cut.text();
    expect(text).toBe(whole.slice(0, Math.floor(whole.length / 2)));
    expect(() => JSON.parse(text)).toThrow();

    fake.faults.push({ path: '/lookups', kind: 'truncate', times: 1 });
    const page = await client().lookups.list().firstPage();
    expect(page.data.length).toBeGreaterThan(0);
    expect(seen('/lookups')).toEqual(['ok', 'truncate', 'truncate', 'ok']);
  });

  test("html502: a proxy's HTML page is retried; a lasting one is a ServerError 502 with an html body", async () => {
    const { fake, client, get, seen } = await world(via, { faults: [{ path: '/lookups', kind: 'html502', times: 1 }] });
    const page = await get('/lookups');
    expect(page.status).toBe(502);
    expect(page.headers.get('content-type')).toBe('text/html');
    expect(await page.text()).toContain('<title>502 Bad Gateway</title>');

    fake.faults.push({ path: '/lookups', kind: 'html502', times: 1 });
    await client().lookups.list().firstPage();
    expect(seen('/lookups')).toEqual(['html502', 'html502', 'ok']);
    fake.faults.push({ path: '/lookups', kind: 'html502' });
    const error = await rejection(client({ maxRetries: 0 }).lookups.list().firstPage());
    expect(error).toMatchObject({ status: 502, bodyKind: 'html' });
    expect(error).toBeInstanceOf(ServerError);
  });

  test('latency: slows the answer; past the per-attempt timeout it is a TimeoutError', async () => {
    const { fake, client } = await world(via, { faults: [{ path: '/lookups', kind: 'latency', ms: 60 }] });
    const started = Date.now();
    await client().lookups.list().firstPage();
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    fake.faults[0] = { path: '/lookups', kind: 'latency', ms: 2_000 };
    const error = await rejection(client({ maxRetries: 0, timeoutMs: 40 }).lookups.list().firstPage());
    expect(error).toBeInstanceOf(TimeoutError);
  });

  test('soak: a 10% rate of 500s on GET /cases while iterating 200 cases 20 a page still yields every case exactly once', async () => {
    // Seed 220 puts three 500s in the rule's first 13 draws for GET, two in a row: one page needs both retries.
    const { fake, client, seen } = await world(via, { seed: 220, cases: 200, faults: [{ method: 'GET', path: '/cases', rate: 0.1, kind: 'status', status: 500 }] });
    const ids = (await client().cases.list({ per: 20 }).collect({ max: 1_000 })).map((c) => c.id);
    expect(ids).toHaveLength(200);
    expect(new Set(ids)).toEqual(new Set(fake.store.cases.keys()));
    const outcomes = seen('/cases');
    // Faults did happen, and every one was paid for by a retry.
    expect(outcomes).toEqual(['ok', 'status', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'status', 'status', 'ok']);
  });

  test('a reset on POST /cases is a ConnectionError, never a silent repeat: at most one new case', async () => {
    const { fake, client, seen } = await world(via, { faults: [{ method: 'POST', path: '/cases', kind: 'reset' }] });
    const error = await rejection(client().cases.create({ module_id: 'primeromodule-cp', name: 'Test Child' }, { idempotent: false }));
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).attempts).toBe(1);
    expect(seen('/cases')).toEqual(['reset']);
    // Never more than one; here exactly one, since the default reset comes after the server did the work.
    expect(fake.store.cases.size).toBe(1);
  });

  test('an idempotent create survives a lost answer: the retry meets its own id and reads the case back, exactly one case', async () => {
    const { fake, client } = await world(via, { faults: [{ method: 'POST', path: '/cases', kind: 'reset', times: 1 }] });
    const created = await client().cases.create({ module_id: 'primeromodule-cp', name: 'Test Child' });
    expect(fake.store.cases.size).toBe(1);
    expect([...fake.store.cases.keys()]).toEqual([created.id]);
    const writes = fake.requests.filter((r) => r.path.startsWith('/cases'));
    expect(writes.map((r) => `${r.method} ${r.path === '/cases' ? r.path : '/cases/:id'} ${r.fault ?? 'ok'}`)).toEqual([
      'POST /cases reset',
      'POST /cases ok',
      'GET /cases/:id ok',
    ]);
    // Both attempts carried the same client-made id.
    expect(writes[0]?.body).toEqual(writes[1]?.body);
  });

  test("a reset before the server saw the idempotent create: the retry creates it, still exactly one case", async () => {
    const { fake, client } = await world(via, { faults: [{ method: 'POST', path: '/cases', kind: 'reset', when: 'before', times: 1 }] });
    const created = await client().cases.create({ module_id: 'primeromodule-cp', name: 'Test Child' });
    expect([...fake.store.cases.keys()]).toEqual([created.id]);
  });
});

describe('where faults apply', () => {
  test('the login and the bootstrap are spared unless a rule names them', async () => {
    const { fake, client } = await world('fetch', { auth: 'session', faults: [{ kind: 'status', status: 500, times: 1 }] });
    const session = client();
    await session.users.list().firstPage(); // Basic refused, bootstrap, login: none of them faulted
    expect(fake.requests.map((r) => `${r.method} ${r.path} ${r.fault ?? 'ok'}`)).toEqual([
      'GET /users status',
      'GET /users ok',
      'GET /primero ok',
      'POST /tokens ok',
      'GET /users ok',
    ]);
    fake.faults.splice(0, 1, { method: 'POST', path: '/tokens', kind: 'reset' });
    const error = await rejection(client().users.list().firstPage());
    expect(error).toBeInstanceOf(ConnectionError);
    expect(fake.requests.at(-1)).toMatchObject({ method: 'POST', path: '/tokens', fault: 'reset' });
  });

  test("reset: by default the server did the work and only the answer is lost; with when: 'before' it never saw the request", async () => {
    const { fake } = await world('fetch', { auth: 'session', csrf: false, faults: [{ method: 'POST', path: '/tokens', kind: 'reset', times: 1 }] });
    const signIn = (user_name: string) =>
      fake.fetch(`${fake.baseUrl}/api/v2/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: { user_name, password: DEMO_PASSWORD } }) });
    await expect(signIn('demo_caseworker')).rejects.toThrow('fetch failed');
    expect(fake.activeSessions()).toEqual(['demo_caseworker']);
    fake.faults.push({ method: 'POST', path: '/tokens', kind: 'reset', when: 'before', times: 1 });
    await expect(signIn('cp_worker')).rejects.toThrow('fetch failed');
    expect(fake.activeSessions()).toEqual(['demo_caseworker']);
  });

  test('method, :param path patterns, RegExps, rate 0 and times', async () => {
    const { fake } = await world('fetch', {
      faults: [
        { method: 'post', path: '/lookups/:id', kind: 'status', status: 418 },
        { path: '/lookups/:id', kind: 'status', status: 404 },
        { path: /^\/loc/, kind: 'status', status: 409, times: 2 },
        { path: '/users', rate: 0, kind: 'reset' },
      ],
    });
    const status = async (path: string) => (await fake.handle(new Request(`${fake.baseUrl}/api/v2${path}`, { headers: BASIC }))).status;
    expect(await status('/lookups/7')).toBe(404);
    expect(await status('/lookups')).toBe(200);
    expect(await status('/lookups/7/values')).toBe(404); // no such route: the router's own 404
    expect([await status('/locations'), await status('/locations'), await status('/locations')]).toEqual([409, 409, 200]);
    for (let i = 0; i < 20; i++) expect(await status('/users')).toBe(200);
  });

  test('a status fault takes the shape the server gives that status: Devise for 401, Rack::Attack for 429, headers as asked', async () => {
    const { fake } = await world('fetch', {
      faults: [
        { path: '/users', kind: 'status', status: 401 },
        { path: '/lookups', kind: 'status', status: 429 },
        { path: '/forms', kind: 'status', status: 503, headers: { 'Retry-After': '1' } },
      ],
    });
    const send = (path: string) => fake.handle(new Request(`${fake.baseUrl}/api/v2${path}`, { headers: BASIC }));
    const unauthorized = await send('/users');
    expect(unauthorized.headers.get('www-authenticate')).toBe('Bearer realm="Primero" charset="UTF8"');
    expect(await unauthorized.json()).toEqual({ error: 'You need to sign in or sign up before continuing.' });
    const throttled = await send('/lookups');
    expect([throttled.status, throttled.headers.get('content-type'), await throttled.text()]).toEqual([429, 'text/plain', 'Retry later\n']);
    const unavailable = await send('/forms');
    expect(unavailable.headers.get('retry-after')).toBe('1');
    expect(await unavailable.json()).toEqual({ errors: [{ status: 503, resource: '/api/v2/forms', message: 'Service Unavailable' }] });
  });

  test('a malformed rule is refused up front; one slipped into fake.faults later is a 500 naming it', async () => {
    expect(() => createFakePrimero({ faults: [{ kind: 'status', status: 700 }] })).toThrow(TypeError);
    expect(() => createFakePrimero({ faults: [{ kind: 'latency', ms: 5, rate: 2 }] })).toThrow(/rate/);
    const { fake } = await world('fetch');
    fake.faults.push({ kind: 'explode' } as unknown as FaultRule);
    const response = await fake.handle(new Request(`${fake.baseUrl}/api/v2/lookups`, { headers: BASIC }));
    expect(response.status).toBe(500);
    expect(await response.text()).toContain('unknown kind');
  });
});

describe('determinism', () => {
  const rules = (): FaultRule[] => [
    { path: '/lookups', rate: 0.3, kind: 'status', status: 500 },
    { path: '/lookups', rate: 0.2, kind: 'truncate' },
    { path: '/users', rate: 0.5, kind: 'reset', when: 'before' },
  ];
  async function run(seed: number, paths: string[]): Promise<string[]> {
    const fake = createFakePrimero({ cases: 0, seed, faults: rules() });
    for (const path of paths) await fake.handle(new Request(`${fake.baseUrl}/api/v2${path}`, { headers: BASIC }));
    return fake.requests.filter((r) => r.path === '/lookups').map((r) => r.fault ?? 'ok');
  }
  const lookups = Array.from({ length: 40 }, () => '/lookups');

  test('the same seed gives the same fault sequence; another seed another one', async () => {
    const first = await run(21, lookups);
    expect(await run(21, lookups)).toEqual(first);
    expect(first).toContain('status');
    expect(first).toContain('truncate');
    expect(first).toContain('ok');
    expect(await run(22, lookups)).not.toEqual(first);
  });

  test("a route's sequence does not depend on the requests to other routes in between", async () => {
    const alone = await run(21, lookups);
    const interleaved = await run(21, lookups.flatMap((path, i) => (i % 3 ? [path] : ['/users', '/forms', path])));
    expect(interleaved).toEqual(alone);
  });
});

describe('review fixes', () => {
  test.each([204, 205, 304])('a status fault of %i answers with no body and keeps its headers (a body would throw)', async (status) => {
    const { fake } = await world('fetch', { faults: [{ path: '/lookups', kind: 'status', status, headers: { 'X-Fault': 'yes' } }] });
    const response = await fake.handle(new Request(`${fake.baseUrl}/api/v2/lookups`, { headers: BASIC }));
    expect(response.status).toBe(status);
    expect(response.body).toBeNull();
    expect(response.headers.get('x-fault')).toBe('yes');
    expect(fake.requests.map((r) => r.fault)).toEqual(['status']);
  });

  test('a rule on /cases/:id is reproducible under the same seed although the SDK gives every case a random id', async () => {
    async function run(): Promise<string[]> {
      const fake = createFakePrimero({ cases: 0, seed: 5, faults: [{ method: 'GET', path: '/cases/:id', rate: 0.4, kind: 'status', status: 500 }] });
      const client = new PrimeroClient({ baseUrl: fake.baseUrl, auth: fake.credentials, fetch: fake.fetch, retry: { baseDelayMs: 1, maxDelayMs: 2 } });
      // The SDK's default create picks a random id, then reads the case back with GET /cases/<that id>.
      for (let i = 0; i < 12; i++) await client.cases.create({ module_id: 'primeromodule-cp', name: `Child ${i}` }).catch(() => undefined);
      return fake.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/cases/')).map((r) => r.fault ?? 'ok');
    }
    const first = await run();
    const second = await run();
    expect(first).toContain('status');
    expect(first).toContain('ok');
    expect(second).toEqual(first);
  });
});
