/**
 * Runs a compiled OpenFn job through the real OpenFn runtime (`@openfn/runtime`), with the example adaptor
 * linked under its package name, as the OpenFn CLI does with `-a @example/language-primero=<path>`.
 *
 * How the runtime works, in short: a job is an ES module whose default export is the array of operations
 * (the compiler's output; there is no compiler here, so jobs are written in that form). The runtime
 * evaluates it in a `vm` sandbox and resolves its imports through its linker: `linker.modules` maps a
 * specifier to a package directory, whose `package.json` names the entry. If the job exports `execute` (a
 * compiled job re-exports the adaptor), the runtime hands it the operations. The step's `configuration` is
 * merged into `state.configuration`, and removed again from the final state.
 *
 * `vm` modules need Node's `--experimental-vm-modules`: {@link rerunWithVmModules} restarts the process
 * with it, as the OpenFn CLI does.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import vm from 'node:vm';
import run, { type ExecutionPlan, type Options } from '@openfn/runtime';

/** The specifier jobs import the adaptor by. */
export const ADAPTOR = '@example/language-primero';
/** The directory whose package.json points the linker at adaptor.ts. */
const ADAPTOR_PACKAGE = fileURLToPath(new URL('./package/', import.meta.url));

/** Whether this process can run jobs (`--experimental-vm-modules`). */
export function vmModulesEnabled(): boolean {
  return typeof (vm as { SourceTextModule?: unknown }).SourceTextModule === 'function';
}

/** Runs this same script again with `--experimental-vm-modules`, sharing stdio; resolves to its exit code. */
export function rerunWithVmModules(): Promise<number> {
  const args = ['--experimental-vm-modules', '--no-warnings', ...process.execArgv, ...process.argv.slice(1)];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: 'inherit' });
    child.once('error', reject);
    child.once('close', (code) => resolve(code ?? 1));
  });
}

export interface JobParams {
  /** The compiled job: an ES module importing the adaptor as {@link ADAPTOR}. */
  source: string;
  /** The credential: becomes `state.configuration` inside the run only. */
  configuration: Record<string, unknown>;
  /** The initial state (the trigger's data). */
  state?: Record<string, unknown>;
  /** Where the runtime's and the job's log lines go, e.g. `[R/T] Starting step intake`. */
  onLog?: (line: string) => void;
  /** Also pass the runtime's debug lines. */
  debug?: boolean;
  /** The step's id, used in log lines and in `state.errors`. */
  stepId?: string;
}

/** The final state: what the job left, with `errors[stepId]` when an operation failed. */
export type FinalState = Record<string, unknown> & { data?: unknown; references?: unknown[]; errors?: Record<string, { name?: string; message?: string }> };

/**
 * Runs one job as a one-step workflow plan. An operation's failure does not throw: the runtime reports it
 * and puts it on `errors[stepId]` of the final state. A crash (a job that does not load) throws.
 */
export async function runJob(params: JobParams): Promise<FinalState> {
  const sink = params.onLog ?? (() => undefined);
  const stepId = params.stepId ?? 'job';
  const plan: Partial<ExecutionPlan> = {
    workflow: { name: 'primero-job', steps: [{ id: stepId, expression: params.source, configuration: params.configuration }] },
  };
  const options: Options = {
    logger: lineLogger('R/T', sink, params.debug ?? false),
    jobLogger: lineLogger('JOB', sink, params.debug ?? false),
    linker: { modules: { [ADAPTOR]: { path: ADAPTOR_PACKAGE } } },
  };
  return (await run(plan, params.state ?? {}, options)) as FinalState;
}

type RuntimeLogger = NonNullable<Options['logger']>;

/**
 * A logger of the shape the runtime calls (the methods of `@openfn/logger`'s), writing one line per call to
 * `sink`. Objects are printed with `util.inspect`; the runtime prints errors' details this way.
 */
function lineLogger(namespace: string, sink: (line: string) => void, debug: boolean): RuntimeLogger {
  const timers = new Map<string, number>();
  const write = (level: string) => (...args: unknown[]) => {
    const text = args.map((arg) => (typeof arg === 'string' ? arg : arg instanceof Error ? `${arg.name}: ${arg.message}` : inspect(arg, { depth: 4, breakLength: Infinity }))).join(' ');
    sink(`[${namespace}]${level === 'info' || level === 'log' ? '' : ` ${level}:`} ${text}`);
  };
  const logger = {
    options: { level: debug ? 'debug' : 'default' },
    log: write('log'),
    info: write('info'),
    debug: debug ? write('debug') : () => undefined,
    warn: write('warn'),
    error: write('error'),
    success: write('info'),
    always: write('info'),
    print: write('info'),
    break: () => undefined,
    proxy: () => undefined,
    confirm: async () => false,
    /** First call starts a timer; the second returns its duration (the runtime's use). */
    timer: (name: string): string | undefined => {
      const started = timers.get(name);
      if (started === undefined) {
        timers.set(name, Date.now());
        return undefined;
      }
      timers.delete(name);
      return `${Date.now() - started}ms`;
    },
  };
  // The runtime types its logger as @openfn/logger's, which extends Console; it calls only these methods.
  return logger as unknown as RuntimeLogger;
}
