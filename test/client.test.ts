/**
 * `PrimeroClient` options: validation in the constructor, baseUrl normalisation, auth shorthands,
 * `withOptions`, the `fetch` option and the secret-free views of a client.
 */
import { inspect } from 'node:util';
import { http, HttpResponse } from 'msw';
import { describe, expect, test, vi } from 'vitest';
import {
  ConfigurationError,
  PrimeroClient,
  TimeoutError,
  basicAuth,
  bearerAuth,
  sessionAuth,
  tokenAuth,
  type ClientOptions,
  type FetchLike,
} from '../src/index.js';
import { API, BASE, CREDENTIALS, recordRequests, server, testClient } from './support/server.js';

const ok = () => HttpResponse.json({ data: { ok: true } });

/** A fetch that must never be called. */
function forbiddenFetch() {
  return vi.fn<FetchLike>(async () => {
    throw new Error('nothing may be sent');
  });
}

describe('constructor validation', () => {
  const invalid: [string, unknown][] = [
    ['no options', undefined],
    ['null options', null],
    ['no baseUrl', {}],
    ['an empty baseUrl', { baseUrl: '' }],
    ['a blank baseUrl', { baseUrl: '   ' }],
    ['a number baseUrl', { baseUrl: 42 }],
    ['a baseUrl without scheme', { baseUrl: 'primero.test' }],
    ['a relative baseUrl', { baseUrl: '/api/v2' }],
    ['garbage', { baseUrl: 'http://' }],
    ['user and password in baseUrl', { baseUrl: 'https://primero_api:S3cret-Passw0rd!@primero.test' }],
    ['a user in baseUrl', { baseUrl: 'https://primero_api@primero.test' }],
    ['a query in baseUrl', { baseUrl: 'https://primero.test/?locale=en' }],
    ['a fragment in baseUrl', { baseUrl: 'https://primero.test/#/cases' }],
    ['ftp', { baseUrl: 'ftp://primero.test' }],
    ['ws', { baseUrl: 'ws://primero.test' }],
    ['file', { baseUrl: 'file:///etc/passwd' }],
    ['javascript:', { baseUrl: 'javascript:alert(1)' }],
    ['http on a remote host', { baseUrl: 'http://primero.test' }],
    ['http on a private IP', { baseUrl: 'http://10.0.0.5:3000' }],
    ['http on 0.0.0.0', { baseUrl: 'http://0.0.0.0:3000' }],
    ['http on a host that starts with localhost', { baseUrl: 'http://localhost.evil.test' }],
    ['http on a host that starts with 127.0.0.1', { baseUrl: 'http://127.0.0.1.nip.io' }],
    ['http with allowInsecureHttp not exactly true', { baseUrl: 'http://primero.test', allowInsecureHttp: 'yes' }],
    ['timeoutMs negative', { baseUrl: BASE, timeoutMs: -1 }],
    ['timeoutMs zero', { baseUrl: BASE, timeoutMs: 0 }],
    ['timeoutMs fractional', { baseUrl: BASE, timeoutMs: 1.5 }],
    ['timeoutMs NaN', { baseUrl: BASE, timeoutMs: Number.NaN }],
    ['timeoutMs Infinity', { baseUrl: BASE, timeoutMs: Number.POSITIVE_INFINITY }],
    ['timeoutMs a string', { baseUrl: BASE, timeoutMs: '1000' }],
    ['totalTimeoutMs negative', { baseUrl: BASE, totalTimeoutMs: -5 }],
    ['timeoutMs over 2^31 - 1 (a timer would fire at once)', { baseUrl: BASE, timeoutMs: 2 ** 31 }],
    ['totalTimeoutMs over 2^31 - 1', { baseUrl: BASE, totalTimeoutMs: 2 ** 31 }],
    ['retry.maxRetryAfterMs over 2^31 - 1', { baseUrl: BASE, retry: { maxRetryAfterMs: 2 ** 31 } }],
    ['retry.maxDelayMs over 2^31 - 1', { baseUrl: BASE, retry: { maxDelayMs: 2 ** 31 } }],
    ['retry.baseDelayMs over 2^31 - 1', { baseUrl: BASE, retry: { baseDelayMs: 2 ** 31 } }],
    ['maxRetries negative', { baseUrl: BASE, maxRetries: -1 }],
    ['maxRetries fractional', { baseUrl: BASE, maxRetries: 0.5 }],
    ['maxRetries a string', { baseUrl: BASE, maxRetries: '2' }],
    ['maxConcurrency zero', { baseUrl: BASE, maxConcurrency: 0 }],
    ['maxConcurrency negative', { baseUrl: BASE, maxConcurrency: -2 }],
    ['maxConcurrency fractional', { baseUrl: BASE, maxConcurrency: 2.5 }],
    ['retry.baseDelayMs negative', { baseUrl: BASE, retry: { baseDelayMs: -1 } }],
    ['logLevel unknown', { baseUrl: BASE, logLevel: 'verbose' }],
    ['logLevel upper case', { baseUrl: BASE, logLevel: 'INFO' }],
    ['validate unknown', { baseUrl: BASE, validate: 'lenient' }],
    ['validate a boolean', { baseUrl: BASE, validate: true }],
    ['auth a string', { baseUrl: BASE, auth: 'Basic cHJpbWVybzpzZWNyZXQ=' }],
    ['auth a number', { baseUrl: BASE, auth: 42 }],
    ['auth null', { baseUrl: BASE, auth: null }],
    ['auth true', { baseUrl: BASE, auth: true }],
    ['auth an empty object', { baseUrl: BASE, auth: {} }],
    ['auth with an empty password', { baseUrl: BASE, auth: { username: 'primero_api', password: '' } }],
    ['auth getToken not a function', { baseUrl: BASE, auth: { getToken: 'token' } }],
  ];

  test.each(invalid)('%s -> ConfigurationError, nothing sent', (_label, options) => {
    const seen = recordRequests();
    const fetch = forbiddenFetch();
    const withFetch = typeof options === 'object' && options !== null ? { ...options, fetch } : options;
    expect(() => new PrimeroClient(withFetch as ClientOptions)).toThrow(ConfigurationError);
    expect(fetch).not.toHaveBeenCalled();
    expect(seen).toHaveLength(0);
  });

  test('the error for a baseUrl with credentials does not repeat them', () => {
    let error: unknown;
    try {
      new PrimeroClient({ baseUrl: `https://${CREDENTIALS.username}:${CREDENTIALS.password}@primero.test` });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const shown = `${(error as Error).message} ${JSON.stringify(error)} ${inspect(error)}`;
    expect(shown).not.toContain(CREDENTIALS.password);
    expect(shown).not.toContain(CREDENTIALS.username);
  });

  test.each([
    ['http://localhost', 'http://localhost'],
    ['http://localhost:3000/', 'http://localhost:3000'],
    ['http://LOCALHOST:3000', 'http://localhost:3000'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['http://127.0.1.1', 'http://127.0.1.1'],
    ['http://[::1]:3000', 'http://[::1]:3000'],
    ['http://[0:0:0:0:0:0:0:1]:3000', 'http://[::1]:3000'],
  ])('plain http is allowed on this machine: %s', (baseUrl, expected) => {
    expect(new PrimeroClient({ baseUrl }).baseUrl).toBe(expected);
  });

  test('plain http on a remote host is allowed with allowInsecureHttp: true', () => {
    expect(new PrimeroClient({ baseUrl: 'http://primero.lan', allowInsecureHttp: true }).baseUrl).toBe('http://primero.lan');
  });

  test('valid edge values are accepted', () => {
    expect(() => testClient({ maxRetries: 0, timeoutMs: 1, maxConcurrency: 1, totalTimeoutMs: 1 })).not.toThrow();
    for (const logLevel of ['debug', 'info', 'warn', 'error'] as const) expect(() => testClient({ logLevel })).not.toThrow();
    for (const validate of ['strict', 'loose', 'off'] as const) expect(testClient({ validate }).validate).toBe(validate);
    expect(testClient().validate).toBe('loose');
  });

  test('the longest delay a timer takes (2^31 - 1 ms) is accepted for every timeout, and does not fire at once', async () => {
    const max = 2 ** 31 - 1;
    server.use(
      http.get(`${API}/cases`, async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return ok();
      }),
    );
    const client = testClient({ timeoutMs: max, totalTimeoutMs: max, maxRetries: 0, retry: { baseDelayMs: max, maxDelayMs: max, maxRetryAfterMs: max } });
    await expect(client.request('GET', '/cases')).resolves.toEqual({ data: { ok: true } });
    expect(() => client.withOptions({ timeoutMs: max + 1 })).toThrow(ConfigurationError);
  });

  test('the constructor sends nothing, even with credentials to check', async () => {
    const seen = recordRequests();
    const fetch = forbiddenFetch();
    new PrimeroClient({ baseUrl: BASE, auth: sessionAuth(CREDENTIALS), fetch });
    new PrimeroClient({ baseUrl: BASE, auth: CREDENTIALS, fetch });
    new PrimeroClient({ baseUrl: BASE, auth: { getToken: () => 'token' }, fetch });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(fetch).not.toHaveBeenCalled();
    expect(seen).toHaveLength(0);
  });
});

describe('baseUrl normalisation', () => {
  test.each([
    ['https://primero.test', 'https://primero.test', '/api/v2/cases'],
    ['https://primero.test/', 'https://primero.test', '/api/v2/cases'],
    ['https://primero.test///', 'https://primero.test', '/api/v2/cases'],
    ['  https://primero.test  ', 'https://primero.test', '/api/v2/cases'],
    ['HTTPS://Primero.TEST', 'https://primero.test', '/api/v2/cases'],
    ['https://primero.test:443', 'https://primero.test', '/api/v2/cases'],
    ['https://primero.test/api/v2', 'https://primero.test', '/api/v2/cases'],
    ['https://primero.test/api/v2/', 'https://primero.test', '/api/v2/cases'],
    ['https://primero.test/primero', 'https://primero.test/primero', '/primero/api/v2/cases'],
    ['https://primero.test/primero/', 'https://primero.test/primero', '/primero/api/v2/cases'],
    ['https://primero.test/primero/api/v2/', 'https://primero.test/primero', '/primero/api/v2/cases'],
  ])('%s -> baseUrl %s, requests to %s', async (baseUrl, expected, requestPath) => {
    const seen = recordRequests();
    server.use(http.get('https://primero.test/*', ok));
    const client = new PrimeroClient({ baseUrl });
    expect(client.baseUrl).toBe(expected);
    await client.request('GET', '/cases', { query: { status: 'open' } });
    expect(seen.map((s) => `${s.method} ${s.path}?${s.query}`)).toEqual([`GET ${requestPath}?status=open`]);
  });

  test('http://localhost keeps its port', async () => {
    const seen = recordRequests();
    server.use(http.get('http://localhost:3000/api/v2/cases', ok));
    await new PrimeroClient({ baseUrl: 'http://localhost:3000/' }).request('GET', '/cases');
    expect(seen.map((s) => s.path)).toEqual(['/api/v2/cases']);
  });
});

describe('auth shorthands', () => {
  function echoAuthorization() {
    const seen = recordRequests();
    server.use(http.get(`${API}/cases`, ok));
    return seen;
  }

  test('{ username, password } signs with Basic (auto)', async () => {
    const seen = echoAuthorization();
    const client = testClient({ auth: { username: CREDENTIALS.username, password: CREDENTIALS.password } });
    await client.request('GET', '/cases');
    const expected = `Basic ${Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`).toString('base64')}`;
    expect(seen.map((s) => s.headers.get('authorization'))).toEqual([expected]);
    expect(client.toJSON().auth).toBe('auto');
  });

  test('{ getToken } signs with Bearer', async () => {
    const seen = echoAuthorization();
    const getToken = vi.fn(() => 'idp-access-token');
    const client = testClient({ auth: { getToken } });
    await client.request('GET', '/cases');
    await client.request('GET', '/cases');
    expect(seen.map((s) => s.headers.get('authorization'))).toEqual(['Bearer idp-access-token', 'Bearer idp-access-token']);
    expect(getToken).toHaveBeenCalledTimes(1);
    expect(client.toJSON().auth).toBe('bearer');
  });

  test('an auth strategy object is used as is', async () => {
    const seen = echoAuthorization();
    const client = testClient({ auth: basicAuth(CREDENTIALS) });
    await client.request('GET', '/cases');
    expect(seen[0]?.headers.get('authorization')).toMatch(/^Basic /);
    expect(client.toJSON().auth).toBe('basic');
  });

  test('no auth: no Authorization header', async () => {
    const seen = echoAuthorization();
    const client = testClient();
    await client.request('GET', '/cases');
    expect(seen).toHaveLength(1);
    expect(seen[0]?.headers.has('authorization')).toBe(false);
    expect(seen[0]?.headers.has('cookie')).toBe(false);
    expect(client.toJSON().auth).toBe('none');
  });
});

describe('withOptions', () => {
  test('returns a new client with the changed option; the original keeps its own', async () => {
    server.use(
      http.get(`${API}/slow`, async () => {
        await new Promise((resolve) => setTimeout(resolve, 80));
        return ok();
      }),
    );
    const base = testClient({ maxRetries: 0 });
    const hasty = base.withOptions({ timeoutMs: 20 });
    expect(hasty).not.toBe(base);
    expect(hasty).toBeInstanceOf(PrimeroClient);
    expect(hasty.baseUrl).toBe(base.baseUrl);
    const error = await hasty.request('GET', '/slow').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ timeoutMs: 20, scope: 'attempt', attempts: 1 });
    await expect(base.request('GET', '/slow')).resolves.toEqual({ data: { ok: true } });
  });

  test('invalid overrides throw ConfigurationError', () => {
    const base = testClient();
    expect(() => base.withOptions({ timeoutMs: -1 })).toThrow(ConfigurationError);
    expect(() => base.withOptions({ baseUrl: 'http://primero.test' })).toThrow(ConfigurationError);
    expect(() => base.withOptions({ validate: 'nope' as never })).toThrow(ConfigurationError);
  });

  test('a baseUrl on another server without its own auth is a ConfigurationError: a credential must not travel to another server', () => {
    const fetch = forbiddenFetch();
    const base = testClient({ auth: basicAuth(CREDENTIALS), fetch });
    for (const baseUrl of ['https://other.example', 'https://primero.test:8443', 'https://sub.primero.test']) {
      expect(() => base.withOptions({ baseUrl })).toThrow(ConfigurationError);
      expect(() => base.withOptions({ baseUrl, timeoutMs: 5_000 })).toThrow(/needs its own auth/);
    }
    expect(fetch).not.toHaveBeenCalled();
  });

  test('another baseUrl with auth: undefined is a client that sends no Authorization (nor cookie)', async () => {
    const seen = recordRequests();
    server.use(http.get('https://other.example/api/v2/cases', ok));
    const base = testClient({ auth: basicAuth(CREDENTIALS) });
    const other = base.withOptions({ baseUrl: 'https://other.example', auth: undefined });
    expect(other.toJSON()).toEqual({ baseUrl: 'https://other.example', auth: 'none', validate: 'loose' });
    await expect(other.request('GET', '/cases')).resolves.toEqual({ data: { ok: true } });
    expect(seen.map((s) => [s.path, s.headers.get('authorization'), s.headers.get('cookie')])).toEqual([['/api/v2/cases', null, null]]);
    expect(base.toJSON().auth).toBe('basic');
  });

  test.each(['https://primero.test/', 'https://primero.test/api/v2', 'https://primero.test/api/v2/', 'HTTPS://Primero.TEST:443'])(
    '%s is the same server: the derived client keeps the auth',
    async (baseUrl) => {
      const seen = recordRequests();
      server.use(http.get(`${API}/cases`, ok));
      const derived = testClient({ auth: basicAuth(CREDENTIALS) }).withOptions({ baseUrl });
      expect(derived.toJSON()).toEqual({ baseUrl: BASE, auth: 'basic', validate: 'loose' });
      await derived.request('GET', '/cases');
      expect(seen.map((s) => s.headers.get('authorization'))).toEqual([`Basic ${Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`).toString('base64')}`]);
    },
  );

  test('keeps every option not overridden (validate, baseUrl, auth type)', () => {
    const base = new PrimeroClient({ baseUrl: 'https://primero.test/primero', auth: CREDENTIALS, validate: 'strict' });
    const derived = base.withOptions({ maxRetries: 5 });
    expect(derived.toJSON()).toEqual({ baseUrl: 'https://primero.test/primero', auth: 'auto', validate: 'strict' });
    expect(base.withOptions({ validate: 'off' }).validate).toBe('off');
  });

  /**
   * A cookie-session server: counts logins and refuses requests without this server's session cookie.
   * Cookies are set with a plain `Response`: msw keeps the `Set-Cookie` of its `HttpResponse` in a store of
   * its own and appends those cookies to later requests, which would hide a client that sends none.
   */
  function sessionServer() {
    const state = { logins: 0, refused: 0, sessions: [] as string[] };
    const withCookie = (cookie: string) =>
      new Response('{}', { headers: { 'Content-Type': 'application/json', 'Set-Cookie': cookie } });
    server.use(
      http.get(`${API}/primero`, () => withCookie('CSRF-TOKEN=csrf-1; path=/')),
      http.post(`${API}/tokens`, () => {
        state.logins++;
        const session = `session-${state.logins}-${Math.random().toString(36).slice(2)}`;
        state.sessions.push(session);
        return withCookie(`_primero_session=${session}; path=/; HttpOnly`);
      }),
      http.get(`${API}/cases`, ({ request }) => {
        const cookie = request.headers.get('cookie') ?? '';
        if (!state.sessions.some((session) => cookie.includes(`_primero_session=${session}`))) {
          state.refused++;
          return HttpResponse.json({ error: 'You need to sign in or sign up before continuing.' }, { status: 401 });
        }
        return ok();
      }),
    );
    return state;
  }

  test('shares the auth session: one login serves both clients', async () => {
    const state = sessionServer();
    const seen = recordRequests();
    const base = testClient({ auth: sessionAuth(CREDENTIALS) });
    const derived = base.withOptions({ timeoutMs: 5_000 });
    await Promise.all([base.request('GET', '/cases'), derived.request('GET', '/cases'), derived.request('GET', '/cases')]);
    await base.request('GET', '/cases');
    await derived.request('GET', '/cases');
    expect(state.logins).toBe(1);
    expect(state.refused).toBe(0);
    const cases = seen.filter((s) => s.path === '/api/v2/cases');
    expect(cases).toHaveLength(5);
    expect(cases.map((s) => s.headers.get('cookie'))).toEqual(Array(5).fill(`CSRF-TOKEN=csrf-1; _primero_session=${state.sessions[0]}`));
  });

  test('shares what { username, password } negotiated: after Basic is refused, one login serves both clients', async () => {
    const state = sessionServer(); // refuses Basic: the auto strategy falls back to a cookie session
    const seen = recordRequests();
    const base = testClient({ auth: { username: CREDENTIALS.username, password: CREDENTIALS.password } });
    await base.request('GET', '/cases');
    const derived = base.withOptions({ maxRetries: 0 });
    await derived.request('GET', '/cases');
    await base.request('GET', '/cases');
    expect(state.logins).toBe(1);
    expect(state.refused).toBe(1); // only the very first Basic attempt
    expect(seen.filter((s) => s.path === '/api/v2/cases').map((s) => s.headers.get('authorization')?.split(' ')[0] ?? 'cookie')).toEqual([
      'Basic',
      'cookie',
      'cookie',
      'cookie',
    ]);
  });

  test('an overridden auth is a separate session', async () => {
    const state = sessionServer();
    const base = testClient({ auth: sessionAuth(CREDENTIALS) });
    const other = base.withOptions({ auth: sessionAuth({ username: 'other_user', password: 'other-pass' }) });
    await base.request('GET', '/cases');
    await other.request('GET', '/cases');
    expect(state.logins).toBe(2);
    expect(other.toJSON().auth).toBe('session');
  });

  function concurrencyServer() {
    const state = { inFlight: 0, maxInFlight: 0, served: 0 };
    server.use(
      http.get(`${API}/cases`, async () => {
        state.inFlight++;
        state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
        await new Promise((resolve) => setTimeout(resolve, 10));
        state.inFlight--;
        state.served++;
        return ok();
      }),
    );
    return state;
  }

  test('shares the concurrency limit: maxConcurrency 1 across both clients never has 2 in flight', async () => {
    const state = concurrencyServer();
    const base = testClient({ maxConcurrency: 1 });
    const derived = base.withOptions({ timeoutMs: 5_000 });
    const grandchild = derived.withOptions({ maxRetries: 0 });
    const clients = [base, derived, grandchild];
    await Promise.all(clients.flatMap((client) => [client.request('GET', '/cases'), client.request('GET', '/cases')]));
    expect(state.served).toBe(6);
    expect(state.maxInFlight).toBe(1);
  });

  test('an overridden maxConcurrency gets its own limit', async () => {
    const state = concurrencyServer();
    const base = testClient({ maxConcurrency: 1 });
    const wide = base.withOptions({ maxConcurrency: 3 });
    await Promise.all([1, 2, 3].map(() => wide.request('GET', '/cases')));
    expect(state.maxInFlight).toBe(3);
    state.maxInFlight = 0;
    await Promise.all([1, 2, 3].map(() => base.request('GET', '/cases')));
    expect(state.maxInFlight).toBe(1);
  });

  test('the default limit (4) is shared too', async () => {
    const state = concurrencyServer();
    const base = testClient();
    const derived = base.withOptions({ timeoutMs: 5_000 });
    await Promise.all([base, derived, base, derived, base, derived, base, derived].map((c) => c.request('GET', '/cases')));
    expect(state.served).toBe(8);
    expect(state.maxInFlight).toBe(4);
  });
});

describe('fetch', () => {
  test('the fetch option is used instead of the global fetch', async () => {
    const seen = recordRequests();
    const fetch = vi.fn<FetchLike>(async () => Response.json({ data: [{ id: 'from-custom-fetch' }] }));
    const client = testClient({ fetch, auth: CREDENTIALS });
    expect(await client.request('GET', '/cases', { query: { status: 'open' } })).toEqual({ data: [{ id: 'from-custom-fetch' }] });
    expect(fetch).toHaveBeenCalledTimes(1);
    const request = fetch.mock.calls[0]?.[0];
    expect(request).toBeInstanceOf(Request);
    expect(request?.url).toBe(`${API}/cases?status=open`);
    expect(request?.method).toBe('GET');
    expect(request?.headers.get('authorization')).toMatch(/^Basic /);
    expect(seen).toHaveLength(0); // msw never saw it
  });

  test('a derived client keeps the fetch option', async () => {
    const fetch = vi.fn<FetchLike>(async () => Response.json({ data: [] }));
    await testClient({ fetch }).withOptions({ timeoutMs: 1_000 }).request('GET', '/cases');
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  test('handlers added after the client was created intercept its requests', async () => {
    const client = testClient();
    server.use(http.get(`${API}/cases`, () => HttpResponse.json({ data: [{ id: 'late-handler' }] })));
    expect(await client.request('GET', '/cases')).toEqual({ data: [{ id: 'late-handler' }] });
  });

  test('globalThis.fetch is looked up at each request, not captured at construction', async () => {
    server.use(http.get(`${API}/cases`, () => HttpResponse.json({ data: [] })));
    const client = testClient();
    const original = globalThis.fetch;
    const wrapper = vi.fn((input: RequestInfo | URL, init?: RequestInit) => original(input, init));
    vi.stubGlobal('fetch', wrapper);
    try {
      await client.request('GET', '/cases');
      expect(wrapper).toHaveBeenCalledTimes(1);
    } finally {
      vi.unstubAllGlobals();
    }
    expect(globalThis.fetch).toBe(original);
    await client.request('GET', '/cases');
    expect(wrapper).toHaveBeenCalledTimes(1);
  });

  test('msw started after the client was created still intercepts it', async () => {
    server.close();
    let client: PrimeroClient;
    try {
      client = testClient();
    } finally {
      server.listen({ onUnhandledRequest: 'error' });
    }
    server.use(http.get(`${API}/cases`, () => HttpResponse.json({ data: [{ id: 'intercepted' }] })));
    expect(await client.request('GET', '/cases')).toEqual({ data: [{ id: 'intercepted' }] });
  });
});

describe('toJSON and inspect', () => {
  const secret = 'tok-SECRET-0123456789';
  const cases: [string, () => PrimeroClient, string][] = [
    ['{ username, password }', () => testClient({ auth: CREDENTIALS }), 'auto'],
    ['basicAuth', () => testClient({ auth: basicAuth(CREDENTIALS) }), 'basic'],
    ['sessionAuth', () => testClient({ auth: sessionAuth(CREDENTIALS) }), 'session'],
    ['tokenAuth', () => testClient({ auth: tokenAuth(CREDENTIALS) }), 'token'],
    ['{ getToken }', () => testClient({ auth: { getToken: () => secret } }), 'bearer'],
    ['bearerAuth', () => testClient({ auth: bearerAuth({ getToken: () => secret }) }), 'bearer'],
    ['no auth', () => testClient(), 'none'],
  ];

  test.each(cases)('%s: shows baseUrl and auth type only', async (_label, make, type) => {
    server.use(http.get(`${API}/cases`, ok));
    const client = make();
    if (type === 'bearer' || type === 'auto' || type === 'basic') await client.request('GET', '/cases'); // credential in use
    const json = JSON.parse(JSON.stringify(client)) as Record<string, unknown>;
    expect(json).toEqual({ baseUrl: BASE, auth: type, validate: 'loose' });
    const views = [
      JSON.stringify(client),
      inspect(client),
      inspect(client, { depth: Infinity, showHidden: true }),
      inspect(client, { depth: Infinity, showHidden: true, customInspect: false }),
      inspect({ nested: { client } }, { depth: Infinity }),
      String(client),
      JSON.stringify(Object.entries(client)),
    ];
    for (const view of views) {
      expect(view).not.toContain(CREDENTIALS.password);
      expect(view).not.toContain(CREDENTIALS.username);
      expect(view).not.toContain(secret);
      expect(view).not.toContain(Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`).toString('base64'));
    }
    expect(inspect(client)).toBe(`PrimeroClient {"baseUrl":"${BASE}","auth":"${type}","validate":"loose"}`);
  });

  test('a path prefix shows in baseUrl', () => {
    expect(new PrimeroClient({ baseUrl: 'https://primero.test/primero/api/v2' }).toJSON()).toEqual({
      baseUrl: 'https://primero.test/primero',
      auth: 'none',
      validate: 'loose',
    });
  });
});
