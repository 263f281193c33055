/**
 * The auth layer as a user relies on it: what each strategy sends, when it logs in (and when it must not),
 * how a refused credential is renewed and replayed once, and that no secret leaks through serialisation.
 *
 * Server behaviour is faked after primero-api.md section 1. One msw fact shapes the fakes: a response built
 * with msw's `HttpResponse` that carries `Set-Cookie` is also stored in msw's own global cookie jar, and msw
 * then appends those cookies to the `cookie` header of every later request it matches, as if the client had
 * sent them. Every response that sets a cookie is therefore a plain `Response`, so each `Cookie` header the
 * fake sees is one the SDK really sent.
 */
import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { delay, http, HttpResponse, type JsonBodyType } from 'msw';
import { afterEach, describe, expect, test, vi } from 'vitest';
import {
  AbortError,
  AuthenticationError,
  ConfigurationError,
  ForbiddenError,
  RateLimitError,
  TimeoutError,
  autoAuth,
  basicAuth,
  bearerAuth,
  sessionAuth,
  tokenAuth,
  type AuthStrategy,
  type PrimeroClient,
} from '../src/index.js';
import { deferred, rejection } from './support/async.js';
import { captureLogs } from './support/logs.js';
import { trail } from './support/requests.js';
import { API, CREDENTIALS, recordRequests, server, testClient, type Seen } from './support/server.js';

const INVALID = 'Invalid User name or password.';
const EXPIRED = 'Your session expired. Please sign in again to continue.';
const UNAUTHENTICATED = 'You need to sign in or sign up before continuing.';
const CSRF_REFUSED = "Can't verify CSRF token authenticity.";
const LOCKED = 'Your account is locked.';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

afterEach(() => {
  vi.useRealTimers();
});

// ---------------------------------------------------------------------------------------------------------
// Helpers

function count(seen: readonly Seen[], line: string): number {
  return trail(seen).filter((l) => l === line).length;
}

/** An independent Basic header, computed with Buffer rather than the SDK's btoa path. */
function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/** An unsigned JWT (header.payload.signature, base64url): the SDK only reads `exp`. */
function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}.${Buffer.from(randomUUID()).toString('base64url')}`;
}

function jwtExp(token: string): number {
  const payload = token.split('.')[1] ?? '';
  return (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp: number }).exp;
}

/** A token whose `exp` is `seconds` from now. */
function jwtIn(seconds: number, sub = 'primero_api'): string {
  return jwt({ sub, jti: randomUUID(), exp: Math.floor(Date.now() / 1000) + seconds });
}

function bearerOf(request: Request): string | undefined {
  return /^Bearer (\S+)$/.exec(request.headers.get('authorization') ?? '')?.[1];
}

/** Devise's failure app: 401 `{"error": "..."}` plus Primero's WWW-Authenticate (primero-api.md 1.4). */
function devise401(message: string): Response {
  return HttpResponse.json({ error: message }, { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="Primero" charset="UTF8"' } });
}

/** InvalidAuthenticityToken through Primero's error renderer (primero-api.md 1.5). */
function csrf403(path: string): Response {
  return HttpResponse.json({ errors: [{ status: 403, resource: path, message: CSRF_REFUSED }] }, { status: 403 });
}

/** The cookies of a `Cookie` request header, by name. */
function parseCookies(header: string | null | undefined): Map<string, string> {
  const jar = new Map<string, string>();
  for (const pair of (header ?? '').split(';')) {
    const eq = pair.indexOf('=');
    if (eq > 0) jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
  return jar;
}

function cookiesOf(request: Request): Map<string, string> {
  return parseCookies(request.headers.get('cookie'));
}

/** The body a successful call to the fake resource returns. */
function resourceBody(method: string, id: string | undefined): JsonBodyType {
  if (method === 'GET' && id === undefined) return { data: [{ id: 'case-1' }], metadata: { total: 1, per: 20, page: 1 } };
  return { data: { id: id ?? 'case-new' } };
}

const resourceRoutes = [`${API}/cases`, `${API}/cases/:id`] as const;

// ---------------------------------------------------------------------------------------------------------
// A stateful fake of a current Primero (2.11+): cookie sessions with CSRF (primero-api.md 1.2a, 1.4, 1.5),
// optionally accepting Basic auth (1.2b).

interface FakeSession {
  id: string;
  /** The CSRF token stored in this session. */
  csrf: string;
  user: string | undefined;
  /** Idle-timed out: the next authenticated request gets 401 "Your session expired". */
  expired: boolean;
}

interface SessionServerOptions {
  csrf?: boolean;
  basic?: boolean;
  password?: string;
  /** Re-send the request's `_app_session` cookie with every 401 of a resource, as Rails does (primero-api.md 1.2a). */
  resendCookieOn401?: boolean;
}

/**
 * Sends B, then A to completion, and only then lets the server answer B's first attempt: B's refusal
 * arrives for a credential that A's call has already replaced. `respond` answers `/cases/:id` (default:
 * the fake server behind).
 */
async function lateRefusal(client: PrimeroClient, respond?: (request: Request, id: string) => Response): Promise<void> {
  const aDone = deferred();
  let heldB = false;
  server.use(
    http.get(`${API}/cases/:id`, async ({ request, params }) => {
      if (params.id === 'b' && !heldB) {
        heldB = true;
        await aDone.promise;
      }
      return respond?.(request, String(params.id));
    }),
  );
  const b = client.request('GET', '/cases/b');
  await client.request('GET', '/cases/a');
  aDone.resolve();
  await b;
}

function sessionServer(options: SessionServerOptions = {}) {
  const sessions = new Map<string, FakeSession>();
  let tokens = 0;
  // Rails tokens are base64 and the cookie is URL-encoded: `+`, `/` and `=` make the two forms differ.
  const newToken = () => `t${++tokens}+${randomUUID().slice(0, 8)}/x==`;
  const open = (user?: string): FakeSession => {
    const session: FakeSession = { id: `sid-${randomUUID()}`, csrf: newToken(), user, expired: false };
    sessions.set(session.id, session);
    return session;
  };

  const state = {
    csrfProtection: options.csrf ?? true,
    acceptBasic: options.basic ?? false,
    password: options.password ?? CREDENTIALS.password,
    /** Answer POST /tokens with Rack::Attack's throttle (primero-api.md 1.2a, 1.4). */
    throttled: false,
    /** Every login attempt that passed CSRF: what the SDK sent. */
    logins: [] as { body: unknown; csrfHeader: string | null; cookie: string | null; succeeded: boolean }[],
    sessions,
    /** The idle timeout passes for every signed-in session. */
    expireSessions() {
      for (const session of sessions.values()) if (session.user) session.expired = true;
    },
    /** The server forgets the CSRF token the client holds (e.g. a session reset). */
    rotateCsrf() {
      for (const session of sessions.values()) session.csrf = newToken();
    },
    signedIn(): FakeSession[] {
      return [...sessions.values()].filter((s) => s.user !== undefined);
    },
  };

  const lookup = (request: Request): FakeSession | undefined => {
    const id = cookiesOf(request).get('_app_session');
    return id === undefined ? undefined : sessions.get(id);
  };

  /** A plain Response, never msw's HttpResponse, for anything that sets cookies (see the file notes). */
  const respond = (body: unknown, cookies: { session?: FakeSession; csrf?: string }, status = 200): Response => {
    const headers = new Headers({ 'Content-Type': 'application/json; charset=utf-8' });
    if (cookies.session) headers.append('Set-Cookie', `_app_session=${cookies.session.id}; path=/; HttpOnly; SameSite=Lax`);
    if (state.csrfProtection && cookies.csrf !== undefined) {
      headers.append('Set-Cookie', `CSRF-TOKEN=${encodeURIComponent(cookies.csrf)}; path=/; SameSite=Strict`);
    }
    return new Response(JSON.stringify(body), { status, headers });
  };

  /** Devise's 401; with `resendCookieOn401`, carrying the session cookie the request came with (a plain Response). */
  const refuse = (request: Request, message: string): Response => {
    const sent = cookiesOf(request).get('_app_session');
    if (!options.resendCookieOn401 || sent === undefined) return devise401(message);
    const headers = new Headers({ 'Content-Type': 'application/json; charset=utf-8', 'WWW-Authenticate': 'Bearer realm="Primero" charset="UTF8"' });
    headers.append('Set-Cookie', `_app_session=${sent}; path=/; HttpOnly; SameSite=Lax`);
    return new Response(JSON.stringify({ error: message }), { status: 401, headers });
  };

  const resource = async ({ request, params }: { request: Request; params: Record<string, string | readonly string[] | undefined> }) => {
    const method = request.method;
    const id = typeof params.id === 'string' ? params.id : undefined;
    const authorization = request.headers.get('authorization');
    if (authorization?.startsWith('Basic ')) {
      // Basic is exempt from CSRF and creates no session (primero-api.md 1.2b, 1.5).
      // A server without Basic sees no credentials at all; one with Basic refuses a wrong password (1.4).
      if (!state.acceptBasic) return devise401(UNAUTHENTICATED);
      const valid = authorization === basicHeader(CREDENTIALS.username, state.password);
      return valid ? HttpResponse.json(resourceBody(method, id)) : devise401(INVALID);
    }
    const session = lookup(request);
    if (!session?.user) return refuse(request, UNAUTHENTICATED);
    if (session.expired) {
      // Devise timeoutable signs the user out of the session.
      session.user = undefined;
      session.expired = false;
      return refuse(request, EXPIRED);
    }
    if (state.csrfProtection && !SAFE_METHODS.has(method) && request.headers.get('x-csrf-token') !== session.csrf) {
      return csrf403(new URL(request.url).pathname);
    }
    // set_csrf_cookie rewrites CSRF-TOKEN on every request that passes authentication.
    return respond(resourceBody(method, id), { csrf: session.csrf });
  };

  server.use(
    // Public, runs the API filters: hands out a session and its CSRF-TOKEN cookie (primero-api.md 1.5).
    http.get(`${API}/primero`, ({ request }) => {
      const existing = lookup(request);
      const session = existing ?? open();
      return respond({ sandbox_ui: false, config_ui: 'full' }, { ...(existing ? {} : { session }), csrf: session.csrf });
    }),
    http.post(`${API}/tokens`, async ({ request }) => {
      if (state.throttled) return new HttpResponse('Retry later\n', { status: 429, headers: { 'Content-Type': 'text/plain' } });
      const existing = lookup(request);
      const session = existing ?? open();
      const csrfHeader = request.headers.get('x-csrf-token');
      if (state.csrfProtection && csrfHeader !== session.csrf) return csrf403('/api/v2/tokens');
      const body: unknown = await request.json().catch(() => undefined);
      const user = (body as { user?: { user_name?: unknown; password?: unknown } } | undefined)?.user;
      const succeeded = user?.user_name === CREDENTIALS.username && user.password === state.password;
      state.logins.push({ body, csrfHeader, cookie: request.headers.get('cookie'), succeeded });
      if (!succeeded) return devise401(INVALID);
      // expire_other_user_sessions: one active session per user (primero-api.md 1.2a).
      for (const other of [...sessions.values()]) if (other.user === CREDENTIALS.username) sessions.delete(other.id);
      // Warden renews the session id at sign-in, and Devise resets the CSRF token
      // (clean_up_csrf_token_on_authentication). The CSRF-TOKEN cookie was written by a before_action, so this
      // response still carries the old, now stale, token (primero-api.md 1.5).
      sessions.delete(session.id);
      const signedIn = open(CREDENTIALS.username);
      return respond({ id: 7, user_name: CREDENTIALS.username, group_permission: 'self' }, { session: signedIn, csrf: session.csrf });
    }),
    ...resourceRoutes.flatMap((route) => [http.get(route, resource), http.post(route, resource), http.patch(route, resource), http.delete(route, resource)]),
  );
  return state;
}

// ---------------------------------------------------------------------------------------------------------
// A fake of an older Primero (before 2.11) that issues JWTs in the `Authorization` response header
// (primero-api.md 1.1: what the stale docs still describe).

interface TokenServerOptions {
  /** Lifetimes in seconds of the tokens minted, in order; then 3600. */
  lifetimes?: number[];
  /** Answer a good login with 200 and no Authorization header, like a current server. */
  noHeader?: boolean;
}

function tokenServer(options: TokenServerOptions = {}) {
  const lifetimes = [...(options.lifetimes ?? [])];
  const state = {
    minted: [] as string[],
    /** Tokens the server accepts until their exp. */
    valid: new Set<string>(),
    /** What each POST /tokens carried. */
    posts: [] as { bearer: string | undefined; body: string; contentType: string | null }[],
  };
  const mint = (): string => {
    const token = jwtIn(lifetimes.shift() ?? 3600);
    state.minted.push(token);
    state.valid.add(token);
    return token;
  };
  const usable = (token: string | undefined): token is string =>
    token !== undefined && state.valid.has(token) && jwtExp(token) * 1000 > Date.now();
  const issue = (): Response => {
    const body = { id: 7, user_name: CREDENTIALS.username, group_permission: 'self' };
    if (options.noHeader) return HttpResponse.json(body);
    return HttpResponse.json(body, { headers: { Authorization: `Bearer ${mint()}` } });
  };

  const resource = ({ request, params }: { request: Request; params: Record<string, string | readonly string[] | undefined> }) => {
    const id = typeof params.id === 'string' ? params.id : undefined;
    return usable(bearerOf(request)) ? HttpResponse.json(resourceBody(request.method, id)) : devise401(UNAUTHENTICATED);
  };

  server.use(
    // No cookies: this server has no CSRF handshake. autoAuth's login still starts with this GET.
    http.get(`${API}/primero`, () => HttpResponse.json({ sandbox_ui: false })),
    http.post(`${API}/tokens`, async ({ request }) => {
      const bearer = bearerOf(request);
      const body = await request.text();
      state.posts.push({ bearer, body, contentType: request.headers.get('content-type') });
      if (bearer !== undefined) return usable(bearer) ? issue() : devise401('Invalid JWT token');
      const user = (JSON.parse(body || '{}') as { user?: { user_name?: unknown; password?: unknown } }).user;
      if (user?.user_name !== CREDENTIALS.username || user.password !== CREDENTIALS.password) return devise401(INVALID);
      return issue();
    }),
    ...resourceRoutes.flatMap((route) => [http.get(route, resource), http.post(route, resource)]),
  );
  return state;
}

/** A server that only knows Basic auth (or refuses it). */
function basicServer(accept: (authorization: string | null) => boolean) {
  const resource = ({ request, params }: { request: Request; params: Record<string, string | readonly string[] | undefined> }) =>
    accept(request.headers.get('authorization'))
      ? HttpResponse.json(resourceBody(request.method, typeof params.id === 'string' ? params.id : undefined))
      : devise401(INVALID);
  server.use(
    ...resourceRoutes.flatMap((route) => [http.get(route, resource), http.post(route, resource), http.patch(route, resource), http.delete(route, resource)]),
  );
}

// ---------------------------------------------------------------------------------------------------------

describe('basicAuth', () => {
  test('sends Authorization: Basic base64(user:pass) of the UTF-8 password on every method, and never logs in (primero-api.md 1.2b)', async () => {
    const credentials = { username: 'müller', password: 'pässwörd ✓ 子' };
    const expected = basicHeader(credentials.username, credentials.password);
    const seen = recordRequests();
    basicServer((authorization) => authorization === expected);
    const client = testClient({ auth: basicAuth(credentials) });

    await client.request('GET', '/cases');
    await client.request('POST', '/cases', { body: { data: { name: 'x' } } });
    await client.request('PATCH', '/cases/c1', { body: { data: { name: 'y' } } });
    await client.request('DELETE', '/cases/c1');

    expect(trail(seen)).toEqual(['GET /cases', 'POST /cases', 'PATCH /cases/c1', 'DELETE /cases/c1']);
    for (const request of seen) {
      expect(request.headers.get('authorization')).toBe(expected);
      expect(request.headers.get('cookie')).toBeNull();
      expect(request.headers.get('x-csrf-token')).toBeNull();
    }
  });

  test('a 401 with Devise body {"error": ...} throws AuthenticationError with that message after exactly one request (primero-api.md 1.4)', async () => {
    const seen = recordRequests();
    basicServer(() => false);
    const client = testClient({ auth: basicAuth({ username: CREDENTIALS.username, password: 'wrong' }) });

    const error = await rejection(client.request('GET', '/cases'));

    expect(error).toBeInstanceOf(AuthenticationError);
    const auth = error as AuthenticationError;
    expect(auth.status).toBe(401);
    expect(auth.message).toContain(INVALID);
    expect(auth.errors).toEqual([{ message: INVALID }]);
    expect(auth.attempts).toBe(1);
    expect(trail(seen)).toEqual(['GET /cases']);
  });

  test('rejects an empty username, an empty password and a username containing ":" with ConfigurationError, sending nothing', () => {
    const seen = recordRequests();
    expect(() => basicAuth({ username: '', password: 'x' })).toThrow(ConfigurationError);
    expect(() => basicAuth({ username: '   ', password: 'x' })).toThrow(ConfigurationError);
    expect(() => basicAuth({ username: 'user', password: '' })).toThrow(ConfigurationError);
    expect(() => basicAuth({ username: 'dom:user', password: 'x' })).toThrow(/":"/);
    expect(() => basicAuth({ username: 'dom:user', password: 'x' })).toThrow(ConfigurationError);
    expect(seen).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('sessionAuth', () => {
  test('logs in with the cookie + CSRF handshake: GET /primero, then POST /tokens with the Cookie and X-CSRF-Token = URL-decoded cookie (primero-api.md 1.2a, 1.5)', async () => {
    const seen = recordRequests();
    const fake = sessionServer();
    const client = testClient({ auth: sessionAuth(CREDENTIALS) });

    const body = await client.request('GET', '/cases');

    expect(body).toEqual(resourceBody('GET', undefined));
    expect(trail(seen)).toEqual(['GET /primero', 'POST /tokens', 'GET /cases']);
    const [bootstrap, login, list] = seen as [Seen, Seen, Seen];
    // Nothing is sent before the server hands out cookies (also proves msw injected no cookie of its own).
    expect(bootstrap.headers.get('cookie')).toBeNull();
    expect(bootstrap.headers.get('authorization')).toBeNull();

    expect(fake.logins).toHaveLength(1);
    const attempt = fake.logins[0]!;
    expect(attempt.body).toEqual({ user: { user_name: CREDENTIALS.username, password: CREDENTIALS.password } });
    expect(login.headers.get('content-type')).toMatch(/^application\/json/);
    // The cookie arrived URL-encoded; the header carries the decoded token the server stored.
    const loginCookies = parseCookies(attempt.cookie);
    expect(loginCookies.get('_app_session')).toMatch(/^sid-/);
    expect(loginCookies.get('CSRF-TOKEN')).toBe(encodeURIComponent(attempt.csrfHeader ?? ''));
    expect(attempt.csrfHeader).toMatch(/\+.*\/x==$/);

    // The GET carries the new (renewed at sign-in) session cookie, and no CSRF header.
    const [session] = fake.signedIn();
    expect(session).toBeDefined();
    expect(parseCookies(list.headers.get('cookie')).get('_app_session')).toBe(session!.id);
    expect(list.headers.get('x-csrf-token')).toBeNull();
    expect(list.headers.get('authorization')).toBeNull();
  });

  test('re-reads CSRF-TOKEN after login, before the first write, because Devise resets it at sign-in (primero-api.md 1.5)', async () => {
    const seen = recordRequests();
    const fake = sessionServer();
    const client = testClient({ auth: sessionAuth(CREDENTIALS) });

    await client.request('POST', '/cases', { body: { data: { name: 'x' } } });

    expect(trail(seen)).toEqual(['GET /primero', 'POST /tokens', 'GET /primero', 'POST /cases']);
    const session = fake.signedIn()[0]!;
    const loginToken = fake.logins[0]!.csrfHeader;
    const write = seen[3]!;
    expect(write.headers.get('x-csrf-token')).toBe(session.csrf);
    expect(write.headers.get('x-csrf-token')).not.toBe(loginToken);
    // The refresh GET is sent inside the session.
    expect(seen[2]!.headers.get('cookie')).toContain(`_app_session=${session.id}`);

    // Later writes reuse the fresh token: no more GETs, one login in all.
    await client.request('PATCH', '/cases/c1', { body: { data: { name: 'y' } } });
    await client.request('DELETE', '/cases/c1');
    expect(trail(seen).slice(4)).toEqual(['PATCH /cases/c1', 'DELETE /cases/c1']);
    for (const request of seen.slice(4)) expect(request.headers.get('x-csrf-token')).toBe(session.csrf);
    expect(fake.logins).toHaveLength(1);
  });

  test('GETs carry the session cookie but no X-CSRF-Token; a GET answer counts as a fresh CSRF token for the next write', async () => {
    const seen = recordRequests();
    const fake = sessionServer();
    const client = testClient({ auth: sessionAuth(CREDENTIALS) });

    await client.request('GET', '/cases');
    await client.request('GET', '/cases/c1');
    await client.request('POST', '/cases', { body: { data: {} } });

    expect(trail(seen)).toEqual(['GET /primero', 'POST /tokens', 'GET /cases', 'GET /cases/c1', 'POST /cases']);
    const session = fake.signedIn()[0]!;
    for (const request of seen.slice(2, 4)) {
      expect(request.headers.get('cookie')).toContain(`_app_session=${session.id}`);
      expect(request.headers.get('x-csrf-token')).toBeNull();
    }
    expect(seen[4]!.headers.get('x-csrf-token')).toBe(session.csrf);
  });

  test('a 401 "Your session expired" logs in again exactly once and the request is replayed and succeeds (primero-api.md 1.2a, 1.4)', async () => {
    const seen = recordRequests();
    const fake = sessionServer();
    const client = testClient({ auth: sessionAuth(CREDENTIALS) });
    await client.request('GET', '/cases');
    const before = fake.signedIn()[0]!.id;
    fake.expireSessions();
    seen.length = 0;

    const body = await client.request('GET', '/cases/c9');

    expect(body).toEqual({ data: { id: 'c9' } });
    expect(trail(seen)).toEqual(['GET /cases/c9', 'GET /primero', 'POST /tokens', 'GET /cases/c9']);
    const after = fake.signedIn()[0]!.id;
    expect(after).not.toBe(before);
    expect(seen[0]!.headers.get('cookie')).toContain(`_app_session=${before}`);
    expect(seen[3]!.headers.get('cookie')).toContain(`_app_session=${after}`);
    // The re-login started from a clean jar: the expired session's cookie is not sent with the bootstrap.
    expect(seen[1]!.headers.get('cookie')).toBeNull();
    expect(fake.logins.filter((l) => l.succeeded)).toHaveLength(2);
  });

  test('a 401 on a write re-logs in, re-reads the CSRF token and replays the write once', async () => {
    const seen = recordRequests();
    const fake = sessionServer();
    const client = testClient({ auth: sessionAuth(CREDENTIALS) });
    await client.request('POST', '/cases', { body: { data: {} } });
    fake.expireSessions();
    seen.length = 0;

    await client.request('POST', '/cases', { body: { data: {} } });

    expect(trail(seen)).toEqual(['POST /cases', 'GET /primero', 'POST /tokens', 'GET /primero', 'POST /cases']);
    expect(seen[4]!.headers.get('x-csrf-token')).toBe(fake.signedIn()[0]!.csrf);
  });

  test('a 403 "Can\'t verify CSRF token authenticity." refreshes the CSRF token and replays once, without logging in (primero-api.md 1.5)', async () => {
    const seen = recordRequests();
    const fake = sessionServer();
    const client = testClient({ auth: sessionAuth(CREDENTIALS) });
    await client.request('GET', '/cases');
    const stale = fake.signedIn()[0]!.csrf;
    fake.rotateCsrf();
    seen.length = 0;

    const body = await client.request('PATCH', '/cases/c1', { body: { data: { name: 'x' } }, maxRetries: 0 });

    expect(body).toEqual({ data: { id: 'c1' } });
    expect(trail(seen)).toEqual(['PATCH /cases/c1', 'GET /primero', 'PATCH /cases/c1']);
    expect(seen[0]!.headers.get('x-csrf-token')).toBe(stale);
    expect(seen[2]!.headers.get('x-csrf-token')).toBe(fake.signedIn()[0]!.csrf);
    expect(seen[2]!.headers.get('x-csrf-token')).not.toBe(stale);
    expect(fake.logins).toHaveLength(1);
  });

  test('a CSRF 403 that persists after the one refresh throws ForbiddenError (isCsrf) after exactly two attempts', async () => {
    const seen = recordRequests();
    sessionServer();
    server.use(http.post(`${API}/cases`, () => csrf403('/api/v2/cases')));
    const client = testClient({ auth: sessionAuth(CREDENTIALS) });
    await client.request('GET', '/cases');
    seen.length = 0;

    const error = await rejection(client.request('POST', '/cases', { body: { data: {} } }));

    expect(error).toBeInstanceOf(ForbiddenError);
    expect((error as ForbiddenError).isCsrf).toBe(true);
    expect(trail(seen)).toEqual(['POST /cases', 'GET /primero', 'POST /cases']);
  });

  test('works against a server with CSRF protection off (no CSRF-TOKEN cookie): no X-CSRF-Token, and no endless token fetching (primero-api.md 1.5)', async () => {
    const seen = recordRequests();
    const fake = sessionServer({ csrf: false });
    const client = testClient({ auth: sessionAuth(CREDENTIALS) });

    await client.request('POST', '/cases', { body: { data: {} } });
    await client.request('PATCH', '/cases/c1', { body: { data: {} } });
    await client.request('DELETE', '/cases/c1');

    // One bootstrap GET, one post-login CSRF GET that finds no token, then writes only.
    expect(trail(seen)).toEqual(['GET /primero', 'POST /tokens', 'GET /primero', 'POST /cases', 'PATCH /cases/c1', 'DELETE /cases/c1']);
    for (const request of seen) expect(request.headers.get('x-csrf-token')).toBeNull();
    expect(fake.logins).toHaveLength(1);
    expect(fake.logins[0]!.csrfHeader).toBeNull();
  });

  test('a refused login (401 on POST /tokens) throws AuthenticationError with Devise\'s message, after one login attempt', async () => {
    const seen = recordRequests();
    sessionServer({ password: 'the-real-one' });
    const client = testClient({ auth: sessionAuth(CREDENTIALS) });

    const error = await rejection(client.request('GET', '/cases'));

    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).message).toContain(INVALID);
    expect((error as AuthenticationError).url).toBe('/api/v2/tokens');
    expect(trail(seen)).toEqual(['GET /primero', 'POST /tokens']);
  });

  test('a 429 plain-text "Retry later" on POST /tokens throws RateLimitError, and the throttled login is not retried (primero-api.md 1.2a, 1.4)', async () => {
    const seen = recordRequests();
    const fake = sessionServer();
    fake.throttled = true;
    const client = testClient({ auth: sessionAuth(CREDENTIALS) });

    // GETs, whose own 429s are retried: ten concurrent calls share one login and all fail with it.
    const errors = await Promise.all(Array.from({ length: 10 }, () => rejection(client.request('GET', '/cases'))));

    for (const error of errors) {
      expect(error).toBeInstanceOf(RateLimitError);
      const limited = error as RateLimitError;
      expect(limited.status).toBe(429);
      expect(limited.bodyKind).toBe('text');
      expect(limited.url).toBe('/api/v2/tokens');
      expect(limited.retryAfterMs).toBeUndefined();
    }
    expect(trail(seen)).toEqual(['GET /primero', 'POST /tokens']);
  });

  test('a throttled login that sends Retry-After is retried after it, like any 429 of a GET', async () => {
    const seen = recordRequests();
    const fake = sessionServer();
    let refusals = 1;
    server.use(
      http.post(`${API}/tokens`, () =>
        refusals-- > 0 ? new HttpResponse('Retry later\n', { status: 429, headers: { 'Content-Type': 'text/plain', 'Retry-After': '0' } }) : undefined,
      ),
    );
    const client = testClient({ auth: sessionAuth(CREDENTIALS) });

    await client.request('GET', '/cases');

    expect(trail(seen)).toEqual(['GET /primero', 'POST /tokens', 'GET /primero', 'POST /tokens', 'GET /cases']);
    expect(fake.logins).toHaveLength(1);
  });

  test('a network failure while logging in does not stop a POST from being retried: nothing of the POST had been sent', async () => {
    const seen = recordRequests();
    const fake = sessionServer();
    server.use(http.get(`${API}/primero`, () => HttpResponse.error(), { once: true }));
    const client = testClient({ auth: sessionAuth(CREDENTIALS) });

    const body = await client.request('POST', '/cases', { body: { data: {} } });

    expect(body).toEqual({ data: { id: 'case-new' } });
    // The failed bootstrap, then the whole login again, the CSRF refresh, and the POST exactly once.
    expect(trail(seen)).toEqual(['GET /primero', 'GET /primero', 'POST /tokens', 'GET /primero', 'POST /cases']);
    expect(fake.logins).toHaveLength(1);
    expect(seen[4]!.headers.get('x-csrf-token')).toBe(fake.signedIn()[0]!.csrf);
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('tokenAuth (legacy JWT servers)', () => {
  test('logs in with the password and sends the JWT of the Authorization response header; reads its exp (primero-api.md 1.1)', async () => {
    const seen = recordRequests();
    const fake = tokenServer();
    const strategy = tokenAuth(CREDENTIALS);
    const client = testClient({ auth: strategy });

    await client.request('GET', '/cases');
    await client.request('POST', '/cases', { body: { data: {} } });

    expect(trail(seen)).toEqual(['POST /tokens', 'GET /cases', 'POST /cases']);
    expect(fake.posts).toHaveLength(1);
    expect(JSON.parse(fake.posts[0]!.body)).toEqual({ user: { user_name: CREDENTIALS.username, password: CREDENTIALS.password } });
    expect(fake.posts[0]!.bearer).toBeUndefined();
    const token = fake.minted[0]!;
    expect(seen[1]!.headers.get('authorization')).toBe(`Bearer ${token}`);
    expect(seen[2]!.headers.get('authorization')).toBe(`Bearer ${token}`);
    expect(JSON.parse(JSON.stringify(strategy))).toEqual({ type: 'token', expiresAt: new Date(jwtExp(token) * 1000).toISOString() });
  });

  test('a token with less than 5 minutes left is renewed in the background with the current bearer and no password, while requests go out with the current token', async () => {
    const seen = recordRequests();
    const fake = tokenServer({ lifetimes: [120] });
    const gate = deferred();
    server.use(
      http.post(`${API}/tokens`, async ({ request }) => {
        if (bearerOf(request)) await gate.promise;
        return undefined; // on to the fake server
      }),
    );
    const client = testClient({ auth: tokenAuth(CREDENTIALS) });
    await client.request('GET', '/cases');
    const first = fake.minted[0]!;

    // Both calls complete while the renewal is held by the server: nothing waits for it.
    await client.request('GET', '/cases');
    await client.request('GET', '/cases/c1');

    expect(trail(seen)).toEqual(['POST /tokens', 'GET /cases', 'POST /tokens', 'GET /cases', 'GET /cases/c1']);
    expect(seen[3]!.headers.get('authorization')).toBe(`Bearer ${first}`);
    expect(seen[4]!.headers.get('authorization')).toBe(`Bearer ${first}`);
    const renewal = seen[2]!;
    expect(renewal.headers.get('authorization')).toBe(`Bearer ${first}`);

    gate.resolve();
    await vi.waitFor(() => expect(fake.minted).toHaveLength(2));
    expect(fake.posts[1]).toEqual({ bearer: first, body: '', contentType: null });

    await vi.waitFor(async () => {
      seen.length = 0;
      await client.request('GET', '/cases');
      expect(seen[0]!.headers.get('authorization')).toBe(`Bearer ${fake.minted[1]}`);
    });
    expect(fake.posts).toHaveLength(2);
  });

  test('a token with less than 30 s left blocks the request and is renewed first, with the bearer', async () => {
    const seen = recordRequests();
    const fake = tokenServer({ lifetimes: [10] });
    const client = testClient({ auth: tokenAuth(CREDENTIALS) });
    await client.request('GET', '/cases');
    seen.length = 0;

    await client.request('GET', '/cases');

    expect(trail(seen)).toEqual(['POST /tokens', 'GET /cases']);
    expect(seen[0]!.headers.get('authorization')).toBe(`Bearer ${fake.minted[0]}`);
    expect(fake.posts[1]!.body).toBe('');
    expect(seen[1]!.headers.get('authorization')).toBe(`Bearer ${fake.minted[1]}`);
  });

  test('an expired token blocks and logs in again with the password (an expired bearer cannot vouch for a renewal)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-01T08:00:00Z'));
    const seen = recordRequests();
    const fake = tokenServer();
    const client = testClient({ auth: tokenAuth(CREDENTIALS) });
    await client.request('GET', '/cases');
    vi.setSystemTime(new Date('2026-03-01T09:00:05Z')); // an hour and 5 s later: the token died 5 s ago
    seen.length = 0;

    await client.request('GET', '/cases');

    expect(trail(seen)).toEqual(['POST /tokens', 'GET /cases']);
    expect(fake.posts[1]!.bearer).toBeUndefined();
    expect(JSON.parse(fake.posts[1]!.body)).toEqual({ user: { user_name: CREDENTIALS.username, password: CREDENTIALS.password } });
    expect(seen[1]!.headers.get('authorization')).toBe(`Bearer ${fake.minted[1]}`);
  });

  test('when the bearer renewal gets 401, it falls back to a password login', async () => {
    const seen = recordRequests();
    const fake = tokenServer({ lifetimes: [10] });
    const client = testClient({ auth: tokenAuth(CREDENTIALS) });
    await client.request('GET', '/cases');
    fake.valid.delete(fake.minted[0]!); // revoked server-side
    seen.length = 0;

    await client.request('GET', '/cases');

    expect(trail(seen)).toEqual(['POST /tokens', 'POST /tokens', 'GET /cases']);
    expect(fake.posts.slice(1).map((p) => ({ bearer: p.bearer, password: p.body.includes(CREDENTIALS.password) }))).toEqual([
      { bearer: fake.minted[0], password: false },
      { bearer: undefined, password: true },
    ]);
    expect(seen[2]!.headers.get('authorization')).toBe(`Bearer ${fake.minted[1]}`);
  });

  test('a 401 on a request logs in with the password once and replays it', async () => {
    const seen = recordRequests();
    const fake = tokenServer();
    const client = testClient({ auth: tokenAuth(CREDENTIALS) });
    await client.request('GET', '/cases');
    fake.valid.clear();
    seen.length = 0;

    await client.request('POST', '/cases', { body: { data: {} }, maxRetries: 0 });

    expect(trail(seen)).toEqual(['POST /cases', 'POST /tokens', 'POST /cases']);
    expect(fake.posts[1]!.bearer).toBeUndefined();
    expect(seen[2]!.headers.get('authorization')).toBe(`Bearer ${fake.minted[1]}`);
  });

  test('a server that answers the login with 200 but no Authorization header raises ConfigurationError pointing to autoAuth/sessionAuth/basicAuth (primero-api.md 1.1)', async () => {
    const seen = recordRequests();
    tokenServer({ noHeader: true });
    const client = testClient({ auth: tokenAuth(CREDENTIALS) });

    const error = await rejection(client.request('GET', '/cases'));

    expect(error).toBeInstanceOf(ConfigurationError);
    const message = (error as Error).message;
    expect(message).toContain('autoAuth');
    expect(message).toContain('sessionAuth');
    expect(message).toContain('basicAuth');
    expect(trail(seen)).toEqual(['POST /tokens']);
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('bearerAuth (identity provider tokens, primero-api.md 1.2c)', () => {
  function idpServer(accept: (token: string | undefined) => boolean) {
    const resource = ({ request }: { request: Request }) =>
      accept(bearerOf(request)) ? HttpResponse.json(resourceBody(request.method, undefined)) : devise401('Invalid JWT token');
    server.use(http.get(`${API}/cases`, resource), http.post(`${API}/cases`, resource));
  }

  test('calls getToken() once for many requests, sequential and concurrent', async () => {
    const seen = recordRequests();
    idpServer((token) => token === 'idp-token-1');
    const getToken = vi.fn(async () => 'idp-token-1');
    const client = testClient({ auth: bearerAuth({ getToken }) });

    await Promise.all(Array.from({ length: 5 }, () => client.request('GET', '/cases')));
    await client.request('GET', '/cases');
    await client.request('POST', '/cases', { body: { data: {} } });

    expect(getToken).toHaveBeenCalledTimes(1);
    expect(seen).toHaveLength(7);
    for (const request of seen) expect(request.headers.get('authorization')).toBe('Bearer idp-token-1');
  });

  test('a 401 calls getToken() again, once, and replays with the new token', async () => {
    const seen = recordRequests();
    idpServer((token) => token === 'idp-token-2');
    let n = 0;
    const getToken = vi.fn(() => `idp-token-${++n}`);
    const client = testClient({ auth: { getToken } });

    await client.request('GET', '/cases', { maxRetries: 0 });

    expect(getToken).toHaveBeenCalledTimes(2);
    expect(seen.map((s) => s.headers.get('authorization'))).toEqual(['Bearer idp-token-1', 'Bearer idp-token-2']);
  });

  test('still refused after the new token: AuthenticationError after exactly 2 requests, whatever the retry budget', async () => {
    const seen = recordRequests();
    idpServer(() => false);
    let n = 0;
    const getToken = vi.fn(() => `idp-token-${++n}`);
    const client = testClient({ auth: bearerAuth({ getToken }), maxRetries: 3 });

    const error = await rejection(client.request('GET', '/cases'));

    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).message).toContain('Invalid JWT token');
    expect((error as AuthenticationError).attempts).toBe(2);
    expect(seen).toHaveLength(2);
    expect(getToken).toHaveBeenCalledTimes(2);
  });

  test('a JWT with less than 5 minutes left is renewed in the background; one with less than 30 s left is renewed before sending', async () => {
    const seen = recordRequests();
    idpServer((token) => token !== undefined);
    const issued = [jwtIn(120), jwtIn(10), jwtIn(3600)];
    let calls = 0;
    const getToken = vi.fn(() => issued[calls++] ?? 'unexpected');
    const client = testClient({ auth: bearerAuth({ getToken }) });

    await client.request('GET', '/cases'); // obtains issued[0] (2 min left)
    await client.request('GET', '/cases'); // served with issued[0], renewal in the background
    await vi.waitFor(() => expect(getToken).toHaveBeenCalledTimes(2));
    // issued[1] has 10 s left: the next call blocks until getToken() gives issued[2].
    await client.request('GET', '/cases');
    expect(getToken).toHaveBeenCalledTimes(3);

    const sent = seen.map((s) => s.headers.get('authorization'));
    expect(sent.slice(0, 2)).toEqual([`Bearer ${issued[0]}`, `Bearer ${issued[0]}`]);
    expect(sent.at(-1)).toBe(`Bearer ${issued[2]}`);
    expect(sent).not.toContain(`Bearer ${issued[1]}`);
  });

  test('getToken() returning an empty string raises ConfigurationError and sends nothing', async () => {
    const seen = recordRequests();
    const client = testClient({ auth: bearerAuth({ getToken: () => '' }) });

    const error = await rejection(client.request('GET', '/cases'));

    expect(error).toBeInstanceOf(ConfigurationError);
    expect(seen).toEqual([]);
  });

  test('an error thrown by the user\'s getToken() propagates unchanged (the same object), first call or renewal', async () => {
    const seen = recordRequests();
    idpServer(() => false);
    const boom = new Error('IdP unreachable');
    const client = testClient({ auth: bearerAuth({ getToken: () => Promise.reject(boom) }) });
    await expect(client.request('GET', '/cases')).rejects.toBe(boom);
    expect(seen).toEqual([]);

    const later = new TypeError('MSAL interaction_required');
    let calls = 0;
    const renewing = testClient({
      auth: bearerAuth({
        getToken: () => {
          if (++calls > 1) throw later;
          return 'idp-token-1';
        },
      }),
    });
    await expect(renewing.request('GET', '/cases')).rejects.toBe(later);
    expect(seen).toHaveLength(1);
  });

  test('a function that is not a function is a ConfigurationError', () => {
    expect(() => bearerAuth({ getToken: 'token' as unknown as () => string })).toThrow(ConfigurationError);
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('autoAuth and plain { username, password }', () => {
  test('uses Basic and never POSTs /tokens while Basic works (primero-api.md 1.2b)', async () => {
    const seen = recordRequests();
    const fake = sessionServer({ basic: true });
    const client = testClient({ auth: CREDENTIALS });

    await client.request('GET', '/cases');
    await client.request('POST', '/cases', { body: { data: {} } });
    await client.request('DELETE', '/cases/c1');

    expect(trail(seen)).toEqual(['GET /cases', 'POST /cases', 'DELETE /cases/c1']);
    for (const request of seen) expect(request.headers.get('authorization')).toBe(basicHeader(CREDENTIALS.username, CREDENTIALS.password));
    expect(fake.logins).toEqual([]);
    expect(JSON.parse(JSON.stringify(client))).toMatchObject({ auth: 'auto' });
  });

  test('when Basic gets 401, logs in once and switches to the cookie session (no Authorization header in the login answer), then replays', async () => {
    const seen = recordRequests();
    const fake = sessionServer({ basic: false });
    const strategy = autoAuth(CREDENTIALS);
    const client = testClient({ auth: strategy });

    const body = await client.request('GET', '/cases');
    expect(body).toEqual(resourceBody('GET', undefined));
    expect(trail(seen)).toEqual(['GET /cases', 'GET /primero', 'POST /tokens', 'GET /cases']);
    expect(seen[0]!.headers.get('authorization')).toMatch(/^Basic /);
    const session = fake.signedIn()[0]!;
    expect(seen[3]!.headers.get('authorization')).toBeNull();
    expect(seen[3]!.headers.get('cookie')).toContain(`_app_session=${session.id}`);
    expect(JSON.parse(JSON.stringify(strategy))).toEqual({ type: 'auto', active: 'session' });

    // Stays in session mode; writes carry the CSRF token; no second login.
    seen.length = 0;
    await client.request('POST', '/cases', { body: { data: {} } });
    expect(trail(seen)).toEqual(['POST /cases']);
    expect(seen[0]!.headers.get('authorization')).toBeNull();
    expect(seen[0]!.headers.get('x-csrf-token')).toBe(session.csrf);
    expect(fake.logins).toHaveLength(1);
  });

  test('when Basic gets 401 and the login answers with an Authorization header, switches to that JWT, then replays', async () => {
    const seen = recordRequests();
    const fake = tokenServer();
    const strategy = autoAuth(CREDENTIALS);
    const client = testClient({ auth: strategy });

    await client.request('GET', '/cases');
    await client.request('POST', '/cases', { body: { data: {} } });

    expect(trail(seen)).toEqual(['GET /cases', 'GET /primero', 'POST /tokens', 'GET /cases', 'POST /cases']);
    expect(seen[0]!.headers.get('authorization')).toMatch(/^Basic /);
    expect(seen[3]!.headers.get('authorization')).toBe(`Bearer ${fake.minted[0]}`);
    expect(seen[4]!.headers.get('authorization')).toBe(`Bearer ${fake.minted[0]}`);
    expect(fake.posts).toHaveLength(1);
    expect(JSON.parse(JSON.stringify(strategy))).toEqual({ type: 'auto', active: 'token' });
  });

  test('with a wrong password: AuthenticationError from the Basic request, and no login that would count towards the lock-out (primero-api.md 1.2a)', async () => {
    const seen = recordRequests();
    const fake = sessionServer({ basic: true, password: 'the-real-one' });
    const client = testClient({ auth: CREDENTIALS });

    for (let call = 1; call <= 3; call++) {
      const error = await rejection(client.request('GET', '/cases'));
      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as AuthenticationError).message).toContain(INVALID);
      expect((error as AuthenticationError).url).toBe('/api/v2/cases');
    }
    expect(trail(seen)).toEqual(['GET /cases', 'GET /cases', 'GET /cases']);
    expect(fake.logins).toHaveLength(0);
  });

  test('a Basic 401 "Your account is locked." is thrown as AuthenticationError without any login (a login would be refused too)', async () => {
    const seen = recordRequests();
    const fake = sessionServer({ basic: true });
    server.use(http.get(`${API}/cases`, () => devise401(LOCKED)));
    const client = testClient({ auth: CREDENTIALS });

    const error = await rejection(client.request('GET', '/cases'));

    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).message).toBe(`401 ${LOCKED} (GET /api/v2/cases)`);
    expect((error as AuthenticationError).attempts).toBe(1);
    expect(trail(seen)).toEqual(['GET /cases']);
    expect(fake.logins).toEqual([]);
  });

  test('when the server does not take Basic at all, a wrong password fails the one login (and later calls try again)', async () => {
    const seen = recordRequests();
    const fake = sessionServer({ basic: false, password: 'the-real-one' });
    const client = testClient({ auth: CREDENTIALS });

    for (let call = 1; call <= 2; call++) {
      const error = await rejection(client.request('GET', '/cases'));
      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as AuthenticationError).message).toContain(INVALID);
      expect(count(seen, 'POST /tokens')).toBe(call);
    }
    expect(fake.logins.every((l) => !l.succeeded)).toBe(true);
  });

  test('ConfigurationError for empty credentials, at construction', () => {
    expect(() => autoAuth({ username: '', password: 'x' })).toThrow(ConfigurationError);
    expect(() => testClient({ auth: { username: CREDENTIALS.username, password: '' } })).toThrow(ConfigurationError);
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('single-flight and generations', () => {
  const ten = (client: PrimeroClient, path = '/cases') => Promise.all(Array.from({ length: 10 }, (_, i) => client.request('GET', `${path}/c${i}`)));

  test('10 concurrent first requests of a session cause exactly one login', async () => {
    const seen = recordRequests();
    const fake = sessionServer();
    const client = testClient({ auth: sessionAuth(CREDENTIALS) });

    const bodies = await ten(client);

    expect(bodies).toHaveLength(10);
    expect(count(seen, 'GET /primero')).toBe(1);
    expect(count(seen, 'POST /tokens')).toBe(1);
    expect(fake.logins).toHaveLength(1);
    const session = fake.signedIn()[0]!;
    const reads = seen.filter((s) => s.path.startsWith('/api/v2/cases/'));
    expect(reads).toHaveLength(10);
    for (const request of reads) expect(request.headers.get('cookie')).toContain(`_app_session=${session.id}`);
  });

  test('10 concurrent requests meeting an expired session cause exactly one re-login, and all succeed', async () => {
    const seen = recordRequests();
    const fake = sessionServer();
    const client = testClient({ auth: sessionAuth(CREDENTIALS) });
    await client.request('GET', '/cases');
    fake.expireSessions();
    seen.length = 0;

    const bodies = await ten(client);

    expect(bodies).toEqual(Array.from({ length: 10 }, (_, i) => ({ data: { id: `c${i}` } })));
    expect(count(seen, 'POST /tokens')).toBe(1);
    expect(fake.signedIn()).toHaveLength(1);
  });

  test('10 concurrent first requests with tokenAuth cause exactly one login', async () => {
    const seen = recordRequests();
    const fake = tokenServer();
    const client = testClient({ auth: tokenAuth(CREDENTIALS) });

    await ten(client);

    expect(count(seen, 'POST /tokens')).toBe(1);
    expect(fake.minted).toHaveLength(1);
  });

  test('auto: 10 concurrent requests all refused as Basic cause exactly one negotiation', async () => {
    const seen = recordRequests();
    const fake = sessionServer({ basic: false });
    const client = testClient({ auth: CREDENTIALS });

    const bodies = await ten(client);

    expect(bodies).toHaveLength(10);
    expect(count(seen, 'GET /primero')).toBe(1);
    expect(count(seen, 'POST /tokens')).toBe(1);
    expect(fake.logins).toHaveLength(1);
    // Every call ended with a cookie-session request that succeeded.
    const session = fake.signedIn()[0]!;
    const sessionReads = seen.filter((s) => s.path.startsWith('/api/v2/cases/') && s.headers.get('cookie')?.includes(session.id));
    expect(new Set(sessionReads.map((s) => s.path)).size).toBe(10);
  });

  test('auto in session mode: 10 concurrent requests meeting an expired session cause exactly one re-login', async () => {
    const seen = recordRequests();
    const fake = sessionServer({ basic: false });
    const client = testClient({ auth: autoAuth(CREDENTIALS) });
    await client.request('GET', '/cases');
    fake.expireSessions();
    seen.length = 0;

    await ten(client);

    expect(count(seen, 'POST /tokens')).toBe(1);
    // No fall back to Basic once switched.
    expect(seen.some((s) => s.headers.get('authorization')?.startsWith('Basic'))).toBe(false);
  });

  test('a 401 that arrives for an already-replaced session does not cause a second login (generation check)', async () => {
    const seen = recordRequests();
    const fake = sessionServer();
    const client = testClient({ auth: sessionAuth(CREDENTIALS) });
    await client.request('GET', '/cases');
    const old = fake.signedIn()[0]!.id;
    fake.expireSessions();
    seen.length = 0;

    await lateRefusal(client);

    expect(count(seen, 'POST /tokens')).toBe(1);
    const bAttempts = seen.filter((s) => s.path === '/api/v2/cases/b');
    expect(bAttempts).toHaveLength(2);
    expect(bAttempts[0]!.headers.get('cookie')).toContain(old);
    expect(bAttempts[1]!.headers.get('cookie')).toContain(fake.signedIn()[0]!.id);
  });

  test('a 401 that arrives for an already-replaced bearer token does not call getToken() again (generation check)', async () => {
    const seen = recordRequests();
    const respond = (request: Request, id: string) => bearerOf(request) === 'idp-token-2' ? HttpResponse.json({ data: { id: id } }) : devise401('Invalid JWT token');
    let n = 0;
    const getToken = vi.fn(() => `idp-token-${++n}`);
    const client = testClient({ auth: bearerAuth({ getToken }) });

    await lateRefusal(client, respond);

    expect(getToken).toHaveBeenCalledTimes(2);
    expect(seen.filter((s) => s.path === '/api/v2/cases/b').map((s) => s.headers.get('authorization'))).toEqual([
      'Bearer idp-token-1',
      'Bearer idp-token-2',
    ]);
  });

  test('a 401 that arrives for an already-replaced JWT does not cause a second password login (generation check)', async () => {
    const seen = recordRequests();
    const fake = tokenServer();
    const client = testClient({ auth: tokenAuth(CREDENTIALS) });
    await client.request('GET', '/cases');
    fake.valid.clear(); // the server forgets every token
    seen.length = 0;

    await lateRefusal(client);

    expect(count(seen, 'POST /tokens')).toBe(1);
    expect(fake.minted).toHaveLength(2);
    expect(seen.filter((s) => s.path === '/api/v2/cases/b').map((s) => s.headers.get('authorization'))).toEqual([
      `Bearer ${fake.minted[0]}`,
      `Bearer ${fake.minted[1]}`,
    ]);
  });

  test('auto: a Basic 401 that arrives after the switch to a session is replayed in the session, without a second login', async () => {
    const seen = recordRequests();
    const fake = sessionServer({ basic: false });
    const client = testClient({ auth: autoAuth(CREDENTIALS) });

    await lateRefusal(client);

    expect(count(seen, 'POST /tokens')).toBe(1);
    expect(fake.logins).toHaveLength(1);
    const bAttempts = seen.filter((s) => s.path === '/api/v2/cases/b');
    expect(bAttempts.map((s) => s.headers.get('authorization')?.slice(0, 5) ?? 'cookie')).toEqual(['Basic', 'cookie']);
    expect(bAttempts[1]!.headers.get('cookie')).toContain(fake.signedIn()[0]!.id);
  });

  test('10 concurrent first writes of a session cause one login and one CSRF refresh', async () => {
    const seen = recordRequests();
    const fake = sessionServer();
    const client = testClient({ auth: sessionAuth(CREDENTIALS) });

    await Promise.all(Array.from({ length: 10 }, () => client.request('POST', '/cases', { body: { data: {} } })));

    expect(count(seen, 'POST /tokens')).toBe(1);
    expect(count(seen, 'GET /primero')).toBe(2);
    expect(count(seen, 'POST /cases')).toBe(10);
    for (const write of seen.filter((s) => s.path === '/api/v2/cases')) expect(write.headers.get('x-csrf-token')).toBe(fake.signedIn()[0]!.csrf);
  });

  test("a shared login runs under the client's timeout, not the caller's signal: aborting the call that started it rejects that call at once, the other completes", async () => {
    const seen = recordRequests();
    const fake = sessionServer();
    const gate = deferred();
    server.use(
      http.post(`${API}/tokens`, async () => {
        await gate.promise; // the login is held open by the server
        return undefined; // then on to the fake server
      }),
    );
    const client = testClient({ auth: sessionAuth(CREDENTIALS) });
    const controller = new AbortController();
    const reason = new Error('user left the page');

    const a = rejection(client.request('GET', '/cases/a', { signal: controller.signal }));
    const b = client.request('GET', '/cases/b');
    await vi.waitFor(() => expect(count(seen, 'POST /tokens')).toBe(1));
    controller.abort(reason);

    // A does not wait for the login it started.
    const early = await Promise.race([a, delay(1_000).then(() => 'still waiting')]);
    expect(early).toBeInstanceOf(AbortError);
    expect((early as AbortError).cause).toBe(reason);
    expect(fake.logins).toEqual([]);

    gate.resolve();
    await expect(b).resolves.toEqual({ data: { id: 'b' } });
    expect(trail(seen)).toEqual(['GET /primero', 'POST /tokens', 'GET /cases/b']);
    expect(fake.logins.map((l) => l.succeeded)).toEqual([true]);
  });

  test("a shared login is not cut short by one caller's totalTimeoutMs: that call times out, the other completes after the one login", async () => {
    const seen = recordRequests();
    const fake = sessionServer();
    server.use(
      http.post(`${API}/tokens`, async () => {
        await delay(150);
        return undefined;
      }),
    );
    const client = testClient({ auth: sessionAuth(CREDENTIALS) });

    const a = rejection(client.request('GET', '/cases/a', { totalTimeoutMs: 50 }));
    const b = client.request('GET', '/cases/b');

    const error = await a;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ scope: 'total', timeoutMs: 50, url: '/api/v2/cases/a' });
    expect(fake.logins).toEqual([]); // A gave up while the login was still under way

    await expect(b).resolves.toEqual({ data: { id: 'b' } });
    expect(trail(seen)).toEqual(['GET /primero', 'POST /tokens', 'GET /cases/b']);
    expect(fake.logins.map((l) => l.succeeded)).toEqual([true]);
  });

  test('a late 401 for the outdated session, re-sending its cookie as Rails does, does not overwrite the renewed session', async () => {
    const seen = recordRequests();
    const fake = sessionServer({ resendCookieOn401: true });
    // One slot: the calls queued behind the first go out with the old session while the re-login runs.
    const client = testClient({ auth: sessionAuth(CREDENTIALS), maxConcurrency: 1 });
    await client.request('GET', '/cases');
    const old = fake.signedIn()[0]!.id;
    fake.expireSessions();
    // c1's refusal starts the re-login; the calls queued behind it, signed with the old session, are answered
    // only once the renewed session exists (plus a moment for the client to take it in): their 401s are late.
    server.use(
      http.get(`${API}/cases/:id`, async ({ request, params }) => {
        if (params.id !== 'c1' && parseCookies(request.headers.get('cookie')).get('_app_session') === old) {
          await vi.waitFor(() => expect(fake.signedIn()).toHaveLength(1));
          await delay(20);
        }
        return undefined; // on to the fake server
      }),
    );
    seen.length = 0;

    const ids = ['c1', 'c2', 'c3', 'c4'];
    const bodies = await Promise.all(ids.map((id) => client.request('GET', `/cases/${id}`)));

    expect(bodies).toEqual(ids.map((id) => ({ data: { id } })));
    expect(count(seen, 'POST /tokens')).toBe(1);
    const renewed = fake.signedIn()[0]!.id;
    expect(renewed).not.toBe(old);
    for (const id of ids) {
      const attempts = seen.filter((s) => s.path === `/api/v2/cases/${id}`);
      expect(parseCookies(attempts.at(-1)!.headers.get('cookie')).get('_app_session')).toBe(renewed);
    }

    // The jar still holds the renewed session: the next call needs no login.
    seen.length = 0;
    await client.request('GET', '/cases/c5');
    expect(trail(seen)).toEqual(['GET /cases/c5']);
    expect(parseCookies(seen[0]!.headers.get('cookie')).get('_app_session')).toBe(renewed);
  });

  test('a 401 is replayed exactly once, outside the retry budget: maxRetries 0 still replays, and a second 401 throws', async () => {
    const seen = recordRequests();
    const fake = sessionServer();
    const client = testClient({ auth: sessionAuth(CREDENTIALS), maxRetries: 0 });
    await client.request('GET', '/cases');
    fake.expireSessions();
    seen.length = 0;

    await expect(client.request('GET', '/cases/c1')).resolves.toEqual({ data: { id: 'c1' } });
    expect(trail(seen)).toEqual(['GET /cases/c1', 'GET /primero', 'POST /tokens', 'GET /cases/c1']);

    // A server that refuses even the fresh session: one replay, then the error (no retry, no third login).
    server.use(http.get(`${API}/cases/:id`, () => devise401(UNAUTHENTICATED)));
    seen.length = 0;
    const error = await rejection(client.withOptions({ maxRetries: 2 }).request('GET', '/cases/c1'));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).message).toContain(UNAUTHENTICATED);
    expect(trail(seen)).toEqual(['GET /cases/c1', 'GET /primero', 'POST /tokens', 'GET /cases/c1']);
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('secrets', () => {
  const PASSWORD = 'Sekr3t-P4ss-🔑';
  const creds = { username: CREDENTIALS.username, password: PASSWORD };

  function expectClean(values: readonly unknown[], secrets: readonly string[]) {
    for (const value of values) {
      const views = [JSON.stringify(value) ?? '', inspect(value), inspect(value, { depth: 10, showHidden: true }), String(value)];
      for (const view of views) for (const secret of secrets) expect(view).not.toContain(secret);
    }
  }

  test('no strategy, client, log line or thrown error reveals the password, a token or the session cookie', async () => {
    const errors: unknown[] = [];
    const secrets = [PASSWORD, encodeURIComponent(PASSWORD), basicHeader(creds.username, PASSWORD).slice(6)];
    const log = captureLogs();
    const clientFor = (auth: AuthStrategy) => testClient({ auth, logger: log.logger, logLevel: 'debug', logBodies: true });

    // basic: works, then refused.
    basicServer((authorization) => authorization === basicHeader(creds.username, PASSWORD));
    const basic = basicAuth(creds);
    const basicClient = clientFor(basic);
    await basicClient.request('GET', '/cases');
    errors.push(await rejection(clientFor(basicAuth({ ...creds, password: `${PASSWORD}x` })).request('GET', '/cases')));
    server.resetHandlers();

    // session: logged in, written, then a refused login.
    const fake = sessionServer({ password: PASSWORD });
    const session = sessionAuth(creds);
    const sessionClient = clientFor(session);
    await sessionClient.request('POST', '/cases', { body: { data: {} } });
    const sessionSecrets = fake.signedIn().flatMap((s) => [s.id, s.csrf, encodeURIComponent(s.csrf)]);
    errors.push(await rejection(clientFor(sessionAuth({ ...creds, password: 'wrong' })).request('GET', '/cases')));
    // auto: switched to the session.
    const auto = autoAuth(creds);
    const autoClient = clientFor(auto);
    await autoClient.request('GET', '/cases');
    sessionSecrets.push(...fake.signedIn().flatMap((s) => [s.id, s.csrf]));
    const plainClient = testClient({ auth: creds });
    server.resetHandlers();

    // token: logged in, then refused.
    const tokens = tokenServer();
    const token = tokenAuth(CREDENTIALS);
    const tokenClient = clientFor(token);
    await tokenClient.request('GET', '/cases');
    errors.push(await rejection(clientFor(tokenAuth({ ...CREDENTIALS, password: 'wrong' })).request('GET', '/cases')));
    server.resetHandlers();

    // bearer: used, then refused.
    const idpToken = jwtIn(3600);
    server.use(http.get(`${API}/cases`, () => devise401('Invalid JWT token')));
    const bearer = bearerAuth({ getToken: () => idpToken });
    const bearerClient = clientFor(bearer);
    errors.push(await rejection(bearerClient.request('GET', '/cases')));

    expect(errors.map((e) => (e as Error).name)).toEqual(['AuthenticationError', 'AuthenticationError', 'AuthenticationError', 'AuthenticationError']);
    const allSecrets = [...secrets, CREDENTIALS.password, ...tokens.minted, idpToken, ...sessionSecrets];
    expect(allSecrets.length).toBeGreaterThan(8);
    expectClean([basic, session, auto, token, bearer], allSecrets);
    expectClean([basicClient, sessionClient, autoClient, plainClient, tokenClient, bearerClient], allSecrets);
    expectClean(errors, allSecrets);
    expect(log.lines().length).toBeGreaterThan(10);
    for (const line of log.lines()) for (const secret of allSecrets) expect(line).not.toContain(secret);
    // The views still say what they are.
    expect(inspect(session)).toContain('session');
    expect(JSON.parse(JSON.stringify(bearer))).toEqual({ type: 'bearer' });
  });
});
