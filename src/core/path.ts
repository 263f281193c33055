/**
 * Building request paths safely: values are percent-encoded and a path cannot climb out of `/api/v2`
 * or point at another host, so a record id from a webhook can never redirect a signed request.
 *
 * @module
 */
import { RequestValidationError } from './errors.js';

/**
 * Tag for request paths: each interpolated value is one encoded path segment.
 *
 * @throws {@link RequestValidationError} when a value is empty, `.` or `..`.
 * @example
 * ```ts
 * await client.request('GET', path`/cases/${caseId}/referrals`);
 * ```
 */
export function path(strings: TemplateStringsArray, ...values: readonly (string | number)[]): string {
  return strings.reduce((out, part, i) => {
    if (i === 0) return part;
    const value = String(values[i - 1]);
    if (value === '' || value === '.' || value === '..') {
      throw new RequestValidationError(`Path segment ${i} is empty or a dot segment`, [{ path: [i - 1], code: 'invalid_path_segment' }]);
    }
    return out + encodeURIComponent(value) + part;
  }, '');
}

/** @internal Checks a path given to `client.request()`: relative to /api/v2, no query, no dot segments. */
export function checkPath(value: string): string {
  const fail = (why: string) => new RequestValidationError(`Invalid request path: ${why}`, [{ path: ['path'], code: 'invalid_path' }]);
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//')) throw fail('it must start with a single "/", relative to /api/v2');
  if (/[?#]/.test(value)) throw fail('pass query parameters in options.query');
  // The URL parser reads a backslash as '/', drops tabs and newlines, and takes '.%2e' or '%2e.' for '..':
  // each would otherwise let a signed request climb out of /api/v2 (e.g. '/cases/.%2e/.%2e/.%2e/admin').
  if (/[\\\t\n\r]/.test(value)) throw fail('backslashes, tabs and newlines are not allowed');
  if (value.split('/').some((segment) => /^(\.|%2e){1,2}$/i.test(segment))) throw fail('dot segments are not allowed');
  return value;
}
