/**
 * examples/case-sync: the sync run in this process against the fake Primero and the stand-in external
 * system (writes counted by both servers), and the example run as users run it.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrimeroClient } from 'primero-sdk';
import { createFakePrimero, type FakeRecord } from 'primero-sdk/testing';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { demoClients } from '../../examples/case-sync/demo.js';
import { LINK_FIELDS, STATUS_OPTIONS, addLinkForm, deploymentMapping } from '../../examples/case-sync/deployment.js';
import { OscarApi } from '../../examples/case-sync/oscar.js';
import { OscarStandIn } from '../../examples/case-sync/standin.js';
import { SyncState } from '../../examples/case-sync/state.js';
import { runSync } from '../../examples/case-sync/sync.js';
import { ownStderr, runExample } from './run-example.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** The fake Primero, the stand-in seeded with the demo's clients, and a sync over a fresh state directory. */
async function scenario(options: { before?: (fake: ReturnType<typeof createFakePrimero>, standIn: OscarStandIn) => void } = {}) {
  const fake = createFakePrimero({ cases: 20, seed: 11 });
  addLinkForm(fake.store);
  const client = new PrimeroClient({ baseUrl: fake.baseUrl, auth: fake.credentials, fetch: fake.fetch });
  const standIn = new OscarStandIn({ token: 'stand-in-token' });
  const globalIds = standIn.seed(demoClients(Date.now()));
  let refuseUpserts = false;
  const external = new OscarApi({
    baseUrl: 'https://external.test',
    token: 'stand-in-token',
    fetch: async (input, init) => {
      const request = new Request(input, init);
      if (refuseUpserts && request.method === 'POST') return new Response('{"errors":["busy"]}', { status: 503 });
      return standIn.handle(request);
    },
  });
  options.before?.(fake, standIn);
  const dir = await mkdtemp(join(tmpdir(), 'case-sync-test-'));
  dirs.push(dir);
  const { mapping } = await deploymentMapping(client);
  const open = () => SyncState.open(dir, { primero: fake.baseUrl, external: 'stand-in' });
  let state = await open();
  const primeroWrites = () => fake.requests.filter((r) => r.method !== 'GET');
  /** One run, with the writes each server received during it. */
  const sync = async () => {
    const [primeroBefore, externalBefore] = [primeroWrites().length, standIn.stats.upsertRequests];
    const report = await runSync({ client, external, state, mapping });
    return { report, primero: primeroWrites().slice(primeroBefore), external: standIn.stats.upsertRequests - externalBefore };
  };
  const caseOf = (globalId: string): FakeRecord | undefined => [...fake.store.cases.values()].find((c) => c[LINK_FIELDS.globalId] === globalId);
  return {
    fake, client, standIn, globalIds, sync, caseOf,
    refuse: (on: boolean) => void (refuseUpserts = on),
    /** A new process: the state read back from its directory. */
    reopen: async () => void (state = await open()),
  };
}

describe('case-sync', () => {
  test('inbound: each client is upserted into Primero by its external id, with the deployment\'s field names, and learns its case_id back', async () => {
    const { sync, globalIds, caseOf, standIn } = await scenario();
    const { report } = await sync();
    expect(report.inbound).toMatchObject({ read: 3, unchanged: 0, failed: [] });
    expect(report.inbound.created).toHaveLength(3);

    const [first, second, third] = globalIds.map((id) => caseOf(id));
    expect(first).toMatchObject({
      module_id: 'primeromodule-cp', oscar_short_id: 'hfc-1', name_first: 'Sopheap', sex: 'female', date_of_birth: '2012-04-09',
      risk_level: 'high', mosvy_number: 'MV-0012', [LINK_FIELDS.status]: STATUS_OPTIONS.active,
    });
    // Old external data repaired: a doubled year digit, a typo in the status, slashes, stray spaces.
    expect(second).toMatchObject({ date_of_birth: '2011-07-30', [LINK_FIELDS.status]: STATUS_OPTIONS.active });
    expect(second).not.toHaveProperty('risk_level'); // `no action`: no Primero option, nothing written
    expect(third).toMatchObject({ date_of_birth: '2016-02-17', mosvy_number: 'MV-0047', [LINK_FIELDS.status]: STATUS_OPTIONS.referred });

    // Outbound then tells the external system the case ids Primero gave them.
    for (const [index, globalId] of globalIds.entries()) {
      const record = [first, second, third][index];
      expect(standIn.find(globalId)).toMatchObject({ external_id: record?.case_id, external_id_display: record?.case_id_display });
    }
  });

  test('outbound: a case a caseworker flagged gets a client, whose ids are written back into the case', async () => {
    const { sync, standIn, client } = await scenario();
    const [candidate] = (await client.cases.list({ per: 1 }).firstPage()).data;
    if (!candidate) throw new Error('no case');
    await client.cases.update(candidate.id, { [LINK_FIELDS.referToExternal]: true });
    const { report } = await sync();
    expect(report.outbound.linked).toEqual([candidate.id]);
    const made = standIn.all().find((c) => c.external_id === candidate.case_id);
    expect(made).toMatchObject({ status: 'Referred', external_id_display: candidate.case_id_display });
    expect(await client.cases.get(candidate.id)).toMatchObject({ oscar_number: made?.global_id, oscar_short_id: made?.slug, [LINK_FIELDS.status]: STATUS_OPTIONS.referred });
  });

  test('a rerun with nothing new writes nothing on either side, in the same process or a new one', async () => {
    const { sync, reopen, client } = await scenario();
    const [candidate] = (await client.cases.list({ per: 1 }).firstPage()).data;
    await client.cases.update(candidate?.id ?? '', { [LINK_FIELDS.referToExternal]: true });
    const first = await sync();
    expect(first.primero.length).toBeGreaterThan(0);
    expect(first.external).toBeGreaterThan(0);

    const second = await sync();
    expect(second.primero).toEqual([]);
    expect(second.external).toBe(0);
    // The external cursor is a day: today's clients are read again, and recognised.
    expect(second.report.inbound).toMatchObject({ read: 4, unchanged: 4, created: [], updated: [] });

    await reopen();
    const third = await sync();
    expect(third.primero).toEqual([]);
    expect(third.external).toBe(0);
  });

  test('a change crosses once, and its echo is not sent back', async () => {
    const { sync, standIn, globalIds, caseOf, client } = await scenario();
    await sync();
    await sync();

    // The external staff close a client: one PATCH of its case, and the echo of that PATCH is not pushed.
    const [closed, edited] = globalIds;
    standIn.edit(closed ?? '', { status: 'Exited', mosvy_number: 'MV-0099' });
    const inbound = await sync();
    const closedCase = caseOf(closed ?? '');
    expect(inbound.primero.map((r) => `${r.method} ${r.path}`)).toEqual([`PATCH /cases/${closedCase?.id}`]);
    expect(inbound.external).toBe(0);
    expect(closedCase).toMatchObject({ [LINK_FIELDS.status]: STATUS_OPTIONS.exited, mosvy_number: 'MV-0099' });

    // A caseworker changes a linked case: one push, and its echo is not written back into Primero.
    const editedCase = caseOf(edited ?? '');
    await client.cases.update(editedCase?.id ?? '', { risk_level: 'high', name_last: 'Kim-Long' });
    const outbound = await sync();
    expect(outbound.external).toBe(1);
    expect(outbound.primero).toEqual([]);
    expect(standIn.find(edited ?? '')).toMatchObject({ level_of_risk: 'high', family_name: 'Kim-Long' });

    const quiet = await sync();
    expect([quiet.primero.length, quiet.external]).toEqual([0, 0]);
  });

  test("an external id two Primero cases carry is the SDK's AmbiguousMatchError: neither case nor the client is written, and it is tried again", async () => {
    let duplicates: string[] = [];
    const { sync, standIn, fake } = await scenario({
      before: (fake, standIn) => {
        const [globalId] = standIn.seed([{ given_name: 'Nita', gender: 'female', status: 'Active' }]);
        const [a, b] = [...fake.store.cases.values()];
        for (const record of [a, b]) if (record) record[LINK_FIELDS.globalId] = globalId;
        duplicates = [a?.id ?? '', b?.id ?? ''];
      },
    });
    const globalId = String(fake.store.cases.get(duplicates[0] ?? '')?.[LINK_FIELDS.globalId]);
    const before = standIn.find(globalId);
    const { report, primero } = await sync();

    const [failure] = report.inbound.failed;
    expect(failure?.id).toBe(globalId);
    expect(failure?.error).toMatch(/^AmbiguousMatchError: 2 records match on oscar_number/);
    expect([...(failure?.matches ?? [])].sort()).toEqual([...duplicates].sort());
    // Outbound refuses both cases as well, rather than letting them overwrite the one client in turn.
    expect(report.outbound.failed.map((f) => f.id).sort()).toEqual([...duplicates].sort());
    expect(report.outbound.failed.every((f) => f.error.startsWith('AmbiguousMatchError'))).toBe(true);
    expect(primero.filter((r) => duplicates.some((id) => r.path.includes(id)))).toEqual([]);
    expect(standIn.find(globalId)).toEqual(before);
    // The other clients went through.
    expect(report.inbound.created).toHaveLength(3);

    const again = await sync();
    expect(again.report.inbound.failed.map((f) => f.id)).toEqual([globalId]);
    expect(again.report.outbound.failed.map((f) => f.id).sort()).toEqual([...duplicates].sort());
    expect(again.primero).toEqual([]);
    expect(again.external).toBe(0);
  });

  test('a push the external system refuses is kept and pushed at the next run, while the Primero cursor moves on', async () => {
    const { sync, refuse, standIn, globalIds, caseOf } = await scenario();
    refuse(true);
    const failed = await sync();
    const created = failed.report.inbound.created;
    expect(failed.report.outbound.failed.map((f) => f.id).sort()).toEqual([...created].sort());
    expect(failed.report.outbound.failed[0]?.error).toBe('PartnerHttpError: The external system answered 503 (POST /api/v1/organizations/clients/upsert)');
    expect(standIn.find(globalIds[0] ?? '')?.external_id).toBeNull();

    refuse(false);
    const retried = await sync();
    expect(retried.report.outbound.pushed.sort()).toEqual([...created].sort());
    expect(standIn.find(globalIds[0] ?? '')?.external_id).toBe(caseOf(globalIds[0] ?? '')?.case_id);
    const quiet = await sync();
    expect([quiet.primero.length, quiet.external]).toEqual([0, 0]);
  });
});

/** A stand-in served over HTTP, playing a real external system that the example must not touch unless told to. */
async function servedStandIn(token: string) {
  const standIn = new OscarStandIn({ token });
  standIn.seed(demoClients(Date.now()));
  const served = await standIn.listen();
  return { standIn, url: served.url, close: served.close };
}

/** A fake Primero served over HTTP, with the link's form: a real Primero as far as the example can tell. */
async function servedPrimero() {
  const fake = createFakePrimero({ cases: 12, seed: 23 });
  addLinkForm(fake.store);
  const served = await fake.listen();
  const env = { PRIMERO_URL: served.url, PRIMERO_USERNAME: fake.credentials.username, PRIMERO_PASSWORD: fake.credentials.password };
  return { fake, env, close: served.close };
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'case-sync-example-'));
  dirs.push(dir);
  return dir;
}

describe('npm run example:case-sync', () => {
  test('runs four times against the fake: both ways first, nothing on a rerun, one write each way after one change on each side', async () => {
    // A developer's shell pointing at real systems: the tests' runner must not pass any of it on.
    const tripwire = await servedStandIn('real-token');
    try {
      vi.stubEnv('OSCAR_URL', tripwire.url);
      vi.stubEnv('OSCAR_TOKEN', 'real-token');
      vi.stubEnv('PRIMERO_USERNAME', 'someone');
      vi.stubEnv('PRIMERO_PASSWORD', 'secret');
      const { stdout, stderr, code } = await runExample('case-sync', { timeoutMs: 25_000 });
      vi.unstubAllEnvs();
      expect(ownStderr(stderr)).toBe('');
      expect(code).toBe(0);
      expect(tripwire.standIn.stats).toMatchObject({ listRequests: 0, upsertRequests: 0, refused: 0 });
      const runs = stdout.split(/^run \d: /m).slice(1);
      expect(runs).toHaveLength(4);
      const writes = runs.map((run) => /writes counted by the servers: Primero (\d+), external (\d+)/.exec(run)?.slice(1).map(Number));
      expect(writes).toEqual([[4, 4], [0, 0], [1, 1], [0, 0]]);
      expect(runs[0]).toContain('inbound:  3 read, 3 created');
      expect(runs[0]).toContain('4 pushed (1 newly linked)');
      expect(stdout).toContain('Links: 4.');
      // Counts and ids only: no name, date of birth or external number of the seeded clients.
      for (const seeded of demoClients(Date.now())) {
        for (const value of [seeded.given_name, seeded.family_name, seeded.date_of_birth, seeded.mosvy_number?.trim()]) {
          if (value) expect(stdout).not.toContain(value);
        }
      }
    } finally {
      vi.unstubAllEnvs();
      await tripwire.close();
    }
  }, 30_000);

  test('the fake Primero is never synced with a real external system: refused before anything is sent', async () => {
    const real = await servedStandIn('real-token');
    try {
      const before = real.standIn.all();
      const run = await runExample('case-sync', { env: { OSCAR_URL: real.url, OSCAR_TOKEN: 'real-token' } });
      expect(run.code).toBe(1);
      expect(ownStderr(run.stderr)).toMatch(/^ExampleError: OSCAR_URL is set but PRIMERO_URL is not: .*unset OSCAR_URL for the demo$/);
      expect(real.standIn.stats).toMatchObject({ listRequests: 0, upsertRequests: 0, refused: 0 });
      expect(real.standIn.all()).toEqual(before);
    } finally {
      await real.close();
    }
  });

  test('a real Primero is never synced with the stand-in: refused before any request, and nothing is written to the state directory', async () => {
    const primero = await servedPrimero();
    try {
      const dir = await tempDir();
      const [flagged] = [...primero.fake.store.cases.values()];
      if (flagged) flagged[LINK_FIELDS.referToExternal] = true;
      const cases = primero.fake.store.cases.size;
      const run = await runExample('case-sync', { args: ['--state', dir], env: primero.env });
      expect(run.code).toBe(1);
      expect(ownStderr(run.stderr)).toMatch(/^ExampleError: PRIMERO_URL is set but OSCAR_URL is not: .*unset PRIMERO_URL for the demo$/);
      expect(primero.fake.requests).toEqual([]);
      expect(primero.fake.store.cases.size).toBe(cases);
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await primero.close();
    }
  });

  test('against real systems --state is required (no default directory), and in the demo it is refused', async () => {
    const primero = await servedPrimero();
    const real = await servedStandIn('real-token');
    try {
      const noState = await runExample('case-sync', { env: { ...primero.env, OSCAR_URL: real.url, OSCAR_TOKEN: 'real-token' } });
      expect(noState.code).toBe(1);
      expect(ownStderr(noState.stderr)).toBe('ExampleError: PRIMERO_URL is set: give --state <dir>, the directory where the cursors and links are kept between runs');
      expect(primero.fake.requests).toEqual([]);
      expect(real.standIn.stats).toMatchObject({ listRequests: 0, upsertRequests: 0 });

      const dir = join(await tempDir(), 'state');
      const demo = await runExample('case-sync', { args: ['--state', dir] });
      expect(demo.code).toBe(1);
      expect(ownStderr(demo.stderr)).toMatch(/^ExampleError: --state is for real systems: /);
      expect(existsSync(dir)).toBe(false);
    } finally {
      await real.close();
      await primero.close();
    }
  });

  test('against real systems: one run per process, resumed from --state, a rerun writes nothing, and the state holds no field of a child', async () => {
    const primero = await servedPrimero();
    const real = await servedStandIn('real-token');
    try {
      const [flagged] = [...primero.fake.store.cases.values()];
      if (!flagged) throw new Error('seed');
      flagged[LINK_FIELDS.referToExternal] = true;
      const dir = await tempDir();
      const env = { ...primero.env, OSCAR_URL: real.url, OSCAR_TOKEN: 'real-token' };
      const writes = () => primero.fake.requests.filter((r) => r.method !== 'GET').length;

      const first = await runExample('case-sync', { args: ['--state', dir], env });
      expect(ownStderr(first.stderr)).toBe('');
      expect(first.code).toBe(0);
      expect(first.stdout).toContain('inbound:  3 read, 3 created');
      expect(first.stdout).toContain('4 pushed (1 newly linked)');
      expect(first.stdout).toContain(`State kept in ${dir}`);
      expect(real.standIn.stats.created).toBe(1);

      const [primeroWrites, externalWrites] = [writes(), real.standIn.stats.upsertRequests];
      const second = await runExample('case-sync', { args: ['--state', dir], env });
      expect(second.code).toBe(0);
      expect(second.stdout).toContain('writes: Primero 0, external 0');
      expect([writes(), real.standIn.stats.upsertRequests]).toEqual([primeroWrites, externalWrites]);

      // Ids and digests only, readable by their owner only.
      const files = (await readdir(dir)).sort();
      expect(files).toEqual(['primero-cases.cursor.json', 'sync-state.json']);
      const personal = [...real.standIn.all(), ...demoClients(Date.now())].flatMap((c) => [c.given_name, c.family_name, c.date_of_birth, c.mosvy_number?.trim()]);
      for (const [field, value] of Object.entries(flagged)) if (typeof value === 'string' && /^name|date_of_birth/.test(field)) personal.push(value);
      for (const file of files) {
        const text = await readFile(join(dir, file), 'utf8');
        for (const value of personal) if (value) expect(text).not.toContain(value);
        expect((await stat(join(dir, file))).mode & 0o077).toBe(0);
      }
    } finally {
      await real.close();
      await primero.close();
    }
  }, 30_000);
});
