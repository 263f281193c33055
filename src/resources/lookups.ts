/**
 * Lookups: the option lists behind select fields (primero-api.md section 8), e.g. `lookup-service-type`.
 *
 * @module
 */
import type { PagedIterable, PaginationOptions } from '../core/pagination.js';
import { path } from '../core/path.js';
import type { Requester } from '../core/requester.js';
import type { RequestOptions } from '../core/transport.js';
import { single } from '../models/common.js';
import { Lookup } from '../models/lookup.js';

/** Lookups. Reach it as `client.lookups`. */
export class LookupsResource {
  #byUniqueId: Promise<Map<string, Lookup>> | undefined;

  /** @internal */
  constructor(private readonly api: Requester) {}

  /**
   * `GET /api/v2/lookups`: every lookup, page by page.
   * @example
   * ```ts
   * for await (const lookup of client.lookups.list()) console.log(lookup.unique_id);
   * ```
   */
  list(params: PaginationOptions = {}, options: RequestOptions = {}): PagedIterable<Lookup> {
    return this.api.list({ ...params, path: '/lookups', schema: Lookup, sort: { by: 'id' } }, options);
  }

  /**
   * `GET /api/v2/lookups/:id`: one lookup by its integer id.
   * @throws {@link NotFoundError}.
   * @example
   * ```ts
   * const lookup = await client.lookups.get(12);
   * ```
   */
  async get(id: number, options: RequestOptions = {}): Promise<Lookup> {
    return (await this.api.call({ ...options, method: 'GET', path: path`/lookups/${id}` }, single(Lookup))).data.data;
  }

  /**
   * The display text of an option, in `locale` (falling back to English), or undefined when the lookup or
   * the option does not exist. Reads all lookups once and keeps them for this client.
   * @example
   * ```ts
   * await client.lookups.label('lookup-service-type', 'legal_assistance_service', 'fr');
   * ```
   */
  async label(lookupUniqueId: string, optionId: string, locale = 'en', options: RequestOptions = {}): Promise<string | undefined> {
    this.#byUniqueId ??= this.list({ per: 1000 }, options)
      .collect({ max: 100_000 })
      .then((lookups) => new Map(lookups.map((lookup) => [lookup.unique_id, lookup])))
      .catch((error: unknown) => {
        this.#byUniqueId = undefined; // a failed read is not cached
        throw error;
      });
    const option = (await this.#byUniqueId).get(lookupUniqueId)?.values.find((value) => value.id === optionId);
    return option?.display_text[locale] || option?.display_text.en || undefined;
  }
}
