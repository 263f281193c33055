/**
 * Structured, secret-free logging. The SDK describes each request, response, retry and credential
 * refresh as an event; it never includes a header, a cookie, a query value or a body unless the user asks
 * for bodies with `logBodies: true`.
 *
 * @module
 */
import type { ValidationIssue } from './errors.js';

/** Severity of a log line. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * Where the SDK writes. `console` fits as is; so do pino-style and winston-style loggers through a small
 * adapter. Missing methods are skipped.
 *
 * @example
 * ```ts
 * new PrimeroClient({ baseUrl, auth, logger: console, logLevel: 'debug' });
 * ```
 */
export interface Logger {
  /** Each request and response (only with `logLevel: 'debug'`). */
  debug?(message: string, event: LogEvent): void;
  /** Retries and credential events. */
  info?(message: string, event: LogEvent): void;
  /** Error responses and responses of an unexpected shape. */
  warn?(message: string, event: LogEvent): void;
  /** Reserved for failures of the SDK itself. */
  error?(message: string, event: LogEvent): void;
}

/** Fields of every event about one HTTP attempt. */
export interface HttpLogFields {
  /** HTTP method. */
  method: string;
  /** Path and query from `/api/v2`, with query values redacted except paging and sorting. */
  path: string;
  /** 1 for the first attempt. */
  attempt: number;
}

/** An attempt is about to be sent. */
export interface RequestLogEvent extends HttpLogFields {
  /** Event kind. */
  type: 'request';
  /** The request body, only with `logBodies: true`. */
  body?: unknown;
}

/** An attempt was answered. */
export interface ResponseLogEvent extends HttpLogFields {
  /** Event kind. */
  type: 'response';
  /** HTTP status. */
  status: number;
  /** From sending to the end of the body, in milliseconds. */
  durationMs: number;
  /** The server's `X-Request-Id`, when sent. */
  requestId?: string;
  /** The response body, only with `logBodies: true`. */
  body?: unknown;
}

/** An attempt failed and will be tried again; `attempt` is the one that failed. */
export interface RetryLogEvent extends HttpLogFields {
  /** Event kind. */
  type: 'retry';
  /** The status, or the error class when there was no answer. */
  reason: string;
  /** Wait before the next attempt, in milliseconds. */
  delayMs: number;
}

/** The auth strategy logged in, refreshed a credential, renewed a CSRF token, or changed mode. */
export interface AuthLogEvent {
  /** Event kind. */
  type: 'auth';
  /** The strategy at work: `basic`, `session`, `token`, `bearer` or `auto`. */
  strategy: string;
  /** What it did. */
  action: 'login' | 'refresh' | 'csrf' | 'switch';
  /** Why, e.g. `expired`, `proactive`, `401`, or the mode switched to. */
  detail?: string;
}

/** A response differed from the expected shape (paths only, never values). */
export interface ValidationLogEvent extends Omit<HttpLogFields, 'attempt'> {
  /** Event kind. */
  type: 'validation';
  /** Where the body differed, as paths and zod issue codes. */
  issues: readonly Pick<ValidationIssue, 'path' | 'code'>[];
}

/** Everything the SDK logs. */
export type LogEvent = RequestLogEvent | ResponseLogEvent | RetryLogEvent | AuthLogEvent | ValidationLogEvent;

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** @internal Sends events at or above a level to a user's logger; a throwing logger never breaks a request. */
export class LogSink {
  constructor(
    private readonly logger: Logger | undefined,
    private readonly level: LogLevel,
    readonly bodies: boolean,
  ) {}

  /** Whether an event at `level` would reach the logger: callers skip building the event when not. */
  enabled(level: LogLevel): boolean {
    return !!this.logger && RANK[level] >= RANK[this.level];
  }

  emit(level: LogLevel, message: string, event: LogEvent): void {
    if (!this.enabled(level)) return;
    try {
      this.logger?.[level]?.(message, event);
    } catch {
      // A logger's own failure is not the request's failure.
    }
  }
}
