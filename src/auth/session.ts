/**
 * The cookie session of `POST /api/v2/tokens`, with Primero's CSRF handshake (primero-api.md section 1.5):
 * a GET to receive the `CSRF-TOKEN` cookie, the login with `X-CSRF-Token`, and a fresh token after login
 * because Devise resets it on sign-in. The session idles out (60 min by default); a 401 "Your session
 * expired" logs in again. Beware: every login ends the user's other sessions (section 1.2).
 *
 * @module
 */
import { CookieJar } from './cookies.js';
import { checkCredentials, loginBody, type PasswordCredentials } from './credentials.js';
import { Renewable } from './renewable.js';
import { sealStrategy, type AuthCall, type AuthCallResult, type AuthContext, type AuthStrategy } from './strategy.js';

const CSRF_COOKIE = 'CSRF-TOKEN';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Any API GET that runs Primero's filters sets the cookies; this one needs no authentication. */
const BOOTSTRAP: AuthCall = { method: 'GET', path: '/primero' };

/** @internal A signed-in cookie jar, handed over by the auto strategy after it negotiated a session. */
export interface SessionSeed {
  jar: CookieJar;
}

/**
 * Logs in with `POST /api/v2/tokens` and keeps the session cookie, sending `X-CSRF-Token` on writes.
 * Logs in again, once, when the session has expired.
 *
 * @throws {@link ConfigurationError} for empty credentials.
 * @example
 * ```ts
 * new PrimeroClient({ baseUrl, auth: sessionAuth({ username, password }) });
 * ```
 */
export function sessionAuth(credentials: PasswordCredentials): AuthStrategy {
  return createSession(checkCredentials(credentials, 'Session'));
}

/** @internal */
export function createSession(credentials: Readonly<PasswordCredentials>, seed?: SessionSeed): AuthStrategy {
  const jar = seed?.jar ?? new CookieJar();
  const session = new Renewable<true>(seed ? true : undefined);
  const csrf = new Renewable<true>();
  // Devise resets the CSRF token at sign-in: the one set by the login response itself is stale.
  let csrfFresh = false;

  const login = async (ctx: AuthContext): Promise<true> => {
    ctx.log('login', session.generation ? 'renew' : 'first');
    await signIn(ctx, credentials, jar);
    csrfFresh = false;
    return true;
  };

  const refreshCsrf = async (ctx: AuthContext): Promise<true> => {
    ctx.log('csrf');
    const result = await ctx.call(withCookies(BOOTSTRAP, jar));
    jar.update(result.headers);
    if (!result.ok) throw ctx.fail(BOOTSTRAP, result);
    // A server with CSRF protection off sends no token; there is nothing more to fetch.
    csrfFresh = true;
    return true;
  };

  return sealStrategy(
    {
      type: 'session',
      async authorize(attempt, ctx) {
        // While a re-login is under way, the jar is about to change: wait for it rather than sign with the old.
        if (!session.value || session.renewing) await session.renew(() => login(ctx));
        const write = !SAFE_METHODS.has(attempt.method);
        if (write && !csrfFresh) await csrf.renew(() => refreshCsrf(ctx));
        const headers: Record<string, string> = {};
        const cookie = jar.header();
        if (cookie) headers.Cookie = cookie;
        const token = jar.get(CSRF_COOKIE);
        if (write && token) headers['X-CSRF-Token'] = decodeURIComponent(token);
        return { headers, generation: session.generation };
      },
      async onRejected(rejection, ctx) {
        if (rejection.csrf) {
          csrfFresh = false;
          await csrf.renew(() => refreshCsrf(ctx));
          return true;
        }
        await session.renewIfCurrent(rejection.stamp.generation, () => login(ctx));
        return true;
      },
      observe(headers, stamp) {
        // A late answer to the previous session (Rails re-sends its cookie, even with a 401) must not
        // overwrite the session that replaced it.
        if (stamp.generation !== session.generation || session.renewing) return;
        if (jar.update(headers).includes(CSRF_COOKIE)) csrfFresh = true;
      },
      async signIn(ctx) {
        ctx.log('login', 'requested');
        const result = await signIn(ctx, credentials, jar);
        session.set(true);
        csrfFresh = false;
        return result;
      },
      signOut() {
        session.clear();
        jar.clear();
        csrfFresh = false;
      },
      isSignedIn: () => session.value === true,
    },
    () => ({ signedIn: session.value === true }),
  );
}

/**
 * @internal
 * The sign-in handshake, shared with the auto strategy: bootstrap cookies, then `POST /api/v2/tokens`.
 * Resolves to the login response (its headers tell a legacy JWT server from a session server).
 * @throws the typed error of a refused login (AuthenticationError, RateLimitError, ...).
 */
export function signIn(ctx: AuthContext, credentials: Readonly<PasswordCredentials>, live: CookieJar): Promise<AuthCallResult> {
  return postTokens(ctx, live, { json: loginBody(credentials) });
}

/**
 * @internal
 * `POST /api/v2/tokens` the way the server wants it: its CSRF check runs before any credential is looked
 * at (primero-api.md 1.5), so even a Basic-signed login first fetches the cookies and echoes the token.
 */
export async function postTokens(ctx: AuthContext, live: CookieJar, login: { json?: unknown; headers?: Record<string, string> }): Promise<AuthCallResult> {
  // Built apart and swapped in on success: requests signed meanwhile never see a half-made jar.
  const jar = new CookieJar();
  const bootstrap = await ctx.call(BOOTSTRAP);
  jar.update(bootstrap.headers);
  if (!bootstrap.ok) throw ctx.fail(BOOTSTRAP, bootstrap);
  const token = jar.get(CSRF_COOKIE);
  const call: AuthCall = {
    method: 'POST',
    path: '/tokens',
    ...(login.json === undefined ? {} : { json: login.json }),
    headers: { ...login.headers, ...(token ? { 'X-CSRF-Token': decodeURIComponent(token) } : {}) },
  };
  const result = await ctx.call(withCookies(call, jar));
  jar.update(result.headers);
  if (!result.ok) throw ctx.fail(call, result);
  live.adopt(jar);
  return result;
}

function withCookies(call: AuthCall, jar: CookieJar): AuthCall {
  const cookie = jar.header();
  return cookie ? { ...call, headers: { ...call.headers, Cookie: cookie } } : call;
}
