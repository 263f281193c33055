/**
 * `/api/v2/tokens`: the login, its refresh and the logout (primero-api.md 1.2 and 1.3). The SDK logs in by
 * itself when it needs to; these are for jobs that want to check credentials up front or end a session.
 *
 * @module
 */
import type { Requester } from '../core/requester.js';
import type { RequestOptions } from '../core/transport.js';
import { TokenInfo } from '../models/token.js';

/** Logins. Reach it as `client.tokens`. */
export class TokensResource {
  /** @internal */
  constructor(private readonly api: Requester) {}

  /**
   * `POST /api/v2/tokens`: logs in now and returns the user (`id`, `user_name`, `group_permission`, and
   * `token` in identity-provider mode). **On a current server this ends every other session of the
   * user**, a caseworker's browser included, and in identity-provider mode it blacklists the user's other
   * tokens in use (primero-api.md 1.2).
   * @throws {@link AuthenticationError} for refused credentials; {@link RateLimitError} (6 logins a minute).
   * @example
   * ```ts
   * const me = await client.tokens.create();
   * console.log(me.user_name, me.group_permission);
   * ```
   */
  create(options: RequestOptions = {}): Promise<TokenInfo> {
    return this.api.signIn(options, TokenInfo);
  }

  /**
   * `POST /api/v2/tokens` with the current credential and no password: extends a cookie session, or
   * renews the JWT of an older server.
   * @throws {@link AuthenticationError} when the credential is no longer valid.
   * @example
   * ```ts
   * await client.tokens.refresh();
   * ```
   */
  async refresh(options: RequestOptions = {}): Promise<TokenInfo> {
    return (await this.api.call({ ...options, method: 'POST', path: '/tokens' }, TokenInfo)).data;
  }

  /**
   * `DELETE /api/v2/tokens`: ends the session (and, in identity-provider mode, blacklists the token); the
   * client forgets its credential and logs in again on its next request. A client that never logged in
   * sends nothing.
   * @example
   * ```ts
   * await client.tokens.delete();
   * ```
   */
  delete(options: RequestOptions = {}): Promise<void> {
    return this.api.signOut(options);
  }
}
