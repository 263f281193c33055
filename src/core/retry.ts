/**
 * When to try a request again, and after how long.
 *
 * Primero has no idempotency key, so a write is only retried where repeating it cannot create a second
 * effect: methods that are idempotent by definition, calls the SDK made safe (`idempotent: true`, e.g. a
 * create with a client-generated id), and answers that prove the server did nothing (the configuration
 * lock's 503 is raised before any controller code runs, primero-api.md section 1.5).
 *
 * @module
 */
import { ConnectionError, PrimeroApiError, ServerError, TimeoutError, type PrimeroError } from './errors.js';

/** Tuning of the retry schedule. Every field is optional. */
export interface RetryTuning {
  /** First backoff delay in milliseconds; doubles on each retry. Default 500. */
  baseDelayMs?: number;
  /** Largest backoff delay in milliseconds. Default 8000. */
  maxDelayMs?: number;
  /**
   * Longest `Retry-After` the SDK will wait, in milliseconds. A server asking for longer gets no retry: the
   * error is thrown at once with `retryAfterMs`, for the caller to schedule. Default 60000 (the
   * configuration lock asks for 60 s).
   */
  maxRetryAfterMs?: number;
}

/** @internal */
export interface RetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  maxRetryAfterMs: number;
}

/** @internal */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 60_000 };

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

/**
 * @internal
 * Whether `error` may be retried for a request of this method. `idempotent` is true when the caller or
 * the SDK made a non-idempotent method safe to repeat.
 */
export function isRetryable(error: PrimeroError, method: string, idempotent: boolean): boolean {
  if (error instanceof ServerError && error.isConfigurationLock) return true;
  const safe = idempotent || IDEMPOTENT_METHODS.has(method);
  if (!safe) return false;
  if (error instanceof ConnectionError || (error instanceof TimeoutError && error.scope === 'attempt')) return true;
  return error instanceof PrimeroApiError && RETRYABLE_STATUSES.has(error.status);
}

/**
 * @internal
 * The delay before retry number `retry` (1-based), or `undefined` when the server asked for a longer wait
 * than the policy allows. Exponential with jitter in [50%, 100%] of the step, so a burst of clients spreads
 * out without ever retrying immediately.
 */
export function retryDelay(retry: number, retryAfterMs: number | undefined, policy: RetryPolicy, random = Math.random): number | undefined {
  if (retryAfterMs !== undefined) return retryAfterMs > policy.maxRetryAfterMs ? undefined : retryAfterMs;
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(step / 2 + (random() * step) / 2);
}

/**
 * @internal
 * Parses `Retry-After`: delay-seconds or an HTTP date. Returns milliseconds, or `undefined` when absent or
 * unreadable.
 */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date) || !/[a-z]/i.test(trimmed)) return undefined;
  return Math.max(0, date - now);
}
