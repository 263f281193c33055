/**
 * Lazy iteration over Primero's page/per lists (primero-api.md section 2.2).
 *
 * Primero pages by LIMIT/OFFSET, so the iterator defends against what that allows: it stops on
 * `page * per >= total` *or* an empty page (a `total` that moves mid-scan cannot loop it), sorts by
 * creation ascending by default so records created during a scan land at the end instead of shifting
 * earlier pages, and drops records it has already yielded in the same scan.
 *
 * @module
 */
import { CollectLimitError, RequestValidationError } from './errors.js';

/** Primero's list metadata. */
export interface PageMetadata {
  /** Records matching the query, before paging. */
  total: number;
  /** Page size the server applied. */
  per: number;
  /** 1-based page number. */
  page: number;
}

/** One page of a list. */
export interface Page<T> {
  /** The page's items (in a scan, only those not yielded before). */
  data: T[];
  /** The server's counts for this page. */
  metadata: PageMetadata;
}

/** @internal Fetches one page; the signal is aborted when iteration stops early. */
export type PageFetcher<T> = (page: number, per: number, signal: AbortSignal) => Promise<Page<T>>;

/** Options of a list call that shape its iteration. */
export interface PaginationOptions {
  /** Page size: default 100, at most 1000 (the server's cap). */
  per?: number | undefined;
  /** Pages to request ahead of the one being read (0 = sequential). Bounded by the client's concurrency. */
  prefetch?: number | undefined;
  /** Stops iteration and the page in flight. */
  signal?: AbortSignal | undefined;
}

/** @internal Default and maximum page sizes. */
export const DEFAULT_PER = 100;
/** @internal */
export const MAX_PER = 1000;

/** @internal Clamps a requested page size to what the server accepts. */
export function clampPer(per: number | undefined): number {
  if (per === undefined || !Number.isFinite(per)) return DEFAULT_PER;
  return Math.min(MAX_PER, Math.max(1, Math.floor(per)));
}

/**
 * The result of a list call: nothing is fetched until it is iterated.
 *
 * @example
 * ```ts
 * for await (const record of client.paginate('/cases', { query: { status: 'open' } })) console.log(record.id);
 * for await (const page of list.byPage()) console.log(page.metadata.total);
 * const first = await list.firstPage();
 * const all = await list.collect({ max: 5_000 });
 * ```
 */
export class PagedIterable<T> implements AsyncIterable<T> {
  readonly #fetchPage: PageFetcher<T>;
  readonly #per: number;
  readonly #prefetch: number;
  readonly #signal: AbortSignal | undefined;
  readonly #key: (item: T) => unknown;

  /** @internal */
  constructor(fetchPage: PageFetcher<T>, options: PaginationOptions & { key?: (item: T) => unknown } = {}) {
    this.#fetchPage = fetchPage;
    this.#per = clampPer(options.per);
    // `Math.max(0, NaN)` is NaN, which requested no page at all and crashed on `undefined.metadata`:
    // anything that is not a positive number (NaN included) means no prefetch.
    const prefetch = Math.floor(options.prefetch ?? 0);
    this.#prefetch = prefetch > 0 ? prefetch : 0;
    this.#signal = options.signal;
    this.#key = options.key ?? ((item) => (item as { id?: unknown } | null)?.id);
  }

  /** Iterates over every item of every page, each item once. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for await (const page of this.byPage()) yield* page.data;
  }

  /**
   * Iterates page by page. Each page's `data` holds only items not yet seen in this scan; `metadata` is the
   * server's.
   */
  byPage(): AsyncGenerator<Page<T>, void, undefined> {
    return this.#scan();
  }

  /** The scan behind every view; `inspect` sees each page's metadata before more pages are requested. */
  async *#scan(inspect?: (metadata: PageMetadata) => void): AsyncGenerator<Page<T>, void, undefined> {
    const stop = new AbortController();
    const signal = this.#signal ? AbortSignal.any([this.#signal, stop.signal]) : stop.signal;
    const inFlight = new Map<number, Promise<Page<T>>>();
    const seen = new Set<unknown>();
    let per = this.#per;
    let lastPage = 1; // unknown until the first page tells the total
    let next = 1;
    const request = (page: number) => {
      const pending = this.#fetchPage(page, this.#per, signal);
      pending.catch(() => undefined); // awaited in order below; a page never awaited must not go unhandled
      inFlight.set(page, pending);
    };
    try {
      for (let current = 1; ; current++) {
        while (next <= Math.min(lastPage, current + this.#prefetch)) request(next++);
        const page = await (inFlight.get(current) as Promise<Page<T>>);
        inFlight.delete(current);
        const { total } = page.metadata;
        per = page.metadata.per > 0 ? page.metadata.per : per;
        lastPage = Math.max(current, Math.ceil(total / per));
        inspect?.(page.metadata);
        // Refill the window now, not after the consumer is done with this page.
        while (next <= Math.min(lastPage, current + this.#prefetch)) request(next++);
        const fresh = page.data.filter((item) => {
          const key = this.#key(item);
          if (key === undefined || key === null) return true;
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        });
        if (page.data.length) yield { data: fresh, metadata: page.metadata };
        if (!page.data.length || current * per >= total) return;
      }
    } finally {
      stop.abort();
    }
  }

  /** Fetches the first page only. */
  async firstPage(): Promise<Page<T>> {
    return this.#fetchPage(1, this.#per, this.#signal ?? new AbortController().signal);
  }

  /**
   * Collects every item into an array, refusing to hold more than `max`.
   * @throws {@link CollectLimitError} as soon as the server's total or the items read exceed `max`.
   * @throws {@link RequestValidationError} when `max` is missing or negative.
   */
  async collect(options: { max: number }): Promise<T[]> {
    const max = options?.max;
    if (typeof max !== 'number' || !(max >= 0)) {
      throw new RequestValidationError('collect() needs { max }, the most items you are ready to hold', [{ path: ['max'], code: 'invalid_type' }]);
    }
    const items: T[] = [];
    const refuse = (metadata: PageMetadata) => {
      if (metadata.total > max) throw new CollectLimitError(max, metadata.total);
    };
    for await (const page of this.#scan(refuse)) {
      items.push(...page.data);
      if (items.length > max) throw new CollectLimitError(max, page.metadata.total);
    }
    return items;
  }
}
