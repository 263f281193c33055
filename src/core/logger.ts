/**
 * Structured, secret-free logging. The SDK describes each request, response, retry and credential
 * refresh as an event; it never includes a header, a cookie, a query value or a body unless the user asks
 * for bodies with `logBodies: true`.
 *
 * @module
 */

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
  debug?(message: string, event: LogEvent): void;
  info?(message: string, event: LogEvent): void;
  warn?(message: string, event: LogEvent): void;
  error?(message: string, event: LogEvent): void;
}

/** An attempt is about to be sent. */
export interface RequestLogEvent {
  type: 'request';
  method: string;
  /** Path and query, query values redacted. */
  path: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** The request body, only with `logBodies: true`. */
  body?: unknown;
}

/** An attempt was answered. */
export interface ResponseLogEvent {
  type: 'response';
  method: string;
  path: string;
  attempt: number;
  status: number;
  durationMs: number;
  requestId?: string;
  /** The response body, only with `logBodies: true`. */
  body?: unknown;
}

/** An attempt failed and will be tried again. */
export interface RetryLogEvent {
  type: 'retry';
  method: string;
  path: string;
  /** The attempt that failed. */
  attempt: number;
  /** The status, or the error class when there was no answer. */
  reason: string;
  delayMs: number;
}

/** The auth strategy logged in, refreshed a credential, renewed a CSRF token, or changed mode. */
export interface AuthLogEvent {
  type: 'auth';
  /** The strategy at work: `basic`, `session`, `token`, `bearer` or `auto`. */
  strategy: string;
  action: 'login' | 'refresh' | 'csrf' | 'switch' | 'invalidate';
  /** Why, e.g. `expired`, `proactive`, `401`, or the mode switched to. */
  detail?: string;
}

/** A response differed from the expected shape (paths only, never values). */
export interface ValidationLogEvent {
  type: 'validation';
  method: string;
  path: string;
  issues: readonly { path: readonly (string | number)[]; code: string }[];
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

  emit(level: LogLevel, message: string, event: LogEvent): void {
    if (!this.logger || RANK[level] < RANK[this.level]) return;
    try {
      this.logger[level]?.(message, event);
    } catch {
      // A logger's own failure is not the request's failure.
    }
  }
}
