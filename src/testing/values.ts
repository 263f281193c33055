/**
 * Plain-value helpers shared by the fake's modules: what a parsed JSON value is, and how Ruby and Rails
 * read one (`present?`, `==`, boolean casting).
 *
 * @module
 */

/** A plain JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Ruby's `present?`: not nil, false, a blank string, or an empty array or hash. */
export function present(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.length > 0;
  if (isObject(value)) return Object.keys(value).length > 0;
  return true;
}

/** Ruby's `==` on parsed JSON: deep, and blind to key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => sameJson(item, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && sameJson(a[key], b[key]));
  }
  return false;
}

/** `ActiveModel::Type::Boolean::FALSE_VALUES`: what Rails casts to false. */
export const RAILS_FALSE_VALUES: readonly unknown[] = Object.freeze([false, 0, '0', 'f', 'F', 'false', 'FALSE', 'off', 'OFF']);

/** `ActiveModel::Type::Boolean#cast`: nil and "" → nil; the false values → false; anything else → true. */
export function castBoolean(value: unknown): boolean | null {
  if (value === undefined || value === null || value === '') return null;
  return !RAILS_FALSE_VALUES.includes(value);
}
