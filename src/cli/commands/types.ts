/**
 * `primero types`: TypeScript types and zod schemas of a deployment's record types, from its forms and
 * lookups (`GET /api/v2/forms`, `GET /api/v2/lookups`) or from saved copies of them. The built-in `Case`
 * type can only know Primero's core fields; this one knows the deployment's forms and hash-suffixed fields.
 *
 * @module
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { type Command, Option } from 'commander';
import { z } from 'zod';
import { generateRecordTypes } from '../../codegen/generate.js';
import { toIssues } from '../../core/validate.js';
import { FormSection } from '../../models/form.js';
import { Lookup } from '../../models/lookup.js';
import { addConnectionOptions, connect, type ConnectionFlags } from '../connection.js';
import { CliError } from '../errors.js';
import { run } from '../output.js';

interface TypesOptions extends ConnectionFlags {
  out?: string;
  forms?: string;
  lookups?: string;
  recordType?: string[];
  module?: string;
  locale: string;
  check?: boolean;
}

/** @internal Adds `types` to the program. */
export function typesCommand(program: Command): void {
  const command = program
    .command('types')
    .description("Generate TypeScript types and zod schemas of the deployment's record types from its forms.")
    .option('--out <file>', 'write the module to this file (default: stdout)')
    .option('--forms <file>', 'read the forms from a saved GET /api/v2/forms response instead of the server')
    .option('--lookups <file>', 'with --forms: the lookups, from a saved GET /api/v2/lookups response')
    .addOption(new Option('--record-type <type>', 'only this record type (case, incident...); repeat for several').argParser(collect))
    .option('--module <module_id>', 'only the forms of this module, e.g. primeromodule-cp')
    .option('--locale <locale>', 'language of the labels in the doc comments', 'en')
    .option('--check', 'do not write: exit 1 when --out is missing or out of date (for CI)')
    .addHelpText(
      'after',
      [
        '',
        'Select fields become unions of their option ids (from the form or its lookup), multi-selects arrays of',
        'them, subforms arrays of entries with unique_id; date, datetime, tick box and numeric fields get the',
        "server's value formats. Pass the generated primeroTypes to client.withTypes() to use them.",
        '',
        'Examples:',
        '  $ primero types --out src/primero-types.ts',
        '  $ primero types --forms forms.json --lookups lookups.json --out src/primero-types.ts',
        '  $ primero types --out src/primero-types.ts --check',
      ].join('\n'),
    );
  addConnectionOptions(command).action((options: TypesOptions) => run(() => types(options)));
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

async function types(options: TypesOptions): Promise<void> {
  if (options.check && !options.out) throw new CliError('--check needs --out, the file to compare', 2);
  if (options.lookups && !options.forms) throw new CliError('--lookups goes with --forms; without --forms both come from the server', 2);
  const { forms, lookups, source } = options.forms ? await readSaved(options.forms, options.lookups) : await fetchLive(options);
  const generated = generateRecordTypes(forms, lookups, {
    source,
    recordTypes: options.recordType,
    moduleId: options.module,
    locale: options.locale,
  });
  for (const warning of generated.warnings) process.stderr.write(`warning: ${warning}\n`);
  if (!generated.recordTypes.length) throw new CliError('no forms to generate types from: check --record-type and --module');
  const summary = generated.recordTypes.map((t) => `${t.name}: ${plural(t.fields, 'field')}, ${plural(t.subforms, 'subform')}`).join('; ');

  if (!options.out) {
    process.stdout.write(generated.code);
    process.stderr.write(`${summary}\n`);
    return;
  }
  if (options.check) {
    const current = await readFile(options.out, 'utf8').catch(() => undefined);
    if (current !== generated.code) throw new CliError(`${options.out} is ${current === undefined ? 'missing' : 'out of date'}: run the command again without --check`);
    process.stderr.write(`${options.out} is up to date (${summary})\n`);
    return;
  }
  await writeAtomically(options.out, generated.code);
  process.stderr.write(`wrote ${options.out} (${summary})\n`);
}

async function fetchLive(options: TypesOptions): Promise<{ forms: FormSection[]; lookups: Lookup[]; source: string }> {
  const client = connect(options);
  const recordType = options.recordType?.length === 1 ? options.recordType[0] : undefined;
  const forms = await client.forms.list({ ...(recordType ? { record_type: recordType } : {}), ...(options.module ? { module_id: options.module } : {}) });
  const lookups = await client.lookups.list({ per: 1000 }).collect({ max: 100_000 });
  // The origin only: baseUrl never holds credentials (the client refuses them), and a path adds nothing.
  return { forms, lookups, source: new URL(client.baseUrl).origin };
}

async function readSaved(formsFile: string, lookupsFile: string | undefined): Promise<{ forms: FormSection[]; lookups: Lookup[]; source: string }> {
  const forms = await readList(formsFile, FormSection, 'forms');
  const lookups = lookupsFile ? await readList(lookupsFile, Lookup, 'lookups') : [];
  return { forms, lookups, source: basename(formsFile) };
}

/** A saved API response (`{ data: [...] }`) or a bare array, each item checked. */
async function readList<T>(file: string, schema: z.ZodType<T>, what: string): Promise<T[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CliError(`${file} is not JSON: save the body of GET /api/v2/${what}`);
  }
  const list = Array.isArray(json) ? json : (json as { data?: unknown } | null)?.data;
  const parsed = z.array(schema).safeParse(list);
  if (!parsed.success) {
    const [issue] = toIssues(parsed.error);
    const where = issue ? ` at ${issue.path.join('.') || '(top)'} (${issue.code})` : '';
    throw new CliError(`${file} does not hold ${what}${where}: save the body of GET /api/v2/${what}`);
  }
  return parsed.data;
}

/** Writes through a temporary file, so an interrupted run never leaves half a module behind. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, text, 'utf8');
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new CliError(`cannot write ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}
