/**
 * `primero-sdk`: the package's command-line tool. Each command lives in `./commands/` and is registered in
 * `createProgram`; this file only runs it and turns a failure into one line and a non-zero exit.
 *
 * @module
 */
import { CommanderError } from 'commander';
import { CliError } from './errors.js';
import { createProgram } from './program.js';

async function main(argv: readonly string[]): Promise<void> {
  try {
    await createProgram().parseAsync(argv, { from: 'user' });
  } catch (error) {
    // Help, version and usage errors: commander has printed them (a usage error as one `error: …` line).
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    process.stderr.write(`primero-sdk: ${oneLine(error)}\n`);
    process.exitCode = error instanceof CliError ? error.exitCode : 1;
  }
}

/** The message alone, on one line: no stack, nothing that was not meant for the terminal. */
function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, ' ').trim() || 'unexpected error';
}

// `primero-sdk --help | head`: a reader that stops early is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit();
});

await main(process.argv.slice(2));
