/**
 * `primero` (also installed as `primero-sdk`): the package's command-line tool. Each command lives in `./commands/` and is registered in
 * `createProgram`; this file only runs it and turns a failure into one line and a non-zero exit.
 *
 * @module
 */
import { basename } from 'node:path';
import { CommanderError } from 'commander';
import { CliError } from './errors.js';
import { createProgram } from './program.js';

// Messages name the command the way the user typed it; `node dist/cli.js` counts as `primero`.
const BIN_NAMES = ['primero', 'primero-sdk'];
const invokedAs = basename(process.argv[1] ?? '').replace(/\.(c|m)?js$/, '');
const name = BIN_NAMES.includes(invokedAs) ? invokedAs : 'primero';

async function main(argv: readonly string[]): Promise<void> {
  try {
    await createProgram(name).parseAsync(argv, { from: 'user' });
  } catch (error) {
    // Help, version and usage errors: commander has printed them (a usage error as one `error: …` line).
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    process.stderr.write(`${name}: ${oneLine(error)}\n`);
    process.exitCode = error instanceof CliError ? error.exitCode : 1;
  }
}

/** The message alone, on one line: no stack, nothing that was not meant for the terminal. */
function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, ' ').trim() || 'unexpected error';
}

// `primero --help | head`: a reader that stops early is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit();
});

await main(process.argv.slice(2));
