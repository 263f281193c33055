/**
 * `primero fake-server`: serves the fake Primero (`src/testing/fake.ts`) over HTTP with generated demo
 * data, for trying the SDK, the examples, or another program against something that behaves like a server.
 * It prints the URL and the demo credentials only (the data is generated, never real): the user name and
 * password when they sign in, the demo token when bearer tokens are accepted; SIGINT or SIGTERM
 * stops it cleanly with exit code 0.
 *
 * Imports the fake itself, not `src/testing/index.ts`, which needs msw (an optional peer dependency).
 *
 * @module
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { FakeAuthMode } from '../../testing/auth.js';
import { FakePrimero } from '../../testing/fake.js';
import { CliError } from '../errors.js';

const AUTH_MODES: readonly FakeAuthMode[] = ['basic', 'session', 'token', 'bearer'];

/** The parsed options of `fake-server`. */
interface FakeServerOptions {
  port: number;
  host: string;
  cases: number;
  auth: FakeAuthMode[];
  seed: number;
  latencyMs: number;
  /** Undefined unless `--csrf` or `--no-csrf` was given. */
  csrf?: boolean;
}

/** @internal Adds `fake-server` to the program. */
export function fakeServerCommand(program: Command): void {
  program
    .command('fake-server')
    .description('Serve a fake Primero v2 API with generated demo data (no real data) on this machine.')
    .addOption(new Option('--port <number>', 'port to listen on; 0 picks a free one').default(3000).argParser(integer(0, 65_535)))
    .addOption(new Option('--host <address>', 'address to listen on').default('127.0.0.1'))
    .addOption(new Option('--cases <number>', 'how many cases to generate').default(500).argParser(integer(0, 100_000)))
    .addOption(
      new Option('--auth <modes>', `accepted credentials, comma-separated: ${AUTH_MODES.join(', ')}`)
        .default(['basic', 'session'], 'basic,session')
        .argParser(authModes),
    )
    .addOption(new Option('--seed <number>', 'seed of the generated data: the same seed gives the same data').default(1).argParser(integer(0, 4_294_967_295)))
    .addOption(new Option('--latency-ms <number>', 'delay before every answer, in milliseconds').default(0).argParser(integer(0, 60_000)))
    .option('--csrf', 'require the X-CSRF-Token header on cookie-session writes (default)')
    .option('--no-csrf', 'do not check CSRF tokens')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ primero fake-server',
        '  $ primero fake-server --port 3000 --cases 500 --auth session --seed 1',
        '  $ primero fake-server --port 0 --auth basic --latency-ms 200',
        '',
        'It prints its URL and a demo user\'s credentials; stop it with Ctrl+C (SIGINT) or SIGTERM.',
      ].join('\n'),
    )
    .action((options: FakeServerOptions) => serve(options));
}

async function serve(options: FakeServerOptions): Promise<void> {
  const csrf = options.csrf ?? true;
  // A long-running server: it keeps no log of the requests it answered.
  const fake = new FakePrimero({ seed: options.seed, cases: options.cases, auth: options.auth, csrf, latencyMs: options.latencyMs, recordRequests: false });
  let server: { url: string; close: () => Promise<void> };
  try {
    server = await fake.listen({ port: options.port, host: options.host });
  } catch (error) {
    throw new CliError(listenFailure(error, options.host, options.port));
  }
  const { username, password } = fake.credentials;
  const lines = [
    `Fake Primero listening on ${server.url}`,
    `  baseUrl   ${server.url}  (API under ${server.url}/api/v2)`,
    ...(acceptsPassword(options.auth)
      ? [`  username  ${username}`, `  password  ${password}  (demo data, every seeded user has it)`]
      : []),
    ...(options.auth.includes('bearer') ? [`  token     ${fake.issueIdpToken(username)}  (bearer, valid for an hour)`] : []),
    `  auth      ${options.auth.join(', ')}${options.auth.includes('session') ? ` (CSRF ${csrf ? 'on' : 'off'})` : ''}`,
    `  data      ${options.cases} generated cases, seed ${options.seed}`,
    'Stop with Ctrl+C (SIGINT) or SIGTERM.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  const signal = await untilSignal();
  await server.close();
  process.stdout.write(`Stopped (${signal}).\n`);
  // Nothing else should hold the process; if something does, do not hang on shutdown.
  setTimeout(() => process.exit(), 2_000).unref();
}

/**
 * Whether the demo password signs anyone in: Basic does, and so does the login of a session or token server;
 * an identity-provider (`bearer`) server refuses password logins.
 */
function acceptsPassword(modes: readonly FakeAuthMode[]): boolean {
  return modes.includes('basic') || (!modes.includes('bearer') && (modes.includes('session') || modes.includes('token')));
}

/** Resolves on the first SIGINT or SIGTERM; a second one ends the process the default way. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

function listenFailure(error: unknown, host: string, port: number): string {
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  if (code === 'EADDRINUSE') return `port ${port} on ${host} is already in use; pick another with --port (0 picks a free one)`;
  if (code === 'EACCES') return `not allowed to listen on port ${port} (ports below 1024 need privileges); pick another with --port`;
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return `cannot listen on ${host}: no such address on this machine; pick another with --host`;
  return `cannot listen on ${host}:${port}: ${error instanceof Error ? error.message : String(error)}`;
}

/** A parser for an integer option in [min, max]. */
function integer(min: number, max: number): (value: string) => number {
  return (value) => {
    const parsed = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) throw new InvalidArgumentError(`Expected an integer from ${min} to ${max}.`);
    return parsed;
  };
}

function authModes(value: string): FakeAuthMode[] {
  const modes = value.split(',').map((mode) => mode.trim().toLowerCase()).filter(Boolean);
  const unknown = modes.filter((mode) => !(AUTH_MODES as readonly string[]).includes(mode));
  if (!modes.length || unknown.length) throw new InvalidArgumentError(`Expected one or more of ${AUTH_MODES.join(', ')}, comma-separated.`);
  return [...new Set(modes as FakeAuthMode[])];
}
