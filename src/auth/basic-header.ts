/**
 * The `Authorization: Basic` header (RFC 7617), both ways: the SDK writes it for Basic auth, and reads it
 * where it plays the server (the webhooks receiver, the fake Primero). One format, one place.
 *
 * @module
 */

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** @internal `Basic base64(username:password)`, UTF-8 encoded. */
export function basicHeader(username: string, password: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(`${username}:${password}`)) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}

/**
 * @internal `Authorization: Basic <base64(user:password)>`: the scheme in any case, one or more spaces,
 * strict base64, UTF-8, split at the first colon. Anything else is `undefined`, never an exception.
 */
export function parseBasic(value: string | undefined): { username: string; password: string } | undefined {
  if (value === undefined || value.length > 16_384) return undefined;
  const match = /^basic +(\S+) *$/i.exec(value);
  const encoded = match?.[1];
  if (!encoded || encoded.length % 4 !== 0 || !BASE64.test(encoded)) return undefined;
  const decoded = new TextDecoder().decode(Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0)));
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
