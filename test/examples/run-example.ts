/**
 * Runs an example the way `npm run example:<name>` does (ts-node over the built package), as a child
 * process. PRIMERO_URL is emptied so the example uses its built-in fake Primero whatever the caller's shell
 * holds; a test that points it at a server of its own passes `env`.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ExampleRun {
  stdout: string;
  stderr: string;
  /** The exit code, or null when a signal ended the process. */
  code: number | null;
}

export interface ExampleOptions {
  /** Arguments after the entry file, as after `npm run example:<name> --`. */
  args?: readonly string[];
  /** Variables added to (or overriding) the inherited environment. */
  env?: Readonly<Record<string, string>>;
  /** Kills the example after this long (it is then reported with code null). Default 20 s. */
  timeoutMs?: number;
}

export function runExample(name: string, options: ExampleOptions = {}): Promise<ExampleRun> {
  const child = spawn(process.execPath, ['--import', './scripts/ts-node-esm.mjs', `examples/${name}/index.ts`, ...(options.args ?? [])], {
    cwd: ROOT,
    env: { ...process.env, PRIMERO_URL: '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
  });
}
