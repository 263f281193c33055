/**
 * Checking that a delivery comes from Primero. Primero signs nothing (primero-api.md 7.3): a webhook carries
 * either `x-api-key: <secret>` or `Authorization: Basic …`, so the secret itself is what is compared.
 *
 * Comparisons are constant-time: both sides are hashed with SHA-256 first, so `timingSafeEqual` always
 * compares 32 bytes and neither the secret's length nor its first differing byte shows in the timing.
 *
 * @module
 */
import { parseBasic } from '../auth/basic-header.js';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ConfigurationError } from '../core/errors.js';

/**
 * How Primero authenticates to your receiver, as configured on its webhook (`auth_type`, 7.1):
 * `{ apiKey }` for `api_key` (the `x-api-key` header), `{ basic }` for `basic_auth`.
 */
export type WebhookAuth = { apiKey: string } | { basic: { username: string; password: string } };

/** Header values as `Headers`, or as Node's `IncomingHttpHeaders` (lower-case names). */
export type HeadersLike = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/** Anything with headers: a fetch `Request`, Node's `IncomingMessage`, an Express `req`. */
export interface HasHeaders {
  /** The request's headers. */
  readonly headers: HeadersLike;
}

/**
 * True when the request carries one of the accepted credentials. Pass several to rotate a secret: the old
 * and the new one are both accepted while Primero's webhook is updated. Every candidate is compared, in
 * constant time, whatever the outcome of the others.
 * @throws {@link ConfigurationError} when `auth` is empty or holds an empty secret (a typo, not a policy).
 * @example
 * ```ts
 * if (!verifyWebhook(request, { apiKey: process.env.PRIMERO_WEBHOOK_KEY! })) return new Response(null, { status: 401 });
 * ```
 */
export function verifyWebhook(request: HasHeaders, auth: WebhookAuth | readonly WebhookAuth[]): boolean {
  const accepted = checkWebhookAuth(auth);
  const apiKey = single(header(request.headers, 'x-api-key'));
  const basic = parseBasic(single(header(request.headers, 'authorization')));
  let ok = false;
  for (const candidate of accepted) {
    // Every candidate, and both halves of a Basic pair, are compared: the timing does not tell which matched.
    if ('apiKey' in candidate) {
      if (apiKey !== undefined && same(apiKey, candidate.apiKey)) ok = true;
    } else if (basic) {
      const user = same(basic.username, candidate.basic.username);
      const password = same(basic.password, candidate.basic.password);
      if (user && password) ok = true;
    }
  }
  return ok;
}

/** @internal Validates `auth` once; the result is the list of accepted credentials. */
export function checkWebhookAuth(auth: WebhookAuth | readonly WebhookAuth[]): readonly WebhookAuth[] {
  const list: readonly unknown[] = Array.isArray(auth) ? auth : [auth];
  if (!list.length) throw new ConfigurationError('webhook auth needs at least one { apiKey } or { basic }');
  for (const entry of list) {
    const valid =
      typeof entry === 'object' && entry !== null &&
      (('apiKey' in entry && typeof entry.apiKey === 'string' && entry.apiKey !== '') ||
        ('basic' in entry && typeof entry.basic === 'object' && entry.basic !== null &&
          'username' in entry.basic && typeof entry.basic.username === 'string' && entry.basic.username !== '' && !entry.basic.username.includes(':') &&
          'password' in entry.basic && typeof entry.basic.password === 'string' && entry.basic.password !== ''));
    // The message names the shape expected, never what was passed (it may be the secret).
    if (!valid) throw new ConfigurationError('webhook auth must be { apiKey: non-empty string } or { basic: { username (no colon), password } }');
  }
  return list as readonly WebhookAuth[];
}

/** @internal Whether an accepted credential is Basic (the 401 then offers `WWW-Authenticate: Basic`). */
export function wantsBasic(accepted: readonly WebhookAuth[]): boolean {
  return accepted.some((entry) => 'basic' in entry);
}

function header(headers: HeadersLike, name: string): string | readonly string[] | undefined {
  if (typeof (headers as Headers).get === 'function' && typeof (headers as Headers).has === 'function') {
    return (headers as Headers).get(name) ?? undefined;
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  return Object.hasOwn(record, name) ? record[name] : undefined;
}

/** A header sent once; a repeated one (an array) is refused rather than guessed at. */
function single(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function same(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export { parseBasic };
