/**
 * `primero whoami`: which auth mode works against the server, the user's role and groups as the users
 * index reports them, and the server's version (`GET /api/v2/contact_information`). It never calls
 * `POST /api/v2/tokens` itself: with `--auth auto` (the default) the strategy logs in only when the server
 * refuses Basic, so the user's other sessions survive (primero-api.md 1.2). Prints no secret.
 *
 * @module
 */
import type { Command } from 'commander';
import { addConnectionOptions, type ConnectionFlags, openConnection } from '../connection.js';
import { addJsonOption, printFields, printJson, run } from '../output.js';

interface WhoamiOptions extends ConnectionFlags {
  json?: boolean;
}

/** @internal What `whoami` reports. Fields the server did not send are null. */
export interface WhoamiReport {
  server: string;
  /** The mode that worked: `basic`, `session` or `token`. */
  auth: string;
  user_name: string;
  full_name: string | null;
  role_unique_id: string | null;
  user_group_unique_ids: string[] | null;
  module_unique_ids: string[] | null;
  /** `primero_version` of `GET /api/v2/contact_information`, when the server sends it. */
  primero_version: string | null;
}

/** @internal Adds `whoami` to the program. */
export function whoamiCommand(program: Command): void {
  const command = program
    .command('whoami')
    .description('Show which auth mode works, the user\'s role and groups, and the server version.')
    .addHelpText(
      'after',
      [
        '',
        'It does not log in unless the server refuses Basic (a login ends the user\'s other sessions).',
        'The role comes from GET /api/v2/users?user_name=...; it shows what that index returns, nothing more.',
        '',
        'Example:',
        '  $ PRIMERO_URL=https://primero.example.org PRIMERO_USERNAME=me PRIMERO_PASSWORD=... primero whoami',
      ].join('\n'),
    );
  addJsonOption(addConnectionOptions(command)).action((options: WhoamiOptions) => run(() => whoami(options)));
}

async function whoami(options: WhoamiOptions): Promise<void> {
  const { client, auth, username } = openConnection(options);
  // The first authenticated request settles the mode; contact_information is cheap and also gives the version.
  const contact = await client.request<{ data?: Record<string, unknown> }>('GET', '/contact_information');
  const users = await client.request<{ data?: Record<string, unknown>[] }>('GET', '/users', { query: { user_name: username } });
  const user = (users.data ?? []).find((u) => typeof u.user_name === 'string' && u.user_name.toLowerCase() === username.toLowerCase());
  // The strategy's secret-free view: `{ type: 'auto', active: 'basic' | 'session' | 'token' }` for autoAuth.
  const view = JSON.parse(JSON.stringify(auth)) as { type?: unknown; active?: unknown };
  const report: WhoamiReport = {
    server: client.baseUrl,
    auth: String(view.active ?? view.type ?? auth.type),
    user_name: typeof user?.user_name === 'string' ? user.user_name : username,
    full_name: text(user?.full_name),
    role_unique_id: text(user?.role_unique_id),
    user_group_unique_ids: list(user?.user_group_unique_ids),
    module_unique_ids: list(user?.module_unique_ids),
    primero_version: text(contact.data?.primero_version),
  };
  if (options.json) printJson(report);
  else printFields({ ...report, role_unique_id: report.role_unique_id ?? (user ? null : 'unknown (the users index did not list this user)') });
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value ? value : null;
}

function list(value: unknown): string[] | null {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : null;
}
