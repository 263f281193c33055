/**
 * A TypeScript entry of this repository (the CLI, an example) run as a child process the way its npm script
 * runs it (`node --import ./scripts/ts-node-esm.mjs <script>`), with an environment that never points it at a
 * real system from the developer's shell.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository's root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A process that has ended. */
export interface ScriptResult {
  stdout: string;
  stderr: string;
  /** The exit code, or null when a signal ended the process. */
  code: number | null;
}

/** Options of {@link spawnScript}. */
export interface ScriptOptions {
  /** Arguments after the script. */
  args?: readonly string[] | undefined;
  /** Variables added to the cleaned environment (see {@link scriptEnv}). */
  env?: Readonly<Record<string, string>> | undefined;
  /** Node's own flags, before `--import`. */
  nodeArgs?: readonly string[] | undefined;
  stdio?: StdioOptions | undefined;
}

/** Variables that point a script at a real system or hold a credential for one. */
const REAL_SYSTEM_VARIABLES = /^(PRIMERO|OSCAR|UNHCR|WEBHOOK)_/i;

/**
 * The environment for a child process: this process's, without any variable that points at a real system
 * or carries a credential for one, plus `extra` (what the test sets on purpose).
 */
export function scriptEnv(extra: Readonly<Record<string, string>> = {}, from: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(from)) if (!REAL_SYSTEM_VARIABLES.test(name)) env[name] = value;
  return { ...env, ...extra };
}

/** Starts `script` (relative to the root) with ts-node, in the root, with {@link scriptEnv}. */
export function spawnScript(script: string, options: ScriptOptions = {}): ChildProcess {
  return spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', './scripts/ts-node-esm.mjs', script, ...(options.args ?? [])], {
    cwd: ROOT,
    env: scriptEnv(options.env),
    stdio: options.stdio ?? ['ignore', 'pipe', 'pipe'],
  });
}

/** Collects a child's output until it ends; kills it after `timeoutMs`, if given (then code null). */
export function collect(child: ChildProcess, timeoutMs?: number): Promise<ScriptResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
  });
}
