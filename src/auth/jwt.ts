/**
 * Reading a JWT's expiry without verifying it: the SDK only needs to know when to refresh; the server
 * verifies.
 *
 * @module
 */

/** @internal The `exp` claim in epoch milliseconds, or undefined when the token is not a readable JWT. */
export function jwtExpiry(token: string): number | undefined {
  return claim(token, 'exp');
}

/**
 * @internal How long the token was issued for (`exp` minus `iat`), in milliseconds, or undefined without
 * both claims. Counted from when a token was received, it gives the expiry on this machine's clock, whatever
 * the server's clock says.
 */
export function jwtLifetime(token: string): number | undefined {
  const exp = claim(token, 'exp');
  const iat = claim(token, 'iat');
  return exp !== undefined && iat !== undefined && exp > iat ? exp - iat : undefined;
}

/** A numeric-date claim (seconds) in epoch milliseconds. */
function claim(token: string, name: 'exp' | 'iat'): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(payload.length / 4) * 4, '=');
    const json: unknown = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))));
    const value = (json as Record<string, unknown> | null)?.[name];
    return typeof value === 'number' && Number.isFinite(value) ? value * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** When to renew a token with a known expiry. */
export interface RefreshWindow {
  /** Renew in the background, serving the current token, once less than this is left. Default 5 minutes. */
  refreshBeforeMs?: number;
  /** Block and renew first once less than this is left. Default 30 seconds. */
  minValidityMs?: number;
}

/** @internal What to do with a token before using it. */
export function tokenFreshness(expiresAt: number | undefined, window: RefreshWindow, now = Date.now()): 'fresh' | 'refresh-soon' | 'expired' {
  if (expiresAt === undefined) return 'fresh';
  const left = expiresAt - now;
  if (left < (window.minValidityMs ?? 30_000)) return 'expired';
  if (left < (window.refreshBeforeMs ?? 300_000)) return 'refresh-soon';
  return 'fresh';
}
