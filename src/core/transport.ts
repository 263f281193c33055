/**
 * Sends one logical call: signs each attempt, replays a refused credential once, retries what is safe to
 * retry, bounds time and concurrency, maps every failure to a typed error, and logs without secrets.
 * Every rule of the wire lives here once; resources only say which route and which body.
 *
 * ky builds and sends each attempt (prefix URL, search params, JSON body, the lazily resolved `fetch`);
 * the retry loop, timeouts and error mapping are the SDK's own, because ky's retry would sit inside the
 * 401 replay and its errors keep the signed request (sdk-design.md sections 1.6 and 3.5).
 *
 * @module
 */
import ky, { type Input, type KyInstance } from 'ky';
import type { AuthCall, AuthCallResult, AuthContext, AuthStamp, AuthStrategy } from '../auth/strategy.js';
import {
  ConnectionError,
  ForbiddenError,
  PrimeroApiError,
  PrimeroError,
  RateLimitError,
  RequestValidationError,
  TimeoutError,
  createApiError,
  parseErrorBody,
} from './errors.js';
import type { Limiter } from './limiter.js';
import { isWholeInRange } from './limits.js';
import { toAbortError } from './limiter.js';
import type { LogSink } from './logger.js';
import { redactUrl } from './redact.js';
import { toSearchParams, type QueryParams } from './query.js';
import { isRetryable, parseRetryAfter, retryDelay, type RetryPolicy } from './retry.js';

/** HTTP methods the SDK sends. */
export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A `fetch` implementation: the platform's, a proxy-aware one, or a test double. */
export type FetchLike = (input: Request, init?: RequestInit) => Promise<Response>;

/** Options every SDK method takes as its last argument. */
export interface RequestOptions {
  /** Cancels the call (every attempt, and any wait between them). */
  signal?: AbortSignal | undefined;
  /** Limit for one attempt, in milliseconds. Overrides the client's `timeoutMs`. */
  timeoutMs?: number | undefined;
  /** Deadline for the whole call, retries and waits included, in milliseconds. */
  totalTimeoutMs?: number | undefined;
  /** Retries after the first attempt. Overrides the client's `maxRetries`. */
  maxRetries?: number | undefined;
  /** Extra request headers. They are sent but never logged. */
  headers?: Record<string, string> | undefined;
}

/** @internal One call as the resources describe it. */
export interface CallSpec extends RequestOptions {
  method: HttpMethod;
  /** Relative to `/api/v2`, starting with `/`, already checked. */
  path: string;
  query?: QueryParams | undefined;
  /** JSON body, sent as is. */
  body?: unknown;
  /** The SDK (or caller) made this write safe to repeat, e.g. with a client-generated id. */
  idempotent?: boolean | undefined;
  /** False for the few public endpoints (`GET /api/v2/primero`). Default true. */
  authenticate?: boolean | undefined;
}

/** A successful response: the parsed body and what else a caller may need. */
export interface ApiResponse<T = unknown> {
  /** HTTP status (2xx). */
  status: number;
  /** Response headers. */
  headers: Headers;
  /** The parsed JSON body; `undefined` for 204 and empty bodies. */
  data: T;
  /** The server's `X-Request-Id`. */
  requestId: string | undefined;
}

/** @internal Everything the transport needs from the client's options, already validated. */
export interface TransportConfig {
  apiUrl: string;
  auth: AuthStrategy | undefined;
  timeoutMs: number;
  totalTimeoutMs: number | undefined;
  maxRetries: number;
  retry: RetryPolicy;
  limiter: Limiter;
  log: LogSink;
  fetch: FetchLike | undefined;
  headers: Readonly<Record<string, string>>;
}

type Outcome = { response: Response; text: string } | { error: PrimeroError };

/** What one exchange with the server needs; shared by signed attempts and logins. */
interface Exchange {
  method: string;
  /** Relative to `/api/v2`, starting with `/`. */
  path: string;
  /** The serialised query with its `?`, or empty. */
  query?: string | undefined;
  /** Redacted path and query, for logs and errors. */
  url: string;
  attempt: number;
  headers: Headers;
  /** Already serialised JSON, or undefined for no body. */
  body?: string | undefined;
  /** The body as given, logged only with `logBodies` (never for logins). */
  logBody?: unknown;
  timeoutMs: number;
  signal: AbortSignal | undefined;
  /** The caller's own signal, to tell an abort from a deadline. */
  callerSignal: AbortSignal | undefined;
}

// Response headers that carry credentials: a caller printing a response must not print these.
const PRIVATE_RESPONSE_HEADERS = ['set-cookie', 'authorization'];

/** @internal */
export class Transport {
  readonly #config: TransportConfig;
  readonly #ky: KyInstance;
  /** What a strategy may use while it signs or recovers; the same for every call. */
  readonly #authContext: AuthContext;
  /** The client's headers, checked once (on the first call: an invalid one fails every call, as it did). */
  #clientHeaders: Headers | undefined;

  constructor(config: TransportConfig) {
    this.#config = config;
    this.#authContext = this.#createAuthContext();
    this.#ky = ky.create({
      prefixUrl: config.apiUrl,
      retry: 0,
      timeout: false,
      throwHttpErrors: false,
      // Resolved per request, never captured: msw and other interceptors patch globalThis.fetch later.
      fetch: (input, init) => (config.fetch ?? globalThis.fetch)(input as Request, init),
    });
  }

  /**
   * Sends a call and resolves to its parsed 2xx response.
   * @throws a {@link PrimeroError} subclass for every failure.
   */
  async send<T = unknown>(spec: CallSpec): Promise<ApiResponse<T>> {
    const config = this.#config;
    checkCallOptions(spec);
    const searchParams = toSearchParams(spec.query);
    const query = searchParams.size ? `?${searchParams}` : '';
    const url = redactUrl(`/api/v2${spec.path}${query}`);
    // Built once, before anything is sent: a body JSON cannot hold or a header fetch would refuse is the
    // caller's mistake, not a network failure to retry.
    const body = serialiseBody(spec.body);
    const clientHeaders = (this.#clientHeaders ??= buildHeaders(config.headers));
    const baseHeaders = spec.headers ? buildHeaders(clientHeaders, spec.headers) : clientHeaders;
    const totalTimeoutMs = spec.totalTimeoutMs ?? config.totalTimeoutMs;
    const deadline = totalTimeoutMs === undefined ? undefined : AbortSignal.timeout(totalTimeoutMs);
    const signal = anySignal(spec.signal, deadline);
    const maxRetries = spec.maxRetries ?? config.maxRetries;
    const auth = spec.authenticate === false ? undefined : config.auth;
    const started = Date.now();
    const fail = (error: unknown): never => {
      throw deadline?.aborted && !spec.signal?.aborted ? new TimeoutError(spec.method, url, totalTimeoutMs as number, 'total', attempts) : error;
    };

    let attempts = 0;
    let retries = 0;
    let replayed = false;
    for (;;) {
      if (signal?.aborted) fail(toAbortError(spec.signal ?? signal));
      attempts++;
      let stamp: AuthStamp | undefined;
      let outcome: Outcome;
      let sent = false;
      let release: (() => void) | undefined;
      try {
        // Signed before queueing for a slot, so every call waiting on a login shares it, and shares its failure
        // (one throttled login, not one per batch of slots). The price: a request queued behind a re-login
        // goes out once with the old session and is replayed with the new one.
        stamp = auth ? await untilAborted(auth.authorize({ method: spec.method }, this.#authContext), signal) : undefined;
        release = config.limiter.tryAcquire(signal) ?? (await config.limiter.acquire(signal));
        sent = true;
        const headers = new Headers(baseHeaders);
        if (stamp) for (const [name, value] of Object.entries(stamp.headers)) headers.set(name, value);
        outcome = await this.#exchange({
          method: spec.method,
          path: spec.path,
          url,
          attempt: attempts,
          query,
          headers,
          body,
          logBody: spec.body,
          timeoutMs: spec.timeoutMs ?? config.timeoutMs,
          signal,
          callerSignal: spec.signal ?? signal,
        });
      } catch (error) {
        // A failed login is judged like a failed attempt; a user's own getToken() error passes through.
        if (!(error instanceof PrimeroError)) throw error;
        // Except a throttled login that does not say when to come back: Primero allows 6 logins a minute per
        // user (primero-api.md 1.2a) and Rack::Attack's default 429 carries no Retry-After, so a retry within the
        // backoff is refused again, and every call that shared the one login would retry it on its own.
        if (error instanceof RateLimitError && error.retryAfterMs === undefined) fail(error);
        outcome = { error };
      } finally {
        release?.();
      }

      let error: PrimeroError;
      if ('response' in outcome) {
        const { response, text } = outcome;
        if (stamp) auth?.observe?.(response.headers, stamp);
        if (response.ok) {
          const parsed = this.#success<T>(spec.method, url, response, text, attempts);
          if (!(parsed instanceof PrimeroError)) return parsed;
          error = parsed;
        } else {
          error = this.#apiError(spec.method, url, response, text, attempts);
        }
        if (auth && stamp && !replayed && error instanceof PrimeroApiError && isAuthRejection(error)) {
          // One replay, outside the retry budget: a refused credential means the server did nothing.
          replayed = true;
          const message = error.errors.flatMap((e) => e.message ?? [])[0];
          const status = error.status as 401 | 403;
          try {
            if (await untilAborted(auth.onRejected({ stamp, status, csrf: status === 403, message }, this.#authContext), signal)) continue;
          } catch (loginError) {
            if (!(loginError instanceof PrimeroError)) throw loginError;
            fail(loginError);
          }
        }
      } else {
        error = outcome.error;
      }

      // Nothing of this call reached the server when signing failed (a login's network error): safe to retry.
      if (retries >= maxRetries || !isRetryable(error, spec.method, spec.idempotent === true || !sent)) fail(error);
      const retryAfterMs = error instanceof PrimeroApiError ? error.retryAfterMs : undefined;
      const delayMs = retryDelay(retries + 1, retryAfterMs, config.retry);
      const remaining = totalTimeoutMs === undefined ? Infinity : totalTimeoutMs - (Date.now() - started);
      if (delayMs === undefined || delayMs >= remaining) fail(error);
      retries++;
      if (config.log.enabled('info')) {
        config.log.emit('info', `retrying ${spec.method} ${url}`, {
          type: 'retry',
          method: spec.method,
          path: url,
          attempt: attempts,
          reason: error instanceof PrimeroApiError ? String(error.status) : error.name,
          delayMs: delayMs as number,
        });
      }
      await sleep(delayMs as number, signal).catch(fail);
    }
  }

  /**
   * Logs in now through the auth strategy (`client.tokens.create()`); a strategy without a login of its
   * own (Basic, bearer) sends a signed `POST /api/v2/tokens` instead.
   * @throws the typed error of a refused login.
   */
  async signIn<T>(options: RequestOptions): Promise<ApiResponse<T>> {
    const result = await untilAborted(Promise.resolve(this.#config.auth?.signIn?.(this.#authContext)), options.signal);
    if (!result) return this.send<T>({ ...options, method: 'POST', path: '/tokens' });
    const response = new Response(result.text, { status: result.status, headers: result.headers });
    const parsed = this.#success<T>('POST', '/api/v2/tokens', response, result.text, 1);
    if (parsed instanceof PrimeroError) throw parsed;
    return parsed;
  }

  /**
   * `DELETE /api/v2/tokens`, then the auth strategy forgets its credential. Nothing is sent when the
   * strategy holds no session: signing it first would end the user's other sessions (primero-api.md 1.2).
   */
  async signOut(options: RequestOptions): Promise<void> {
    const auth = this.#config.auth;
    try {
      if (auth?.isSignedIn?.() !== false) await this.send({ ...options, method: 'DELETE', path: '/tokens' });
    } finally {
      // Forgotten even when the logout failed: the caller asked to stop using this credential.
      auth?.signOut?.();
    }
  }

  /**
   * One request and its whole body, under a per-attempt timeout; never throws, reports instead.
   *
   * The attempt runs under one AbortController of its own, aborted by a timer (cleared once the body is
   * read: the timeout covers the body too) or by the call's signal (the caller's, or the deadline). This
   * costs a fraction of `AbortSignal.timeout()` plus `AbortSignal.any()`, which Node builds with weak
   * references and finalizers on every call.
   */
  async #exchange(exchange: Exchange): Promise<Outcome> {
    const log = this.#config.log;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    }, exchange.timeoutMs);
    const outer = exchange.signal;
    const forward = outer ? () => controller.abort(outer.reason) : undefined;
    if (outer && forward) {
      if (outer.aborted) forward();
      else outer.addEventListener('abort', forward, { once: true });
    }
    const started = performance.now();
    if (log.enabled('debug')) {
      log.emit('debug', `${exchange.method} ${exchange.url}`, {
        type: 'request',
        method: exchange.method,
        path: exchange.url,
        attempt: exchange.attempt,
        ...(log.bodies && exchange.logBody !== undefined ? { body: exchange.logBody } : {}),
      });
    }
    if (exchange.body !== undefined) exchange.headers.set('Content-Type', 'application/json');
    try {
      // The query goes in the input, already serialised: ky's `searchParams` would build the Request twice.
      const response = await this.#ky(exchange.path.slice(1) + (exchange.query ?? ''), {
        method: exchange.method,
        headers: exchange.headers,
        ...(exchange.body === undefined ? {} : { body: exchange.body }),
        // The platform's fetch takes the signal with the request (`init.signal` replaces the Request's own,
        // which ky never aborts with its timeout off), sparing ky an `AbortSignal.any()` per attempt. A fetch
        // of the caller's may read only the Request: its Request carries the signal.
        ...(this.#config.fetch
          ? { signal: controller.signal }
          : { fetch: (input: Input, init?: RequestInit) => globalThis.fetch(input as Request, { ...init, signal: controller.signal }) }),
        // A redirect must not carry the credentials anywhere: it is reported, never followed.
        redirect: 'manual',
      });
      const text = await response.text();
      const level = response.ok ? 'debug' : 'warn';
      if (log.enabled(level)) {
        const durationMs = Math.round(performance.now() - started);
        const requestId = response.headers.get('x-request-id');
        log.emit(level, `${exchange.method} ${exchange.url} -> ${response.status} in ${durationMs} ms`, {
          type: 'response',
          method: exchange.method,
          path: exchange.url,
          attempt: exchange.attempt,
          status: response.status,
          durationMs,
          ...(requestId ? { requestId } : {}),
          ...(log.bodies && exchange.logBody !== null && text ? { body: parseForLog(text) } : {}),
        });
      }
      return { response, text };
    } catch (error) {
      if (outer?.aborted) return { error: toAbortError(exchange.callerSignal) };
      if (timedOut) return { error: new TimeoutError(exchange.method, exchange.url, exchange.timeoutMs, 'attempt', exchange.attempt) };
      return { error: connectionError(exchange.method, exchange.url, error, exchange.attempt) };
    } finally {
      clearTimeout(timer);
      if (outer && forward) outer.removeEventListener('abort', forward);
    }
  }

  /** The parsed body, or the error for a body that cannot be read (judged like a network failure). */
  #success<T>(method: string, url: string, response: Response, text: string, attempts: number): ApiResponse<T> | ConnectionError {
    const requestId = response.headers.get('x-request-id') ?? undefined;
    const headers = publicHeaders(response.headers);
    if (response.status === 204 || !text.trim()) return { status: response.status, headers, data: undefined as T, requestId };
    try {
      return { status: response.status, headers, data: JSON.parse(text) as T, requestId };
    } catch {
      // A cut-off body or a proxy's HTML page behind a 200: no data, and worth a retry for safe methods.
      const kind = /^\s*</.test(text) ? 'an HTML page' : 'incomplete or malformed JSON';
      return new ConnectionError(method, url, `Response body was ${kind}`, { attempts });
    }
  }

  #apiError(method: string, url: string, response: { status: number; headers: Headers }, text: string, attempts: number): PrimeroApiError {
    return createApiError({
      status: response.status,
      method,
      url,
      ...parseErrorBody(text, response.headers.get('content-type')),
      requestId: response.headers.get('x-request-id') ?? undefined,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
      attempts,
    });
  }

  /**
   * What a strategy may use while it signs or recovers. Its requests run under the client's timeout only,
   * never under one caller's signal: a login shared by many calls must not fail because one of them was
   * cancelled (each caller stops waiting on its own signal instead, see {@link untilAborted}).
   */
  #createAuthContext(): AuthContext {
    const config = this.#config;
    const strategy = config.auth?.type ?? 'none';
    return {
      call: (request) => this.#authCall(request),
      fail: (request, result) => this.#apiError(request.method, `/api/v2${request.path}`, result, result.text, 1),
      log: (action, detail) =>
        config.log.emit('info', `auth ${strategy}: ${action}${detail ? ` (${detail})` : ''}`, {
          type: 'auth',
          strategy,
          action,
          ...(detail ? { detail } : {}),
        }),
    };
  }

  /** A login-type request: one attempt, no auth, no limiter (a queue of signed requests may be waiting on it). */
  async #authCall(request: AuthCall): Promise<AuthCallResult> {
    const outcome = await this.#exchange({
      method: request.method,
      path: request.path,
      url: `/api/v2${request.path}`,
      attempt: 1,
      headers: buildHeaders(this.#config.headers, request.headers),
      body: serialiseBody(request.json),
      // Login bodies are never logged, whatever logBodies says: the request carries the password.
      logBody: null,
      timeoutMs: this.#config.timeoutMs,
      signal: undefined,
      callerSignal: undefined,
    });
    if ('error' in outcome) throw outcome.error;
    return { status: outcome.response.status, ok: outcome.response.ok, headers: outcome.response.headers, text: outcome.text };
  }
}

/** @internal Per-call limits, checked like the client's: a NaN retry count would retry for ever. */
function checkCallOptions(options: RequestOptions): void {
  if (options.timeoutMs === undefined && options.totalTimeoutMs === undefined && options.maxRetries === undefined) return;
  const bad = (name: string, value: unknown, min: number) => (value !== undefined && !isWholeInRange(value, min) ? [name] : []);
  const invalid = [...bad('timeoutMs', options.timeoutMs, 1), ...bad('totalTimeoutMs', options.totalTimeoutMs, 1), ...bad('maxRetries', options.maxRetries, 0)];
  if (invalid.length) {
    throw new RequestValidationError(`${invalid.join(', ')} must be whole numbers in range`, invalid.map((name) => ({ path: [name], code: 'invalid_option' })));
  }
}

function isAuthRejection(error: PrimeroApiError): boolean {
  return error.status === 401 || (error instanceof ForbiddenError && error.isCsrf);
}

/** @internal The body as JSON text. @throws {@link RequestValidationError} for a value JSON cannot hold. */
function serialiseBody(body: unknown): string | undefined {
  if (body === undefined) return undefined;
  try {
    return JSON.stringify(body);
  } catch {
    throw new RequestValidationError('The request body cannot be serialised as JSON (a cycle or a BigInt?)', [{ path: ['body'], code: 'invalid_json' }]);
  }
}

/** @internal The request headers. @throws {@link RequestValidationError} for a name or value fetch refuses. */
function buildHeaders(...sources: (Headers | Readonly<Record<string, string>> | undefined)[]): Headers {
  const headers = new Headers({ Accept: 'application/json' });
  for (const source of sources) {
    for (const [name, value] of source instanceof Headers ? source : Object.entries(source ?? {})) {
      try {
        headers.set(name, value);
      } catch {
        // The value is not repeated: a header is where secrets live.
        throw new RequestValidationError(`Header "${name}" has an invalid name or value`, [{ path: ['headers', name], code: 'invalid_header' }]);
      }
    }
  }
  return headers;
}

function publicHeaders(headers: Headers): Headers {
  const copy = new Headers(headers);
  for (const name of PRIVATE_RESPONSE_HEADERS) copy.delete(name);
  return copy;
}

function parseForLog(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * A network failure, described by its cause's name and code only: the messages of fetch's errors can quote
 * a header value or the URL with its query.
 */
function connectionError(method: string, url: string, error: unknown, attempts: number): ConnectionError {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === 'string' && /^[A-Z0-9_]{2,40}$/.test(cause.code) ? cause.code : undefined;
  const name = error instanceof Error && /^[A-Za-z]{1,40}$/.test(error.name) ? error.name : 'Error';
  const summary = new Error(code ? `${name} (${code})` : name);
  return new ConnectionError(method, url, code ? `Connection failed: ${code}` : 'Connection failed', { cause: summary, attempts });
}

/** Waits for `promise`, or rejects with an AbortError as soon as `signal` fires; the promise runs on for others. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(toAbortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(toAbortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length <= 1) return present[0];
  return AbortSignal.any(present);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(toAbortError(signal));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(toAbortError(signal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
