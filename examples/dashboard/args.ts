/**
 * The dashboard's command-line options.
 *
 * @module
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

/** The parsed options. */
export interface DashboardArgs {
  /** Output directory: dashboard.html, indicators.json, and state/. */
  out: string;
  /** Small-cell threshold: counts from 1 to minCell - 1 are hidden. */
  minCell: number;
  /** Admin level locations are grouped at. */
  locationLevel: number;
  /** Label language. */
  locale: string;
  /** Forget the saved state and pull everything. */
  full: boolean;
  help: boolean;
}

/** A wrong option: printed with the usage, exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `Usage: npm run example:dashboard -- [options]

Pulls the cases changed since the last run, updates the child-protection indicators, and writes
dashboard.html (self-contained, opens without network) and indicators.json.

Options:
  --out <dir>             output directory (default: examples/dashboard/output); keeps state/ for the next run
  --min-cell <n>          hide counts from 1 to n-1 (default 5; 1 shows every count)
  --location-level <n>    admin level to group locations at (default 1: provinces or regions)
  --locale <code>         label language (default en)
  --full                  forget the saved state and pull every case again
  -h, --help              this help

Against a real server: PRIMERO_URL, PRIMERO_USERNAME and PRIMERO_PASSWORD. Without PRIMERO_URL, the SDK's fake Primero.`;

/** Parses the arguments (without `node` and the script). */
export function parseDashboardArgs(argv: readonly string[], defaultOut: string): DashboardArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        out: { type: 'string' },
        'min-cell': { type: 'string' },
        'location-level': { type: 'string' },
        locale: { type: 'string' },
        full: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const whole = (name: string, text: string | undefined, fallback: number): number => {
    if (text === undefined) return fallback;
    if (!/^\d{1,4}$/.test(text)) throw new UsageError(`--${name} takes a whole number, 0 or more`);
    return Number(text);
  };
  const locale = values.locale ?? 'en';
  if (!/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(locale)) throw new UsageError('--locale takes a language code, e.g. en or fr');
  if (values.out === '') throw new UsageError('--out takes a directory');
  return {
    out: resolve(values.out ?? defaultOut),
    minCell: whole('min-cell', values['min-cell'], 5),
    locationLevel: whole('location-level', values['location-level'], 1),
    locale,
    full: values.full ?? false,
    help: values.help ?? false,
  };
}
