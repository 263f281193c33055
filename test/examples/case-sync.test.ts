/**
 * examples/case-sync: the sync run in this process against the fake Primero and the stand-in external
 * system (writes counted by both servers), and the example run as users run it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrimeroClient } from 'primero-sdk';
import { createFakePrimero, type FakeRecord } from 'primero-sdk/testing';
import { afterEach, describe, expect, test } from 'vitest';
import { demoClients } from '../../examples/case-sync/demo.js';
import { LINK_FIELDS, STATUS_OPTIONS, addLinkForm, deploymentMapping } from '../../examples/case-sync/deployment.js';
import { OscarApi } from '../../examples/case-sync/oscar.js';
import { OscarStandIn } from '../../examples/case-sync/standin.js';
import { SyncState } from '../../examples/case-sync/state.js';
import { runSync } from '../../examples/case-sync/sync.js';
import { runExample } from './run-example.js';

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
    baseUrl: 'http://external.test',
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
    expect(failed.report.outbound.failed[0]?.error).toBe('OscarApiError: The external system answered 503 (POST /api/v1/organizations/clients/upsert)');
    expect(standIn.find(globalIds[0] ?? '')?.external_id).toBeNull();

    refuse(false);
    const retried = await sync();
    expect(retried.report.outbound.pushed.sort()).toEqual([...created].sort());
    expect(standIn.find(globalIds[0] ?? '')?.external_id).toBe(caseOf(globalIds[0] ?? '')?.case_id);
    const quiet = await sync();
    expect([quiet.primero.length, quiet.external]).toEqual([0, 0]);
  });
});

describe('npm run example:case-sync', () => {
  test('runs four times against the fake: both ways first, nothing on a rerun, one write each way after one change on each side', async () => {
    const { stdout, stderr, code } = await runExample('case-sync', { timeoutMs: 25_000 });
    expect(stderr).toBe('');
    expect(code).toBe(0);
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
  }, 30_000);
});
