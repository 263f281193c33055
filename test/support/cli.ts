/**
 * The command line, run from source (no build) as a child process, the way the CLI tests drive it.
 */
import type { ChildProcess } from 'node:child_process';
import { collect, spawnScript, type ScriptResult } from './node-script.js';

/** A CLI process that has ended. */
export type CliResult = ScriptResult;

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
  /** Variables added to the environment. PRIMERO_* (and partner) variables of this machine are never passed on. */
  env?: Record<string, string>;
  /** The script to run; a link to it under another name shows how the program names itself. */
  script?: string;
}

/** Starts `primero <args>`. */
export function startCli(args: readonly string[], options: CliOptions = {}): CliRun {
  const child = spawnCli(args, options);
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Runs `primero <args>` to its end; killed after `killAfterMs` if it has not ended by then. */
export function runCli(args: readonly string[], options: CliOptions & { killAfterMs?: number } = {}): Promise<CliResult> {
  return collect(spawnCli(args, options), options.killAfterMs);
}

function spawnCli(args: readonly string[], options: CliOptions): ChildProcess {
  return spawnScript(options.script ?? 'src/cli/main.ts', { args, env: { NO_COLOR: '1', ...options.env } });
}

/** Ends the process whatever happened: for `finally`. */
export function stopCli(run: CliRun): void {
  if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
}
