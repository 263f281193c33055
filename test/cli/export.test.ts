/**
 * `primero cases export`, run from source as a child process against the fake served over HTTP in this
 * process: NDJSON and CSV of every case, resumable with the printed `--since`, with counts (never a record
 * value or the password) on stderr.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http, passthrough } from 'msw';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createFakePrimero, type FakePrimeroWithHandlers } from '../../src/testing/index.js';
import { runCli, type CliResult } from '../support/cli.js';
import { server } from '../support/server.js';

/** Bound on one child run: ts-node's start on a slow machine plus the export. */
const RUN_MS = 30_000;
const TRICKY_NAME = 'Zed, "the" \nQuoted';

/** Runs the CLI to its end (killed after {@link RUN_MS}), with the fake's URL and credentials in the environment. */
function cli(...args: string[]): Promise<CliResult> {
  return runCli(args, { env: { PRIMERO_URL: url, PRIMERO_USERNAME: fake.credentials.username, PRIMERO_PASSWORD: fake.credentials.password }, killAfterMs: RUN_MS });
}

let fake: FakePrimeroWithHandlers;
let url: string;
let close: () => Promise<void>;
let dir: string;

beforeAll(async () => {
  fake = createFakePrimero({ cases: 250, auth: ['basic'] });
  const first = [...fake.store.cases.values()][0];
  if (!first) throw new Error('no seeded case');
  first.name_first = TRICKY_NAME;
  ({ url, close } = await fake.listen());
  dir = mkdtempSync(join(tmpdir(), 'primero-export-'));
});

afterAll(async () => {
  await close();
  rmSync(dir, { recursive: true, force: true });
});

// The unit tests' msw server intercepts fetch: let the test reach the fake on loopback.
beforeEach(() => {
  server.use(http.all(/^http:\/\/127\.0\.0\.1:\d+\//, () => passthrough()));
});

/** What must never reach stderr: the password and any name of a case. */
function expectNothingSecret(stderr: string): void {
  expect(stderr).not.toContain(fake.credentials.password);
  for (const record of fake.store.cases.values()) {
    for (const value of [record.name_first, record.name_last]) expect(stderr).not.toContain(String(value));
  }
}

/** Parses RFC 4180 text: quoted cells may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') row.push(cell), (cell = '');
    else if (char === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      (row = []), (cell = ''), i++;
    } else cell += char;
  }
  expect(cell === '' && row.length === 0, 'the text ends with a complete CRLF row').toBe(true);
  return rows;
}

describe('primero cases export', { timeout: 60_000 }, () => {
  let resumeFrom = '';

  test('ndjson to --out: every case once, page by page; stderr has plain counts and the resume hint only', async () => {
    const out = join(dir, 'cases.ndjson');
    const result = await cli('cases', 'export', '--format', 'ndjson', '--out', out, '--per', '100');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(250);
    const records = lines.map((line) => JSON.parse(line) as { id: string; last_updated_at: string; name_first?: string });
    expect(new Set(records.map((record) => record.id))).toEqual(new Set(fake.store.cases.keys()));
    expect(records.some((record) => record.name_first === TRICKY_NAME)).toBe(true);
    // Oldest change first, so the newest written is the last line.
    const newest = records.map((record) => record.last_updated_at).sort().at(-1) ?? '';
    // Not a terminal: one plain, growing count per page (a page may hold fewer than --per: the records read
    // twice at a page boundary are dropped), then the summary with the newest timestamp written.
    const progress = result.stderr.trimEnd().split('\n');
    const counts = progress.slice(0, -1).map((line) => Number(/^exported (\d+) cases$/.exec(line)?.[1]));
    expect(counts.length).toBeGreaterThanOrEqual(3);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(counts.at(-1)).toBe(250);
    expect(progress.at(-1)).toBe(`Exported 250 cases to ${out}; resume with --since ${newest}`);
    expectNothingSecret(result.stderr);
    resumeFrom = /--since (\S+)$/.exec(result.stderr.trimEnd())?.[1] ?? '';
  });

  test('ndjson to stdout when no --out', async () => {
    const result = await cli('cases', 'export');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(250);
    expect(result.stderr).toMatch(/Exported 250 cases to stdout; resume with --since \S+\n$/);
    expectNothingSecret(result.stderr);
  });

  test('csv with --fields: a header and one RFC 4180 row per case, commas, quotes and newlines quoted', async () => {
    const out = join(dir, 'cases.csv');
    const result = await cli('cases', 'export', '--format', 'csv', '--fields', 'id,name_first,age,protection_concerns', '--out', out);
    expect(result.code, result.stderr).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).toContain(`"${TRICKY_NAME.replace(/"/g, '""')}"`);
    const rows = parseCsv(text);
    expect(rows[0]).toEqual(['id', 'name_first', 'age', 'protection_concerns']);
    expect(rows).toHaveLength(251);
    const byId = new Map(rows.slice(1).map((row) => [row[0], row]));
    expect(byId.size).toBe(250);
    for (const record of fake.store.cases.values()) {
      expect(byId.get(record.id)).toEqual([record.id, String(record.name_first), String(record.age), JSON.stringify(record.protection_concerns)]);
    }
    expectNothingSecret(result.stderr);
  });

  test('csv without --fields uses the core columns', async () => {
    const result = await cli('cases', 'export', '--format', 'csv', '--per', '1000');
    expect(result.code, result.stderr).toBe(0);
    const rows = parseCsv(result.stdout);
    expect(rows[0]).toEqual(['id', 'case_id_display', 'module_id', 'status', 'record_state', 'owned_by', 'created_at', 'last_updated_at']);
    expect(rows).toHaveLength(251);
  });

  test('--since with the printed hint resumes: only the cases updated since (and those of that very second)', async () => {
    expect(resumeFrom).not.toBe('');
    const later = new Date(Date.parse(resumeFrom) + 3_600_000);
    const updated = [...fake.store.cases.values()].slice(10, 13);
    updated.forEach((record, index) => (record.last_updated_at = new Date(later.getTime() + index * 1000).toISOString()));
    const out = join(dir, 'more.ndjson');
    const result = await cli('cases', 'export', '--since', resumeFrom, '--overlap-seconds', '0', '--out', out);
    expect(result.code, result.stderr).toBe(0);
    const records = readFileSync(out, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as { id: string; last_updated_at: string });
    const ids = records.map((record) => record.id);
    for (const record of updated) expect(ids).toContain(record.id);
    // Anything else is a boundary case: updated in the hint's own second (the server compares whole seconds).
    const second = Math.floor(Date.parse(resumeFrom) / 1000);
    for (const record of records.filter((r) => !updated.some((u) => u.id === r.id))) expect(Math.floor(Date.parse(record.last_updated_at) / 1000)).toBe(second);
    expect(records.length).toBeLessThan(10);
    expect(result.stderr).toMatch(new RegExp(`resume with --since ${String(updated.at(-1)?.last_updated_at).replace(/\./g, '\\.')}\\n$`));
    expectNothingSecret(result.stderr);
  });

  test('a failure is one line with the resume hint and a non-zero exit; never the password', async () => {
    const result = await cli('cases', 'export', '--password', 'not-the-password-123');
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^primero: export stopped after 0 cases: .*PRIMERO_PASSWORD.*; nothing written; run it again$/);
    expect(result.stderr).not.toContain('not-the-password-123');
    expectNothingSecret(result.stderr);
  });

  test('an --out that cannot be written is one line naming it, before anything is requested', async () => {
    const out = join(dir, 'missing', 'cases.ndjson');
    const result = await cli('cases', 'export', '--out', out);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`primero: export stopped after 0 cases: cannot write ${out} (ENOENT); nothing written; run it again\n`);
  });

  test.each([
    [['cases', 'export', '--format', 'xml'], /^primero cases export: option '--format <format>' argument 'xml' is invalid/],
    [['cases', 'export', '--since', 'yesterday'], /^primero cases export: option '--since <iso>' argument 'yesterday' is invalid/],
    [['cases', 'export', '--fields', 'id'], /^primero: --fields applies to --format csv only\n$/],
  ])('a bad flag (%j) exits non-zero with one line on stderr', async (args, message) => {
    const result = await cli(...args);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stdout).toBe('');
  });
});
