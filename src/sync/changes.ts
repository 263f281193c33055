/**
 * Incremental pull on `last_updated_at` (primero-api.md 2.8): `client.cases.changes()` and
 * `client.incidents.changes()`.
 *
 * How a pull reads the server, and why:
 *
 * - **One query shape.** `last_updated_at=<start>..&order_by=last_updated_at&order=asc`. The server keeps
 *   disabled records in that list (a disable is a change), compares at one-second precision, and sorts on the
 *   JSON string, which is chronological because the values are uniform UTC ISO strings.
 * - **Keyset paging, not page numbers.** Primero pages by OFFSET. A record updated during the scan moves
 *   from the front to the end of the range, which shifts every later record back by one: page-number paging
 *   would then skip one. The pull instead always asks for page 1 from the second of the newest timestamp it
 *   has read, so nothing before it can shift out of view; records read twice at that boundary second are
 *   dropped by the de-duplication.
 * - **Crowded seconds.** When a whole page falls in one second, restarting from that second would return the
 *   same page forever, so that second alone (`S..S`) is paged by number, watching the server's `total`: if
 *   it shrinks between pages (a record of that second was updated, so left it), the second is read again
 *   from page 1, and the records already delivered are skipped.
 * - **Seconds, floored.** The server returns milliseconds but compares whole seconds, so every range starts
 *   at a whole second at or before what it means, and the boundary second is de-duplicated.
 * - **De-duplication by `(id, last_updated_at)`.** A record is delivered again only when its
 *   `last_updated_at` changed, within a run (updated during the scan) and across runs (through the cursor's
 *   `seen`).
 * - **The server's clock only.** The high-water mark is the newest `last_updated_at` delivered, never the
 *   local time: with a local clock ahead of the server, a cursor moved to "now" (as proGres does) would
 *   skip every record the server stamps before that. The scan has no upper bound either; it ends on a page
 *   shorter than `per`, which is the server's "now".
 * - **Overlap.** Each run starts `overlapSeconds` (default 60) before the high-water mark, to pick up
 *   records whose transaction committed after a later one had already been read. A run killed at any point
 *   therefore re-reads at most that window, and re-delivers only records it had delivered but whose cursor
 *   was not saved.
 *
 * @module
 */
import { z } from 'zod';
import { RequestValidationError, ResponseValidationError } from '../core/errors.js';
import { filtersToQuery, type Filters } from '../core/filters.js';
import { MAX_PER } from '../core/pagination.js';
import type { QueryParams } from '../core/query.js';
import { redactUrl } from '../core/redact.js';
import type { Requester } from '../core/requester.js';
import type { RequestOptions } from '../core/transport.js';
import { checkCursor, looksLikeCursor, Timestamp, type ChangeCollection, type ChangeCursor } from './cursor.js';

/** Parameters of `client.cases.changes()` and `client.incidents.changes()`. */
export interface ChangesParams {
  /**
   * Where to start: a {@link ChangeCursor} from an earlier run's {@link ChangeFeed.nextCursor} (the usual
   * case), a Date, or an ISO-8601 date or datetime with a zone. Missing: from the beginning. A Date or string
   * is server time, and the overlap is taken before it too.
   */
  since?: ChangeCursor | Date | string | undefined;
  /** Seconds re-read before `since` to catch late commits; a whole number, at least 0. Default 60. */
  overlapSeconds?: number | undefined;
  /** Page size, 1 to 1000. Default 100. */
  per?: number | undefined;
  /**
   * Further filters (see {@link Filters}), e.g. `{ module_id: 'primeromodule-cp' }`. `last_updated_at` is the
   * pull's own and is refused. A filter hides the changes that take a record out of it (a status filter
   * hides closures), so prefer none.
   */
  filters?: Filters | undefined;
  /**
   * The fields to read, e.g. `['sex', 'age', 'location_current']`: a dashboard or a sync that needs a few
   * coded values need not download names and notes. `id`, `enabled` and `last_updated_at` always come
   * (primero-api.md 2.5). Default: every field the user may read.
   */
  fields?: readonly string[] | undefined;
}

/** The records a pull reads: every record carries `id` and `last_updated_at`. */
export interface ChangedRecord {
  /** The record id. */
  id: string;
  /** When the server last saved the record (ISO-8601, server time). */
  last_updated_at: string;
}

/** @internal What a resource hands the feed. */
export interface ChangeSource<T> {
  api: Requester;
  /** `/cases` or `/incidents`. */
  path: string;
  collection: ChangeCollection;
  schema: z.ZodType<T>;
}

/** Default overlap, in seconds. */
const DEFAULT_OVERLAP = 60;
/** Default page size of a pull. */
const DEFAULT_CHANGES_PER = 100;
/** How often one crowded second is re-read because it shrank, before the pull moves on regardless. */
const MAX_SECOND_RESTARTS = 50;
/** "From the beginning": the epoch (`last_updated_at` is a system timestamp, never earlier). */
const BEGINNING = '1970-01-01T00:00:00.000Z';

const Envelope = z.object({
  data: z.array(z.unknown()),
  metadata: z.object({ total: z.number().int().nonnegative(), per: z.number().int().positive(), page: z.number().int().positive() }),
});

interface Checked {
  collection: ChangeCollection;
  /** The high-water mark to start from, as given or as the server wrote it. */
  since: string;
  /** Whether a start was given (else the overlap is not taken before the epoch). */
  given: boolean;
  seen: Map<string, string>;
  overlap: number;
  per: number;
  query: QueryParams;
}

/**
 * The records changed since a point, oldest change first, each version once; and the cursor to resume from.
 * Nothing is requested until it is iterated; iterate it once.
 *
 * Persist {@link ChangeFeed.nextCursor} only after the records delivered so far were processed: the cursor
 * covers every record delivered, and never one not yet delivered.
 *
 * @example
 * ```ts
 * const store = new FileCursorStore('./state/cases.cursor.json');
 * const feed = client.cases.changes({ since: await store.load() });
 * for await (const page of feed.byPage()) {
 *   await forward(page);                  // your processing
 *   await store.save(feed.nextCursor());  // only after it succeeded
 * }
 * ```
 */
export class ChangeFeed<T extends ChangedRecord> implements AsyncIterable<T> {
  readonly #source: ChangeSource<T>;
  readonly #options: RequestOptions;
  readonly #params: Checked;
  /** `id -> last_updated_at` of every version delivered (this run, plus the cursor's window). */
  readonly #delivered: Map<string, string>;
  #highWater: string;
  #highWaterMs: number;
  #started = false;

  /** @internal Use `client.cases.changes()` or `client.incidents.changes()`. */
  constructor(source: ChangeSource<T>, params: ChangesParams, options: RequestOptions) {
    this.#source = source;
    this.#options = options;
    this.#params = checkParams(params, source.collection);
    this.#delivered = new Map(this.#params.seen);
    this.#highWater = this.#params.since;
    this.#highWaterMs = Date.parse(this.#params.since);
  }

  /** Iterates over the changed records, oldest change first. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for await (const records of this.#pages()) {
      for (const record of records) {
        this.#deliver(record);
        yield record;
      }
    }
  }

  /**
   * Iterates page by page: each array holds the records of one server page not delivered before (empty
   * pages are skipped). The cursor covers a page once it has been handed out: save it after processing.
   */
  async *byPage(): AsyncGenerator<T[], void, undefined> {
    for await (const records of this.#pages()) {
      for (const record of records) this.#deliver(record);
      yield records;
    }
  }

  /**
   * The cursor covering every record delivered so far: persist it once they are processed, and pass it as
   * `since` next time. Before anything is delivered it is the starting point. It never moves past a record
   * not delivered, and is built from the server's timestamps only.
   */
  nextCursor(): ChangeCursor {
    const floor = Math.floor(this.#highWaterMs / 1000) - this.#params.overlap;
    const seen: Record<string, string> = {};
    for (const [id, at] of this.#delivered) if (Math.floor(Date.parse(at) / 1000) >= floor) seen[id] = at;
    return Object.freeze({ version: 1, collection: this.#params.collection, since: this.#highWater, seen: Object.freeze(seen) });
  }

  #deliver(record: T): void {
    this.#delivered.set(record.id, record.last_updated_at);
    const at = Date.parse(record.last_updated_at);
    if (at > this.#highWaterMs) {
      this.#highWaterMs = at;
      this.#highWater = record.last_updated_at;
    }
  }

  /** The pages of new versions, read as the module comment describes. */
  async *#pages(): AsyncGenerator<T[], void, undefined> {
    if (this.#started) throw new RequestValidationError('A change feed can be iterated once; call changes() again with its nextCursor()');
    this.#started = true;
    const { overlap, given } = this.#params;
    let start = Math.max(0, Math.floor(this.#highWaterMs / 1000) - (given ? overlap : 0));
    for (;;) {
      const page = await this.#fetch(`${isoSecond(start)}..`, 1);
      const fresh = this.#fresh(page.records);
      if (fresh.length) yield fresh;
      if (page.records.length < page.per) return;
      const newest = Math.max(...page.records.map((record) => Math.floor(Date.parse(record.last_updated_at) / 1000)));
      if (newest > start) {
        start = newest;
        continue;
      }
      yield* this.#crowdedSecond(start);
      start += 1;
    }
  }

  /** Pages through one second holding more than a page of records, re-reading it if it shrinks meanwhile. */
  async *#crowdedSecond(second: number): AsyncGenerator<T[], void, undefined> {
    const bound = isoSecond(second);
    let total: number | undefined;
    let restarts = 0;
    for (let number = 1; ; number++) {
      const page = await this.#fetch(`${bound}..${bound}`, number);
      const fresh = this.#fresh(page.records);
      if (fresh.length) yield fresh;
      // A record of this second was updated (it moved to the end of the range): the later ones shifted back
      // by one, so one of them may have been passed over. Read the second again; delivered ones are skipped.
      if (total !== undefined && page.total < total && restarts < MAX_SECOND_RESTARTS) {
        restarts++;
        total = undefined;
        number = 0;
        continue;
      }
      total = page.total;
      if (page.records.length < page.per || number * page.per >= page.total) return;
    }
  }

  /** The records of a page whose version was not delivered yet. */
  #fresh(records: T[]): T[] {
    const here = new Set<string>();
    return records.filter((record) => {
      const key = `${record.id}\u0000${record.last_updated_at}`;
      if (this.#delivered.get(record.id) === record.last_updated_at || here.has(key)) return false;
      here.add(key);
      return true;
    });
  }

  async #fetch(range: string, page: number): Promise<{ records: T[]; total: number; per: number }> {
    const { api, path, schema } = this.#source;
    const { per, query } = this.#params;
    const response = await api.call({
      ...this.#options,
      method: 'GET',
      path,
      query: { ...query, last_updated_at: range, order_by: 'last_updated_at', order: 'asc', page, per },
    });
    const url = redactUrl(`/api/v2${path}`);
    const envelope = Envelope.safeParse(response.data);
    if (!envelope.success) {
      throw new ResponseValidationError('GET', url, envelope.error.issues.map((issue) => ({ path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), code: issue.code })));
    }
    const checked = api.check(Envelope.extend({ data: z.array(schema) }), response.data, 'GET', path);
    // Whatever the validate mode, a pull cannot work without an id and a readable timestamp on every record.
    checked.data.forEach((record, index) => {
      const item = record as Partial<ChangedRecord> | null;
      if (typeof item?.id !== 'string' || !item.id) throw new ResponseValidationError('GET', url, [{ path: ['data', index, 'id'], code: 'invalid_type' }]);
      if (!Timestamp.safeParse(item.last_updated_at).success) throw new ResponseValidationError('GET', url, [{ path: ['data', index, 'last_updated_at'], code: 'invalid_date' }]);
    });
    return { records: checked.data as T[], total: checked.metadata.total, per: Math.min(per, checked.metadata.per) };
  }
}

/** A whole second as the server reads a time bound: ISO-8601 UTC without milliseconds. */
function isoSecond(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function invalid(message: string, path: string[], code: string): RequestValidationError {
  return new RequestValidationError(message, [{ path, code }]);
}

/** Checks everything before anything is sent. */
function checkParams(params: ChangesParams, collection: ChangeCollection): Checked {
  if (typeof params !== 'object' || params === null) throw invalid('changes() takes an object of parameters', [], 'invalid_type');
  const { since, overlapSeconds = DEFAULT_OVERLAP, per = DEFAULT_CHANGES_PER, filters, fields } = params;
  if (typeof overlapSeconds !== 'number' || !Number.isSafeInteger(overlapSeconds) || overlapSeconds < 0) {
    throw invalid('overlapSeconds must be a whole number of seconds, 0 or more', ['overlapSeconds'], 'invalid_number');
  }
  if (typeof per !== 'number' || !Number.isInteger(per) || per < 1 || per > MAX_PER) {
    throw invalid(`per must be a whole number from 1 to ${MAX_PER}`, ['per'], 'invalid_number');
  }
  if (filters && Object.prototype.hasOwnProperty.call(filters, 'last_updated_at') && filters.last_updated_at !== undefined) {
    throw invalid('last_updated_at is set by changes() itself; pass since instead', ['filters', 'last_updated_at'], 'reserved_key');
  }
  if (fields !== undefined && (!Array.isArray(fields) || !fields.length || fields.some((f) => typeof f !== 'string' || !/^[A-Za-z0-9_]+$/.test(f)))) {
    throw invalid('fields must be a non-empty list of field names', ['fields'], 'invalid_fields');
  }
  const query: QueryParams = { ...filtersToQuery(filters), ...(fields ? { fields: fields.join(',') } : {}) };
  const base = { collection, overlap: overlapSeconds, per, query };
  if (since === undefined) return { ...base, since: BEGINNING, given: false, seen: new Map() };
  if (looksLikeCursor(since)) {
    const cursor = checkCursor(since, collection);
    return { ...base, since: cursor.since, given: true, seen: new Map(Object.entries(cursor.seen)) };
  }
  const ms = since instanceof Date ? since.getTime() : typeof since === 'string' && Timestamp.safeParse(since).success ? Date.parse(since) : Number.NaN;
  // A date-only string is midnight UTC, which Date.parse already gives.
  if (Number.isNaN(ms) || ms < Date.parse('0001-01-01T00:00:00Z') || ms > Date.parse('9999-12-31T23:59:59Z')) {
    throw invalid('since must be a change cursor, a valid Date, or an ISO-8601 date or datetime with a zone', ['since'], 'invalid_date');
  }
  return { ...base, since: new Date(ms).toISOString(), given: true, seen: new Map() };
}

/** @internal Builds the feed for a resource. */
export function changeFeed<T extends ChangedRecord>(source: ChangeSource<T>, params: ChangesParams, options: RequestOptions): ChangeFeed<T> {
  return new ChangeFeed(source, params, options);
}
