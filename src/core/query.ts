/**
 * Query strings as Primero's `DestringifyService` reads them (primero-api.md section 2.4): lists as
 * `a,b`, booleans as `true`/`false`, `Date` objects as ISO-8601 UTC datetimes (pass a `YYYY-MM-DD`
 * string for a date). Filters with ranges and negations are built in `filters.ts`.
 *
 * @module
 */
import { RequestValidationError } from './errors.js';

/** One query value. Arrays become comma lists; `undefined` and `null` leave the key out. */
export type QueryValue = string | number | boolean | Date | readonly (string | number)[] | null | undefined;

/** Query parameters of a request. */
export type QueryParams = Record<string, QueryValue>;

/** @internal Serialises query parameters; rejects values Primero would misread before anything is sent. */
export function toSearchParams(query: QueryParams | undefined): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null) continue;
    params.set(key, serialise(key, value));
  }
  return params;
}

function serialise(key: string, value: Exclude<QueryValue, null | undefined>): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new RequestValidationError(`Query parameter "${key}" is an invalid Date`, [{ path: [key], code: 'invalid_date' }]);
    return value.toISOString();
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new RequestValidationError(`Query parameter "${key}" is not a finite number`, [{ path: [key], code: 'invalid_number' }]);
  }
  if (Array.isArray(value)) {
    if (!value.length) throw new RequestValidationError(`Query parameter "${key}" is an empty list, which the server would ignore`, [{ path: [key], code: 'too_small' }]);
    return value.map(String).join(',');
  }
  return String(value);
}
