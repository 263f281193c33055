/**
 * Output of the commands that read from a server: `--json` prints one JSON document on stdout (for
 * scripts); otherwise aligned plain-text columns. Record values reach stdout only from the commands that
 * were asked for records.
 *
 * @module
 */
import type { Command } from 'commander';
import { describeError } from './connection.js';
import { CliError } from './errors.js';

/** @internal Adds `--json` to `command`. */
export function addJsonOption(command: Command): Command {
  return command.option('--json', 'print one JSON document on stdout, for scripts');
}

/** @internal Writes `value` as one JSON document followed by a newline. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** @internal Writes rows as left-aligned columns under a header; `(none)` when there are no rows. */
export function printTable(header: readonly string[], rows: readonly (readonly unknown[])[]): void {
  if (!rows.length) {
    process.stdout.write('(none)\n');
    return;
  }
  const cells = [header, ...rows.map((row) => row.map(cell))];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  const lines = cells.map((row) => row.map((c, i) => (i === row.length - 1 ? c : (c ?? '').padEnd(widths[i] ?? 0))).join('  ').trimEnd());
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** @internal Writes `label  value` lines, nested values as compact JSON. */
export function printFields(record: Record<string, unknown>): void {
  const keys = Object.keys(record);
  const width = Math.max(0, ...keys.map((k) => k.length));
  process.stdout.write(`${keys.map((k) => `${k.padEnd(width)}  ${cell(record[k])}`).join('\n')}\n`);
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value).replace(/\s*\n\s*/g, ' ');
}

/** @internal Runs a command's work, turning any failure into a {@link CliError} with the one-line message. */
export async function run(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(describeError(error));
  }
}
