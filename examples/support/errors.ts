/**
 * How the examples report an error: one line that holds no secret and no personal data.
 *
 * - the SDK's errors by their message: it names statuses, routes and field names, never a value, and the
 *   SDK redacts credentials from it;
 * - the examples' own errors ({@link ExampleError}) by their message, which the examples write themselves;
 * - anything else by its class (and Node's error code) and a fixed text. Its message is never printed: it may
 *   quote a URL with credentials (`new URL('https://api:s3cret@…')`, `fetch` refusing such a URL), a
 *   response body (`JSON.parse` quotes its input) or a record.
 *
 * @module
 */
import { isPrimeroError } from 'primero-sdk';

/**
 * An error whose message an example wrote: names of settings, statuses, routes, ids, never a secret or a
 * field of a record. {@link describeError} prints its message as it is.
 */
export class ExampleError extends Error {
  override readonly name: string = 'ExampleError';
}

/** One safe line for `error`: see the module's notes. */
export function describeError(error: unknown): string {
  if (isPrimeroError(error) || error instanceof ExampleError) return `${error.name}: ${error.message}`;
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const shown = typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code) ? ` (${code})` : '';
    return `${error.name}${shown}: unexpected error (its message is not shown: it may quote a URL, a credential or record data)`;
  }
  return 'Unexpected error (a thrown value that is not an Error; not shown)';
}

/**
 * Prints {@link describeError}'s line on stderr and sets the exit code (1 unless given). It does not end the
 * process: `finally` blocks still close servers and connections, then Node exits with that code.
 */
export function exitWithError(error: unknown, exitCode = 1): void {
  console.error(describeError(error));
  process.exitCode = exitCode;
}
