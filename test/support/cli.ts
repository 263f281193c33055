/**
 * The command line, run from source (no build) as a child process, the way the CLI tests drive it.
 */
import { spawn, type ChildProcess } from 'node:child_process';

const ROOT = new URL('../../', import.meta.url);

/** A CLI process that has ended. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A CLI process, running or ended. */
export interface CliRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code and signal once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Options of {@link startCli} and {@link runCli}. */
export interface CliOptions {
  /** Variables added to the environment. PRIMERO_* variables of this machine are never passed on. */
  env?: Record<string, string>;
  /** The script to run; a link to it under another name shows how the program names itself. */
  script?: string;
}

/** Starts `primero <args>`. */
export function startCli(args: readonly string[], options: CliOptions = {}): CliRun {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('PRIMERO_')));
  const child = spawn(process.execPath, ['--import', './scripts/ts-node-esm.mjs', options.script ?? 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...base, NO_COLOR: '1', ...options.env },
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Runs `primero <args>` to its end; killed after `killAfterMs` if it has not ended by then. */
export async function runCli(args: readonly string[], options: CliOptions & { killAfterMs?: number } = {}): Promise<CliResult> {
  const run = startCli(args, options);
  const timer = options.killAfterMs === undefined ? undefined : setTimeout(() => stopCli(run), options.killAfterMs);
  try {
    const { code } = await run.exited;
    return { code, stdout: run.stdout(), stderr: run.stderr() };
  } finally {
    clearTimeout(timer);
    stopCli(run);
  }
}

/** Ends the process whatever happened: for `finally`. */
export function stopCli(run: CliRun): void {
  if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
}
