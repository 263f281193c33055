/**
 * The server commands (`whoami`, `cases get|list`, `referrals list`, `services list`), run from source as
 * child processes against the fake served over HTTP in this process: output, `--json`, one-line errors
 * with what to check, no secret on any stream, and `--help` on every command.
 */
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli, type CliResult } from '../support/cli.js';
import { createFakePrimero, type FakePrimeroWithHandlers, type FakeServer } from '../../src/testing/index.js';

const ROOT = new URL('../../', import.meta.url);

type Result = CliResult;

/** Runs the CLI with only the given PRIMERO_* variables (none inherited from the machine). */
function cli(env: Record<string, string>, ...args: string[]): Promise<Result> {
  return runCli(args, { env });
}

let fake: FakePrimeroWithHandlers;
let served: FakeServer;
let sessionFake: FakePrimeroWithHandlers;
let sessionServed: FakeServer;
let env: Record<string, string>;

beforeAll(async () => {
  fake = createFakePrimero({ cases: 12, auth: ['basic', 'session'] });
  sessionFake = createFakePrimero({ cases: 2, auth: ['session'] });
  [served, sessionServed] = await Promise.all([fake.listen(), sessionFake.listen()]);
  env = { PRIMERO_URL: served.url, PRIMERO_USERNAME: fake.credentials.username, PRIMERO_PASSWORD: fake.credentials.password };
});

afterAll(async () => {
  await Promise.all([served?.close(), sessionServed?.close()]);
});

/** No stream carries the password. */
function expectNoSecret(result: Result, password: string): void {
  expect(result.stdout).not.toContain(password);
  expect(result.stderr).not.toContain(password);
}

describe('primero whoami', () => {
  test('Basic on a basic+session server, without POST /tokens; Session on a session-only server', async () => {
    const sessionEnv = { PRIMERO_URL: sessionServed.url, PRIMERO_USERNAME: sessionFake.credentials.username, PRIMERO_PASSWORD: sessionFake.credentials.password };
    fake.requests.length = 0;
    const [basic, session, text] = await Promise.all([cli(env, 'whoami', '--json'), cli(sessionEnv, 'whoami', '--json'), cli(env, 'whoami')]);

    expect(basic.stderr).toBe('');
    expect(basic.code).toBe(0);
    const report = JSON.parse(basic.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({ auth: 'basic', user_name: fake.credentials.username, primero_version: '2.15.2.1', server: served.url });
    expect(report.role_unique_id).toEqual(expect.stringMatching(/^role-/));
    expect(fake.requests.some((r) => r.path === '/tokens')).toBe(false);
    expect(fake.requests.filter((r) => r.path === '/users').map((r) => r.query.get('user_name'))).toContain(fake.credentials.username);
    expectNoSecret(basic, fake.credentials.password);

    expect(session.code).toBe(0);
    expect(JSON.parse(session.stdout)).toMatchObject({ auth: 'session', user_name: sessionFake.credentials.username, primero_version: '2.15.2.1' });
    expectNoSecret(session, sessionFake.credentials.password);

    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^auth\s+basic$/m);
    expect(text.stdout).toMatch(/^primero_version\s+2\.15\.2\.1$/m);
    expectNoSecret(text, fake.credentials.password);
  });

  test('a wrong password: one line with 401 and what to check, non-zero exit, no password printed', async () => {
    const wrong = 'not-the-Password-42';
    const result = await cli({ ...env, PRIMERO_PASSWORD: wrong }, 'whoami');
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^primero: 401 .*PRIMERO_USERNAME/);
    expectNoSecret(result, wrong);
    expectNoSecret(result, fake.credentials.password);
  });

  test('missing settings and an unreachable server: one line naming the variable to check', async () => {
    const [noUrl, noPassword, down] = await Promise.all([
      cli({ PRIMERO_USERNAME: 'x', PRIMERO_PASSWORD: 'y' }, 'whoami'),
      cli({ PRIMERO_URL: served.url, PRIMERO_USERNAME: 'x' }, 'cases', 'list'),
      cli({ ...env, PRIMERO_URL: 'http://127.0.0.1:1' }, 'whoami'),
    ]);
    expect(noUrl).toMatchObject({ code: 1, stdout: '', stderr: 'primero: no server given: set PRIMERO_URL or pass --url\n' });
    expect(noPassword).toMatchObject({ code: 1, stdout: '', stderr: 'primero: no credentials given: set PRIMERO_PASSWORD (or --password)\n' });
    expect(down.code).not.toBe(0);
    expect(down.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(down.stderr).toMatch(/^primero: cannot reach the server: .*check PRIMERO_URL/);
    expectNoSecret(down, fake.credentials.password);
  });
});

describe('primero cases', () => {
  test('get by record id and by --case-id print that case', async () => {
    const record = [...fake.store.cases.values()][3];
    expect(record).toBeDefined();
    const id = String(record?.id);
    const caseId = String(record?.case_id);
    const [byId, byCaseId, text, missing] = await Promise.all([
      cli(env, 'cases', 'get', id, '--json'),
      cli(env, 'cases', 'get', '--case-id', caseId, '--json'),
      cli(env, 'cases', 'get', id),
      cli(env, 'cases', 'get', '--case-id', 'no-such-case-id'),
    ]);
    expect(byId.code).toBe(0);
    expect(JSON.parse(byId.stdout)).toMatchObject({ id, case_id: caseId });
    expect(byCaseId.code).toBe(0);
    expect(JSON.parse(byCaseId.stdout)).toMatchObject({ id, case_id: caseId });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^id\\s+${id}$`, 'm'));
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toBe('primero: no case with that case_id, or not visible to this user\n');
  });

  test('get with both or neither of an id and --case-id is a usage error', async () => {
    const result = await cli(env, 'cases', 'get');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^primero: give either a record id or --case-id/);
  });

  test('list with --filter, --limit and --json', async () => {
    const all = [...fake.store.cases.values()];
    const open = all.filter((c) => c.status === 'open');
    expect(open.length).toBeGreaterThan(2);
    const [limited, filtered, table] = await Promise.all([
      cli(env, 'cases', 'list', '--limit', '5', '--json'),
      cli(env, 'cases', 'list', '--filter', 'status=open', '--json', '--fields', 'short'),
      cli(env, 'cases', 'list', '--limit', '3'),
    ]);
    expect(limited.code).toBe(0);
    expect(JSON.parse(limited.stdout)).toHaveLength(5);
    expect(filtered.code).toBe(0);
    const rows = JSON.parse(filtered.stdout) as { id: string; status: string }[];
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set(open.map((c) => c.id)));
    expect(rows.every((r) => r.status === 'open')).toBe(true);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^id\s+case_id_display\s+status\s+owned_by$/);
    expect(lines).toHaveLength(4);
  });

  test('a malformed --filter is a one-line usage error', async () => {
    const result = await cli(env, 'cases', 'list', '--filter', 'status');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/^primero cases list: option '--filter <key=value>' argument 'status' is invalid/);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('primero referrals and services', () => {
  test("list a case's referrals and service entries", async () => {
    const referral = [...fake.store.referrals.values()][0];
    expect(referral).toBeDefined();
    const caseId = String(referral?.record_id);
    const record = fake.store.cases.get(caseId);
    const services = (record?.services_section ?? []) as { unique_id: string }[];
    const [referrals, referralsText, serviceList] = await Promise.all([
      cli(env, 'referrals', 'list', caseId, '--json'),
      cli(env, 'referrals', 'list', caseId),
      cli(env, 'services', 'list', caseId, '--json'),
    ]);
    expect(referrals.code).toBe(0);
    const expected = [...fake.store.referrals.values()].filter((r) => r.record_id === caseId).map((r) => r.id);
    expect((JSON.parse(referrals.stdout) as { id: string }[]).map((r) => r.id).sort()).toEqual(expected.sort());
    expect(referralsText.stdout).toMatch(/^id\s+status\s+transitioned_to\s+service$/m);
    expect(referralsText.stdout).toContain(referral?.id);
    expect(serviceList.code).toBe(0);
    expect((JSON.parse(serviceList.stdout) as { unique_id: string }[]).map((s) => s.unique_id)).toEqual(services.map((s) => s.unique_id));
  });
});

describe.concurrent('--help', { timeout: 60_000 }, () => {
  test.each([
    [['whoami'], ['--url <url>', '--username <name>', '--password <password>', '--auth <mode>', '--json', 'env: PRIMERO_USERNAME']],
    [['cases', 'get'], ['[id]', '--case-id <case_id>', '--fields <fields>', '--json', '--auth <mode>']],
    [['cases', 'list'], ['--filter <key=value>', '--fields <fields>', '--limit <n>', '--json']],
    [['referrals', 'list'], ['<caseId>', '--json', '--url <url>']],
    [['services', 'list'], ['<caseId>', '--json', '--url <url>']],
  ])('%j --help prints its usage and exits 0', async (args, flags) => {
    const result = await cli({ PRIMERO_PASSWORD: 'secret-in-env-77' }, ...args, '--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Usage: primero ${args.join(' ')} `));
    for (const flag of flags) expect(result.stdout).toContain(flag);
    expectNoSecret(result, 'secret-in-env-77');
  });

  test('the program lists the commands', async () => {
    const result = await cli({}, '--help');
    expect(result.code).toBe(0);
    for (const name of ['whoami', 'cases', 'referrals', 'services']) expect(result.stdout).toMatch(new RegExp(`\\n {2}${name}\\b`));
  });
});

describe('the program name', () => {
  test("messages name the command as it was run: `primero`, or `primero-sdk` through the package's second bin", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'primero-bin-'));
    try {
      await symlink(fileURLToPath(new URL('src/cli/main.ts', ROOT)), join(dir, 'primero-sdk'));
      const run = (script: string, ...args: string[]) => runCli(args, { script });
      const [asSdk, asMain] = await Promise.all([run(join(dir, 'primero-sdk'), '--bogus'), run('src/cli/main.ts', '--bogus')]);
      expect(asSdk.stderr).toBe("primero-sdk: unknown option '--bogus'. See 'primero-sdk --help'.\n");
      expect(asMain.stderr).toBe("primero: unknown option '--bogus'. See 'primero --help'.\n");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

