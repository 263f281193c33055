/**
 * What resources call: one typed call, or one paginated list, with the response checked against a zod
 * schema under the client's `validate` mode. Resources say which route and which body; every rule of the
 * wire stays in the transport.
 *
 * @module
 */
import { z } from 'zod';
import { ResponseValidationError } from './errors.js';
import type { LogSink } from './logger.js';
import { PagedIterable, type Page, type PaginationOptions } from './pagination.js';
import type { QueryParams } from './query.js';
import { redactUrl } from './redact.js';
import type { ApiResponse, CallSpec, RequestOptions, Transport } from './transport.js';
import { checkResponse, toIssues, type ValidationMode } from './validate.js';

/** A list's sort: Primero's `order_by` and `order` parameters. */
export interface SortOrder {
  /** The field to sort on (`order_by`), e.g. `created_at` or `last_updated_at`. */
  by: string;
  /** `asc` (default) or `desc` (`order`). */
  direction?: 'asc' | 'desc' | undefined;
}

/** @internal A paginated list as a resource describes it. */
export interface ListSpec<T> extends PaginationOptions {
  path: string;
  query?: QueryParams | undefined;
  /** Sort applied unless `query.order_by` is given; `false` sends none. Default: {@link defaultSort}. */
  sort?: SortOrder | false | undefined;
  /** How items are recognised as repeats within a scan; `false` keeps every item. Default: by `id`. */
  dedupe?: ((item: T) => unknown) | false | undefined;
  schema?: z.ZodType<T> | undefined;
  /** Runs before the first page is requested (e.g. checking filter names); a throw stops the list. */
  before?: (() => Promise<void>) | undefined;
}

const PageEnvelope = z.object({
  data: z.array(z.unknown()),
  metadata: z.object({ total: z.number().int().nonnegative(), per: z.number().int().positive(), page: z.number().int().positive() }),
});

// One page schema per item schema, built on first use: zod compiles a schema on its first parse.
const pageSchemas = new WeakMap<z.ZodType, z.ZodType>();
function pageOf<T>(schema: z.ZodType<T>): z.ZodType<Page<T>> {
  let cached = pageSchemas.get(schema);
  if (!cached) pageSchemas.set(schema, (cached = PageEnvelope.extend({ data: z.array(schema) })));
  return cached as z.ZodType<Page<T>>;
}

/** Default list order: records created during a scan land at its end instead of shifting earlier pages. */
export const CREATED_ASC: SortOrder = { by: 'created_at', direction: 'asc' };

// The record collections (primero-api.md 2.4); other lists (tasks, audit logs...) sort on their own fields.
const RECORD_COLLECTION = /^\/(cases|incidents|tracing_requests|families|registry_records)$/;

/** @internal The sort a list gets when none is given: creation order for records, the endpoint's own otherwise. */
export function defaultSort(path: string): SortOrder | false {
  return RECORD_COLLECTION.test(path) ? CREATED_ASC : false;
}

/** @internal */
export class Requester {
  constructor(
    private readonly transport: Transport,
    readonly validate: ValidationMode,
    private readonly log: LogSink,
  ) {}

  /** Sends a call; with a schema, the parsed body is checked and typed by it. */
  async call<T>(spec: CallSpec, schema?: z.ZodType<T>): Promise<ApiResponse<T>> {
    const response = await this.transport.send<T>(spec);
    if (!schema) return response;
    return { ...response, data: this.check(schema, response.data, spec.method, spec.path) };
  }

  /** Checks a body against a schema under the client's `validate` mode. */
  check<T>(schema: z.ZodType<T>, value: unknown, method: string, path: string): T {
    return checkResponse(schema, value, this.validate, { method, url: () => redactUrl(`/api/v2${path}`), log: this.log });
  }

  /** Logs in now through the auth strategy; see {@link Transport.signIn}. */
  signIn<T>(options: RequestOptions, schema: z.ZodType<T>): Promise<T> {
    return this.transport.signIn(options).then((response) => this.check(schema, response.data, 'POST', '/tokens'));
  }

  /** Ends the session and makes the auth strategy forget its credential. */
  signOut(options: RequestOptions): Promise<void> {
    return this.transport.signOut(options);
  }

  /** A lazy list over `spec.path`. */
  list<T>(spec: ListSpec<T>, options: RequestOptions = {}): PagedIterable<T> {
    const { sort = defaultSort(spec.path) } = spec;
    // Undefined values are dropped first, so `order_by: undefined` cannot erase the default sort.
    const query = Object.fromEntries(Object.entries(spec.query ?? {}).filter(([, value]) => value !== undefined));
    const order = sort && query.order_by === undefined ? { order_by: sort.by, order: sort.direction ?? 'asc' } : {};
    const pageSchema = spec.schema ? pageOf(spec.schema) : undefined;
    let ready: Promise<void> | undefined;
    return new PagedIterable<T>(
      async (page, per, signal) => {
        if (spec.before) await (ready ??= spec.before());
        const response = await this.transport.send({
          ...options,
          method: 'GET',
          path: spec.path,
          query: { ...order, ...query, page, per },
          signal: options.signal ? AbortSignal.any([options.signal, signal]) : signal,
        });
        // The envelope must hold for paging to work at all, whatever `validate` says; items follow the mode.
        const envelope = PageEnvelope.safeParse(response.data);
        if (!envelope.success) throw new ResponseValidationError('GET', redactUrl(`/api/v2${spec.path}`), toIssues(envelope.error));
        return (pageSchema ? this.check(pageSchema, response.data, 'GET', spec.path) : response.data) as Page<T>;
      },
      {
        per: spec.per,
        prefetch: spec.prefetch,
        signal: spec.signal ?? options.signal,
        ...(spec.dedupe === false ? { key: () => undefined } : spec.dedupe ? { key: spec.dedupe } : {}),
      },
    );
  }
}
