/**
 * A token from an external identity provider (Primero's IdP mode, primero-api.md section 1.2c). Primero
 * neither mints nor refreshes these: the user's function does, and the SDK calls it again when the token
 * is refused or, if it is a JWT, shortly before it expires.
 *
 * @module
 */
import { ConfigurationError } from '../core/errors.js';
import { jwtExpiry, tokenFreshness, type RefreshWindow } from './jwt.js';
import { Renewable } from './renewable.js';
import { sealStrategy, type AuthStrategy } from './strategy.js';

/** Options of {@link bearerAuth}. */
export interface BearerAuthOptions extends RefreshWindow {
  /** Returns a current access token (e.g. from MSAL or an OIDC client). Called again when it is refused. */
  getToken: () => string | Promise<string>;
}

/**
 * Signs requests with `Authorization: Bearer <token>` from `getToken()`.
 *
 * @throws {@link ConfigurationError} when `getToken` is not a function, or returns an empty token.
 * @example
 * ```ts
 * new PrimeroClient({ baseUrl, auth: bearerAuth({ getToken: () => msal.acquireTokenSilent(req).then((r) => r.accessToken) }) });
 * ```
 */
export function bearerAuth(options: BearerAuthOptions): AuthStrategy {
  const getToken = options?.getToken;
  if (typeof getToken !== 'function') throw new ConfigurationError('bearerAuth needs a getToken function');
  const token = new Renewable<{ value: string; expiresAt: number | undefined }>();

  const obtain = async () => {
    const value = await getToken();
    if (typeof value !== 'string' || !value.trim()) throw new ConfigurationError('getToken() returned no token');
    return { value: value.trim(), expiresAt: jwtExpiry(value.trim()) };
  };

  return sealStrategy({
    type: 'bearer',
    async authorize(_attempt, ctx) {
      const current = token.value;
      const freshness = current ? tokenFreshness(current.expiresAt, options) : 'expired';
      if (!current || freshness === 'expired') {
        if (current) ctx.log('refresh', 'expired');
        await token.renew(obtain);
      } else if (freshness === 'refresh-soon' && !token.renewing) {
        ctx.log('refresh', 'proactive');
        token.renew(obtain).catch(() => undefined);
      }
      return { headers: { Authorization: `Bearer ${(token.value as { value: string }).value}` }, generation: token.generation };
    },
    async onRejected(rejection, ctx) {
      if (rejection.stamp.generation === token.generation) ctx.log('refresh', '401');
      await token.renewIfCurrent(rejection.stamp.generation, obtain);
      return true;
    },
    // After DELETE /api/v2/tokens the server refuses this token for good: ask getToken() for another.
    signOut() {
      token.clear();
    },
  });
}
