/**
 * Runs an example the way `npm run example:<name>` does (ts-node over the built package), as a child
 * process, and what every test of an example shares:
 *
 * - {@link exampleEnv}: the child's environment never points at a real system from the developer's shell.
 *   Every `PRIMERO_*` variable (URL, user, password, token, webhook key) and every partner's (`OSCAR_*`,
 *   `UNHCR_*`, `WEBHOOK_*`) is removed, so the examples use their fakes and stand-ins; a test that points
 *   one at a server of its own passes `env`.
 * - {@link assertBuilt}: the examples import the built package; against a missing or stale dist/ a test
 *   would pass or fail for the wrong reasons, so it stops with "run npm run build first".
 * - {@link ownStderr}: stderr without the warnings some Node versions print (the loader hook).
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ExampleRun {
  stdout: string;
  stderr: string;
  /** The exit code, or null when a signal ended the process. */
  code: number | null;
}

export interface ExampleOptions {
  /** Arguments after the entry file, as after `npm run example:<name> --`. */
  args?: readonly string[];
  /** Variables added to the cleaned environment (see {@link exampleEnv}). */
  env?: Readonly<Record<string, string>>;
  /** Kills the example after this long (it is then reported with code null). Default 20 s. */
  timeoutMs?: number;
}

/** Variables that point an example at a real system or hold a credential for one. */
const REAL_SYSTEM_VARIABLES = /^(PRIMERO|OSCAR|UNHCR|WEBHOOK)_/i;

/**
 * The environment for an example's process: this process's, without any variable that points at a real
 * system or carries a credential for one, plus `extra` (what the test sets on purpose).
 */
export function exampleEnv(extra: Readonly<Record<string, string>> = {}, from: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(from)) if (!REAL_SYSTEM_VARIABLES.test(name)) env[name] = value;
  return { ...env, ...extra };
}

/** Lines some Node versions add to stderr on their own: `(node:123) ExperimentalWarning: ...` and its hint. */
const NODE_WARNING = /^\(node:\d+\) |^\(Use `node --trace-/;

/** The example's own stderr: without Node's process warnings, trimmed. */
export function ownStderr(stderr: string): string {
  return stderr
    .split('\n')
    .filter((line) => !NODE_WARNING.test(line))
    .join('\n')
    .trim();
}

/** The newest modification time under `path` (a file or a directory tree). */
function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

let checked = false;

/**
 * Throws unless `<root>/dist/index.js` exists and is newer than every file under `<root>/src`. Checked once
 * per test file for the repository itself.
 */
export function assertBuilt(root = ROOT): void {
  if (root === ROOT && checked) return;
  let built: number;
  try {
    built = statSync(join(root, 'dist', 'index.js')).mtimeMs;
  } catch {
    throw new Error('dist/index.js is missing: the examples run the built package; run npm run build first');
  }
  if (newest(join(root, 'src')) > built) throw new Error('dist/ is older than src/: the examples would run stale code; run npm run build first');
  if (root === ROOT) checked = true;
}

/** Starts an example's entry file (or any script under the root) as `npm run example:<name>` would, with {@link exampleEnv}. */
export function spawnExample(entry: string, options: { args?: readonly string[]; env?: Readonly<Record<string, string>>; nodeArgs?: readonly string[]; stdio?: StdioOptions } = {}): ChildProcess {
  assertBuilt();
  return spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', './scripts/ts-node-esm.mjs', entry, ...(options.args ?? [])], {
    cwd: ROOT,
    env: exampleEnv(options.env),
    stdio: options.stdio ?? ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs `examples/<name>/index.ts` to its end. */
export function runExample(name: string, options: ExampleOptions = {}): Promise<ExampleRun> {
  let child: ChildProcess;
  try {
    child = spawnExample(`examples/${name}/index.ts`, options);
  } catch (error) {
    return Promise.reject(error);
  }
  return collect(child, options.timeoutMs ?? 20_000);
}

/** Collects a child's output until it ends; kills it after `timeoutMs` (then code null). */
export function collect(child: ChildProcess, timeoutMs: number): Promise<ExampleRun> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
  });
}
