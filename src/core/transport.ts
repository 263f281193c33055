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
import ky, { type KyInstance } from 'ky';
import type { AuthCall, AuthCallResult, AuthContext, AuthStamp, AuthStrategy } from '../auth/strategy.js';
import {
  ConnectionError,
  ForbiddenError,
  PrimeroApiError,
  PrimeroError,
  RateLimitError,
  TimeoutError,
  createApiError,
  parseErrorBody,
  type ApiErrorInit,
} from './errors.js';
import type { Limiter } from './limiter.js';
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

type Outcome = { response: Response; text: string; durationMs: number } | { error: PrimeroError };

/** @internal */
export class Transport {
  readonly #config: TransportConfig;
  readonly #ky: KyInstance;

  constructor(config: TransportConfig) {
    this.#config = config;
    this.#ky = ky.create({
      prefixUrl: config.apiUrl,
      retry: 0,
      timeout: false,
      throwHttpErrors: false,
      // Resolved per request, never captured: msw and other interceptors patch globalThis.fetch later.
      fetch: (input, init) => (config.fetch ?? globalThis.fetch)(input as Request, init),
    });
  }

  get config(): TransportConfig {
    return this.#config;
  }

  /**
   * Sends a call and resolves to its parsed 2xx response.
   * @throws a {@link PrimeroError} subclass for every failure.
   */
  async send<T = unknown>(spec: CallSpec): Promise<ApiResponse<T>> {
    const config = this.#config;
    const searchParams = toSearchParams(spec.query);
    const url = redactUrl(`/api/v2${spec.path}${searchParams.size ? `?${searchParams}` : ''}`);
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
      let release: (() => void) | undefined;
      try {
        // Signed before queueing for a slot, so every call waiting on a login shares it, and shares its failure
        // (one throttled login, not one per batch of slots). The price: a request queued behind a re-login
        // goes out once with the old session and is replayed with the new one.
        stamp = auth ? await auth.authorize({ method: spec.method }, this.#authContext(signal)) : undefined;
        release = await config.limiter.acquire(signal);
        outcome = await this.#attempt(spec, searchParams, url, attempts, stamp, signal);
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
        if (stamp) auth?.observe?.(response.headers);
        if (response.ok) {
          const parsed = this.#success<T>(spec, url, response, text, attempts);
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
            if (await auth.onRejected({ stamp, status, csrf: status === 403, message }, this.#authContext(signal))) continue;
          } catch (loginError) {
            if (!(loginError instanceof PrimeroError)) throw loginError;
            fail(loginError);
          }
        }
      } else {
        error = outcome.error;
      }

      if (retries >= maxRetries || !isRetryable(error, spec.method, spec.idempotent === true)) fail(error);
      const retryAfterMs = error instanceof PrimeroApiError ? error.retryAfterMs : undefined;
      const delayMs = retryDelay(retries + 1, retryAfterMs, config.retry);
      const remaining = totalTimeoutMs === undefined ? Infinity : totalTimeoutMs - (Date.now() - started);
      if (delayMs === undefined || delayMs >= remaining) fail(error);
      retries++;
      config.log.emit('info', `retrying ${spec.method} ${url}`, {
        type: 'retry',
        method: spec.method,
        path: url,
        attempt: attempts,
        reason: error instanceof PrimeroApiError ? String(error.status) : error.name,
        delayMs: delayMs as number,
      });
      await sleep(delayMs as number, signal).catch(fail);
    }
  }

  /**
   * Logs in now through the auth strategy (`client.tokens.create()`); a strategy without a login of its
   * own (Basic, bearer) sends a signed `POST /api/v2/tokens` instead.
   * @throws the typed error of a refused login.
   */
  async signIn<T>(options: RequestOptions): Promise<ApiResponse<T>> {
    const auth = this.#config.auth;
    const result = await auth?.signIn?.(this.#authContext(options.signal));
    if (!result) return this.send<T>({ ...options, method: 'POST', path: '/tokens' });
    const response = new Response(result.text, { status: result.status, headers: result.headers });
    const parsed = this.#success<T>({ method: 'POST', path: '/tokens' }, '/api/v2/tokens', response, result.text, 1);
    if (parsed instanceof PrimeroError) throw parsed;
    return parsed;
  }

  /** Makes the auth strategy forget its credential (after `DELETE /api/v2/tokens`). */
  signOut(): void {
    this.#config.auth?.signOut?.();
  }

  async #attempt(spec: CallSpec, searchParams: URLSearchParams, url: string, attempt: number, stamp: AuthStamp | undefined, signal: AbortSignal | undefined): Promise<Outcome> {
    const config = this.#config;
    const timeoutMs = spec.timeoutMs ?? config.timeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const attemptSignal = anySignal(signal, timeout) as AbortSignal;
    const started = performance.now();
    config.log.emit('debug', `${spec.method} ${url}`, {
      type: 'request',
      method: spec.method,
      path: url,
      attempt,
      ...(config.log.bodies && spec.body !== undefined ? { body: spec.body } : {}),
    });
    try {
      const response = await this.#ky(spec.path.slice(1), {
        method: spec.method,
        ...(searchParams.size ? { searchParams } : {}),
        headers: { Accept: 'application/json', ...config.headers, ...spec.headers, ...stamp?.headers },
        ...(spec.body === undefined ? {} : { json: spec.body }),
        signal: attemptSignal,
        // A redirect must not carry the credentials anywhere: it is reported, never followed.
        redirect: 'manual',
      });
      const text = await response.text();
      const durationMs = Math.round(performance.now() - started);
      this.#logResponse(spec.method, url, attempt, response, text, durationMs);
      return { response, text, durationMs };
    } catch (error) {
      if (signal?.aborted) return { error: toAbortError(spec.signal ?? signal) };
      if (timeout.aborted) return { error: new TimeoutError(spec.method, url, timeoutMs, 'attempt', attempt) };
      return { error: connectionError(spec.method, url, error, attempt) };
    }
  }

  /** The parsed body, or the error for a body that cannot be read (judged like a network failure). */
  #success<T>(spec: CallSpec, url: string, response: Response, text: string, attempts: number): ApiResponse<T> | ConnectionError {
    const requestId = response.headers.get('x-request-id') ?? undefined;
    if (response.status === 204 || !text.trim()) return { status: response.status, headers: response.headers, data: undefined as T, requestId };
    try {
      return { status: response.status, headers: response.headers, data: JSON.parse(text) as T, requestId };
    } catch {
      // A cut-off body or a proxy's HTML page behind a 200: no data, and worth a retry for safe methods.
      const kind = /^\s*</.test(text) ? 'an HTML page' : 'incomplete or malformed JSON';
      return new ConnectionError(spec.method, url, `Response body was ${kind}`, { attempts });
    }
  }

  #apiError(method: string, url: string, response: Response, text: string, attempts: number): PrimeroApiError {
    const { errors, bodyKind } = parseErrorBody(text, response.headers.get('content-type'));
    const init: ApiErrorInit = {
      status: response.status,
      method,
      url,
      errors,
      bodyKind,
      requestId: response.headers.get('x-request-id') ?? undefined,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
      attempts,
    };
    return createApiError(init);
  }

  #logResponse(method: string, url: string, attempt: number, response: Response, text: string, durationMs: number): void {
    const log = this.#config.log;
    const requestId = response.headers.get('x-request-id');
    let body: unknown;
    if (log.bodies && text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    log.emit(response.ok ? 'debug' : 'warn', `${method} ${url} -> ${response.status} in ${durationMs} ms`, {
      type: 'response',
      method,
      path: url,
      attempt,
      status: response.status,
      durationMs,
      ...(requestId ? { requestId } : {}),
      ...(body === undefined ? {} : { body }),
    });
  }

  #authContext(signal: AbortSignal | undefined): AuthContext {
    const config = this.#config;
    const strategy = config.auth?.type ?? 'none';
    return {
      call: (request) => this.#authCall(request, signal),
      fail: (request, result) =>
        createApiError({
          status: result.status,
          method: request.method,
          url: `/api/v2${request.path}`,
          ...parseErrorBody(result.text, result.headers.get('content-type')),
          requestId: result.headers.get('x-request-id') ?? undefined,
          retryAfterMs: parseRetryAfter(result.headers.get('retry-after')),
        }),
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
  async #authCall(request: AuthCall, signal: AbortSignal | undefined): Promise<AuthCallResult> {
    const url = `/api/v2${request.path}`;
    const timeout = AbortSignal.timeout(this.#config.timeoutMs);
    const started = performance.now();
    this.#config.log.emit('debug', `${request.method} ${url}`, { type: 'request', method: request.method, path: url, attempt: 1 });
    try {
      const response = await this.#ky(request.path.slice(1), {
        method: request.method,
        headers: { Accept: 'application/json', ...this.#config.headers, ...request.headers },
        ...(request.json === undefined ? {} : { json: request.json }),
        signal: anySignal(signal, timeout) as AbortSignal,
        redirect: 'manual',
      });
      const text = await response.text();
      // Login bodies are never logged, whatever logBodies says: the request carries the password.
      const durationMs = Math.round(performance.now() - started);
      this.#config.log.emit(response.ok ? 'debug' : 'warn', `${request.method} ${url} -> ${response.status} in ${durationMs} ms`, {
        type: 'response',
        method: request.method,
        path: url,
        attempt: 1,
        status: response.status,
        durationMs,
      });
      return { status: response.status, ok: response.ok, headers: response.headers, text };
    } catch (error) {
      if (signal?.aborted) throw toAbortError(signal);
      if (timeout.aborted) throw new TimeoutError(request.method, url, this.#config.timeoutMs, 'attempt');
      throw connectionError(request.method, url, error, 1);
    }
  }
}

function isAuthRejection(error: PrimeroApiError): boolean {
  return error.status === 401 || (error instanceof ForbiddenError && error.isCsrf);
}

/**
 * A network failure, described by its cause's name and code only: undici's errors can carry the request,
 * and with it the credentials.
 */
function connectionError(method: string, url: string, error: unknown, attempts: number): ConnectionError {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const original = error instanceof Error ? error : undefined;
  const summary = new Error(`${original?.name ?? 'Error'}: ${original?.message ?? String(error)}${code ? ` (${code})` : ''}`);
  return new ConnectionError(method, url, code ? `Connection failed: ${code}` : 'Connection failed', { cause: summary, attempts });
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
