/**
 * The SDK's error hierarchy. Every error the SDK throws is a {@link PrimeroError}.
 *
 * Two rules shape this file:
 * - Errors are recognisable across bundles and dual ESM/CJS copies ({@link isPrimeroError}, stable `name`),
 *   because `instanceof` fails when an app ends up with two copies of the SDK.
 * - Errors carry no secret and no record data. The message and the serialised form hold the status, the
 *   method, the path without query values, field names, and server messages only when they are known
 *   fixed texts or i18n keys. Whatever the server said verbatim stays on the non-enumerable
 *   {@link PrimeroApiError.errors}, which `JSON.stringify` and `util.inspect` do not show, because a Rails
 *   exception message (or a proxy's page) can quote a child's name or case id.
 *
 * @module
 */
// Type-only: the class lives beside the cursor stores, which import this module.
import type { CursorStoreError } from '../sync/cursor-store.js';

const BRAND = Symbol.for('primero-sdk.error');
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** One entry of Primero's error envelope `{"errors": [...]}` (primero-api.md section 3.1). */
export interface ServerErrorEntry {
  /** HTTP status as the server wrote it. Current servers say `status`; the official docs' `code` is accepted too. */
  status?: number;
  /** The request path the server saw. */
  resource?: string;
  /** For "Invalid Record JSON": JSON pointers such as `"/age"`. For a model validation: the attribute name. */
  detail?: string | string[];
  /** A message, an i18n key, or (for model validations) a list of them. */
  message?: string | string[];
}

/** What an error response's body turned out to be. */
export type ErrorBodyKind = 'json' | 'html' | 'text' | 'empty';

/** Names of every error class, for {@link isPrimeroError}'s second argument. */
export type PrimeroErrorName =
  | 'PrimeroError'
  | 'PrimeroApiError'
  | 'AuthenticationError'
  | 'ForbiddenError'
  | 'NotFoundError'
  | 'ConflictError'
  | 'ValidationError'
  | 'InvalidRecordError'
  | 'RateLimitError'
  | 'ServerError'
  | 'ConnectionError'
  | 'TimeoutError'
  | 'AbortError'
  | 'ResponseValidationError'
  | 'RequestValidationError'
  | 'ConfigurationError'
  | 'CollectLimitError'
  | 'IllegalTransitionError'
  | 'AmbiguousMatchError'
  | 'WebhookPayloadError'
  | 'CursorStoreError';

/**
 * Base class of every error the SDK throws.
 *
 * @example
 * ```ts
 * try { await client.request('GET', '/cases') }
 * catch (e) { if (isPrimeroError(e, 'NotFoundError')) { ... } }
 * ```
 */
export class PrimeroError extends Error {
  /** Names of this error's class and all its ancestors, most general first; backs {@link isPrimeroError}. */
  declare readonly kinds: readonly PrimeroErrorName[];

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    Object.defineProperty(this, BRAND, { value: true });
    // `name` and `kinds` come from the most derived class, so they are set where the prototype chain is known.
    const kinds: PrimeroErrorName[] = [];
    for (let proto = Object.getPrototypeOf(this); proto && proto !== Error.prototype; proto = Object.getPrototypeOf(proto)) {
      const name = Object.prototype.hasOwnProperty.call(proto.constructor, 'errorName')
        ? (proto.constructor as { errorName: PrimeroErrorName }).errorName
        : undefined;
      if (name) kinds.unshift(name);
    }
    Object.defineProperty(this, 'kinds', { value: Object.freeze(kinds) });
    Object.defineProperty(this, 'name', { value: kinds[kinds.length - 1] ?? 'PrimeroError', enumerable: false, configurable: true });
  }

  /** @internal */
  static readonly errorName: PrimeroErrorName = 'PrimeroError';

  /** A plain, secret-free view for logs and `JSON.stringify`. */
  toJSON(): Record<string, unknown> {
    const view: Record<string, unknown> = { name: this.name, message: this.message };
    for (const [key, value] of Object.entries(this)) if (value !== undefined) view[key] = value;
    return view;
  }

  /** @internal Node's `util.inspect`: the same view as {@link PrimeroError.toJSON}, plus the stack. */
  [INSPECT](): string {
    const { name: _name, message: _message, ...fields } = this.toJSON();
    const extra = Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : '';
    return `${this.stack ?? `${this.name}: ${this.message}`}${extra}`;
  }
}

/**
 * True when `error` was thrown by this SDK (any copy of it), optionally of the named class or a subclass.
 *
 * @example
 * ```ts
 * if (isPrimeroError(e, 'InvalidRecordError')) console.error(e.pointers);
 * ```
 */
export function isPrimeroError(error: unknown): error is PrimeroError;
export function isPrimeroError<N extends PrimeroErrorName>(error: unknown, name: N): error is ErrorByName[N];
export function isPrimeroError(error: unknown, name?: PrimeroErrorName): boolean {
  if (typeof error !== 'object' || error === null || (error as Record<symbol, unknown>)[BRAND] !== true) return false;
  if (name === undefined) return true;
  const kinds = (error as { kinds?: unknown }).kinds;
  return Array.isArray(kinds) && kinds.includes(name);
}

/** Details of the HTTP exchange that produced a {@link PrimeroApiError}. */
export interface ApiErrorInit {
  /** HTTP status. */
  status: number;
  /** HTTP method of the request. */
  method: string;
  /** Path and query with query values redacted. */
  url: string;
  /** The parsed error envelope. */
  errors: ServerErrorEntry[];
  /** What the body was. */
  bodyKind: ErrorBodyKind;
  /** The server's `X-Request-Id`. */
  requestId?: string | undefined;
  /** `Retry-After`, in milliseconds. */
  retryAfterMs?: number | undefined;
  /** Attempts made, retries included. Default 1. */
  attempts?: number | undefined;
}

/**
 * The server answered with a non-2xx status. Subclasses exist for the statuses integrations handle.
 *
 * `errors` is the server's error envelope as sent. It is kept off the serialised form of the error (see the
 * module notes): read it explicitly when you need the server's own words.
 */
export class PrimeroApiError extends PrimeroError {
  /** @internal */
  static override readonly errorName: PrimeroErrorName = 'PrimeroApiError';
  /** HTTP status. */
  readonly status: number;
  /** HTTP method of the request. */
  readonly method: string;
  /** Request path and query, with every query value that could identify a person replaced by `…`. */
  readonly url: string;
  /** What the error body was: JSON (parsed into `errors`), an HTML page (a proxy's), plain text, or nothing. */
  readonly bodyKind: ErrorBodyKind;
  /** The `X-Request-Id` the server sent, to quote to its administrators. */
  readonly requestId: string | undefined;
  /** How long the server asked to wait (`Retry-After`), in milliseconds. */
  readonly retryAfterMs: number | undefined;
  /** How many attempts were made, retries included. */
  readonly attempts: number;
  /** The server's error entries, verbatim. Not enumerable: never serialised or logged by the SDK. */
  declare readonly errors: readonly ServerErrorEntry[];

  constructor(init: ApiErrorInit, summary?: string) {
    super(`${init.status} ${summary ?? statusText(init.status)} (${init.method} ${init.url})`);
    this.status = init.status;
    this.method = init.method;
    this.url = init.url;
    this.bodyKind = init.bodyKind;
    this.requestId = init.requestId;
    this.retryAfterMs = init.retryAfterMs;
    this.attempts = init.attempts ?? 1;
    Object.defineProperty(this, 'errors', { value: Object.freeze([...init.errors]), enumerable: false });
  }
}

/**
 * 401: the credentials were refused, after the SDK's one refresh-and-replay. Devise's body `{"error": "..."}`
 * becomes the message when it is one of Devise's known texts, such as "Invalid User name or password.".
 */
export class AuthenticationError extends PrimeroApiError {
  /** @internal */
  static override readonly errorName: PrimeroErrorName = 'AuthenticationError';
  constructor(init: ApiErrorInit) {
    super(init, firstMessage(init.errors) ?? 'Unauthorized');
  }
}

/** 403: the user's role does not allow this, or (`isCsrf`) a cookie session's CSRF token was refused. */
export class ForbiddenError extends PrimeroApiError {
  /** @internal */
  static override readonly errorName: PrimeroErrorName = 'ForbiddenError';
  /** True when the server refused the CSRF token of a cookie session rather than the user's permissions. */
  readonly isCsrf: boolean;
  constructor(init: ApiErrorInit) {
    super(init, firstMessage(init.errors) ?? 'Forbidden');
    this.isCsrf = init.errors.some((e) => toList(e.message).some((m) => /csrf|authenticity token/i.test(m)));
  }
}

/** 404: no such record, or the route does not exist on this server. */
export class NotFoundError extends PrimeroApiError {
  /** @internal */
  static override readonly errorName: PrimeroErrorName = 'NotFoundError';
  constructor(init: ApiErrorInit) {
    super(init, 'Not Found');
  }
}

/** 409: a record with this id already exists (a create with a client-generated `id` that was already used). */
export class ConflictError extends PrimeroApiError {
  /** @internal */
  static override readonly errorName: PrimeroErrorName = 'ConflictError';
  constructor(init: ApiErrorInit) {
    super(init, firstMessage(init.errors) ?? 'Conflict');
  }
}

/**
 * 422: the server rejected the request body. For a model validation, `field` names the attribute and
 * `messages` holds the server's keys (e.g. `transition.errors.to_user_can_receive`).
 */
export class ValidationError extends PrimeroApiError {
  /** @internal */
  static override readonly errorName: PrimeroErrorName = 'ValidationError';
  /** The attribute the server named (`detail` of a model validation error), if any. */
  readonly field: string | undefined;
  /**
   * Every message of every error entry, flattened, as the server sent them. Not enumerable, like
   * `errors`: not serialised or logged.
   */
  declare readonly messages: readonly string[];
  constructor(init: ApiErrorInit, summary?: string) {
    const messages = init.errors.flatMap((e) => toList(e.message));
    const field = init.errors.map((e) => e.detail).find((d): d is string => typeof d === 'string' && ATTRIBUTE.test(d));
    const shown = messages.filter(isKnownMessage);
    super(init, summary ?? ([field, shown.join(', ')].filter(Boolean).join(': ') || 'Unprocessable Entity'));
    this.field = field;
    Object.defineProperty(this, 'messages', { value: Object.freeze(messages), enumerable: false });
  }
}

/**
 * 422 "Invalid Record JSON": a field of the record has the wrong type or an unknown option.
 * `pointers` are JSON pointers into the sent record, such as `["/age", "/services_section/0/service_type"]`.
 */
export class InvalidRecordError extends ValidationError {
  /** @internal */
  static override readonly errorName: PrimeroErrorName = 'InvalidRecordError';
  /** JSON pointers of the offending fields (primero-api.md section 3.3). */
  readonly pointers: readonly string[];
  constructor(init: ApiErrorInit) {
    const pointers = init.errors.flatMap((e) => (Array.isArray(e.detail) ? e.detail : []));
    super(init, `Invalid Record JSON${pointers.length ? `: ${pointers.join(', ')}` : ''}`);
    this.pointers = Object.freeze(pointers);
  }
}

/** 429: too many requests (Primero throttles `POST /api/v2/tokens` to 6 a minute per user). */
export class RateLimitError extends PrimeroApiError {
  /** @internal */
  static override readonly errorName: PrimeroErrorName = 'RateLimitError';
  constructor(init: ApiErrorInit) {
    super(init, 'Too Many Requests');
  }
}

/**
 * 5xx: the server failed. A 503 with `Retry-After` is Primero's configuration-update lock. The server's own
 * 500 message is in `errors` only: a raw exception message may quote record values.
 */
export class ServerError extends PrimeroApiError {
  /** @internal */
  static override readonly errorName: PrimeroErrorName = 'ServerError';
  /** True for the 503 that Primero sends while an administrator applies a configuration update. */
  readonly isConfigurationLock: boolean;
  constructor(init: ApiErrorInit) {
    super(init, init.retryAfterMs !== undefined ? `${statusText(init.status)}, retry after ${Math.ceil(init.retryAfterMs / 1000)} s` : undefined);
    // Primero's own 503 (an errors[] body saying "Service Unavailable"), not a proxy's: only the lock is known
    // to refuse before anything happens, which is what makes retrying a write safe (primero-api.md 1.5, 3.2).
    this.isConfigurationLock =
      init.status === 503 &&
      init.retryAfterMs !== undefined &&
      init.bodyKind === 'json' &&
      // An entry with its own status is ErrorService's; a gateway's `{"error": "Service Unavailable"}` has none.
      init.errors.some((e) => e.status === 503 && toList(e.message).includes('Service Unavailable'));
  }
}

/** The request never got an answer: DNS, refused or reset connection, or a body cut off mid-way. */
export class ConnectionError extends PrimeroError {
  /** @internal */
  static override readonly errorName: PrimeroErrorName = 'ConnectionError';
  /** HTTP method of the request. */
  readonly method: string;
  /** Request path and query, query values redacted. */
  readonly url: string;
  /** How many attempts were made, retries included. */
  readonly attempts: number;
  constructor(method: string, url: string, reason: string, options?: { cause?: unknown; attempts?: number }) {
    super(`${reason} (${method} ${url})`, options);
    this.method = method;
    this.url = url;
    this.attempts = options?.attempts ?? 1;
  }
}

/** An attempt took longer than `timeoutMs`, or the whole call longer than `totalTimeoutMs`. */
export class TimeoutError extends PrimeroError {
  /** @internal */
  static override readonly errorName: PrimeroErrorName = 'TimeoutError';
  /** HTTP method of the request. */
  readonly method: string;
  /** Request path and query, query values redacted. */
  readonly url: string;
  /** The limit that was reached, in milliseconds. */
  readonly timeoutMs: number;
  /** Which limit: one attempt's, or the whole call's deadline. */
  readonly scope: 'attempt' | 'total';
  /** How many attempts were made, retries included. */
  readonly attempts: number;
  constructor(method: string, url: string, timeoutMs: number, scope: 'attempt' | 'total', attempts = 1) {
    super(`${scope === 'total' ? 'Deadline' : 'Timeout'} of ${timeoutMs} ms reached (${method} ${url})`);
    this.method = method;
    this.url = url;
    this.timeoutMs = timeoutMs;
    this.scope = scope;
    this.attempts = attempts;
  }
}

/** The caller's `AbortSignal` fired. */
export class AbortError extends PrimeroError {
  /** @internal */
  static override readonly errorName: PrimeroErrorName = 'AbortError';
  constructor(message = 'The request was aborted', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** One problem found in a response body: where, and what kind. Never the value itself. */
export interface ValidationIssue {
  /** Path into the body, e.g. `["data", 3, "age"]`. */
  path: readonly (string | number)[];
  /** zod's issue code, e.g. `invalid_type`. */
  code: string;
  /** What was expected, e.g. `number`, when zod says so. */
  expected?: string;
}

/** A 2xx body did not have the shape the SDK expects (`validate: 'strict'`). Lists paths, never values. */
export class ResponseValidationError extends PrimeroError {
  /** @internal */
  static override readonly errorName: PrimeroErrorName = 'ResponseValidationError';
  /** HTTP method of the request. */
  readonly method: string;
  /** Request path and query, query values redacted. */
  readonly url: string;
  /** Where the body differed from the schema. */
  readonly issues: readonly ValidationIssue[];
  constructor(method: string, url: string, issues: readonly ValidationIssue[]) {
    super(`Unexpected response shape at ${describeIssues(issues)} (${method} ${url})`);
    this.method = method;
    this.url = url;
    this.issues = issues;
  }
}

/** Bad input caught before anything was sent. `issues` say where; the values are not repeated. */
export class RequestValidationError extends PrimeroError {
  /** @internal */
  static override readonly errorName: PrimeroErrorName = 'RequestValidationError';
  /** Where the input was wrong. */
  readonly issues: readonly ValidationIssue[];
  constructor(message: string, issues: readonly ValidationIssue[] = []) {
    super(issues.length ? `${message}: ${describeIssues(issues)}` : message);
    this.issues = issues;
  }
}

/** The client's options are unusable, or the server does not support the configured auth strategy. */
export class ConfigurationError extends PrimeroError {
  /** @internal */
  static override readonly errorName: PrimeroErrorName = 'ConfigurationError';
}

/** `collect({ max })` would have returned more than `max` items. */
export class CollectLimitError extends PrimeroError {
  /** @internal */
  static override readonly errorName: PrimeroErrorName = 'CollectLimitError';
  /** The limit that was passed. */
  readonly max: number;
  /** The server's count, when known. */
  readonly total: number | undefined;
  constructor(max: number, total: number | undefined) {
    super(`More than ${max} items${total === undefined ? '' : ` (the server reports ${total})`}: raise max or iterate instead of collecting`);
    this.max = max;
    this.total = total;
  }
}

/**
 * A referral status change the server refused. Primero answers an illegal change (accepting a rejected
 * referral, completing one not yet accepted) with 200 and the unchanged referral (primero-api.md 5.5); the
 * SDK compares and throws this instead of reporting success.
 */
export class IllegalTransitionError extends PrimeroError {
  /** @internal */
  static override readonly errorName: PrimeroErrorName = 'IllegalTransitionError';
  /** The referral's id. */
  readonly referralId: string;
  /** The status that was asked for. */
  readonly requested: string;
  /** The status the referral still has. */
  readonly current: string;
  constructor(referralId: string, requested: string, current: string) {
    super(`Referral ${referralId} cannot go from "${current}" to "${requested}"`);
    this.referralId = referralId;
    this.requested = requested;
    this.current = current;
  }
}

/** An upsert's match key found more than one case, so the SDK would not guess which to update. */
export class AmbiguousMatchError extends PrimeroError {
  /** @internal */
  static override readonly errorName: PrimeroErrorName = 'AmbiguousMatchError';
  /** The match keys (field names only; their values identify a child and are not repeated here). */
  readonly keys: readonly string[];
  /** How many records matched. */
  readonly count: number;
  /** The ids (UUIDs) of the matching records. */
  readonly ids: readonly string[];
  constructor(keys: readonly string[], ids: readonly string[]) {
    super(`${ids.length} records match on ${keys.join(', ')}; pass onMultiple: 'first' to update the oldest`);
    this.keys = keys;
    this.count = ids.length;
    this.ids = ids;
  }
}

/**
 * A data-forwarding delivery (primero-api.md 7.3) whose body is not JSON or not `{"data": {record_id,
 * record_type, hostname, last_updated_at, ...}}`. `issues` say where; the body's values are never repeated.
 */
export class WebhookPayloadError extends PrimeroError {
  /** @internal */
  static override readonly errorName: PrimeroErrorName = 'WebhookPayloadError';
  /** Where the body differed from a delivery (`code: 'invalid_json'` at the root when it is not JSON). */
  readonly issues: readonly ValidationIssue[];
  constructor(issues: readonly ValidationIssue[]) {
    super(`Invalid webhook delivery: ${describeIssues(issues)}`);
    this.issues = issues;
  }
}

/** Maps each {@link PrimeroErrorName} to its class, for {@link isPrimeroError}. */
export interface ErrorByName {
  /** {@link PrimeroError} */
  PrimeroError: PrimeroError;
  /** {@link PrimeroApiError} */
  PrimeroApiError: PrimeroApiError;
  /** {@link AuthenticationError} */
  AuthenticationError: AuthenticationError;
  /** {@link ForbiddenError} */
  ForbiddenError: ForbiddenError;
  /** {@link NotFoundError} */
  NotFoundError: NotFoundError;
  /** {@link ConflictError} */
  ConflictError: ConflictError;
  /** {@link ValidationError} */
  ValidationError: ValidationError;
  /** {@link InvalidRecordError} */
  InvalidRecordError: InvalidRecordError;
  /** {@link RateLimitError} */
  RateLimitError: RateLimitError;
  /** {@link ServerError} */
  ServerError: ServerError;
  /** {@link ConnectionError} */
  ConnectionError: ConnectionError;
  /** {@link TimeoutError} */
  TimeoutError: TimeoutError;
  /** {@link AbortError} */
  AbortError: AbortError;
  /** {@link ResponseValidationError} */
  ResponseValidationError: ResponseValidationError;
  /** {@link RequestValidationError} */
  RequestValidationError: RequestValidationError;
  /** {@link ConfigurationError} */
  ConfigurationError: ConfigurationError;
  /** {@link CollectLimitError} */
  CollectLimitError: CollectLimitError;
  /** {@link IllegalTransitionError} */
  IllegalTransitionError: IllegalTransitionError;
  /** {@link AmbiguousMatchError} */
  AmbiguousMatchError: AmbiguousMatchError;
  /** {@link WebhookPayloadError} */
  WebhookPayloadError: WebhookPayloadError;
  /** {@link CursorStoreError} */
  CursorStoreError: CursorStoreError;
}

/** Picks the error class for a non-2xx response. */
export function createApiError(init: ApiErrorInit): PrimeroApiError {
  switch (init.status) {
    case 401:
      return new AuthenticationError(init);
    case 403:
      return new ForbiddenError(init);
    case 404:
      return new NotFoundError(init);
    case 409:
      return new ConflictError(init);
    case 422:
      return init.errors.some((e) => Array.isArray(e.detail) || toList(e.message).includes('Invalid Record JSON'))
        ? new InvalidRecordError(init)
        : new ValidationError(init);
    case 429:
      return new RateLimitError(init);
    default:
      return init.status >= 500 ? new ServerError(init) : new PrimeroApiError(init);
  }
}

/**
 * Reads an error body without ever throwing: Primero's `{"errors": [...]}`, Devise's `{"error": "..."}`,
 * the docs' stale `code` key, a proxy's HTML page, Rack::Attack's plain text, or a truncated body.
 */
export function parseErrorBody(text: string, contentType: string | null): { errors: ServerErrorEntry[]; bodyKind: ErrorBodyKind } {
  const trimmed = text.trim();
  if (!trimmed) return { errors: [], bodyKind: 'empty' };
  if (/^<(!doctype|html|head|body)\b/i.test(trimmed) || contentType?.includes('text/html')) return { errors: [], bodyKind: 'html' };
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    return { errors: [], bodyKind: 'text' };
  }
  if (!isRecord(json)) return { errors: [], bodyKind: 'json' };
  if (Array.isArray(json.errors)) {
    return { errors: json.errors.filter(isRecord).map(toEntry), bodyKind: 'json' };
  }
  if (typeof json.error === 'string') return { errors: [{ message: json.error }], bodyKind: 'json' };
  return { errors: [], bodyKind: 'json' };
}

function toEntry(raw: Record<string, unknown>): ServerErrorEntry {
  const entry: ServerErrorEntry = {};
  const status = typeof raw.status === 'number' ? raw.status : typeof raw.code === 'number' ? raw.code : undefined;
  if (status !== undefined) entry.status = status;
  if (typeof raw.resource === 'string') entry.resource = raw.resource;
  const detail = stringOrList(raw.detail);
  if (detail !== undefined) entry.detail = detail;
  const message = stringOrList(raw.message);
  if (message !== undefined) entry.message = message;
  return entry;
}

function stringOrList(value: unknown): string | string[] | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return undefined;
}

function toList(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/**
 * The server's first message, if it is one the SDK may repeat: a fixed text of Primero or Devise, or an
 * i18n key. Anything else could be an exception message or a proxy's page quoting record data.
 */
function firstMessage(errors: readonly ServerErrorEntry[]): string | undefined {
  return errors.flatMap((e) => toList(e.message)).find(isKnownMessage);
}

// Texts from Primero's ErrorService, Devise (English) and the IdP strategy (primero-api.md 1.4 and 3.2).
const KNOWN_MESSAGES = new Set([
  'Forbidden',
  'Not Found',
  'Service Unavailable',
  'Invalid Record JSON',
  'Conflict: A record with this id already exists',
  "Can't verify CSRF token authenticity.",
  'You need to sign in or sign up before continuing.',
  'Your session expired. Please sign in again to continue.',
  'Your account is locked.',
  'Invalid JWT token',
  'Blacklisted JWT token',
  'Valid JWT does not correspond to user',
  'Valid JWT corresponds to disabled user',
]);
const DEVISE_INVALID = /^Invalid [A-Za-z ]{1,40} or password\.$/;
const I18N_KEY = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/;
const ATTRIBUTE = /^[A-Za-z][A-Za-z0-9_.]{0,80}$/;

function isKnownMessage(message: string): boolean {
  return KNOWN_MESSAGES.has(message) || DEVISE_INVALID.test(message) || I18N_KEY.test(message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeIssues(issues: readonly ValidationIssue[]): string {
  const shown = issues.slice(0, 5).map((i) => `${i.path.length ? `/${i.path.join('/')}` : '(root)'} (${i.code})`);
  return issues.length > 5 ? `${shown.join(', ')} and ${issues.length - 5} more` : shown.join(', ');
}

const STATUS_TEXT: Record<number, string> = {
  301: 'Redirect not followed: check baseUrl',
  302: 'Redirect not followed: check baseUrl',
  303: 'Redirect not followed: check baseUrl',
  307: 'Redirect not followed: check baseUrl',
  308: 'Redirect not followed: check baseUrl',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function statusText(status: number): string {
  return STATUS_TEXT[status] ?? (status >= 500 ? 'Server Error' : 'HTTP Error');
}
