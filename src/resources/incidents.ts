/**
 * Incidents: `/api/v2/incidents`, with the same record conventions as cases (primero-api.md section 8).
 *
 * @module
 */
import type { PagedIterable } from '../core/pagination.js';
import type { Requester } from '../core/requester.js';
import type { RequestOptions } from '../core/transport.js';
import type { DeletedRecord } from '../models/common.js';
import type { IncidentInput, IncidentRecord } from '../models/incident.js';
import { resolveSchemas, type RecordCore, type RecordSchemas } from '../models/record-types.js';
import { changeFeed, type ChangeFeed, type ChangesParams } from '../sync/changes.js';
import { RecordResource, type CreateOptions, type RecordListParams, type UpdateOptions } from './records.js';

/**
 * Incidents. Reach it as `client.incidents`. `R` and `I` are the record and input types: the built-in ones,
 * or a deployment's own from `primero types` (see {@link PrimeroClient.withTypes}).
 */
export class IncidentsResource<R extends RecordCore = IncidentRecord, I = IncidentInput> extends RecordResource<R, I> {
  /** @internal */
  constructor(api: Requester, types?: RecordSchemas) {
    const { record, input } = resolveSchemas<R, I>('incident', types);
    super(api, '/incidents', record, input, 'incident');
  }

  /**
   * `GET /api/v2/incidents`: every incident matching the filters, page by page.
   * @throws {@link RequestValidationError} for a filter value the server would misread.
   * @example
   * ```ts
   * for await (const incident of client.incidents.list({ filters: { status: 'open' } })) console.log(incident.id);
   * ```
   */
  list(params: RecordListParams = {}, options: RequestOptions = {}): PagedIterable<R> {
    return this.listOf(params, options);
  }

  /**
   * Incremental pull: the incidents changed since `since`, oldest change first, disabled ones included, each
   * version once (see {@link CasesResource.changes} and {@link ChangeFeed}).
   * @throws {@link RequestValidationError} for a bad cursor, overlap, page size or filter, before anything is sent.
   * @example
   * ```ts
   * const feed = client.incidents.changes({ since: cursor });
   * for await (const incident of feed) await forward(incident);
   * cursor = feed.nextCursor();
   * ```
   */
  changes(params: ChangesParams = {}, options: RequestOptions = {}): ChangeFeed<R> {
    return changeFeed({ api: this.api, path: this.collection, collection: 'incidents', schema: this.schema }, params, options);
  }

  /**
   * `GET /api/v2/incidents/:id`.
   * @throws {@link NotFoundError}, {@link ForbiddenError}.
   * @example
   * ```ts
   * const incident = await client.incidents.get(id);
   * ```
   */
  get(id: string, params: { fields?: 'short' | readonly string[] } = {}, options: RequestOptions = {}): Promise<R> {
    return this.fetch(id, params, options);
  }

  /**
   * `POST /api/v2/incidents`, with a client-generated id by default (safe to retry; see {@link CreateOptions}).
   * @throws {@link RequestValidationError}, {@link InvalidRecordError}, {@link ConflictError}.
   * @example
   * ```ts
   * await client.incidents.create({ module_id: 'primeromodule-cp', incident_case_id: caseId, incident_date: '2024-05-01' });
   * ```
   */
  create(data: I, options: CreateOptions = {}): Promise<R> {
    return this.createRecord(data, options);
  }

  /**
   * `PATCH /api/v2/incidents/:id`: merges `patch`; resolves to the changed fields only.
   * @throws {@link RequestValidationError}, {@link InvalidRecordError}, {@link NotFoundError}.
   * @example
   * ```ts
   * await client.incidents.update(id, { incident_date: '2024-05-02' });
   * ```
   */
  update(id: string, patch: I, options: UpdateOptions = {}): Promise<R> {
    return this.updateRecord(id, patch, options);
  }

  /**
   * `DELETE /api/v2/incidents/:id`: disables the incident.
   * @throws {@link NotFoundError}, {@link ForbiddenError}.
   * @example
   * ```ts
   * await client.incidents.disable(id);
   * ```
   */
  disable(id: string, options: RequestOptions = {}): Promise<DeletedRecord> {
    return this.disableRecord(id, options);
  }

  /**
   * Enables a disabled incident (`record_action: enable_disable_record`).
   * @throws {@link NotFoundError}, {@link ForbiddenError}.
   * @example
   * ```ts
   * await client.incidents.enable(id);
   * ```
   */
  enable(id: string, options: RequestOptions = {}): Promise<R> {
    return this.enableRecord(id, options);
  }
}
