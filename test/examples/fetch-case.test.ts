/**
 * examples/fetch-case, run as users run it against the fake Primero: the summary identifies the case and
 * its state but shows no personal value; --full-record is the one way to see the whole record.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { runExample, type ExampleRun } from './run-example.js';

interface FullRecord {
  case: Record<string, unknown> & { id: string; case_id: string; status: string; owned_by: string; services_section: { unique_id: string }[] };
  referrals: { id: string; status: string }[];
}

const fetchCase = (...args: string[]) => runExample('fetch-case', { args });

let summary: ExampleRun;
let full: ExampleRun;
let record: FullRecord;

beforeAll(async () => {
  summary = await fetchCase();
  const id = /showing seeded case ([0-9a-f-]{36})/.exec(summary.stdout)?.[1];
  if (summary.code !== 0 || !id) throw new Error(`fetch-case failed: ${summary.stderr}`);
  full = await fetchCase(id, '--full-record');
  record = JSON.parse(full.stdout) as FullRecord;
}, 30_000);

describe('fetch-case', () => {
  test('with no argument it picks a seeded case with services and referrals, and prints its ids, state and owner', () => {
    expect(summary.code).toBe(0);
    const c = record.case;
    expect(summary.stdout).toContain(`id=${c.id}`);
    expect(summary.stdout).toContain(`case_id=${c.case_id}`);
    expect(summary.stdout).toContain(`status=${c.status}`);
    expect(summary.stdout).toContain(`owned_by=${c.owned_by}`);
    expect(summary.stdout).toContain(`last_updated_at=${String(c.last_updated_at)}`);
    expect(c.services_section.length).toBeGreaterThan(0);
    expect(summary.stdout).toContain(`services   ${c.services_section.length}`);
    for (const service of c.services_section) expect(summary.stdout).toContain(service.unique_id);
    expect(record.referrals.length).toBeGreaterThan(0);
    for (const referral of record.referrals) expect(summary.stdout).toMatch(new RegExp(`${referral.id}\\s+status=${referral.status}`));
  });

  test('the summary names the personal fields present but prints none of their values', () => {
    const personal = ['name_first', 'name_last', 'date_of_birth', 'age', 'sex', 'location_current'];
    for (const field of personal) {
      expect(record.case[field], field).toBeDefined();
      expect(summary.stdout).toMatch(new RegExp(`\\b${field}\\b`));
      expect(summary.stdout).not.toMatch(new RegExp(`${field}=`));
    }
    for (const value of [record.case.name_first, record.case.name_last, record.case.date_of_birth]) {
      expect(summary.stdout + summary.stderr).not.toMatch(new RegExp(`\\b${String(value)}\\b`));
    }
    // Free text on a referral may quote the child: shown as present, never printed.
    expect(summary.stdout).toContain('text given: notes');
    expect(summary.stdout).not.toContain('Referred for follow-up');
  });

  test('--full-record prints the whole record as JSON on stdout, with the warning on stderr', () => {
    expect(full.code).toBe(0);
    expect(record.case.name_first).toEqual(expect.any(String));
    expect(full.stderr).toContain('personal data');
  });

  test('--case-id finds the case by its case_id', async () => {
    const run = await fetchCase('--case-id', record.case.case_id);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`id=${record.case.id}`);
  });

  test('an unknown id exits 1 with a hint; bad arguments exit 2 with the usage', async () => {
    const missing = await fetchCase('00000000-0000-4000-8000-000000000000');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('404');
    expect(missing.stderr).toContain('--case-id');
    const unknownCaseId = await fetchCase('--case-id', 'CP-0000-NOPE');
    expect(unknownCaseId.code).toBe(1);
    const both = await fetchCase(record.case.id, '--case-id', record.case.case_id);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('usage:');
  }, 20_000);
});
