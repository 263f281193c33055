/**
 * An OpenFn adaptor for Primero built on primero-sdk: what an adaptor author writes to expose the SDK as
 * OpenFn operations. Each operation takes its arguments as values or as `(state) => value` functions
 * (resolved when it runs, nested ones included, as OpenFn adaptors do) and returns `(state) => Promise<state>`.
 * {@link execute} creates the SDK client from `state.configuration`, runs the operations in order, and each
 * result lands on `state.data`, the previous `state.data` being pushed onto `state.references`.
 *
 * What it does differently from `@openfn/language-primero` (peers.md 1.9):
 *
 * - `getCases` reads every page (the old one read one page of 20);
 * - `upsertCase` matches on identifier fields only, with non-empty values, and fails on several matches
 *   instead of updating the first;
 * - `updateReferral` accepts, rejects, completes or revokes through the SDK, which throws when Primero
 *   silently keeps the old status, and a case that cannot be found is an error, never a silent no-op;
 * - `withReferrals` errors fail the operation instead of yielding `undefined`;
 * - auth is whatever the server accepts (Basic on Primero 2.11+, where the old login sends `Bearer undefined`);
 * - no secret lands on state (no `state.auth`), in an error or in a log line; `configuration` is removed
 *   from the state `execute` returns, and the runtime removes it too.
 *
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  PrimeroClient,
  basicAuth,
  isPrimeroError,
  type CaseInput,
  type CaseRecord,
  type Filters,
  type Logger,
  type ReferralInput,
  type ServiceInput,
  type TransitionStatus,
} from 'primero-sdk';

/** OpenFn state: `configuration` (credentials), `data` (the last result), `references` (earlier results). */
export interface State {
  configuration?: unknown;
  data?: unknown;
  references?: unknown[];
  [key: string]: unknown;
}

/** An OpenFn operation. */
export type Operation = (state: State) => State | Promise<State>;

/** A value, or a function of the state giving it when the operation runs. */
export type Arg<T> = T | ((state: State) => T);

/**
 * `state.configuration` (the OpenFn credential). Keys as the existing adaptor's schema spells them (`url`,
 * `user`, `password`, `basicAuth`), plus `username` and an identity-provider `token`.
 */
export interface Configuration {
  /** The Primero server, e.g. `https://primero.example.org` (`/api/v2` is appended). */
  url: string;
  username?: string;
  /** The existing adaptor's name for `username`. */
  user?: string;
  password?: string;
  /** A bearer token of the deployment's identity provider, instead of a password. */
  token?: string;
  /** `true`: HTTP Basic on every request, never a login. Otherwise the SDK picks what the server accepts. */
  basicAuth?: boolean;
  /** Limit for one HTTP attempt, in milliseconds. */
  timeoutMs?: number;
}

/** A case: its record id (UUID), or `{ case_id }`, looked up first (an error if no case has it). */
export type CaseRef = string | { case_id: string };

/** Options of {@link getCases}. */
export interface GetCasesOptions {
  /** The fields to return (`id`, `enabled`, `last_updated_at` always come), or `short`. */
  fields?: readonly string[] | 'short';
  /** Page size, at most 1000. Default 100. */
  per?: number;
  /** Text search over the identifier fields. */
  query?: string;
  order_by?: string;
  order?: 'asc' | 'desc';
  /** Fails beyond this many cases, rather than filling the state (OpenFn caps its size). */
  max?: number;
  /** Adds each case's referrals as `referrals`: one request per case, within the client's concurrency limit. */
  withReferrals?: boolean;
}

/** A referral decision: a status, or a status with what it needs. */
export type Decision =
  | 'accepted'
  | 'done'
  | 'revoked'
  | { status: 'accepted' }
  | { status: 'rejected'; rejected_reason: string }
  | { status: 'done'; note?: string }
  | { status: 'revoked' };

/** A case referred to by `case_id` that no case carries. */
export class CaseNotFoundError extends Error {
  override readonly name = 'CaseNotFoundError';
  constructor() {
    // Without the case_id: logs of integration jobs are read by more people than case files are.
    super('No case has this case_id');
  }
}

/** The adaptor was used wrongly (an operation outside execute, a configuration without credentials...). */
export class AdaptorUsageError extends Error {
  override readonly name = 'AdaptorUsageError';
}

/**
 * A failed operation: `getCases: AuthenticationError: 401 ...`. The OpenFn runtime reports an error by its
 * message only, so the operation and the error's class go into it. The SDK's messages name statuses, routes
 * and field names, never a value; the original error is the `cause`.
 */
export class OperationError extends Error {
  override readonly name = 'OperationError';
  constructor(operation: string, error: Error) {
    super(`${operation}: ${error.name}: ${error.message}`, { cause: error });
  }
}

const context = new AsyncLocalStorage<{ client: PrimeroClient }>();

/**
 * Runs operations with a Primero client made from `state.configuration`: the entry point the OpenFn runtime
 * calls with the job's operations (compiled jobs re-export it). The client lives for this run only, in an
 * async context, so two runs in one process never share credentials.
 *
 * @example
 * ```js
 * execute(getCases({ status: 'open' }), fn((state) => ({ ...state, count: state.data.length })))(state);
 * ```
 */
export function execute(...operations: Operation[]): (state: State) => Promise<State> {
  return async (initial) => {
    let client: PrimeroClient;
    try {
      client = createClient(initial.configuration);
    } catch (error) {
      throw error instanceof Error ? new OperationError('execute', error) : error;
    }
    const start: State = { ...initial, references: initial.references ?? [], data: initial.data ?? null };
    const final = await context.run({ client }, async () => {
      let state = start;
      for (const operation of operations) state = await operation(state);
      return state;
    });
    const { configuration: _credentials, ...rest } = final;
    return rest;
  };
}

/** A function of the state, as an operation (OpenFn's `fn`). */
export function fn(callback: (state: State) => State | Promise<State>): Operation {
  return (state) => callback(state);
}

/**
 * Runs `operation` only when `condition` (a value, or a function of the state) is true, and passes the state
 * on unchanged otherwise (OpenFn's `fnIf`): how a job skips a write that was already made, so that a
 * re-triggered run does not make it twice.
 *
 * @example
 * ```js
 * fnIf((state) => !state.referralId, createReferral((state) => state.caseId, { remote: true, transitioned_to_agency: 'agency-unhcr' }))
 * ```
 */
export function fnIf(condition: Arg<boolean>, operation: Operation): Operation {
  return (state) => (expand(condition, state) === true ? operation(state) : state);
}

/**
 * Runs `operation` once per item of `items`, in order, each time with the item as `state.data` and its
 * position as `state.index` (OpenFn's `each`, with a function or an array instead of a JSONPath).
 */
export function each(items: Arg<readonly unknown[]>, operation: Operation): Operation {
  return async (state) => {
    const list = expand(items, state);
    if (!Array.isArray(list)) throw new AdaptorUsageError('each() needs an array');
    let current = state;
    for (const [index, data] of list.entries()) current = await operation({ ...current, data, index });
    return current;
  };
}

/**
 * Every case matching the filters, **all pages** (`GET /api/v2/cases`). `state.data` is the array of cases;
 * `state.metadata` is `{ total, pages, per }`.
 *
 * @example
 * ```js
 * getCases({ status: 'open', age: '0..17' }, { fields: ['sex', 'age', 'risk_level'], per: 500 })
 * ```
 */
export function getCases(filters: Arg<Filters> = {}, options: Arg<GetCasesOptions> = {}): Operation {
  return operation('getCases', async (state) => {
    const client = current();
    const { fields, per, query, order_by, order, max, withReferrals } = expand(options, state);
    const list = client.cases.list({ filters: expand(filters, state), fields, per, query, order_by, order });
    const cases: Array<CaseRecord & { referrals?: unknown[] }> = [];
    let pages = 0;
    let total = 0;
    let pageSize = 0;
    for await (const page of list.byPage()) {
      pages++;
      ({ total, per: pageSize } = page.metadata);
      cases.push(...page.data);
      if (max !== undefined && cases.length > max) throw new AdaptorUsageError(`more than ${max} cases (${total} match): narrow the filters or raise max`);
    }
    if (withReferrals) {
      // Every request goes through the client, which keeps at most maxConcurrency in flight. A failure fails
      // the operation: a case silently without its referrals would look like a case without referrals.
      await Promise.all(cases.map(async (record) => (record.referrals = await client.referrals.list(record.id))));
    }
    log(`getCases: ${cases.length} cases in ${pages} page${pages === 1 ? '' : 's'}`);
    return next(state, cases, { metadata: { total, pages, per: pageSize } });
  });
}

/** One case (`GET /api/v2/cases/:id`). `state.data` is the case. */
export function getCase(ref: Arg<CaseRef>, options: Arg<{ fields?: readonly string[] }> = {}): Operation {
  return operation('getCase', async (state) => {
    const client = current();
    const { fields } = expand(options, state);
    const id = await recordId(client, expand(ref, state));
    return next(state, await client.cases.get(id, fields ? { fields } : {}));
  });
}

/**
 * Creates or updates the case whose `externalIdField` (one or more identifier fields, e.g.
 * `unhcr_individual_no` or `oscar_number`) has the value `data` gives it. `state.data` is
 * `{ action: 'created' | 'updated', record }`. Several matching cases fail the operation
 * (`AmbiguousMatchError`, with their ids); so does an empty value (which would match every case).
 *
 * @example
 * ```js
 * upsertCase('oscar_number', (state) => ({ module_id: 'primeromodule-cp', oscar_number: state.data.global_id, risk_level: 'high' }))
 * ```
 */
export function upsertCase(externalIdField: Arg<string | readonly string[]>, data: Arg<CaseInput>, options: Arg<{ dryRun?: boolean }> = {}): Operation {
  return operation('upsertCase', async (state) => {
    const client = current();
    const record = expand(data, state) as Record<string, unknown>;
    const match: Record<string, string> = {};
    for (const field of [expand(externalIdField, state)].flat()) {
      const value = record[field];
      // Numbers are accepted as identifiers; anything else (missing, empty) is refused by the SDK.
      match[field] = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '';
    }
    const { action, record: result } = await client.cases.upsert({ match, data: record as CaseInput, dryRun: expand(options, state).dryRun ?? false });
    log(`upsertCase: ${action} case ${result.id}`);
    return next(state, { action, record: result });
  });
}

/** The referrals of a case (`GET /api/v2/cases/:id/referrals`), optionally of some statuses. `state.data` is the array. */
export function getReferrals(ref: Arg<CaseRef>, options: Arg<{ status?: TransitionStatus | readonly TransitionStatus[] }> = {}): Operation {
  return operation('getReferrals', async (state) => {
    const client = current();
    const { status } = expand(options, state);
    const referrals = await client.referrals.list(await recordId(client, expand(ref, state)), status === undefined ? {} : { status });
    log(`getReferrals: ${referrals.length} referral${referrals.length === 1 ? '' : 's'}`);
    return next(state, referrals);
  });
}

/**
 * Refers a case (`POST /api/v2/cases/:id/referrals`): to a Primero user (`transitioned_to`), or to an agency
 * outside Primero (`remote: true`, `transitioned_to_agency`). `state.data` is the referral. Never retried by
 * the SDK: a lost answer could otherwise refer twice.
 */
export function createReferral(ref: Arg<CaseRef>, body: Arg<ReferralInput>): Operation {
  return operation('createReferral', async (state) => {
    const client = current();
    const referral = await client.referrals.create(await recordId(client, expand(ref, state)), expand(body, state));
    log(`createReferral: referral ${referral.id} ${referral.status}`);
    return next(state, referral);
  });
}

/**
 * Records a decision on a referral: `'accepted'`, `{ status: 'rejected', rejected_reason }`, `'done'` (or
 * `{ status: 'done', note }`), `'revoked'`. Primero answers an illegal change (accepting a rejected referral)
 * with 200 and the unchanged referral; the SDK then throws `IllegalTransitionError`, so the job fails instead
 * of reporting a decision that was not made. `state.data` is the updated referral.
 *
 * @example
 * ```js
 * updateReferral((state) => state.caseId, (state) => state.data.referral_id, { status: 'rejected', rejected_reason: 'Outside our area' })
 * ```
 */
export function updateReferral(ref: Arg<CaseRef>, referralId: Arg<string>, decision: Arg<Decision>): Operation {
  return operation('updateReferral', async (state) => {
    const client = current();
    const id = await recordId(client, expand(ref, state));
    const referral = expand(referralId, state);
    const wanted = expand(decision, state);
    const { status, ...rest } = typeof wanted === 'string' ? { status: wanted } : wanted;
    let updated;
    switch (status) {
      case 'accepted':
        updated = await client.referrals.accept(id, referral);
        break;
      case 'rejected':
        updated = await client.referrals.reject(id, referral, { rejected_reason: (rest as { rejected_reason?: string }).rejected_reason ?? '' });
        break;
      case 'done': {
        const note = (rest as { note?: string }).note;
        updated = await client.referrals.complete(id, referral, note === undefined ? {} : { note });
        break;
      }
      case 'revoked':
        updated = await client.referrals.revoke(id, referral);
        break;
      default:
        throw new AdaptorUsageError('the decision must be accepted, rejected (with rejected_reason), done or revoked');
    }
    log(`updateReferral: referral ${updated.id} ${updated.status}`);
    return next(state, updated);
  });
}

/** The services of a case (its `services_section`). `state.data` is the array. */
export function getServices(ref: Arg<CaseRef>): Operation {
  return operation('getServices', async (state) => {
    const client = current();
    return next(state, await client.services.list(await recordId(client, expand(ref, state))));
  });
}

/** Adds a service to a case, with a `unique_id` the SDK assigns (so a retry cannot add it twice). `state.data` is the service. */
export function addService(ref: Arg<CaseRef>, service: Arg<ServiceInput>): Operation {
  return operation('addService', async (state) => {
    const client = current();
    return next(state, await client.services.add(await recordId(client, expand(ref, state)), expand(service, state)));
  });
}

/** Changes fields of one service, merged by its `unique_id` (the case's other services are kept). `state.data` is the service. */
export function updateService(ref: Arg<CaseRef>, uniqueId: Arg<string>, patch: Arg<Partial<ServiceInput>>): Operation {
  return operation('updateService', async (state) => {
    const client = current();
    const id = await recordId(client, expand(ref, state));
    return next(state, await client.services.update(id, expand(uniqueId, state), expand(patch, state)));
  });
}

// ---------------------------------------------------------------------------------------------------------

/**
 * Resolves an argument the OpenFn way: a function is called with the state, arrays and plain objects are
 * resolved entry by entry. Plain objects and arrays are copied into this module's realm: a job's values
 * are made in the runtime's sandbox, whose `Object.prototype` is another one.
 */
export function expand<T>(value: Arg<T>, state: State): T {
  if (typeof value === 'function') return (value as (state: State) => T)(state);
  if (Array.isArray(value)) return value.map((item: unknown) => expand(item, state)) as T;
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, expand(item, state)])) as T;
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as object | null;
  // Any realm's Object.prototype has a null prototype; a Date's or a Map's does not.
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}

/**
 * An operation whose SDK and adaptor errors are reported as {@link OperationError}. Other errors (a
 * TypeError in a job's own function) are left as they are, for the runtime to report as the job's.
 */
function operation(name: string, body: (state: State) => Promise<State>): Operation {
  return async (state) => {
    try {
      return await body(state);
    } catch (error) {
      if (isPrimeroError(error) || error instanceof CaseNotFoundError || error instanceof AdaptorUsageError) throw new OperationError(name, error);
      throw error;
    }
  };
}

/** OpenFn's state composition: the result on `data`, the previous `data` appended to `references`. */
function next(state: State, data: unknown, extra: Record<string, unknown> = {}): State {
  return { ...state, ...extra, data, references: [...(state.references ?? []), state.data] };
}

function current(): PrimeroClient {
  const run = context.getStore();
  if (!run) throw new AdaptorUsageError('Primero operations run inside execute(): a compiled job re-exports it from the adaptor');
  return run.client;
}

async function recordId(client: PrimeroClient, ref: CaseRef): Promise<string> {
  if (typeof ref === 'string') return ref;
  if (ref && typeof ref === 'object' && typeof ref.case_id === 'string') {
    const found = await client.cases.findByCaseId(ref.case_id);
    if (!found) throw new CaseNotFoundError();
    return found.id;
  }
  throw new AdaptorUsageError('A case is given by its record id, or as { case_id }');
}

/** One line per operation: counts and record ids, never a field of a record. */
function log(line: string): void {
  console.log(`[primero] ${line}`);
}

/** The SDK's own events (retries, auth changes, error statuses): built without secrets or record values. */
const sdkLogger: Logger = {
  info: (message) => console.log(`[primero] ${message}`),
  warn: (message) => console.warn(`[primero] ${message}`),
  error: (message) => console.error(`[primero] ${message}`),
};

/** The client for one run. Reads the credential's keys, and never copies them anywhere else. */
function createClient(configuration: unknown): PrimeroClient {
  const config = (configuration ?? {}) as Partial<Configuration>;
  if (typeof config.url !== 'string' || !config.url) throw new AdaptorUsageError('configuration.url is required');
  const username = config.username ?? config.user;
  const { password, token } = config;
  const common = { baseUrl: config.url, logger: sdkLogger, ...(config.timeoutMs === undefined ? {} : { timeoutMs: config.timeoutMs }) };
  if (typeof token === 'string' && token) return new PrimeroClient({ ...common, auth: { getToken: () => token } });
  if (typeof username !== 'string' || !username || typeof password !== 'string' || !password) {
    throw new AdaptorUsageError('configuration needs username (or user) and password, or token');
  }
  return new PrimeroClient({ ...common, auth: config.basicAuth === true ? basicAuth({ username, password }) : { username, password } });
}
