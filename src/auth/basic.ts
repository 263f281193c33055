/**
 * HTTP Basic auth: the credentials on every request. Works on every Primero 2.x, creates no session,
 * needs no CSRF token and leaves the user's other sessions alone (primero-api.md section 1.2b).
 *
 * @module
 */
import { ConfigurationError } from '../core/errors.js';
import { checkCredentials, type PasswordCredentials } from './credentials.js';
import { basicHeader } from './basic-header.js';
import { CookieJar } from './cookies.js';
import { postTokens } from './session.js';
import { sealStrategy, type AuthStrategy } from './strategy.js';

/**
 * Signs every request with `Authorization: Basic`. Nothing to refresh: a 401 means the credentials are
 * wrong, and is thrown as an AuthenticationError.
 *
 * @throws {@link ConfigurationError} for an empty user name or password, or a user name with a colon.
 * @example
 * ```ts
 * new PrimeroClient({ baseUrl, auth: basicAuth({ username: 'primero_api', password }) });
 * ```
 */
export function basicAuth(credentials: PasswordCredentials): AuthStrategy {
  const { username, password } = checkCredentials(credentials, 'Basic');
  if (username.includes(':')) throw new ConfigurationError('Basic auth cannot carry a username that contains ":"');
  const header = basicHeader(username, password);
  return sealStrategy({
    type: 'basic',
    authorize: async () => ({ headers: { Authorization: header }, generation: 1 }),
    onRejected: async () => false,
    // `tokens.create()`: the Basic-signed login answers who the user is; its cookies are not kept.
    signIn: (ctx) => {
      ctx.log('login', 'requested');
      return postTokens(ctx, new CookieJar(), { headers: { Authorization: header } });
    },
    // Basic holds no session, so there is none to end: a logout would only end the user's other sessions.
    isSignedIn: () => false,
  });
}
