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
import type { ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { collect, ROOT, scriptEnv, spawnScript, type ScriptOptions, type ScriptResult } from '../support/node-script.js';

export { collect, ROOT };

/** What an example printed, and how it ended. */
export type ExampleRun = ScriptResult;

export interface ExampleOptions {
  /** Arguments after the entry file, as after `npm run example:<name> --`. */
  args?: readonly string[];
  /** Variables added to the cleaned environment (see {@link exampleEnv}). */
  env?: Readonly<Record<string, string>>;
  /** Kills the example after this long (it is then reported with code null). Default 20 s. */
  timeoutMs?: number;
}

/** The environment for an example's process: see {@link scriptEnv}. */
export const exampleEnv = scriptEnv;

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
export function spawnExample(entry: string, options: ScriptOptions = {}): ChildProcess {
  assertBuilt();
  return spawnScript(entry, options);
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
