/**
 * Record-list filters as the server parses them (primero-api.md section 2.4, `DestringifyService`):
 * `a,b` is a list (any of), `x..y` a range (open end allowed, see {@link range}), `YYYY-MM-DD` a date, an ISO datetime a
 * time, `true`/`false` booleans, `not[field]=v` a negation and `loc:field=CODE` a location with its
 * descendants. Because the server reads commas and `..` as syntax, a plain value containing either would
 * silently mean something else: those are refused before anything is sent.
 *
 * @example
 * ```ts
 * client.cases.list({ filters: {
 *   status: ['open', 'transferred'],
 *   age: range(10, 17),
 *   registration_date: range(new Date('2024-01-01'), undefined),
 *   record_state: true,
 *   sex: not('male'),
 *   location_current: within('KH01'),
 * } });
 * ```
 *
 * @module
 */
import { RequestValidationError } from './errors.js';
import type { QueryParams } from './query.js';

/** A single filter value. Dates are sent as ISO-8601 UTC datetimes; use a `YYYY-MM-DD` string for a date. */
export type FilterScalar = string | number | boolean | Date;

/** A range: records whose field lies between `from` and `to`, both included; either side may be open. */
export interface FilterRange {
  /** @internal */
  readonly kind: 'range';
  /** Lower bound. `range()` refuses an open start (the server drops such a range); the type keeps `undefined` for compatibility. */
  readonly from: number | string | Date | undefined;
  /** Upper bound, or undefined for an open end. */
  readonly to: number | string | Date | undefined;
}

/** Records whose field is not the value (or none of the values). */
export interface FilterNot {
  /** @internal */
  readonly kind: 'not';
  /** The excluded value or values. */
  readonly value: FilterScalar | readonly (string | number)[];
}

/** Records whose location field is the location or one of its descendants. */
export interface FilterWithin {
  /** @internal */
  readonly kind: 'within';
  /** A location code, e.g. `KH01`. */
  readonly code: string;
}

/** What one filter can be: a value, a list (any of), a range, a negation, or a location subtree. */
export type FilterValue = FilterScalar | readonly (string | number)[] | FilterRange | FilterNot | FilterWithin;

/** Filters by field name. The names are Primero's field names (`protection_concerns`, `age`...). */
export type Filters = Record<string, FilterValue | undefined>;

/**
 * A range filter, both ends included; the end may be left open (`undefined`). Numbers (whole, 0 to
 * 2147483647) make a numeric range, Dates and `YYYY-MM-DD` / ISO datetime strings a date range (compared by
 * the server at one-second precision).
 *
 * The start cannot be open: Primero reads a range's type from its start (`SearchFilterService.range_class`)
 * and silently drops a range without one, which would return every record. Give the lowest value you mean,
 * e.g. `range(0, 17)` or `range('1900-01-01', '2020-12-31')`.
 *
 * @throws {@link RequestValidationError} when the start is open, when a bound is not a whole non-negative
 *   number or a valid date, when the bounds are of different kinds, or when `from` is after `to`.
 * @example
 * ```ts
 * range(10, 17); range(0, 17); range('2020-01-01', '2020-12-31'); range(new Date(Date.now() - 86_400_000));
 * ```
 */
export function range(from: number | string | Date | undefined, to?: number | string | Date): FilterRange {
  if (from === undefined && to === undefined) throw invalid('range() needs at least one bound', ['range'], 'too_small');
  // Primero drops a range whose start is empty (`..17`): `range_class` finds neither a number nor a date in
  // `from`, the filter becomes nil and the list comes back unfiltered (search_filter_service.rb, HEAD 4b95bf9).
  if (from === undefined) {
    throw invalid('range() needs a start: Primero ignores a range without one and would return every record (use 0, or an early date)', ['range', 'from'], 'open_start');
  }
  // A bound the server would not read as a number or a date makes it drop the filter the same way.
  checkBound(from, 'from');
  if (to !== undefined) checkBound(to, 'to');
  if (to !== undefined) {
    const kind = (v: number | string | Date) => (typeof v === 'number' ? 'number' : 'date');
    if (kind(from) !== kind(to)) throw invalid('range() bounds must both be numbers or both dates', ['range'], 'invalid_type');
    const [a, b] = [from, to].map((v) => (typeof v === 'number' ? v : v instanceof Date ? v.getTime() : Date.parse(v)));
    if (a !== undefined && b !== undefined && !Number.isNaN(a) && !Number.isNaN(b) && a > b) throw invalid('range() starts after it ends', ['range'], 'invalid_range');
  }
  return Object.freeze({ kind: 'range', from, to });
}

/**
 * A negation: `not('closed')` keeps records whose field is anything else.
 * @example
 * ```ts
 * client.cases.list({ filters: { status: not('closed') } });
 * ```
 */
export function not(value: FilterScalar | readonly (string | number)[]): FilterNot {
  return Object.freeze({ kind: 'not', value });
}

/**
 * A location and everything below it in the hierarchy (`loc:field=CODE`).
 * @example
 * ```ts
 * client.cases.list({ filters: { location_current: within('KH01') } });
 * ```
 */
export function within(code: string): FilterWithin {
  if (typeof code !== 'string' || !code.trim()) throw invalid('within() needs a location code', ['within'], 'too_small');
  return Object.freeze({ kind: 'within', code });
}

const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
// Query parameters that are not filters (primero-api.md 2.4, SearchFilterService::EXCLUDED) and the special
// filter keys that take a nested value: as a field name each would mean something else, collide with the
// list's own parameters, or crash the server's filter builder (`not=x`).
const RESERVED = new Set([
  'fields', 'order', 'order_by', 'page', 'per', 'total', 'id_search', 'query', 'query_scope', 'phonetic', 'phone_number',
  'format', 'controller', 'action', 'or', 'not',
]);
/** The largest value of a numeric field (int32, primero-api.md 2.6). */
const INT32_MAX = 2_147_483_647;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// Read as a Time by both ActiveSupport's DATETIME_REGEX and Date.parse.
const ISO_DATETIME = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** A real calendar day (the server's `Date.parse` refuses 2024-02-30, which would leave the bound a string). */
function isCalendarDay(value: string): boolean {
  const match = ISO_DATE.exec(value.slice(0, 10));
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // not Date.UTC, which maps years 0-99 to 1900-1999
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function checkBound(value: unknown, side: 'from' | 'to'): void {
  if (typeof value === 'number') {
    // Only `\d+` is read as a number (DestringifyService): -1 or 1.5 would be text, and the range dropped.
    if (!Number.isInteger(value) || value < 0 || value > INT32_MAX) {
      throw invalid(`range() bounds must be whole numbers from 0 to ${INT32_MAX}`, ['range', side], 'invalid_number');
    }
  } else if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw invalid('range() has an invalid Date', ['range', side], 'invalid_date');
  } else if (typeof value !== 'string' || !((ISO_DATE.test(value) || ISO_DATETIME.test(value)) && isCalendarDay(value) && !Number.isNaN(Date.parse(value)))) {
    throw invalid('range() string bounds must be YYYY-MM-DD dates or ISO datetimes with a zone', ['range', side], 'invalid_date');
  }
}

/**
 * @internal
 * Turns filters into query parameters, refusing what the server would misread.
 * @throws {@link RequestValidationError}
 */
export function filtersToQuery(filters: Filters | undefined): QueryParams {
  const query: QueryParams = {};
  const negated = Object.entries(filters ?? {}).filter(([, value]) => value !== undefined && isFilter(value, 'not')).map(([field]) => field);
  if (negated.length > 1) {
    // The server builds one negation from the first key of `not[...]` and drops the others
    // (SearchFilterService#build_filter): a second not() would silently match what it should exclude.
    throw invalid(`Only one not() filter per list: the server applies the first (${negated[0]}) and ignores ${negated.slice(1).join(', ')}`, negated.slice(1).map((f) => f), 'one_not');
  }
  for (const [field, value] of Object.entries(filters ?? {})) {
    if (value === undefined) continue;
    if (!FIELD_NAME.test(field)) throw invalid(`"${field}" is not a field name`, [field], 'invalid_key');
    if (RESERVED.has(field)) throw invalid(`"${field}" is a list parameter, not a filter`, [field], 'reserved_key');
    if (isFilter(value, 'range')) {
      // An open numeric end is sent as the int32 maximum: the server's NumericRange compares `srch_<field> <= NULL`
      // for an empty end, which matches nothing (numeric_range.rb, HEAD 4b95bf9). Open date ends work as sent.
      const to = value.to === undefined && typeof value.from === 'number' ? INT32_MAX : value.to;
      query[field] = `${bound(field, value.from)}..${bound(field, to)}`;
    }
    else if (isFilter(value, 'not')) query[`not[${field}]`] = plain(field, value.value);
    else if (isFilter(value, 'within')) query[`loc:${field}`] = scalar(field, value.code);
    else query[field] = plain(field, value as FilterScalar | readonly (string | number)[]);
  }
  return query;
}

function isFilter<K extends 'range' | 'not' | 'within'>(value: FilterValue, kind: K): value is Extract<FilterValue, { kind: K }> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date) && (value as { kind?: unknown }).kind === kind;
}

function plain(field: string, value: FilterScalar | readonly (string | number)[]): string {
  if (Array.isArray(value)) {
    if (!value.length) throw invalid(`Filter "${field}" is an empty list, which the server would ignore`, [field], 'too_small');
    return value.map((v) => scalar(field, v)).join(',');
  }
  return scalar(field, value as FilterScalar);
}

function bound(field: string, value: number | string | Date | undefined): string {
  return value === undefined ? '' : scalar(field, value);
}

function scalar(field: string, value: FilterScalar): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw invalid(`Filter "${field}" has an invalid Date`, [field], 'invalid_date');
    const iso = value.toISOString();
    // Years outside 0000-9999 serialise as `+010000-...`, which the server does not read as a time.
    if (!/^\d{4}-/.test(iso)) throw invalid(`Filter "${field}" has a Date outside the years 0000-9999`, [field], 'invalid_date');
    // The server compares dates at one-second precision; milliseconds would only add noise.
    return iso.replace(/\.\d{3}Z$/, 'Z');
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid(`Filter "${field}" is not a finite number`, [field], 'invalid_number');
    // DestringifyService reads only `\d+` as a number: -1, 1.5 or 1e+21 would be compared as text.
    if (!Number.isSafeInteger(value) || value < 0) throw invalid(`Filter "${field}" is not a whole number of 0 or more, which the server would read as text`, [field], 'invalid_number');
    return String(value);
  }
  if (typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') throw invalid(`Filter "${field}" has a value of an unsupported type`, [field], 'invalid_type');
  if (!value.trim()) throw invalid(`Filter "${field}" is empty, which the server would ignore`, [field], 'too_small');
  // The server splits on commas before it looks for ranges: such a value would not mean itself.
  if (value.includes(',') || value.includes('..')) throw invalid(`Filter "${field}" contains "," or "..", which the server reads as a list or a range`, [field], 'invalid_value');
  // Ruby's `^`/`$` match at line breaks: "x\ntrue" would be read as the boolean true and "x\n12" as 0.
  if (value.includes('\n')) throw invalid(`Filter "${field}" contains a line break, which the server would misread`, [field], 'invalid_value');
  return value;
}

function invalid(message: string, path: string[], code: string): RequestValidationError {
  return new RequestValidationError(message, [{ path, code }]);
}
