/**
 * The command tree. A command is a module in `./commands/` exporting a function that adds itself to the
 * program; add new ones to {@link COMMANDS}.
 *
 * @module
 */
import { Command } from 'commander';
import { casesExportCommand } from './commands/export.js';
import { casesCommand } from './commands/cases.js';
import { fakeServerCommand } from './commands/fake-server.js';
import { referralsCommand, servicesCommand } from './commands/transitions.js';
import { typesCommand } from './commands/types.js';
import { whoamiCommand } from './commands/whoami.js';

/** @internal A subcommand: given the program, it adds itself. */
export type CommandModule = (program: Command) => void;

const COMMANDS: CommandModule[] = [fakeServerCommand, whoamiCommand, casesCommand, casesExportCommand, referralsCommand, servicesCommand, typesCommand];

/**
 * @internal The program, named as it was invoked (`primero`, or `primero-sdk` under `npx primero-sdk`).
 * Usage errors are one line naming the command, and they, like `--help`, throw a `CommanderError` instead of
 * exiting, so `main` sets the exit code.
 */
export function createProgram(name = 'primero'): Command {
  const program = new Command(name)
    .description('Tools for the Primero v2 API SDK.')
    .showSuggestionAfterError(true)
    .addHelpText('after', `\nRun '${name} <command> --help' for a command's options.`);
  for (const add of COMMANDS) add(program);
  for (const [command, name] of withNames(program)) {
    command.exitOverride().configureOutput({
      outputError: (text, write) => write(`${name}: ${oneLine(text.replace(/^error: /, '')).replace(/\.$/, '')}. See '${name} --help'.\n`),
    });
  }
  return program;
}

/** The command and its subcommands at every depth (`cases export`), each with its full name. */
function withNames(command: Command, name = command.name()): Array<[Command, string]> {
  return [[command, name], ...command.commands.flatMap((sub) => withNames(sub, `${name} ${sub.name()}`))];
}

function oneLine(text: string): string {
  return text.trim().replace(/\s*\n\s*/g, ' ');
}
