/**
 * The server's paging (primero-api.md 2.2): `page` and `per` (default 20, capped at 1000; locations
 * default to 100 with no cap), LIMIT/OFFSET, and a page past the end that is empty but keeps the total.
 *
 * @module
 */

/** @internal */
export interface PagingRule {
  defaultPer: number;
  /** Undefined for no cap. */
  maxPer?: number;
}

/** @internal The records rule. */
export const RECORD_PAGING: PagingRule = { defaultPer: 20, maxPer: 1000 };

/** @internal `{ data, metadata: { total, per, page } }` for one page of `rows`. */
export function pageOf<T>(rows: readonly T[], query: URLSearchParams, rule: PagingRule = RECORD_PAGING): { data: T[]; metadata: { total: number; per: number; page: number } } {
  const page = toInt(query.get('page'), 1);
  const asked = toInt(query.get('per'), rule.defaultPer);
  const per = rule.maxPer === undefined ? asked : Math.min(asked, rule.maxPer);
  // page=0 gives a negative OFFSET; the server swallows the SQL error into an empty result (2.2).
  if (page < 1 || per < 1) return { data: [], metadata: { total: 0, per, page } };
  return { data: rows.slice((page - 1) * per, page * per), metadata: { total: rows.length, per, page } };
}

function toInt(value: string | null, fallback: number): number {
  if (value === null || !/^-?\d+$/.test(value)) return fallback;
  return Number(value);
}
