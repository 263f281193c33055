/**
 * Cases: `/api/v2/cases` and the case routes around it (primero-api.md section 4).
 *
 * @module
 */
import { z } from 'zod';
import { AmbiguousMatchError, RequestValidationError } from '../core/errors.js';
import type { PagedIterable } from '../core/pagination.js';
import { path } from '../core/path.js';
import type { Requester } from '../core/requester.js';
import type { RequestOptions } from '../core/transport.js';
import { checkInput } from '../core/validate.js';
import { CaseRecord, SyncResult, type CaseInput } from '../models/case.js';
import { resolveSchemas, type RecordCore, type RecordSchemas } from '../models/record-types.js';
import { many, single, type DeletedRecord } from '../models/common.js';
import { FormSection } from '../models/form.js';
import { changeFeed, type ChangeFeed, type ChangesParams } from '../sync/changes.js';
import { IncidentRecord } from '../models/incident.js';
import { RecordResource, type CreateOptions, type RecordListParams, type UpdateOptions } from './records.js';

/**
 * The case fields the server treats as identifiers (`Child.filterable_id_fields`, primero-api.md 2.5):
 * a filter on one of them is an exact identifier match, which is what an upsert needs.
 */
export const CASE_ID_FIELDS = Object.freeze([
  'unique_identifier', 'short_id', 'case_id_display', 'case_id', 'client_code', 'ration_card_no', 'icrc_ref_no',
  'rc_id_no', 'unhcr_id_no', 'unhcr_individual_no', 'un_no', 'other_agency_id', 'survivor_code_no', 'national_id_no',
  'other_id_no', 'biometrics_id', 'family_count_no', 'dss_id', 'camp_id', 'tent_number', 'nfi_distribution_id',
  'oscar_number', 'registry_no', 'family_number',
] as const);

// Filter names every user who can read cases may use besides form fields (primero-api.md 2.4).
const COMPUTED_FILTERS = [
  'cases_by_date', 'record_in_scope', 'associated_user_names', 'not_edited_by_owner', 'has_photo', 'survivor_code',
  'survivor_code_no', 'case_id_display', 'created_at', 'has_incidents', 'short_id', 'record_state', 'sex', 'age',
  'registration_date', 'date_closure', 'reassigned_transferred_on', 'current_alert_types', 'location_current',
  'reporting_location_hierarchy', 'followup_dates', 'reunification_dates', 'tracing_dates',
  'service_implemented_day_times', 'alert_count', 'assigned_user_names', 'created_by', 'created_by_agency', 'owned_by',
  'owned_by_agency_id', 'last_updated_at', 'last_updated_by', 'owned_by_groups', 'status', 'workflow', 'module_id', 'id',
];

/** Parameters of {@link CasesResource.list}. */
export interface CaseListParams extends RecordListParams {
  /**
   * Checks filter names against the server's filterable fields and the deployment's case forms (one
   * `GET /api/v2/forms`, cached) before the list is requested. The server silently ignores a filter name
   * it does not know, so a typo would return every case.
   */
  checkFilters?: boolean | undefined;
}

/** What {@link CasesResource.upsert} should do; `I` is the client's case input type. */
export interface UpsertParams<I = CaseInput> {
  /**
   * The identifier to match on, e.g. `{ oscar_number: 'OS-123' }`. Every key must be one of the case
   * identifier fields ({@link CASE_ID_FIELDS}) and every value non-empty.
   */
  match: Record<string, string>;
  /**
   * The fields to write. The match values are written too, so the next upsert finds the case. `module_id`
   * (which a create needs) is written on create only: an update never moves a case to another module.
   */
  data: I;
  /** When several cases match: `error` (default) throws {@link AmbiguousMatchError}; `first` updates the oldest. */
  onMultiple?: 'error' | 'first' | undefined;
  /** Reports what would happen without writing anything. */
  dryRun?: boolean | undefined;
  /** Allows match keys outside {@link CASE_ID_FIELDS} (a deployment's own identifier field). */
  allowAnyKey?: boolean | undefined;
}

/** The outcome of {@link CasesResource.upsert}; `R` is the client's case type. */
export interface UpsertResult<R = CaseRecord> {
  /** `created` or `updated` (what was done, or with `dryRun` what would be done). */
  action: 'created' | 'updated';
  /** The created case; the matched case with the changed fields applied; or with `dryRun`, the matched case or the data. */
  record: R;
  /** True when nothing was written. */
  dryRun: boolean;
}

/** Acknowledgement of a data-forwarding delivery (primero-api.md 7.4). */
export interface MarkSyncedParams {
  /** What the receiver did with the record. */
  status: 'synced' | 'failed' | 'not_found';
  /** The webhook URL the delivery came to. */
  url: string;
}

const MarkSynced = z.object({ status: z.enum(['synced', 'failed', 'not_found']), url: z.url() });
const UpsertMatch = z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'a field name'), z.string().trim().min(1));

/**
 * Cases. Reach it as `client.cases`. `R` and `I` are the record and input types: the built-in ones, or a
 * deployment's own from `primero types` (see {@link PrimeroClient.withTypes}).
 */
export class CasesResource<R extends RecordCore = CaseRecord, I = CaseInput> extends RecordResource<R, I> {
  #filterNames: Promise<Set<string>> | undefined;

  /** @internal */
  constructor(api: Requester, types?: RecordSchemas) {
    const { record, input } = resolveSchemas<R, I>('case', types);
    super(api, '/cases', record, input, 'case');
  }

  /**
   * `GET /api/v2/cases`: every case matching the filters, page by page as you iterate.
   *
   * @throws {@link RequestValidationError} for a filter value the server would misread, or (with
   *   `checkFilters`) an unknown filter name, before the list is requested.
   * @example
   * ```ts
   * for await (const c of client.cases.list({ filters: { status: 'open', age: range(0, 17) }, per: 500 })) console.log(c.id);
   * ```
   */
  list(params: CaseListParams = {}, options: RequestOptions = {}): PagedIterable<R> {
    const names = Object.keys(params.filters ?? {});
    return this.listOf(params, options, params.checkFilters && names.length ? () => this.#checkFilterNames(names, options) : undefined);
  }

  /**
   * Incremental pull: the cases changed since `since` (a cursor from an earlier run, or a time), oldest change
   * first, disabled ones included, each version once (`GET /api/v2/cases?last_updated_at=...&order_by=last_updated_at`,
   * primero-api.md 2.8). Persist `nextCursor()` after processing; a run killed halfway re-reads at most the overlap.
   *
   * @throws {@link RequestValidationError} for a bad cursor, overlap, page size or filter, before anything is sent.
   * @example
   * ```ts
   * const feed = client.cases.changes({ since: await store.load() });
   * for await (const c of feed) await forward(c);
   * await store.save(feed.nextCursor());
   * ```
   */
  changes(params: ChangesParams = {}, options: RequestOptions = {}): ChangeFeed<R> {
    return changeFeed({ api: this.api, path: this.collection, collection: 'cases', schema: this.schema }, params, options);
  }

  /**
   * `GET /api/v2/cases/:id`: one case by its record id (a UUID, not `case_id`).
   *
   * @throws {@link NotFoundError} when there is no such case; {@link ForbiddenError} when the user may not read it.
   * @example
   * ```ts
   * const record = await client.cases.get(id, { fields: ['id', 'status', 'services_section'] });
   * ```
   */
  get(id: string, params: { fields?: 'short' | readonly string[] } = {}, options: RequestOptions = {}): Promise<R> {
    return this.fetch(id, params, options);
  }

  /**
   * `GET /api/v2/cases?case_id=...`: the case with this `case_id`, or undefined. The result is checked to
   * really carry that `case_id`: the server ignores filters it does not recognise.
   *
   * @throws {@link AmbiguousMatchError} if several cases carry it (the server's unique index should prevent it).
   * @example
   * ```ts
   * const record = await client.cases.findByCaseId('CP-2024-0001');
   * ```
   */
  async findByCaseId(caseId: string, options: RequestOptions = {}): Promise<R | undefined> {
    const [found] = await this.#matching({ case_id: caseId }, 'error', options);
    return found;
  }

  /**
   * `POST /api/v2/cases`. By default the SDK gives the case a client-generated id, so a lost answer is
   * retried safely and the full record is read back (`GET /api/v2/cases/:id`).
   *
   * @throws {@link RequestValidationError} for core fields of the wrong type, before sending;
   *   {@link InvalidRecordError} for the server's "Invalid Record JSON" (its `pointers` name the fields);
   *   {@link ConflictError} when `data.id` is already used.
   * @example
   * ```ts
   * const record = await client.cases.create({ module_id: 'primeromodule-cp', name_first: 'Amina', age: 12 });
   * ```
   */
  create(data: I, options: CreateOptions = {}): Promise<R> {
    return this.createRecord(data, options);
  }

  /**
   * `PATCH /api/v2/cases/:id`: merges `patch` into the case. Fields not sent are kept; subform entries
   * merge by `unique_id`, entries without one are appended, `{ unique_id, _destroy: true }` removes one
   * (primero-api.md 4.4). Resolves to `id`, `enabled`, `last_updated_at` and **only the fields that changed**;
   * `get()` the case for the whole record. Retried only when every subform entry names its `unique_id`.
   *
   * @throws {@link RequestValidationError}, {@link InvalidRecordError}, {@link NotFoundError}.
   * @example
   * ```ts
   * await client.cases.update(id, { risk_level: 'high' });
   * ```
   */
  update(id: string, patch: I, options: UpdateOptions = {}): Promise<R> {
    return this.updateRecord(id, patch, options);
  }

  /**
   * Creates the case matching `match`, or updates it if it exists: the pattern of every integration that
   * keeps an external system's records in Primero. Unlike the existing adaptor's upsert (peers.md 1.9),
   * the key is checked (non-empty, an identifier field the server filters on), the matches are checked to
   * really carry the key, and several matches are an error unless `onMultiple: 'first'`.
   *
   * @throws {@link RequestValidationError} for an empty or unsupported match key; {@link AmbiguousMatchError}.
   * @example
   * ```ts
   * const { action, record } = await client.cases.upsert({ match: { oscar_number: 'OS-123' }, data: { name_first: 'Dara' } });
   * ```
   */
  async upsert(params: UpsertParams<I>, options: RequestOptions = {}): Promise<UpsertResult<R>> {
    const match = this.#checkMatch(params);
    const found = await this.#matching(match, params.onMultiple ?? 'error', options);
    const existing = found[0];
    const data = { ...params.data, ...match } as I;
    if (params.dryRun) return { action: existing ? 'updated' : 'created', record: existing ?? (data as unknown as R), dryRun: true };
    if (!existing) return { action: 'created', record: await this.create(data, options), dryRun: false };
    // module_id is what a create needs; on an existing case it would move the case to another module's forms.
    const { module_id: _module, ...patch } = params.data as Record<string, unknown>;
    const changed = await this.update(existing.id, patch as I, options);
    return { action: 'updated', record: { ...existing, ...changed }, dryRun: false };
  }

  /**
   * `DELETE /api/v2/cases/:id`: disables the case (Primero never deletes: `record_state` becomes false).
   * @throws {@link NotFoundError}, {@link ForbiddenError} without the `enable_disable_record` permission.
   * @example
   * ```ts
   * await client.cases.disable(id);
   * ```
   */
  disable(id: string, options: RequestOptions = {}): Promise<DeletedRecord> {
    return this.disableRecord(id, options);
  }

  /**
   * `PATCH /api/v2/cases/:id` with `record_action: enable_disable_record`: enables a disabled case.
   * @throws {@link NotFoundError}, {@link ForbiddenError}.
   * @example
   * ```ts
   * await client.cases.enable(id);
   * ```
   */
  enable(id: string, options: RequestOptions = {}): Promise<R> {
    return this.enableRecord(id, options);
  }

  /**
   * `GET /api/v2/cases/:id/incidents`: the incidents linked to a case (not paginated).
   * @throws {@link NotFoundError}.
   * @example
   * ```ts
   * const incidents = await client.cases.incidents(id);
   * ```
   */
  async incidents(id: string, params: { fields?: readonly string[] } = {}, options: RequestOptions = {}): Promise<IncidentRecord[]> {
    const query = { fields: params.fields?.join(',') };
    return (await this.api.call({ ...options, method: 'GET', path: path`/cases/${id}/incidents`, query }, many(IncidentRecord))).data.data;
  }

  /**
   * `POST /api/v2/cases/:id/sync`: asks Primero to send the case to the configured external systems now
   * (its data-forwarding webhooks, event `case.post`). Needs the `sync_external` permission.
   * @throws {@link ForbiddenError}, {@link NotFoundError}.
   * @example
   * ```ts
   * const { sync_status } = await client.cases.sync(id);
   * ```
   */
  async sync(id: string, options: RequestOptions = {}): Promise<SyncResult> {
    return (await this.api.call({ ...options, method: 'POST', path: path`/cases/${id}/sync` }, single(SyncResult))).data.data;
  }

  /**
   * `PATCH /api/v2/cases/:id` with `mark_synced`: tells Primero what the receiver of a data-forwarding
   * delivery did with it (primero-api.md 7.4). Beware: this is itself an update, which triggers another
   * `case.update` delivery.
   * @throws {@link RequestValidationError} for an unknown status or a missing url; {@link ForbiddenError}.
   * @example
   * ```ts
   * await client.cases.markSynced(id, { status: 'synced', url: 'https://partner.example/primero-hook' });
   * ```
   */
  async markSynced(id: string, params: MarkSyncedParams, options: RequestOptions = {}): Promise<R> {
    const { status, url } = checkInput(MarkSynced, params, 'markSynced parameters');
    const body = { data: { mark_synced: true, mark_synced_url: url, mark_synced_status: status } };
    // Acknowledging twice records the same status: safe to retry.
    return (await this.api.call({ ...options, method: 'PATCH', path: this.member(id), body, idempotent: true }, single(this.schema))).data.data;
  }

  #checkMatch(params: UpsertParams<I>): Record<string, string> {
    const match = UpsertMatch.safeParse(params?.match);
    if (!match.success || !Object.keys(match.data).length) {
      throw new RequestValidationError('upsert needs a match of one or more identifier fields with non-empty values', [{ path: ['match'], code: 'invalid_match' }]);
    }
    const unsupported = Object.keys(match.data).filter((key) => !(CASE_ID_FIELDS as readonly string[]).includes(key));
    if (unsupported.length && !params.allowAnyKey) {
      throw new RequestValidationError(
        `upsert can only match on case identifier fields (CASE_ID_FIELDS); ${unsupported.join(', ')} would be ignored by the server's filter`,
        unsupported.map((key) => ({ path: ['match', key], code: 'unsupported_key' })),
      );
    }
    return match.data;
  }

  /** The cases that really carry every value of `match`, oldest first. */
  async #matching(match: Record<string, string>, onMultiple: 'error' | 'first', options: RequestOptions): Promise<R[]> {
    const candidates = await this.list({ filters: match, per: 100 }, options).collect({ max: 10_000 });
    const found = candidates.filter((record) => Object.entries(match).every(([key, value]) => record[key] === value));
    if (found.length > 1 && onMultiple === 'error') throw new AmbiguousMatchError(Object.keys(match), found.map((r) => r.id));
    return found;
  }

  async #checkFilterNames(names: string[], options: RequestOptions): Promise<void> {
    this.#filterNames ??= this.api
      .call({ ...options, method: 'GET', path: '/forms', query: { record_type: 'case' } }, many(FormSection))
      .then(({ data }) => new Set([...COMPUTED_FILTERS, ...CASE_ID_FIELDS, ...data.data.flatMap((form) => form.fields.map((field) => field.name))]))
      .catch((error: unknown) => {
        this.#filterNames = undefined; // a failed look-up is not cached
        throw error;
      });
    const known = await this.#filterNames;
    const unknown = names.filter((name) => !known.has(name));
    if (unknown.length) {
      throw new RequestValidationError(
        `Unknown filter ${unknown.length > 1 ? 'names' : 'name'} ${unknown.join(', ')}: the server would ignore ${unknown.length > 1 ? 'them' : 'it'} and return every case`,
        unknown.map((name) => ({ path: ['filters', name], code: 'unknown_filter' })),
      );
    }
  }
}
