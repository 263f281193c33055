/**
 * What cases and incidents share (primero-api.md sections 2 and 4): paginated lists with filters, get,
 * create with a client-generated id (so a retried POST cannot create a second record), PATCH merge,
 * disable and enable.
 *
 * @module
 */
import type { z } from 'zod';
import { ConflictError, RequestValidationError, ResponseValidationError } from '../core/errors.js';
import { filtersToQuery, type Filters } from '../core/filters.js';
import type { PagedIterable, PaginationOptions } from '../core/pagination.js';
import { path } from '../core/path.js';
import type { QueryParams } from '../core/query.js';
import type { Requester } from '../core/requester.js';
import type { RequestOptions } from '../core/transport.js';
import { checkInput } from '../core/validate.js';
import { DeletedRecord, single } from '../models/common.js';

/** Parameters of a record list. Wire names stay as Primero spells them. */
export interface RecordListParams extends PaginationOptions {
  /** Field filters, built with plain values, lists, {@link range}, {@link not} and {@link within}. */
  filters?: Filters | undefined;
  /** Text search over the identifier fields (`case_id_display`, `short_id`, ...). */
  query?: string | undefined;
  /** `short` for the summary fields, or the field names to return (`id`, `enabled`, `last_updated_at` always come). */
  fields?: 'short' | readonly string[] | undefined;
  /** Sort field. Default `created_at`, so records created during a scan are appended rather than shifting pages. */
  order_by?: string | undefined;
  /** Sort direction. Default `asc`. */
  order?: 'asc' | 'desc' | undefined;
}

/** Options of a record create. */
export interface CreateOptions extends RequestOptions {
  /**
   * Default true: the SDK gives the record a client-generated `id` (unless `data.id` is set), so the POST
   * can be retried after a lost answer without creating a second record; a 409 on a retry means the first
   * attempt succeeded. With your own `data.id`, such a 409 is reported as a ConflictError (the id may have
   * existed before). With false, the POST is sent once and never retried.
   */
  idempotent?: boolean | undefined;
}

/** Options of a record update. */
export interface UpdateOptions extends RequestOptions {
  /**
   * A record action (`close`, `reopen`, `enable_disable_record`...), sent as the top-level `record_action`
   * (primero-api.md 2.9).
   */
  recordAction?: string | undefined;
}

/** @internal */
export abstract class RecordResource<R extends { id: string }, I> {
  constructor(
    protected readonly api: Requester,
    protected readonly collection: string,
    protected readonly schema: z.ZodType<R>,
    protected readonly writeSchema: z.ZodType<unknown, I>,
    protected readonly noun: string,
  ) {}

  /** Builds the query of a list; subclasses add checks. */
  protected listQuery(params: RecordListParams): QueryParams {
    const fields = params.fields === undefined || params.fields === 'short' ? params.fields : params.fields.join(',');
    const query: QueryParams = { ...filtersToQuery(params.filters), query: params.query, fields };
    // Only keys that are set: the requester spreads this query over its default sort, so `order_by: undefined`
    // would erase the default `created_at asc` and the server would sort newest first. A sort field without a
    // direction gets the documented default `asc` (the server's own default is `desc`).
    if (params.order_by !== undefined) Object.assign(query, { order_by: params.order_by, order: params.order ?? 'asc' });
    else if (params.order !== undefined) query.order = params.order;
    return query;
  }

  protected listOf(params: RecordListParams, options: RequestOptions, before?: () => Promise<void>): PagedIterable<R> {
    const { per, prefetch, signal } = params;
    return this.api.list<R>({ path: this.collection, query: this.listQuery(params), schema: this.schema, before, per, prefetch, signal }, options);
  }

  protected async fetch(id: string, params: { fields?: 'short' | readonly string[] | undefined }, options: RequestOptions): Promise<R> {
    const fields = params.fields === undefined || params.fields === 'short' ? params.fields : params.fields.join(',');
    const response = await this.api.call({ ...options, method: 'GET', path: this.member(id), query: { fields } }, single(this.schema));
    return response.data.data;
  }

  protected async createRecord(data: I, options: CreateOptions): Promise<R> {
    const { idempotent = true, ...request } = options;
    const checked = checkInput(this.writeSchema, data, `${this.noun} data`) as Record<string, unknown>;
    if (typeof checked.module_id !== 'string') {
      // The server computes the writable fields from the module and silently drops every other field
      // (primero-api.md 2.7): a create without it would store an empty record.
      throw new RequestValidationError(`A new ${this.noun} needs a module_id (e.g. primeromodule-cp)`, [{ path: ['module_id'], code: 'required' }]);
    }
    const given = checked.id as string | undefined;
    const id = given ?? (idempotent ? globalThis.crypto.randomUUID() : undefined);
    const body = { data: id ? { ...checked, id } : checked };
    try {
      const response = await this.api.call({ ...request, method: 'POST', path: this.collection, body, idempotent });
      // With a client id the server answers 204 and no body (primero-api.md 4.3): read the record back.
      if (response.status === 204 || response.data === undefined) {
        if (!id) throw new ResponseValidationError('POST', `/api/v2${this.collection}`, [{ path: ['data'], code: 'missing_body' }]);
        return this.fetch(id, {}, request);
      }
      return this.api.check(single(this.schema), response.data, 'POST', this.collection).data;
    } catch (error) {
      // Our own earlier attempt created it and its answer was lost; the retry then meets the id. Only an id
      // the SDK made up is known to be ours: a given one may have existed before the first attempt.
      if (idempotent && !given && id && error instanceof ConflictError && error.attempts > 1) return this.fetch(id, {}, request);
      throw error;
    }
  }

  protected async updateRecord(id: string, patch: I, options: UpdateOptions): Promise<R> {
    const { recordAction, ...request } = options;
    const checked = checkInput(this.writeSchema, patch, `${this.noun} update`);
    const body = recordAction === undefined ? { data: checked } : { data: checked, record_action: recordAction };
    const response = await this.api.call(
      { ...request, method: 'PATCH', path: this.member(id), body, idempotent: isRepeatSafe(checked) },
      single(this.schema),
    );
    return response.data.data;
  }

  protected async disableRecord(id: string, options: RequestOptions): Promise<DeletedRecord> {
    return (await this.api.call({ ...options, method: 'DELETE', path: this.member(id) }, single(DeletedRecord))).data.data;
  }

  protected enableRecord(id: string, options: RequestOptions): Promise<R> {
    // The docs' `"status": true` is stale: the server enables through record_state (primero-api.md 4.5).
    return this.updateRecord(id, { record_state: true } as I, { ...options, recordAction: 'enable_disable_record' });
  }

  /** The path of one record; the id is one encoded segment. */
  protected member(id: string): string {
    return this.collection + path`/${id}`;
  }
}

/**
 * @internal
 * A PATCH is safe to repeat when it merges the same way twice: every subform entry, at every depth, names its
 * `unique_id` (an entry without one is appended again on each repeat, primero-api.md 4.4).
 */
export function isRepeatSafe(patch: unknown): boolean {
  if (typeof patch !== 'object' || patch === null) return true;
  return Object.values(patch).every((value) => {
    if (!Array.isArray(value)) return true;
    // At every depth: entries of a subform inside a subform get no id from the server (populate_subform_ids
    // walks the top level only), so a repeat would append them again.
    return value.every((entry) => typeof entry !== 'object' || entry === null || (typeof (entry as { unique_id?: unknown }).unique_id === 'string' && isRepeatSafe(entry)));
  });
}
