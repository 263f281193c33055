/**
 * `primero cases export`: writes every case as NDJSON or CSV to a file or stdout, page by page (one page
 * in memory at a time, waiting for the output to drain), oldest change first through
 * `client.cases.changes()`, so `--since` resumes. stderr gets counts and the `--since` to resume from, never
 * a record value or a secret.
 *
 * @module
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { SingleBar } from 'cli-progress';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { Timestamp } from '../../sync/cursor.js';
import { addConnectionOptions, connect, describeError, type ConnectionFlags } from '../connection.js';
import { CliError } from '../errors.js';

const FORMATS = ['ndjson', 'csv'] as const;
type Format = (typeof FORMATS)[number];

/** The CSV columns without `--fields`: core fields every case has, no names or other personal details. */
const DEFAULT_CSV_FIELDS: readonly string[] = [
  'id',
  'case_id_display',
  'module_id',
  'status',
  'record_state',
  'owned_by',
  'created_at',
  'last_updated_at',
];

/** The parsed options of `cases export`. */
interface ExportOptions extends ConnectionFlags {
  format: Format;
  since?: string;
  out?: string;
  fields?: string[];
  overlapSeconds: number;
  per: number;
}

/** @internal Adds `cases export` to the program (under the `cases` command, created if missing). */
export function casesExportCommand(program: Command): void {
  const cases = program.commands.find((command) => command.name() === 'cases') ?? program.command('cases').description('Work with cases.');
  const command = cases
    .command('export')
    .description('Export every case as NDJSON or CSV, oldest change first; resumable with --since.')
    .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('ndjson'))
    .addOption(new Option('--since <iso>', 'only cases updated at or after this time (the hint printed by an earlier run)').argParser(timestamp))
    .addOption(new Option('--out <file>', 'write to this file (replaced) instead of stdout'))
    .addOption(new Option('--fields <names>', `CSV columns, comma-separated (default: ${DEFAULT_CSV_FIELDS.join(',')})`).argParser(fieldList))
    .addOption(new Option('--overlap-seconds <number>', 'seconds re-read before --since, for late commits').default(60).argParser(integer(0, 86_400)))
    .addOption(new Option('--per <number>', 'cases per request').default(1000).argParser(integer(1, 1000)));
  addConnectionOptions(command)
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ primero cases export --format ndjson --out cases.ndjson',
        '  $ primero cases export --format csv --fields id,status,last_updated_at > cases.csv',
        '  $ primero cases export --since 2024-05-01T10:00:00.000Z --out more.ndjson',
        '',
        'Progress and the --since to resume from go to stderr; no record value is ever printed there.',
      ].join('\n'),
    )
    .action((options: ExportOptions) => exportCases(options));
}

async function exportCases(options: ExportOptions): Promise<void> {
  if (options.fields && options.format !== 'csv') throw new CliError('--fields applies to --format csv only');
  const client = connect(options);
  const fields = options.fields ?? DEFAULT_CSV_FIELDS;
  const progress = new Progress(process.stderr);
  let output: Writable = process.stdout;
  let count = 0;
  /** The newest `last_updated_at` written: the `--since` of a resumed run. */
  let resumeFrom = options.since;
  let resumeMs = resumeFrom === undefined ? Number.NEGATIVE_INFINITY : Date.parse(resumeFrom);
  const hint = () => (resumeFrom === undefined ? 'nothing written; run it again' : `resume with --since ${resumeFrom}`);
  try {
    if (options.out !== undefined) {
      output = createWriteStream(options.out, { flags: 'w' });
      await once(output, 'ready');
    }
    if (options.format === 'csv') await write(output, csvRow(fields));
    const feed = client.cases.changes({ since: options.since, overlapSeconds: options.overlapSeconds, per: options.per });
    for await (const page of feed.byPage()) {
      let chunk = '';
      for (const record of page) chunk += options.format === 'csv' ? csvRow(fields.map((field) => (record as Record<string, unknown>)[field])) : `${JSON.stringify(record)}\n`;
      await write(output, chunk);
      count += page.length;
      for (const record of page) {
        const at = Date.parse(record.last_updated_at);
        if (at > resumeMs) {
          resumeMs = at;
          resumeFrom = record.last_updated_at;
        }
      }
      progress.update(count);
    }
    if (output !== process.stdout) await finish(output);
  } catch (error) {
    progress.done();
    // Keep what was written (the hint covers it): flush the file rather than discard its buffer.
    if (output !== process.stdout && !output.destroyed) await finish(output).catch(() => undefined);
    throw new CliError(`export stopped after ${count} cases: ${describe(error, options.out)}; ${hint()}`);
  }
  progress.done();
  process.stderr.write(`Exported ${count} cases to ${options.out ?? 'stdout'}; ${hint()}\n`);
}

/** The failure in one line: a file error names the file and its code, anything else as the SDK's errors are. */
function describe(error: unknown, out: string | undefined): string {
  const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  if (code && error instanceof Error && 'syscall' in error && out !== undefined) return `cannot write ${out} (${code})`;
  return describeError(error);
}

/** Writes `chunk`, waiting for the stream to drain when its buffer is full; rejects on a stream error. */
async function write(stream: Writable, chunk: string): Promise<void> {
  if (!chunk) return;
  if (!stream.write(chunk)) await once(stream, 'drain');
}

/** Ends a file stream and waits until it is flushed and closed; rejects on a write error. */
async function finish(stream: Writable): Promise<void> {
  stream.end();
  await once(stream, 'close');
  if (stream.errored) throw stream.errored;
}

/** One RFC 4180 row (CRLF-terminated). Objects and arrays are JSON; null and missing are empty cells. */
function csvRow(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

function csvCell(value: unknown): string {
  const text = value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The count of cases written, on stderr: a live line on a terminal (drawn by cli-progress), one plain line per
 * page otherwise (a log or CI). The total is not known in advance (the feed reads until the server's "now"),
 * so a counter with the elapsed time and rate, not a bar.
 */
class Progress {
  readonly #stream: NodeJS.WriteStream;
  readonly #started = Date.now();
  #bar: SingleBar | undefined;

  constructor(stream: NodeJS.WriteStream) {
    this.#stream = stream;
  }

  update(count: number): void {
    if (!this.#stream.isTTY) {
      this.#stream.write(`exported ${count} cases\n`);
      return;
    }
    if (!this.#bar) {
      this.#bar = new SingleBar({
        stream: this.#stream,
        format: 'exported {value} cases  {rate}/s  {duration_formatted}',
        hideCursor: true,
        // Redraws at most every 100 ms: pages can arrive faster than a terminal is worth repainting.
        fps: 10,
      });
      this.#bar.start(0, count, { rate: 0 });
    }
    const seconds = Math.max((Date.now() - this.#started) / 1000, 0.001);
    this.#bar.update(count, { rate: Math.round(count / seconds) });
  }

  /** Ends the live line, so what follows starts on its own. */
  done(): void {
    this.#bar?.stop();
    this.#bar = undefined;
  }
}

function timestamp(value: string): string {
  if (!Timestamp.safeParse(value.trim()).success) throw new InvalidArgumentError('Expected an ISO-8601 date or datetime with a zone, e.g. 2024-05-01T10:00:00Z.');
  return value.trim();
}

function fieldList(value: string): string[] {
  const fields = value.split(',').map((field) => field.trim());
  if (!fields.length || fields.some((field) => !field)) throw new InvalidArgumentError('Expected field names, comma-separated.');
  return fields;
}

/** A parser for an integer option in [min, max]. */
function integer(min: number, max: number): (value: string) => number {
  return (value) => {
    const parsed = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) throw new InvalidArgumentError(`Expected an integer from ${min} to ${max}.`);
    return parsed;
  };
}
