/**
 * The JWT of older Primero servers (before 2.11): `POST /api/v2/tokens` answers with the token in the
 * `Authorization` response header, and a POST with the current bearer and no password renews it
 * (primero-api.md section 1.1; sdk-design.md section 3.5).
 *
 * @module
 */
import { ConfigurationError } from '../core/errors.js';
import { checkCredentials, loginBody, type PasswordCredentials } from './credentials.js';
import { jwtExpiry, jwtLifetime, tokenFreshness, type RefreshWindow } from './jwt.js';
import { Renewable } from './renewable.js';
import { sealStrategy, type AuthCall, type AuthCallResult, type AuthContext, type AuthStrategy } from './strategy.js';

/** Options of {@link tokenAuth}. */
export interface TokenAuthOptions extends PasswordCredentials, RefreshWindow {
  /** Lifetime assumed for a token whose `exp` cannot be read. Default 60 minutes, as the old docs say. */
  assumedLifetimeMs?: number;
}

interface Token {
  value: string;
  expiresAt: number | undefined;
}

/**
 * Logs in for a JWT and renews it before it expires, by re-posting with the current bearer; falls back to
 * the password when the renewal is refused.
 *
 * @throws {@link ConfigurationError} for empty credentials, or when the server returns no token (a
 *   current server: use {@link sessionAuth}, {@link basicAuth} or {@link autoAuth}).
 * @example
 * ```ts
 * new PrimeroClient({ baseUrl, auth: tokenAuth({ username, password }) });
 * ```
 */
export function tokenAuth(options: TokenAuthOptions): AuthStrategy {
  return createTokenAuth(options, checkCredentials(options, 'Token'));
}

/** @internal `seed` is a token the auto strategy already obtained. */
export function createTokenAuth(window: TokenAuthOptions | RefreshWindow, credentials: Readonly<PasswordCredentials>, seed?: string): AuthStrategy {
  const lifetime = ('assumedLifetimeMs' in window ? window.assumedLifetimeMs : undefined) ?? 3_600_000;
  // The token was just issued: its lifetime counted from now is its expiry on this machine's clock. Its `exp`
  // alone is server time, and a server clock an hour behind would make every token look expired (a login per
  // call, Primero's login throttle, and every login ending the user's other sessions).
  const toToken = (value: string, serverDate?: string | null): Token => ({ value, expiresAt: localExpiry(value, serverDate) ?? Date.now() + lifetime });
  const token = new Renewable<Token>(seed === undefined ? undefined : toToken(seed));

  const loginCall: AuthCall = { method: 'POST', path: '/tokens', json: loginBody(credentials) };
  const login = async (ctx: AuthContext): Promise<Token> => {
    ctx.log('login');
    const result = await ctx.call(loginCall);
    return toToken(bearerFrom(loginCall, result, ctx), result.headers.get('date'));
  };

  // A renewal needs no password: the current, still valid bearer vouches for it.
  const refresh = async (ctx: AuthContext, current: Token, why: 'proactive' | 'expiring'): Promise<Token> => {
    ctx.log('refresh', why);
    const call: AuthCall = { method: 'POST', path: '/tokens', headers: { Authorization: `Bearer ${current.value}` } };
    const result = await ctx.call(call);
    if (result.status === 401) return login(ctx);
    return toToken(bearerFrom(call, result, ctx), result.headers.get('date'));
  };

  return sealStrategy(
    {
      type: 'token',
      async authorize(_attempt, ctx) {
        const current = token.value;
        const freshness = current ? tokenFreshness(current.expiresAt, window) : 'expired';
        if (!current || freshness === 'expired') {
          await token.renew(() => (current && tokenFreshness(current.expiresAt, { minValidityMs: 1_000 }) !== 'expired' ? refresh(ctx, current, 'expiring') : login(ctx)));
        } else if (freshness === 'refresh-soon' && !token.renewing) {
          // Served with the current token meanwhile; a failed background renewal is retried by the next call.
          token.renew(() => refresh(ctx, current, 'proactive')).catch(() => undefined);
        }
        const { value } = token.value as Token;
        return { headers: { Authorization: `Bearer ${value}` }, generation: token.generation };
      },
      async onRejected(rejection, ctx) {
        // The bearer itself was refused, so only the password can get a new one.
        await token.renewIfCurrent(rejection.stamp.generation, () => login(ctx));
        return true;
      },
      // `tokens.refresh()` re-posts with the bearer: adopt the token its answer carries.
      observe(headers) {
        const renewed = bearerHeader(headers);
        if (renewed && renewed !== token.value?.value) token.set(toToken(renewed, headers.get('date')));
      },
      async signIn(ctx) {
        ctx.log('login', 'requested');
        const result = await ctx.call(loginCall);
        token.set(toToken(bearerFrom(loginCall, result, ctx), result.headers.get('date')));
        return result;
      },
      signOut() {
        token.clear();
      },
      isSignedIn: () => token.value !== undefined,
    },
    () => ({ expiresAt: token.value?.expiresAt === undefined ? undefined : new Date(token.value.expiresAt).toISOString() }),
  );
}

/**
 * A just-issued token's expiry on this machine's clock: its lifetime (`exp - iat`) from now; without `iat`,
 * its `exp` shifted by the server clock's offset read from the answer's `Date` header; else its `exp`.
 */
function localExpiry(value: string, serverDate: string | null | undefined): number | undefined {
  const lifetime = jwtLifetime(value);
  if (lifetime !== undefined) return Date.now() + lifetime;
  const exp = jwtExpiry(value);
  const server = serverDate ? Date.parse(serverDate) : Number.NaN;
  return exp === undefined || Number.isNaN(server) ? exp : exp - (server - Date.now());
}

/** @internal The JWT of a login response's `Authorization` header, if it has one. */
export function bearerHeader(headers: Headers): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.get('authorization') ?? '');
  return match?.[1];
}

function bearerFrom(call: AuthCall, result: AuthCallResult, ctx: AuthContext): string {
  if (!result.ok) throw ctx.fail(call, result);
  const bearer = bearerHeader(result.headers);
  if (!bearer) {
    throw new ConfigurationError(
      'POST /api/v2/tokens returned no token in its Authorization header: this server uses cookie sessions (Primero 2.11+); use autoAuth, basicAuth or sessionAuth',
    );
  }
  return bearer;
}
