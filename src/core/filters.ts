/**
 * Record-list filters as the server parses them (primero-api.md section 2.4, `DestringifyService`):
 * `a,b` is a list (any of), `x..y` a range open on either side, `YYYY-MM-DD` a date, an ISO datetime a
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
  /** Lower bound, or undefined for an open start. */
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
 * A range filter, open on a side left `undefined`. Numbers make a numeric range, dates and date strings a
 * date range (compared by the server at one-second precision).
 *
 * @throws {@link RequestValidationError} when both sides are open, when they are of different kinds, or when
 *   `from` is after `to`.
 * @example
 * ```ts
 * range(10, 17); range(undefined, '2020-12-31'); range(new Date(Date.now() - 86_400_000), undefined);
 * ```
 */
export function range(from: number | string | Date | undefined, to?: number | string | Date): FilterRange {
  if (from === undefined && to === undefined) throw invalid('range() needs at least one bound', ['range'], 'too_small');
  if (from !== undefined && to !== undefined) {
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

/**
 * @internal
 * Turns filters into query parameters, refusing what the server would misread.
 * @throws {@link RequestValidationError}
 */
export function filtersToQuery(filters: Filters | undefined): QueryParams {
  const query: QueryParams = {};
  for (const [field, value] of Object.entries(filters ?? {})) {
    if (value === undefined) continue;
    if (!FIELD_NAME.test(field)) throw invalid(`"${field}" is not a field name`, [field], 'invalid_key');
    if (isFilter(value, 'range')) query[field] = `${bound(field, value.from)}..${bound(field, value.to)}`;
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
    // The server compares dates at one-second precision; milliseconds would only add noise.
    return value.toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid(`Filter "${field}" is not a finite number`, [field], 'invalid_number');
    return String(value);
  }
  if (typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') throw invalid(`Filter "${field}" has a value of an unsupported type`, [field], 'invalid_type');
  if (!value.trim()) throw invalid(`Filter "${field}" is empty, which the server would ignore`, [field], 'too_small');
  // The server splits on commas before it looks for ranges: such a value would not mean itself.
  if (value.includes(',') || value.includes('..')) throw invalid(`Filter "${field}" contains "," or "..", which the server reads as a list or a range`, [field], 'invalid_value');
  return value;
}

function invalid(message: string, path: string[], code: string): RequestValidationError {
  return new RequestValidationError(message, [{ path, code }]);
}
