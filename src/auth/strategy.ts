/**
 * The contract between the transport and an auth strategy.
 *
 * The transport asks the strategy to sign every attempt (so a retry after a refresh carries the new
 * credential), tells it what each response set (cookies), and, when the server refuses a signed attempt,
 * asks whether a replay is worth it. The stamp's `generation` is how a strategy tells a late 401 for an
 * old credential, which only needs a replay, from a 401 for the current one, which needs a new login.
 *
 * @module
 */
import type { PrimeroApiError } from '../core/errors.js';

/** The request being signed. */
export interface AuthAttempt {
  /** HTTP method: cookie sessions add the CSRF header to writes only. */
  readonly method: string;
}

/** Headers to add to one attempt, and which credential they carry. */
export interface AuthStamp {
  /** Headers that carry the credential. */
  readonly headers: Readonly<Record<string, string>>;
  /** Increases whenever the strategy's credential changes. */
  readonly generation: number;
}

/** The server refused an attempt signed with `stamp`. */
export interface AuthRejection {
  /** The stamp the refused attempt was signed with. */
  readonly stamp: AuthStamp;
  /** 401, or 403 with `csrf: true` when a cookie session's CSRF token was refused. */
  readonly status: 401 | 403;
  /** True when the refusal was of a cookie session's CSRF token. */
  readonly csrf: boolean;
  /** The server's message, e.g. Devise's "Your session expired. Please sign in again to continue." */
  readonly message: string | undefined;
}

/** A request an auth strategy sends itself (a login), outside auth, retries and the concurrency limit. */
export interface AuthCall {
  /** HTTP method. */
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** Relative to `/api/v2`, e.g. `/tokens`. */
  readonly path: string;
  /** Extra headers (cookies, CSRF token, the bearer to renew). */
  readonly headers?: Readonly<Record<string, string>>;
  /** JSON body; never logged. */
  readonly json?: unknown;
}

/** What an {@link AuthCall} got back. The body is text: a strategy parses what it needs. */
export interface AuthCallResult {
  /** HTTP status. */
  readonly status: number;
  /** True for a 2xx status. */
  readonly ok: boolean;
  /** Response headers (`Set-Cookie`, `Authorization` on legacy servers). */
  readonly headers: Headers;
  /** The body as text. */
  readonly text: string;
}

/** What the transport lends a strategy while it signs or recovers. */
export interface AuthContext {
  /** Sends a login-type request. Network failures throw the SDK's ConnectionError or TimeoutError. */
  call(request: AuthCall): Promise<AuthCallResult>;
  /** The typed error for a failed {@link AuthCall} (AuthenticationError for a 401, and so on). */
  fail(call: AuthCall, result: AuthCallResult): PrimeroApiError;
  /** Records an auth event in the client's log (never a secret). */
  log(action: 'login' | 'refresh' | 'csrf' | 'switch', detail?: string): void;
}

/**
 * One way of authenticating to Primero. Create one with {@link basicAuth}, {@link sessionAuth},
 * {@link tokenAuth}, {@link bearerAuth} or {@link autoAuth}; a strategy holds its secrets in closures, so
 * neither `JSON.stringify` nor `util.inspect` can reveal them. Use one strategy object per client.
 */
export interface AuthStrategy {
  /** `basic`, `session`, `token`, `bearer` or `auto`. */
  readonly type: string;
  /** Headers for one attempt; logs in first when there is no usable credential. */
  authorize(attempt: AuthAttempt, ctx: AuthContext): Promise<AuthStamp>;
  /**
   * The server refused an attempt. Resolves true when a replay may succeed (the credential was renewed,
   * or had already been renewed by another request); false when there is nothing to renew.
   * @throws the typed error of a failed login.
   */
  onRejected(rejection: AuthRejection, ctx: AuthContext): Promise<boolean>;
  /**
   * Sees the headers of every response to an attempt signed with `stamp` (cookie sessions read
   * `Set-Cookie`; a response to an outdated credential must not overwrite the current one).
   */
  observe?(headers: Headers, stamp: AuthStamp): void;
  /**
   * Logs in now with the password and keeps the new credential (`client.tokens.create()`). Resolves to the
   * login response, or undefined when this strategy has no login of its own (Basic, bearer): the SDK then
   * sends a signed `POST /api/v2/tokens`.
   */
  signIn?(ctx: AuthContext): Promise<AuthCallResult | undefined>;
  /** Forgets the credential after `DELETE /api/v2/tokens`; the next request logs in again. */
  signOut?(): void;
  /**
   * Whether the strategy holds a session or token now. Return false when it holds none (Basic never
   * does): a logout then sends nothing, since it would have to log in first or would end the user's other
   * sessions. Left out, the SDK assumes a credential and sends the logout.
   */
  isSignedIn?(): boolean | undefined;
}

/** @internal Gives a strategy object a secret-free face for `JSON.stringify` and `util.inspect`. */
export function sealStrategy<S extends AuthStrategy>(strategy: S, describe: () => Record<string, unknown> = () => ({})): S {
  const view = () => ({ type: strategy.type, ...describe() });
  Object.defineProperties(strategy, {
    toJSON: { value: view },
    [Symbol.for('nodejs.util.inspect.custom')]: { value: () => `AuthStrategy ${JSON.stringify(view())}` },
  });
  return strategy;
}
