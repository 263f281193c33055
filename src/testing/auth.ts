/**
 * How the fake authenticates, mode by mode, as primero-api.md section 1 describes the real server
 * (Devise + Warden behind `ApplicationApiController`, whose filters run in this order: `authenticate_user!`,
 * `check_config_update_lock!`, `set_csrf_cookie`, `protect_from_forgery`):
 * - `basic`: `Authorization: Basic` on every request; no session, no CSRF (1.2b). A server without it
 *   ignores the header, as Devise does with `http_authenticatable` off or a proxy that strips it.
 * - `session`: `POST /api/v2/tokens` sets the `_app_session` cookie; `CSRF-TOKEN` is (re)written on every
 *   request that passes authentication and must come back as `X-CSRF-Token` on writes; sessions idle out;
 *   a login ends the user's other sessions; Devise resets the CSRF token at sign-in (1.2a, 1.5).
 * - `token`: an older server's JWT (devise-jwt, before 2.11) in the login response's `Authorization`
 *   header, renewed by re-posting with the bearer (1.1; sdk-design.md 3.5).
 * - `bearer`: identity-provider mode (1.2c): tokens minted by {@link FakeAuth.issueIdpToken}, no session
 *   store, no CSRF; `DELETE /tokens` blacklists the token.
 * Logins are throttled by Rack::Attack to 6 a minute per user name (429, plain text), and Devise's
 * `lockable` locks an account for 30 minutes after 6 wrong passwords (1.2a).
 *
 * @module
 */
import { parseBasic } from '../auth/basic-header.js';
import { DEVISE, apiError, devise401, json, throttled } from './http.js';
import type { Random } from './random.js';
import type { FakeStore, FakeUser } from './store.js';
import { isObject } from './values.js';

/** The ways the fake accepts credentials. */
export type FakeAuthMode = 'basic' | 'session' | 'token' | 'bearer';

/** @internal Options of the fake that shape authentication. */
export interface FakeAuthOptions {
  modes: readonly FakeAuthMode[];
  sessionIdleSeconds: number;
  tokenTtlSeconds: number;
  csrf: boolean;
  now: () => number;
}

interface Session {
  id: string;
  csrf: string;
  /** The signed-in user; undefined for the anonymous session a bootstrap GET creates. */
  userName: string | undefined;
  lastSeenMs: number;
  /** Forced idle timeout ({@link FakeAuth.expireSessions}). */
  timedOut: boolean;
}

interface IssuedToken {
  userName: string;
  expiresMs: number;
  /** `token`: a legacy Primero JWT; `bearer`: an identity provider's. */
  kind: 'token' | 'bearer';
  revoked: boolean;
  /** IdP mode: the strategy's `activate!` stored a session keyed by the token's jti (app/auth/idp_token.rb). */
  activated: boolean;
}

/** @internal Who a request authenticated as. */
export interface Identity {
  user: FakeUser;
  via: FakeAuthMode | 'password';
  session?: Session;
  token?: string;
}

/** @internal The outcome of authenticating one request. */
export type Outcome = Identity | { response: Response };

// Devise's and the JWT libraries' texts that http.ts does not list (primero-api.md 1.4). `inactive` is
// Devise's default for `active_for_authentication?` false (Primero: a disabled user); the JWT ones are
// ruby-jwt's exception messages, which both Warden strategies pass through `fail!(e.message)`.
const TEXT = Object.freeze({
  inactive: 'Your account is not activated yet.',
  expired: 'Signature has expired',
  badSignature: 'Signature verification failed',
  segments: 'Not enough or too many segments',
  blacklisted: 'Blacklisted JWT token',
  // devise-jwt's revoked token: the doc example `{"error": "revoked token"}` (1.4) is its relic.
  revoked: 'revoked token',
  noUser: 'Valid JWT does not correspond to user',
  disabledUser: 'Valid JWT corresponds to disabled user',
  csrf: "Can't verify CSRF token authenticity.",
});

const LOGIN_LIMIT = 6;
const LOGIN_PERIOD_MS = 60_000;
const MAX_FAILED_ATTEMPTS = 6;
const UNLOCK_IN_MS = 30 * 60_000;
// app/schedules/session_cleanup.rb deletes sessions idle longer than the timeout plus 20 minutes (1.2a).
const CLEANUP_GRACE_MS = 20 * 60_000;
const IDP_ISSUER = 'https://idp.primero.fake';
const IDP_CLIENT_ID = 'primero-fake-client';

/** @internal The 503 of the configuration-update lock, or undefined when the server is not locked (1.5, 3.2). */
export function configurationLock(store: FakeStore, path: string): Response | undefined {
  if (!store.configurationLocked) return undefined;
  return apiError(503, `/api/v2${path}`, 'Service Unavailable', 'Retry-After: 60', { 'Retry-After': '60' });
}

/** @internal */
export class FakeAuth {
  readonly #sessions = new Map<string, Session>();
  readonly #tokens = new Map<string, IssuedToken>();
  readonly #logins = new Map<string, number>();
  readonly #failures = new Map<string, { count: number; lockedAtMs: number | undefined }>();

  constructor(
    private readonly store: FakeStore,
    private readonly options: FakeAuthOptions,
    private readonly random: Random,
  ) {}

  /** Mints an identity-provider token for a user (bearer mode), valid for `ttlSeconds`. */
  issueIdpToken(userName: string, ttlSeconds = this.options.tokenTtlSeconds): string {
    return this.#mint(userName, ttlSeconds, 'bearer');
  }

  /** Times out every signed-in session, as an idle timeout would: the next request gets "Your session expired". */
  expireSessions(): void {
    for (const session of this.#sessions.values()) if (session.userName) session.timedOut = true;
  }

  /** @internal What the fake keeps in memory for authentication, for tests of its bounds. */
  footprint(): { sessions: number; loginCounters: number } {
    return { sessions: this.#sessions.size, loginCounters: this.#logins.size };
  }

  /** The signed-in sessions (user names), for tests asserting on "one active session per user". */
  activeSessions(): string[] {
    const now = this.options.now();
    return [...this.#sessions.values()].filter((s) => s.userName && !this.#timedOut(s, now)).map((s) => s.userName as string);
  }

  /**
   * `authenticate_user!` for an API request: the session's user first (as Warden fetches it before running
   * any strategy), then Basic, then a bearer. Writes nothing: cookies and CSRF come after the lock, in
   * {@link FakeAuth.admit}.
   */
  authenticate(request: Request): Outcome {
    const session = this.#has('session') ? this.#session(request) : undefined;
    if (session?.userName) {
      // Devise's timeoutable hook signs the session out and answers :timeout (1.2a, 1.4).
      if (this.#timedOut(session, this.options.now())) {
        session.userName = undefined;
        session.timedOut = false;
        return { response: devise401(DEVISE.timeout) };
      }
      const user = this.#user(session.userName);
      if (!user) return { response: devise401(DEVISE.unauthenticated) };
      // Devise's activatable hook runs on every fetch too: a user disabled meanwhile is signed out.
      if (user.disabled) {
        session.userName = undefined;
        return { response: devise401(TEXT.inactive) };
      }
      session.lastSeenMs = this.options.now();
      return { user, via: 'session', session };
    }
    const header = request.headers.get('authorization') ?? '';
    if (/^Basic /i.test(header) && this.#has('basic')) return this.#basic(header);
    const token = bearerToken(header);
    if (token !== undefined && (this.#has('token') || this.#has('bearer'))) return this.#bearer(token);
    return { response: devise401(DEVISE.unauthenticated) };
  }

  /**
   * What runs after `check_config_update_lock!` for an authenticated request: `set_csrf_cookie`, then
   * `protect_from_forgery` (1.5). Both apply to cookie sessions only (Basic and IdP requests are exempt).
   * Resolves to the 403 of a refused CSRF token, else undefined.
   */
  admit(request: Request, identity: Identity, path: string, cookies: Headers): Response | undefined {
    if (identity.via !== 'session' || !identity.session) return undefined;
    this.#writeSessionCookies(cookies, identity.session);
    return this.#csrfRefused(request, identity.session) ? apiError(403, `/api/v2${path}`, TEXT.csrf) : undefined;
  }

  /** `GET /api/v2/primero` and other unauthenticated API requests: the session and CSRF cookies (1.5). */
  bootstrap(request: Request, cookies: Headers): void {
    if (!this.#usesCsrf()) return;
    const session = this.#session(request) ?? this.#newSession();
    this.#writeSessionCookies(cookies, session);
  }

  /** `POST /api/v2/tokens`: login, or refresh with a session or a bearer, in every mode. */
  login(request: Request, body: unknown, cookies: Headers): Response {
    const header = request.headers.get('authorization') ?? '';
    const params = isObject(body) && isObject(body.user) ? body.user : undefined;
    // Rack::Attack runs before the app: every POST naming a user_name counts, whatever comes of it
    // (config/initializers/rack_attack.rb; 1.2a). A body without one (a refresh) is not counted.
    if (params?.user_name !== undefined && params.user_name !== null && this.#throttled(String(params.user_name).toLowerCase().replace(/\s+/g, ''))) {
      return throttled();
    }
    // TokensController's parent is ApplicationApiController: the lock applies to the login too (1.5).
    const locked = configurationLock(this.store, '/tokens');
    if (locked) return locked;
    const token = bearerToken(header);

    // IdP mode: `create` is `create_idp`, which wants the bearer and nothing else (tokens_controller.rb).
    if (this.#has('bearer')) {
      if (token !== undefined) return this.#createIdp(token);
      // The password strategy may still run (before_action expire_other_user_sessions asks for
      // current_user), but only to choose Devise's message: create_idp then refuses anyway.
      const outcome = params ? this.#password(params) : { response: devise401(DEVISE.unauthenticated) };
      return 'response' in outcome ? outcome.response : devise401(DEVISE.unauthenticated);
    }

    // devise-jwt (older servers): a valid bearer signs the POST in, and a new JWT is dispatched (1.1).
    if (token !== undefined && this.#has('token')) {
      const outcome = this.#bearer(token);
      return 'response' in outcome ? outcome.response : this.#tokenAnswer(outcome.user);
    }

    let session = this.#has('session') ? this.#session(request) : undefined;
    if (this.#usesCsrf()) {
      // set_csrf_cookie and protect_from_forgery run before the login itself: Devise's authenticate_user! is
      // a no-op in its own controllers, so no strategy has run yet and even a Basic POST is checked (1.5).
      // The cookie is written first, so the 403 of a client that skipped the bootstrap GET still carries it.
      session ??= this.#newSession();
      this.#writeSessionCookies(cookies, session);
      if (this.#csrfRefused(request, session)) return apiError(403, '/api/v2/tokens', TEXT.csrf);
    }

    // current_user: a signed-in session wins over any password in the body, and the idle timeout is skipped
    // on this route (`devise.skip_timeout`), so this is the refresh of 1.2a: same session, same CSRF token.
    if (session?.userName) {
      const user = this.#user(session.userName);
      if (user && !user.disabled) {
        this.#endSessionsOf(user.user_name, session);
        session.lastSeenMs = this.options.now();
        session.timedOut = false;
        return this.#tokenAnswer(user);
      }
    }

    // A signed POST with Basic: the user is authenticated for this request only (skip_session_storage), and
    // expire_other_user_sessions still ends the user's cookie sessions.
    if (/^Basic /i.test(header) && this.#has('basic')) {
      const outcome = this.#basic(header);
      if ('response' in outcome) return outcome.response;
      this.#endSessionsOf(outcome.user.user_name);
      return json(whoami(outcome.user));
    }

    if (!params) return devise401(DEVISE.unauthenticated);
    const outcome = this.#password(params);
    if ('response' in outcome) return outcome.response;
    const { user } = outcome;
    if (!this.#has('session') && !this.#has('token')) return devise401(DEVISE.unauthenticated);
    if (this.#has('session')) {
      // One active session per user: a login ends the others (1.2a). Warden renews the session id at sign-in.
      this.#endSessionsOf(user.user_name);
      if (session) this.#sessions.delete(session.id);
      const signedIn = this.#newSession(user.user_name);
      cookies.append('set-cookie', sessionCookie(signedIn));
      // Devise reset the CSRF token at sign-in (clean_up_csrf_token_on_authentication): the CSRF-TOKEN
      // cookie set_csrf_cookie wrote above, before the login, now holds a token the session no longer knows.
    }
    return this.#tokenAnswer(user);
  }

  /** `DELETE /api/v2/tokens`: 200 `{}` whether or not anyone was signed in (1.3). */
  logout(request: Request, cookies: Headers): Response {
    const header = request.headers.get('authorization') ?? '';
    const token = bearerToken(header);
    if (this.#has('bearer')) {
      // IdP mode skips verify_signed_out_user: the lock applies; no CSRF (1.2c, 1.5).
      const locked = configurationLock(this.store, '/tokens');
      if (locked) return locked;
      const outcome = token === undefined ? undefined : this.#bearer(token);
      if (outcome && !('response' in outcome) && token !== undefined) {
        // expire_other_user_sessions, then the after_action blacklist_current_idp_token.
        this.#blacklistOtherTokens(outcome.user.user_name, token);
        const issued = this.#tokens.get(token);
        if (issued) issued.revoked = true;
      }
      return json({});
    }
    // verify_signed_out_user is prepended to every other filter: nobody signed in, nothing else runs.
    const identity = this.#signedIn(request);
    if (!identity) return json({});
    const locked = configurationLock(this.store, '/tokens');
    if (locked) return locked;
    if (identity.session) {
      const refused = this.admit(request, identity, '/tokens', cookies);
      if (refused) return refused;
    }
    // expire_other_user_sessions, then Devise's sign_out of this one: the user keeps no session (app/models/session.rb).
    this.#endSessionsOf(identity.user.user_name);
    // devise-jwt revokes the JWT it signed out with.
    if (identity.token !== undefined) {
      const issued = this.#tokens.get(identity.token);
      if (issued) issued.revoked = true;
    }
    return json({});
  }

  /** Whoever a DELETE signs in as (`warden.authenticate?`, timeout skipped), without answering. */
  #signedIn(request: Request): Identity | undefined {
    const session = this.#has('session') ? this.#session(request) : undefined;
    const user = session?.userName ? this.#user(session.userName) : undefined;
    if (session && user) return { user, via: 'session', session };
    const header = request.headers.get('authorization') ?? '';
    let outcome: Outcome | undefined;
    const token = bearerToken(header);
    if (/^Basic /i.test(header) && this.#has('basic')) outcome = this.#basic(header);
    else if (token !== undefined && this.#has('token')) outcome = this.#bearer(token);
    return outcome && !('response' in outcome) ? outcome : undefined;
  }

  /** TokensController#create_idp (1.2c). */
  #createIdp(token: string): Response {
    const issued = this.#tokens.get(token);
    // current_user first (before_action expire_other_user_sessions): on success the strategy activates the
    // token, and the user's other token sessions are ended, as a native login ends the other cookie sessions.
    const outcome = this.#bearer(token);
    if (!('response' in outcome)) this.#blacklistOtherTokens(outcome.user.user_name, token);
    // create_idp then decodes the token itself, in controller code: a JWT error there is rendered by
    // ErrorService as a 401 in the errors[] envelope, not by Devise (3.2).
    if (!issued || issued.kind !== 'bearer') return apiError(401, '/api/v2/tokens', looksLikeJwt(token) ? TEXT.badSignature : TEXT.segments);
    if (issued.expiresMs <= this.options.now()) return apiError(401, '/api/v2/tokens', TEXT.expired);
    const user = this.#user(issued.userName);
    if (!user) return devise401(TEXT.noUser);
    // create_idp checks only that the token decodes and names a user: a blacklisted token, or a disabled
    // user's, still gets its 200 here (the next API call is refused by the strategy).
    return json({ ...whoami(user), token });
  }

  /** The login answer: the user, plus a fresh JWT in the `Authorization` header on a `token` server (1.1). */
  #tokenAnswer(user: FakeUser): Response {
    const headers = new Headers();
    if (this.#has('token')) headers.set('Authorization', `Bearer ${this.#mint(user.user_name, this.options.tokenTtlSeconds, 'token')}`);
    return json(whoami(user), 200, headers);
  }

  #basic(header: string): Outcome {
    const credentials = parseBasic(header);
    if (!credentials) return { response: devise401(DEVISE.invalid) };
    return this.#checkPassword(credentials.username, credentials.password);
  }

  #password(params: Record<string, unknown>): Outcome {
    return this.#checkPassword(typeof params.user_name === 'string' ? params.user_name : '', params.password);
  }

  /**
   * database_authenticatable with lockable and `paranoid` (devise.rb): user names are case-insensitive and
   * stripped; an unknown user, a wrong password and a locked account all get the same "Invalid" text; a
   * disabled user with the right password gets the inactive message.
   */
  #checkPassword(rawUserName: string, password: unknown): Outcome {
    const user = this.#user(rawUserName.trim().toLowerCase());
    if (!user) return { response: devise401(DEVISE.invalid) };
    const now = this.options.now();
    const failures = this.#failures.get(user.user_name) ?? { count: 0, lockedAtMs: undefined };
    this.#failures.set(user.user_name, failures);
    // valid_for_authentication?: an expired lock is lifted first (unlock_strategy :time, unlock_in 30 min).
    if (failures.lockedAtMs !== undefined && now - failures.lockedAtMs >= UNLOCK_IN_MS) {
      failures.count = 0;
      failures.lockedAtMs = undefined;
    }
    if (password !== user.password || failures.lockedAtMs !== undefined) {
      failures.count++;
      if (failures.count >= MAX_FAILED_ATTEMPTS) failures.lockedAtMs ??= now;
      return { response: devise401(DEVISE.invalid) };
    }
    if (user.disabled) return { response: devise401(TEXT.inactive) };
    failures.count = 0;
    return { user, via: 'password' };
  }

  #bearer(token: string): Outcome {
    const issued = this.#tokens.get(token);
    if (!issued || !this.#has(issued.kind)) return { response: devise401(looksLikeJwt(token) ? TEXT.badSignature : TEXT.segments) };
    // The decode checks `exp` before anything else (idp_token.rb, warden-jwt_auth).
    if (issued.expiresMs <= this.options.now()) return { response: devise401(TEXT.expired) };
    if (issued.revoked) return { response: devise401(issued.kind === 'bearer' ? TEXT.blacklisted : TEXT.revoked) };
    const user = this.#user(issued.userName);
    if (issued.kind === 'token') {
      if (!user) return { response: devise401(DEVISE.unauthenticated) };
      if (user.disabled) return { response: devise401(TEXT.inactive) };
      return { user, via: 'token', token };
    }
    if (!user) return { response: devise401(TEXT.noUser) };
    if (user.disabled) return { response: devise401(TEXT.disabledUser) };
    issued.activated = true;
    return { user, via: 'bearer', token };
  }

  #blacklistOtherTokens(userName: string, except: string): void {
    for (const [value, issued] of this.#tokens) {
      if (value !== except && issued.kind === 'bearer' && issued.activated && issued.userName === userName) issued.revoked = true;
    }
  }

  #mint(userName: string, ttlSeconds: number, kind: 'token' | 'bearer'): string {
    const encode = (value: unknown) => btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
    const nowMs = this.options.now();
    const expiresMs = nowMs + ttlSeconds * 1000;
    const iat = Math.floor(nowMs / 1000);
    const exp = Math.floor(expiresMs / 1000);
    const jti = this.random.uuid();
    // Unsigned: the fake knows its tokens by value. The claims are what each issuer puts there: devise-jwt's
    // `sub`/`scp`/`jti`, and an IdP's `iss`/`aud`/`email` that Primero matches to the user (1.2c).
    const payload =
      kind === 'token'
        ? { sub: userName, scp: 'user', aud: null, iat, exp, jti }
        : { iss: IDP_ISSUER, aud: IDP_CLIENT_ID, sub: jti, email: userName, iat, nbf: iat, exp, jti };
    const token = `${encode({ alg: kind === 'token' ? 'HS256' : 'RS256', typ: 'JWT' })}.${encode(payload)}.fake`;
    this.#tokens.set(token, { userName, expiresMs, kind, revoked: false, activated: false });
    return token;
  }

  #has(mode: FakeAuthMode): boolean {
    return this.options.modes.includes(mode);
  }

  /** use_csrf_protection? for cookie sessions: on unless turned off, and never in IdP mode (1.5). */
  #usesCsrf(): boolean {
    return this.options.csrf && this.#has('session') && !this.#has('bearer');
  }

  #csrfRefused(request: Request, session: Session): boolean {
    if (!this.#usesCsrf() || ['GET', 'HEAD'].includes(request.method)) return false;
    return request.headers.get('x-csrf-token') !== session.csrf;
  }

  /** Rack::Attack counts in fixed windows aligned on the period (`now / period`), not a sliding minute. */
  #throttled(key: string): boolean {
    const window = Math.floor(this.options.now() / LOGIN_PERIOD_MS);
    // The counters of past windows can never matter again (Rack::Attack's cache entries expire with them).
    for (const counterKey of this.#logins.keys()) if (!counterKey.startsWith(`${window}:`)) this.#logins.delete(counterKey);
    const counterKey = `${window}:${key}`;
    const count = (this.#logins.get(counterKey) ?? 0) + 1;
    this.#logins.set(counterKey, count);
    return count > LOGIN_LIMIT;
  }

  #timedOut(session: Session, now: number): boolean {
    return session.timedOut || now - session.lastSeenMs >= this.options.sessionIdleSeconds * 1000;
  }

  #session(request: Request): Session | undefined {
    const id = cookieValue(request.headers.get('cookie'), '_app_session');
    const session = id ? this.#sessions.get(id) : undefined;
    if (session && this.options.now() - session.lastSeenMs > this.options.sessionIdleSeconds * 1000 + CLEANUP_GRACE_MS) {
      this.#sessions.delete(session.id);
      return undefined;
    }
    return session;
  }

  /**
   * Starts a session, first sweeping the old ones, so that a long-running fake's memory does not grow with
   * its clients: an anonymous session (a bootstrap nobody signed in from) idle longer than the idle timeout,
   * and a signed-in one idle longer than the timeout plus the cleanup grace, which {@link FakeAuth.authenticate}
   * already treats as gone (before that, its cookie still gets "Your session expired", as on the server).
   */
  #newSession(userName?: string): Session {
    const now = this.options.now();
    const idleMs = this.options.sessionIdleSeconds * 1000;
    for (const [id, old] of this.#sessions) {
      if (now - old.lastSeenMs > (old.userName ? idleMs + CLEANUP_GRACE_MS : idleMs)) this.#sessions.delete(id);
    }
    const session: Session = { id: this.random.uuid().replace(/-/g, ''), csrf: csrfToken(this.random), userName, lastSeenMs: this.options.now(), timedOut: false };
    this.#sessions.set(session.id, session);
    return session;
  }

  /** Ends the user's sessions (the row stays in Primero, marked expired; its cookie then signs in no one). */
  #endSessionsOf(userName: string, except?: Session): void {
    for (const [id, session] of this.#sessions) if (session.userName === userName && session !== except) this.#sessions.delete(id);
  }

  #writeSessionCookies(cookies: Headers, session: Session): void {
    cookies.append('set-cookie', sessionCookie(session));
    if (this.#usesCsrf()) cookies.append('set-cookie', `CSRF-TOKEN=${encodeURIComponent(session.csrf)}; path=/; SameSite=Strict`);
  }

  #user(userName: string | undefined): FakeUser | undefined {
    return userName ? this.store.users.find((u) => u.user_name.toLowerCase() === userName.toLowerCase()) : undefined;
  }
}

function whoami(user: FakeUser): Record<string, unknown> {
  return { id: user.id, user_name: user.user_name, group_permission: user.group_permission };
}

// No `expires`: the fake's clock may differ from the client's, and a client must not drop the cookie early.
function sessionCookie(session: Session): string {
  return `_app_session=${session.id}; path=/; HttpOnly; SameSite=Lax`;
}

/** The token of `Authorization: Bearer <token>`, as IdpTokenStrategy.token_from_header splits it. */
function bearerToken(header: string): string | undefined {
  const [method, token] = header.trim().split(/\s+/);
  return method === 'Bearer' && token ? token : undefined;
}

function looksLikeJwt(token: string): boolean {
  return token.split('.').length === 3;
}

// Rails' CSRF tokens are base64 with `+`, `/` and `=`: the cookie is URL-encoded, the header is not.
function csrfToken(random: Random): string {
  return btoa(String.fromCharCode(...Array.from({ length: 24 }, () => random.int(0, 255))));
}

function cookieValue(header: string | null, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}
