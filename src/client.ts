/**
 * `PrimeroClient`: options, validation of those options, and the two generic entry points every resource
 * is built on (`request` and `paginate`).
 *
 * @module
 */
import type { z } from 'zod';
import { autoAuth } from './auth/auto.js';
import { bearerAuth, type BearerAuthOptions } from './auth/bearer.js';
import type { PasswordCredentials } from './auth/credentials.js';
import type { AuthStrategy } from './auth/strategy.js';
import { ConfigurationError } from './core/errors.js';
import { isWholeInRange, MAX_TIMER_MS } from './core/limits.js';
import { Limiter } from './core/limiter.js';
import { LogSink, type Logger, type LogLevel } from './core/logger.js';
import type { PagedIterable, PaginationOptions } from './core/pagination.js';
import { checkPath } from './core/path.js';
import type { QueryParams } from './core/query.js';
import { DEFAULT_RETRY_POLICY, type RetryTuning } from './core/retry.js';
import { Transport, type ApiResponse, type FetchLike, type HttpMethod, type RequestOptions } from './core/transport.js';
import { Requester, type SortOrder } from './core/requester.js';
import type { ValidationMode } from './core/validate.js';
import { single } from './models/common.js';
import { PrimeroInfo } from './models/primero.js';
import {
  isRecordSchemas,
  type CaseInputOf,
  type CaseOf,
  type IncidentInputOf,
  type IncidentOf,
  type RecordSchemas,
  type RecordTypes,
} from './models/record-types.js';
import { CasesResource } from './resources/cases.js';
import { IncidentsResource } from './resources/incidents.js';
import { LookupsResource } from './resources/lookups.js';
import { FormsResource, LocationsResource, UsersResource } from './resources/reference.js';
import { ReferralsResource } from './resources/referrals.js';
import { ServicesResource } from './resources/services.js';
import { TokensResource } from './resources/tokens.js';

/**
 * How the client authenticates: a strategy from {@link basicAuth}, {@link sessionAuth}, {@link tokenAuth},
 * {@link bearerAuth} or {@link autoAuth}; or, as shorthands, `{ username, password }` for {@link autoAuth}
 * and `{ getToken }` for {@link bearerAuth}.
 */
export type AuthOption = AuthStrategy | PasswordCredentials | BearerAuthOptions;

/** Options of {@link PrimeroClient}. Only `baseUrl` is required; `T` is the deployment's record types, if given. */
export interface ClientOptions<T extends RecordTypes = RecordTypes> {
  /** The Primero server, e.g. `https://primero.example.org`. `/api/v2` is appended. */
  baseUrl: string;
  /** Credentials or an auth strategy. Without it, only public endpoints work. */
  auth?: AuthOption | undefined;
  /** Limit for one attempt, in milliseconds. Default 30000 (Primero's list queries can be slow). */
  timeoutMs?: number | undefined;
  /** Deadline for a whole call, retries included, in milliseconds. Default none. */
  totalTimeoutMs?: number | undefined;
  /** Retries after a failed attempt, where retrying is safe (see the README). Default 2. */
  maxRetries?: number | undefined;
  /** Backoff tuning. */
  retry?: RetryTuning | undefined;
  /** Most requests in flight at once for this client and the clients derived from it. Default 4. */
  maxConcurrency?: number | undefined;
  /** Where to log. Default: nowhere. */
  logger?: Logger | undefined;
  /** Least severity logged. Default `info`; `debug` adds a line per request and response. */
  logLevel?: LogLevel | undefined;
  /**
   * Adds request and response bodies to the log events. Off by default: bodies hold children's records.
   * The SDK's own logins are never logged with their body.
   */
  logBodies?: boolean | undefined;
  /** The fetch to use. Default: `globalThis.fetch`, looked up at each request. */
  fetch?: FetchLike | undefined;
  /** How responses are checked against the SDK's schemas. Default `loose`. */
  validate?: ValidationMode | undefined;
  /** Headers added to every request (e.g. a gateway key). Never logged. */
  headers?: Record<string, string> | undefined;
  /**
   * Allows a plain `http://` baseUrl on a host other than this machine. Off by default: credentials and
   * children's records must not cross a network unencrypted.
   */
  allowInsecureHttp?: boolean | undefined;
  /**
   * The deployment's record types, as `primero types` generates them (`primeroTypes`): cases and incidents
   * are then typed by the deployment's forms, responses checked against them under `validate`, and writes
   * checked before they are sent. Same as {@link PrimeroClient.withTypes}.
   */
  types?: RecordSchemas<T> | undefined;
}

/** Options of {@link PrimeroClient.request}. */
export interface RequestCallOptions<T = unknown> extends RequestOptions {
  /**
   * A zod schema for the response body, applied under the client's `validate` mode; the result is typed
   * by it.
   */
  schema?: z.ZodType<T> | undefined;
  /** Query parameters. Arrays become comma lists, Dates ISO strings; `undefined` values are left out. */
  query?: QueryParams | undefined;
  /** The JSON body, sent as given: Primero's writes expect `{ data: { ... } }`. */
  body?: unknown;
  /**
   * Declares a POST or PATCH safe to repeat (e.g. it carries a client-generated id), so it is retried like
   * a GET. Only set it when a repeat cannot create a second effect.
   */
  idempotent?: boolean | undefined;
}

/** Options of {@link PrimeroClient.paginate}. */
export interface PaginateOptions<T = unknown> extends PaginationOptions {
  /** A zod schema for each item, applied under the client's `validate` mode. */
  schema?: z.ZodType<T> | undefined;
  /** Filters and other query parameters; `page` and `per` are set by the iterator. */
  query?: QueryParams | undefined;
  /**
   * Sort applied unless `query.order_by` is given. For record lists (`/cases`, `/incidents`...) the default
   * is `created_at` ascending, so records created during a scan are appended rather than shifting pages;
   * other lists keep the endpoint's own order. `false` sends none.
   */
  sort?: SortOrder | false | undefined;
  /**
   * How repeats within one scan are recognised (an offset list can shift a record into the next page):
   * by default by `id`; give a key function for items whose `id` is not unique (tasks carry their case's
   * id), or `false` to keep every item.
   */
  dedupe?: ((item: T) => unknown) | false | undefined;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;
const derivedLimiters = new WeakMap<ClientOptions, Limiter>();

/**
 * The Primero v2 API client.
 *
 * Credentials live in the auth strategy's closures: no property, error, log line, `JSON.stringify` or
 * `util.inspect` of the client shows them.
 *
 * @example
 * ```ts
 * import { PrimeroClient } from 'primero-sdk';
 *
 * const client = new PrimeroClient({
 *   baseUrl: 'https://primero.example.org',
 *   auth: { username: process.env.PRIMERO_USERNAME!, password: process.env.PRIMERO_PASSWORD! },
 * });
 * for await (const record of client.paginate('/cases', { query: { status: 'open' } })) console.log(record);
 * ```
 */
export class PrimeroClient<T extends RecordTypes = {}> {
  readonly #options: ClientOptions<T>;
  readonly #auth: AuthStrategy | undefined;
  readonly #limiter: Limiter;
  readonly #requester: Requester;
  /** Cases: list, get, create, update, upsert, disable, sync. */
  readonly cases: CasesResource<CaseOf<T>, CaseInputOf<T>>;
  /** Referrals of cases: create, accept, reject, complete, revoke, recipients. */
  readonly referrals: ReferralsResource;
  /** Services of cases (the `services_section` subform): add, update, remove, refer, markImplemented. */
  readonly services: ServicesResource;
  /** Incidents: list, get, create, update, disable. */
  readonly incidents: IncidentsResource<IncidentOf<T>, IncidentInputOf<T>>;
  /** Logins: create, refresh, delete. */
  readonly tokens: TokensResource;
  /** Lookups (option lists) and their labels. */
  readonly lookups: LookupsResource;
  /** Form sections and their fields. */
  readonly forms: FormsResource;
  /** Locations. */
  readonly locations: LocationsResource;
  /** Users. */
  readonly users: UsersResource;
  /** The server's origin and path as configured, without `/api/v2`. */
  readonly baseUrl: string;
  /** How responses are checked (`strict`, `loose` or `off`). */
  readonly validate: ValidationMode;

  /**
   * @throws {@link ConfigurationError} when an option is unusable (a malformed or non-TLS URL, a negative
   *   timeout, empty credentials...). Nothing is sent by the constructor.
   */
  constructor(options: ClientOptions<T>) {
    if (typeof options !== 'object' || options === null) throw new ConfigurationError('PrimeroClient needs an options object with baseUrl');
    if (options.types !== undefined && !isRecordSchemas(options.types)) {
      throw new ConfigurationError('types must be the primeroTypes object that `primero types` generates ({ case: { record, input } } of zod objects)');
    }
    const base = parseBaseUrl(options.baseUrl, options.allowInsecureHttp === true);
    this.#options = options;
    this.#auth = toStrategy(options.auth);
    this.#limiter = derivedLimiters.get(options) ?? new Limiter(positiveInt(options.maxConcurrency, 4, 'maxConcurrency'));
    const log = new LogSink(options.logger, checkLevel(options.logLevel), options.logBodies === true);
    this.baseUrl = base;
    this.validate = checkMode(options.validate);
    const transport = new Transport({
      apiUrl: `${base}/api/v2`,
      auth: this.#auth,
      timeoutMs: positiveInt(options.timeoutMs, 30_000, 'timeoutMs'),
      totalTimeoutMs: options.totalTimeoutMs === undefined ? undefined : positiveInt(options.totalTimeoutMs, 0, 'totalTimeoutMs'),
      maxRetries: nonNegativeInt(options.maxRetries, 2, 'maxRetries'),
      retry: {
        baseDelayMs: nonNegativeInt(options.retry?.baseDelayMs, DEFAULT_RETRY_POLICY.baseDelayMs, 'retry.baseDelayMs'),
        maxDelayMs: nonNegativeInt(options.retry?.maxDelayMs, DEFAULT_RETRY_POLICY.maxDelayMs, 'retry.maxDelayMs'),
        maxRetryAfterMs: nonNegativeInt(options.retry?.maxRetryAfterMs, DEFAULT_RETRY_POLICY.maxRetryAfterMs, 'retry.maxRetryAfterMs'),
      },
      limiter: this.#limiter,
      log,
      fetch: options.fetch,
      headers: Object.freeze({ ...options.headers }),
    });
    const api = (this.#requester = new Requester(transport, this.validate, log));
    this.cases = new CasesResource<CaseOf<T>, CaseInputOf<T>>(api, options.types);
    this.referrals = new ReferralsResource(api);
    this.services = new ServicesResource(api, this.referrals);
    this.incidents = new IncidentsResource<IncidentOf<T>, IncidentInputOf<T>>(api, options.types);
    this.tokens = new TokensResource(api);
    this.lookups = new LookupsResource(api);
    this.forms = new FormsResource(api);
    this.locations = new LocationsResource(api);
    this.users = new UsersResource(api);
  }

  /**
   * `GET /api/v2/primero`: what the server tells anyone about itself (locales, agencies...). Needs no
   * credentials and sends none.
   * @throws {@link ConnectionError} and the other transport errors.
   * @example
   * ```ts
   * const { locales } = await client.primero();
   * ```
   */
  async primero(options: RequestOptions = {}): Promise<PrimeroInfo> {
    const response = await this.#requester.call({ ...options, method: 'GET', path: '/primero', authenticate: false }, single(PrimeroInfo));
    return response.data.data;
  }

  /**
   * A client with some options changed that shares this one's auth session and concurrency limit (unless
   * `auth` or `maxConcurrency` is overridden).
   *
   * @throws {@link ConfigurationError} for a `baseUrl` on another server without its own `auth`.
   *
   * @example
   * ```ts
   * const patient = client.withOptions({ timeoutMs: 120_000, maxRetries: 5 });
   * ```
   */
  withOptions(overrides: Partial<Omit<ClientOptions, 'types'>>): PrimeroClient<T> {
    return this.#derive<T>(overrides);
  }

  /**
   * A client typed by a deployment's own forms, sharing this one's auth session and concurrency limit. Give
   * it the `primeroTypes` that `primero types` generated: cases and incidents then have the deployment's
   * field types (select fields as unions of their option ids, subforms as typed entries), responses are
   * checked against them under the client's `validate` mode, and a create or update whose fields do not
   * match is refused with a {@link RequestValidationError} before anything is sent.
   *
   * `withTypes<PrimeroTypes>()` without the schemas changes only the static types: nothing is checked
   * against the deployment's forms at run time.
   *
   * @throws {@link ConfigurationError} when `schemas` is not such an object.
   * @example
   * ```ts
   * import { primeroTypes } from './primero-types.js'; // npx primero types --out src/primero-types.ts
   *
   * const typed = client.withTypes(primeroTypes);
   * const record = await typed.cases.get(id);
   * if (record.sex === 'female') console.log(record.services_section?.map((s) => s.service_type));
   * ```
   */
  withTypes<U extends RecordTypes>(schemas: RecordSchemas<U>): PrimeroClient<U>;
  withTypes<U extends RecordTypes>(): PrimeroClient<U>;
  withTypes<U extends RecordTypes>(schemas?: RecordSchemas<U>): PrimeroClient<U> {
    if (schemas === undefined) return this.#derive<U>({});
    if (!isRecordSchemas(schemas)) {
      throw new ConfigurationError('withTypes needs the primeroTypes object that `primero types` generates ({ case: { record, input } } of zod objects)');
    }
    return this.#derive<U>({ types: schemas });
  }

  #derive<U extends RecordTypes>(overrides: Partial<ClientOptions<U>>): PrimeroClient<U> {
    const explicitAuth = Object.prototype.hasOwnProperty.call(overrides, 'auth');
    if (!explicitAuth && overrides.baseUrl !== undefined && parseBaseUrl(overrides.baseUrl, true) !== this.baseUrl) {
      // The session, cookie or token of one server must never be sent to another.
      throw new ConfigurationError('withOptions: a different baseUrl needs its own auth (pass auth, or auth: undefined)');
    }
    const options = { ...this.#options, ...overrides, auth: explicitAuth ? overrides.auth : this.#auth } as ClientOptions<U>;
    if (overrides.maxConcurrency === undefined) derivedLimiters.set(options, this.#limiter);
    return new PrimeroClient<U>(options);
  }

  /**
   * Calls any endpoint under `/api/v2`: the typed escape hatch for routes without a resource. Auth,
   * retries, timeouts, errors and logging apply as for every SDK call.
   *
   * @param path Relative to `/api/v2`, e.g. `/cases/0a1b.../approvals`; build it with the `path` tag.
   * @returns The parsed JSON body (`undefined` for 204).
   * @throws {@link RequestValidationError} for a path with a query, dot segments or another host.
   * @throws {@link PrimeroApiError} (or a subclass) for a non-2xx answer; {@link ConnectionError},
   *   {@link TimeoutError}, {@link AbortError} when no answer came.
   * @example
   * ```ts
   * const { data } = await client.request<{ data: { id: string }[] }>('GET', path`/cases/${id}/transitions`);
   * ```
   */
  async request<T = unknown>(method: HttpMethod, path: string, options: RequestCallOptions<T> = {}): Promise<T> {
    return (await this.requestWithResponse<T>(method, path, options)).data;
  }

  /**
   * Like {@link PrimeroClient.request}, resolving to the status, headers and request id as well as the body.
   * @throws as {@link PrimeroClient.request}.
   */
  async requestWithResponse<T = unknown>(method: HttpMethod, path: string, options: RequestCallOptions<T> = {}): Promise<ApiResponse<T>> {
    const { schema, ...call } = options;
    return this.#requester.call<T>({ ...call, method, path: checkPath(path) }, schema);
  }

  /**
   * Iterates a paginated list endpoint. Nothing is fetched until the result is iterated.
   *
   * @throws (when iterated) {@link ResponseValidationError} if a page is not `{ data: [], metadata: {...} }`,
   *   and every error of {@link PrimeroClient.request}.
   * @example
   * ```ts
   * const open = client.paginate<{ id: string }>('/cases', { query: { status: 'open' }, per: 500, prefetch: 2 });
   * console.log((await open.firstPage()).metadata.total);
   * ```
   */
  paginate<T = unknown>(path: string, options: PaginateOptions<T> = {}, requestOptions: RequestOptions = {}): PagedIterable<T> {
    return this.#requester.list<T>({ ...options, path: checkPath(path) }, requestOptions);
  }

  /** A plain view for logs: the server and the auth strategy's type, never a credential. */
  toJSON(): Record<string, unknown> {
    return { baseUrl: this.baseUrl, auth: this.#auth ? this.#auth.type : 'none', validate: this.validate };
  }

  /** @internal */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `PrimeroClient ${JSON.stringify(this.toJSON())}`;
  }
}

function toStrategy(auth: AuthOption | undefined): AuthStrategy | undefined {
  if (auth === undefined) return undefined;
  if (typeof auth !== 'object' || auth === null) throw new ConfigurationError('auth must be an auth strategy, { username, password } or { getToken }');
  if ('authorize' in auth && typeof auth.authorize === 'function') return auth;
  if ('getToken' in auth) return bearerAuth(auth);
  return autoAuth(auth as PasswordCredentials);
}

function parseBaseUrl(value: unknown, allowInsecureHttp: boolean): string {
  if (typeof value !== 'string' || !value.trim()) throw new ConfigurationError('baseUrl is required, e.g. https://primero.example.org');
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new ConfigurationError('baseUrl is not a valid URL');
  }
  if (url.username || url.password) throw new ConfigurationError('baseUrl must not contain credentials: pass them as auth');
  if (url.search || url.hash) throw new ConfigurationError('baseUrl must not contain a query or fragment');
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigurationError('baseUrl must be an http(s) URL');
  if (url.protocol === 'http:' && !allowInsecureHttp && !LOOPBACK.test(url.hostname)) {
    throw new ConfigurationError('baseUrl uses plain http on a remote host; use https, or set allowInsecureHttp: true for a trusted network');
  }
  const path = url.pathname.replace(/\/+$/, '').replace(/\/api\/v2$/, '');
  return `${url.origin}${path}`;
}

function positiveInt(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!isWholeInRange(value, 1)) throw new ConfigurationError(`${name} must be a positive integer up to ${MAX_TIMER_MS}`);
  return value;
}

function nonNegativeInt(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!isWholeInRange(value, 0)) throw new ConfigurationError(`${name} must be a non-negative integer up to ${MAX_TIMER_MS}`);
  return value;
}

function checkLevel(level: LogLevel | undefined): LogLevel {
  if (level === undefined) return 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new ConfigurationError('logLevel must be debug, info, warn or error');
  return level;
}

function checkMode(mode: ValidationMode | undefined): ValidationMode {
  if (mode === undefined) return 'loose';
  if (!['strict', 'loose', 'off'].includes(mode)) throw new ConfigurationError('validate must be strict, loose or off');
  return mode;
}
