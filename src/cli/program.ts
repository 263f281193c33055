/**
 * The command tree. A command is a module in `./commands/` exporting a function that adds itself to the
 * program; add new ones to {@link COMMANDS}.
 *
 * @module
 */
import { Command } from 'commander';
import { fakeServerCommand } from './commands/fake-server.js';

/** @internal A subcommand: given the program, it adds itself. */
export type CommandModule = (program: Command) => void;

const COMMANDS: CommandModule[] = [fakeServerCommand];

/**
 * @internal The `primero-sdk` program. Usage errors are one line naming the command, and they, like
 * `--help`, throw a `CommanderError` instead of exiting, so `main` sets the exit code.
 */
export function createProgram(): Command {
  const program = new Command('primero-sdk')
    .description('Tools for the Primero v2 API SDK.')
    .showSuggestionAfterError(true)
    .addHelpText('after', "\nRun 'primero-sdk <command> --help' for a command's options.");
  for (const add of COMMANDS) add(program);
  for (const command of [program, ...program.commands]) {
    const name = command === program ? program.name() : `${program.name()} ${command.name()}`;
    command.exitOverride().configureOutput({
      outputError: (text, write) => write(`${name}: ${oneLine(text.replace(/^error: /, '')).replace(/\.$/, '')}. See '${name} --help'.\n`),
    });
  }
  return program;
}

function oneLine(text: string): string {
  return text.trim().replace(/\s*\n\s*/g, ' ');
}
