/**
 * What of a URL may appear in a log line or an error: the path, the query keys, and the values of the few
 * keys that steer paging. Every other value is replaced by `…`, because filters carry identifiers such as
 * `case_id` or `unhcr_individual_no` (the flaw of the existing adaptor, peers.md section 1.6).
 *
 * @module
 */

const SAFE_QUERY_KEYS = new Set(['page', 'per', 'order', 'order_by', 'fields']);

// A path of plain segments (letters, digits, `_`, `-`, `~`; no dot, no `%`): the URL parser returns it as
// is, so there is nothing to parse and no query to redact.
const PLAIN_PATH = /^(?:\/[\w~-]+)+\/?$/;

/** @internal Path (from `/api/v2`) and query with values redacted. Never includes the origin or userinfo. */
export function redactUrl(url: URL | string): string {
  if (typeof url === 'string' && PLAIN_PATH.test(url)) return url;
  const parsed = typeof url === 'string' ? new URL(url, 'http://redacted.invalid') : url;
  const keys = [...parsed.searchParams.keys()];
  if (!keys.length) return parsed.pathname;
  const query = [...parsed.searchParams.entries()]
    .map(([key, value]) => `${encodeURIComponent(key)}=${SAFE_QUERY_KEYS.has(key) ? encodeURIComponent(value) : '…'}`)
    .join('&');
  return `${parsed.pathname}?${query}`;
}
