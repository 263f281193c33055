/**
 * The user name and password of a Primero account, checked once when a strategy is created.
 *
 * @module
 */
import { ConfigurationError } from '../core/errors.js';

/** A Primero user name and password. */
export interface PasswordCredentials {
  /** The Primero user name (case-insensitive on the server). */
  username: string;
  /** The password. Kept in the strategy's closure, never on an object you can print. */
  password: string;
}

/** @internal Validates credentials and returns a frozen copy the strategy can close over. */
export function checkCredentials(credentials: PasswordCredentials, strategy: string): Readonly<PasswordCredentials> {
  const { username, password } = (credentials ?? {}) as Partial<PasswordCredentials>;
  if (typeof username !== 'string' || !username.trim()) throw new ConfigurationError(`${strategy} auth needs a non-empty username`);
  if (typeof password !== 'string' || !password) throw new ConfigurationError(`${strategy} auth needs a non-empty password`);
  return Object.freeze({ username, password });
}

/** @internal The body of `POST /api/v2/tokens` (primero-api.md section 1.2a). */
export function loginBody(credentials: Readonly<PasswordCredentials>): unknown {
  return { user: { user_name: credentials.username, password: credentials.password } };
}
