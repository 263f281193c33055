/**
 * What a command throws to stop with a message: printed as one line (`primero: <message>`), never with
 * a stack, and the process exits with `exitCode`.
 *
 * @module
 */

/** @internal A failure meant for the person at the terminal. */
export class CliError extends Error {
  override readonly name = 'CliError';

  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
