/**
 * The default strategy for a user name and password: Basic first, because every Primero 2.x accepts it
 * and it creates no session. Only when the server refuses Basic does it log in, once, and keep whatever
 * the server offers: the JWT of an older server or the cookie session of a current one. It never calls
 * `POST /api/v2/tokens` otherwise, since each call ends the user's other sessions (primero-api.md 1.2).
 *
 * @module
 */
import { basicAuth } from './basic.js';
import { CookieJar } from './cookies.js';
import { checkCredentials, type PasswordCredentials } from './credentials.js';
import { Renewable } from './renewable.js';
import { createSession, signIn } from './session.js';
import { sealStrategy, type AuthContext, type AuthStamp, type AuthStrategy } from './strategy.js';
import { bearerHeader, createTokenAuth } from './token.js';

/**
 * Basic auth, falling back to the server's login (JWT or cookie session) only if Basic is refused.
 * Used when `auth` is given as `{ username, password }`.
 *
 * @throws {@link ConfigurationError} for empty credentials.
 * @example
 * ```ts
 * new PrimeroClient({ baseUrl, auth: autoAuth({ username, password }) }); // same as auth: { username, password }
 * ```
 */
export function autoAuth(credentials: PasswordCredentials): AuthStrategy {
  const checked = checkCredentials(credentials, 'Auto');
  const mode = new Renewable<AuthStrategy>(basicAuth(checked));
  // Which strategy signed each stamp, so a refusal reaches the strategy that can act on it.
  const issuers = new WeakMap<AuthStamp, AuthStrategy>();

  const negotiate = async (ctx: AuthContext): Promise<AuthStrategy> => {
    ctx.log('login', 'basic refused');
    const jar = new CookieJar();
    const login = await signIn(ctx, checked, jar);
    const jwt = bearerHeader(login.headers);
    ctx.log('switch', jwt ? 'token' : 'session');
    return jwt ? createTokenAuth({}, checked, jwt) : createSession(checked, { jar });
  };

  return sealStrategy(
    {
      type: 'auto',
      async authorize(attempt, ctx) {
        const active = mode.value as AuthStrategy;
        const stamp = await active.authorize(attempt, ctx);
        issuers.set(stamp, active);
        return stamp;
      },
      async onRejected(rejection, ctx) {
        const issuer = issuers.get(rejection.stamp);
        const active = mode.value as AuthStrategy;
        if (issuer !== active) return true; // another request already switched modes: replay in the new one
        if (active.type !== 'basic') return active.onRejected(rejection, ctx);
        // A refused password or a locked account would only be refused again by a login, at the cost of
        // another failed attempt towards the lock-out (6, primero-api.md 1.2a): only a server that does not
        // take Basic at all is worth a login.
        if (rejection.status !== 401 || isCredentialFailure(rejection.message)) return false;
        await mode.renew(() => negotiate(ctx));
        return true;
      },
      observe(headers, stamp) {
        issuers.get(stamp)?.observe?.(headers, stamp);
      },
      // Basic works without a login: a signed POST /api/v2/tokens answers who the user is.
      async signIn(ctx) {
        return (mode.value as AuthStrategy).signIn?.(ctx);
      },
      signOut() {
        (mode.value as AuthStrategy).signOut?.();
      },
      isSignedIn: () => (mode.value as AuthStrategy).isSignedIn?.(),
    },
    () => ({ active: mode.value?.type }),
  );
}

// Devise's texts for a wrong password and a locked account (English; other locales fall through to a login).
function isCredentialFailure(message: string | undefined): boolean {
  return message !== undefined && (/^Invalid [A-Za-z ]{1,40} or password\.$/.test(message) || message === 'Your account is locked.');
}
