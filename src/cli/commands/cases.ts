/**
 * `primero cases get <id> | --case-id <case_id>` and `primero cases list [--filter key=value]… [--fields short]
 * [--limit n]`: case records, printed because the user asked for them.
 *
 * @module
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { FilterValue, Filters } from '../../core/filters.js';
import { range } from '../../core/filters.js';
import type { CaseRecord } from '../../models/case.js';
import { addConnectionOptions, type ConnectionFlags, connect } from '../connection.js';
import { CliError } from '../errors.js';
import { addJsonOption, printFields, printJson, printTable, run } from '../output.js';

interface GetOptions extends ConnectionFlags {
  caseId?: string;
  fields?: string;
  json?: boolean;
}

interface ListOptions extends ConnectionFlags {
  filter: [string, string][];
  fields?: string;
  limit: number;
  json?: boolean;
}

/** @internal Adds `cases get` and `cases list` to the program. */
export function casesCommand(program: Command): void {
  // `cases export` (./export.ts) shares the `cases` command: whichever module comes first creates it.
  const cases = program.commands.find((command) => command.name() === 'cases') ?? program.command('cases').description('Work with cases.');

  const get = cases
    .command('get')
    .description('Print one case, by its record id (a UUID) or by --case-id.')
    .argument('[id]', 'the record id (a UUID, not the case_id)')
    .option('--case-id <case_id>', 'find the case by its case_id instead')
    .addOption(fieldsOption())
    .addHelpText('after', ['', 'Examples:', '  $ primero cases get 3f0c…', '  $ primero cases get --case-id CP-2024-0001 --json'].join('\n'));
  addJsonOption(addConnectionOptions(get)).action((id: string | undefined, options: GetOptions) => run(() => getCase(id, options)));

  const list = cases
    .command('list')
    .description('List cases (id, case_id_display, status, owned_by), oldest first.')
    .addOption(new Option('--filter <key=value>', 'a filter; repeat for several. a,b is a list, 10..17 a range, true/false a flag').argParser(collectFilter).default([]))
    .addOption(fieldsOption())
    .addOption(new Option('--limit <n>', 'most cases to print').argParser(positive).default(100))
    .addHelpText('after', ['', 'Examples:', '  $ primero cases list --filter status=open --filter age=10..17 --limit 20', '  $ primero cases list --fields short --json'].join('\n'));
  addJsonOption(addConnectionOptions(list)).action((options: ListOptions) => run(() => listCases(options)));
}

function fieldsOption(): Option {
  return new Option('--fields <fields>', "'short' for the summary fields, or field names, comma-separated");
}

async function getCase(id: string | undefined, options: GetOptions): Promise<void> {
  if (!id === !options.caseId) throw new CliError("give either a record id or --case-id, not both and not neither; see 'cases get --help'", 2);
  const client = connect(options);
  let record: CaseRecord | undefined;
  if (id) {
    const fields = parseFields(options.fields);
    record = await client.cases.get(id, fields ? { fields } : {});
  } else {
    record = await client.cases.findByCaseId(options.caseId ?? '');
    if (!record) throw new CliError('no case with that case_id, or not visible to this user');
  }
  if (options.json) printJson(record);
  else printFields(record as Record<string, unknown>);
}

async function listCases(options: ListOptions): Promise<void> {
  const client = connect(options);
  const filters: Filters = Object.fromEntries(options.filter.map(([key, value]) => [key, filterValue(value)]));
  const fields = parseFields(options.fields);
  const rows: CaseRecord[] = [];
  const iterable = client.cases.list({ filters, per: Math.min(options.limit, 500), ...(fields ? { fields } : {}) });
  for await (const record of iterable) {
    rows.push(record);
    if (rows.length >= options.limit) break;
  }
  if (options.json) {
    printJson(rows);
    return;
  }
  const show = (r: CaseRecord, key: string) => (r as Record<string, unknown>)[key];
  printTable(
    ['id', 'case_id_display', 'status', 'owned_by'],
    rows.map((r) => [r.id, show(r, 'case_id_display'), show(r, 'status'), show(r, 'owned_by')]),
  );
}

function parseFields(value: string | undefined): 'short' | string[] | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === 'short') return 'short';
  const names = value.split(',').map((f) => f.trim()).filter(Boolean);
  return names.length ? names : undefined;
}

function collectFilter(value: string, previous: [string, string][]): [string, string][] {
  const at = value.indexOf('=');
  const key = at > 0 ? value.slice(0, at).trim() : '';
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(key) || at === value.length - 1) throw new InvalidArgumentError('Expected key=value, e.g. status=open.');
  return [...previous, [key, value.slice(at + 1)]];
}

/** `a,b` a list; `10..17` or `2024-01-01..2024-06-30` a range; `true`/`false` a flag; anything else a string. */
function filterValue(value: string): FilterValue {
  if (value === 'true' || value === 'false') return value === 'true';
  const bounds = /^(.+?)\.\.(.*)$/.exec(value);
  if (bounds) {
    const [, from = '', to = ''] = bounds;
    const num = (v: string) => (/^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v);
    try {
      return to ? range(num(from), num(to)) : range(num(from));
    } catch {
      throw new CliError('a range filter needs a start, e.g. age=10..17', 2);
    }
  }
  if (value.includes(',')) return value.split(',').map((v) => v.trim()).filter(Boolean);
  return value;
}

function positive(value: string): number {
  const parsed = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed < 1 || parsed > 100_000) throw new InvalidArgumentError('Expected an integer from 1 to 100000.');
  return parsed;
}
