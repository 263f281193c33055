/**
 * How the commands that talk to a Primero server connect: the `--url`, `--username`, `--password` and
 * `--auth` options (defaulting to `PRIMERO_URL`, `PRIMERO_USERNAME`, `PRIMERO_PASSWORD`), the client built
 * from them, and the one-line message for any failure. Nothing here prints or returns a secret: the password
 * goes into the auth strategy's closure only, and error lines name statuses, paths and what to check,
 * never a value sent or received.
 *
 * @module
 */
import { type Command, Option } from 'commander';
import { autoAuth } from '../auth/auto.js';
import { basicAuth } from '../auth/basic.js';
import { sessionAuth } from '../auth/session.js';
import type { AuthStrategy } from '../auth/strategy.js';
import { tokenAuth } from '../auth/token.js';
import { PrimeroClient } from '../client.js';
import { isPrimeroError } from '../core/errors.js';
import { CliError } from './errors.js';

/** The auth modes `--auth` accepts. `auto` (the default) tries Basic and logs in only if Basic is refused. */
export const AUTH_CHOICES = ['auto', 'basic', 'session', 'token'] as const;

/** @internal The connection options of a command, as commander parses them. */
export interface ConnectionFlags {
  url?: string;
  username?: string;
  password?: string;
  auth?: string;
}

/**
 * @internal Adds `--url`, `--username`, `--password` and `--auth` to `command`. Defaults come from the
 * environment at parse time; the help shows the variable names, never their values.
 */
export function addConnectionOptions(command: Command): Command {
  return command
    .addOption(new Option('--url <url>', 'Primero server, e.g. https://primero.example.org').env('PRIMERO_URL'))
    .addOption(new Option('--username <name>', 'Primero user name').env('PRIMERO_USERNAME'))
    .addOption(new Option('--password <password>', 'password; prefer the variable, flags show in process lists').env('PRIMERO_PASSWORD'))
    .addOption(new Option('--auth <mode>', 'auth mode: auto tries Basic and logs in only if it is refused').choices(AUTH_CHOICES).default('auto'));
}

/**
 * @internal A client for the given flags.
 * @throws {@link CliError} when the URL or the credentials are missing or unusable, with what to set.
 */
export function connect(flags: ConnectionFlags): PrimeroClient {
  return openConnection(flags).client;
}

/** @internal A client and its auth strategy, for commands that report which mode the strategy chose. */
export interface Connection {
  client: PrimeroClient;
  /** The strategy given to the client; its `toJSON()` is secret-free (`{ type, active? }`). */
  auth: AuthStrategy;
  /** The user name the client signs in as. */
  username: string;
}

/**
 * @internal Like {@link connect}, also returning the auth strategy and the user name.
 * @throws {@link CliError} when the URL or the credentials are missing or unusable.
 */
export function openConnection(flags: ConnectionFlags): Connection {
  const url = flags.url?.trim();
  if (!url) throw new CliError('no server given: set PRIMERO_URL or pass --url');
  const username = flags.username?.trim();
  const password = flags.password;
  if (!username || !password) {
    const missing = [!username && 'PRIMERO_USERNAME (or --username)', !password && 'PRIMERO_PASSWORD (or --password)'].filter(Boolean).join(' and ');
    throw new CliError(`no credentials given: set ${missing}`);
  }
  const mode = flags.auth ?? 'auto';
  try {
    const auth = strategy(mode, { username, password });
    return { client: new PrimeroClient({ baseUrl: url, auth }), auth, username };
  } catch (error) {
    throw new CliError(describeError(error));
  }
}

function strategy(mode: string, credentials: { username: string; password: string }): AuthStrategy {
  switch (mode) {
    case 'auto':
      return autoAuth(credentials);
    case 'basic':
      return basicAuth(credentials);
    case 'session':
      return sessionAuth(credentials);
    case 'token':
      return tokenAuth(credentials);
    default:
      throw new CliError(`unknown auth mode '${mode}': use one of ${AUTH_CHOICES.join(', ')}`);
  }
}

/**
 * @internal One line for any failure: the status or kind, the request (method and path, query values
 * already redacted by the SDK), the "Invalid Record JSON" pointers, and what to check. Never a credential
 * or a record value: the server's own error texts are left out except Devise's known ones, which the SDK
 * already keeps in the message.
 */
export function describeError(error: unknown): string {
  if (error instanceof CliError) return error.message;
  if (!isPrimeroError(error)) return error instanceof Error ? `unexpected error: ${error.name}` : 'unexpected error';
  if (isPrimeroError(error, 'AuthenticationError')) return `${error.message}: check PRIMERO_USERNAME and PRIMERO_PASSWORD (or --username/--password)`;
  if (isPrimeroError(error, 'ForbiddenError')) {
    return error.isCsrf
      ? `${error.message}: the session's CSRF token was refused; try again, or use --auth basic`
      : `${error.message}: the user's role does not allow this; check its permissions in Primero`;
  }
  if (isPrimeroError(error, 'InvalidRecordError')) {
    return `${error.message}: ${error.pointers.length ? 'check the fields at those JSON pointers' : 'the server named no field'}`;
  }
  if (isPrimeroError(error, 'NotFoundError')) return `${error.message}: no such record, or the server has no such route`;
  if (isPrimeroError(error, 'RateLimitError')) return `${error.message}: wait a minute and try again`;
  if (isPrimeroError(error, 'ServerError')) {
    return `${error.message}${error.requestId ? ` [request id ${error.requestId}]` : ''}: the server failed; try again later or ask its administrators`;
  }
  if (isPrimeroError(error, 'PrimeroApiError')) return error.message;
  if (isPrimeroError(error, 'ConnectionError')) return `cannot reach the server: ${error.message}: check PRIMERO_URL (or --url)`;
  if (isPrimeroError(error, 'TimeoutError')) return `${error.message}: the server is slow or unreachable; check PRIMERO_URL (or --url)`;
  if (isPrimeroError(error, 'ResponseValidationError')) return `${error.message}: the server answered in an unexpected shape`;
  if (isPrimeroError(error, 'ConfigurationError')) return `${error.message}: check PRIMERO_URL and --auth`;
  return (error as Error).message;
}
