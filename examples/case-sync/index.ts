/**
 * Two-way sync between Primero and an external case system (an OSCaR-like NGO system, peers.md 2.1):
 * external clients are upserted into Primero by their external id, Primero changes are pushed out, each
 * side with its own cursor, and a rerun with nothing new writes nothing on either side.
 *
 *   npm run example:case-sync                       # the fake Primero and a stand-in external system: a demo of four runs
 *   npm run example:case-sync -- --state ./state    # keep the cursors and links in ./state
 *   PRIMERO_URL=https://primero.example.org PRIMERO_USERNAME=... PRIMERO_PASSWORD=... npm run example:case-sync -- --state ./state
 *
 * With PRIMERO_URL, one run per process; the external system is OSCAR_URL with OSCAR_TOKEN, or else the
 * stand-in, kept in the state directory. Output: counts and record ids, never a child's details.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isPrimeroError } from 'primero-sdk';
import { connect } from './connect.js';
import { demoClients } from './demo.js';
import { LINK_FIELDS, addLinkForm, deploymentMapping } from './deployment.js';
import { OscarApi } from './oscar.js';
import { OscarStandIn } from './standin.js';
import { SyncState } from './state.js';
import { runSync, type SyncReport } from './sync.js';

const { values: args } = parseArgs({ options: { state: { type: 'string' } } });

const connection = await connect();
const { client, fake } = connection;
const cleanup: Array<() => Promise<void>> = [connection.close];
try {
  if (fake) addLinkForm(fake.store);

  // The state directory: given, or for the fake (which forgets everything when the process ends) a fresh
  // one, or for a real server one per host, so that the next run resumes.
  let stateDir = args.state;
  if (!stateDir && fake) {
    stateDir = await mkdtemp(join(tmpdir(), 'case-sync-'));
    const made = stateDir;
    cleanup.push(() => rm(made, { recursive: true, force: true }));
  }
  stateDir ??= join(tmpdir(), 'primero-case-sync', new URL(connection.origin).host);

  // The external system: a real one, or the stand-in (kept in the state directory for a real Primero). The
  // state is opened first: a directory of other systems is refused before anything in it is touched.
  const externalUrl = process.env.OSCAR_URL?.trim();
  const state = await SyncState.open(stateDir, { primero: connection.origin, external: externalUrl ? new URL(externalUrl).origin : 'stand-in' });
  let external: OscarApi;
  let standIn: OscarStandIn | undefined;
  if (externalUrl) {
    const token = process.env.OSCAR_TOKEN;
    if (!token) throw new Error('OSCAR_URL is set: set OSCAR_TOKEN too');
    external = new OscarApi({ baseUrl: externalUrl, token });
  } else {
    const token = randomUUID();
    standIn = new OscarStandIn({ token, file: fake ? undefined : join(stateDir, 'external-stand-in.json') });
    if (!standIn.size) standIn.seed(demoClients(Date.now()));
    const served = await standIn.listen();
    cleanup.push(served.close);
    external = new OscarApi({ baseUrl: served.url, token });
  }

  console.log(`Two-way sync between ${connection.target} and the external system (${standIn ? 'a stand-in on this machine' : new URL(external.baseUrl).host})`);
  const { mapping, missing } = await deploymentMapping(client);
  if (missing.length) console.log(`  not on this deployment, left out of the sync: ${missing.join(', ')}`);

  /** Runs the sync once and prints what it did; against the fake, the writes as the two servers counted them. */
  const run = async (label: string): Promise<SyncReport> => {
    const before = { primero: fake ? primeroWrites() : 0, external: standIn?.stats.upsertRequests ?? 0 };
    const report = await runSync({ client, external, state, mapping });
    const { inbound: i, outbound: o } = report;
    const writes = fake && standIn
      ? `writes counted by the servers: Primero ${primeroWrites() - before.primero}, external ${standIn.stats.upsertRequests - before.external}`
      : `writes: Primero ${i.created.length + i.updated.length + o.linked.length}, external ${o.pushed.length}`;
    console.log(`${label}`);
    console.log(`  inbound:  ${i.read} read, ${i.created.length} created, ${i.updated.length} updated, ${i.unchanged} unchanged, ${i.failed.length} failed`);
    console.log(`  outbound: ${o.read} read, ${o.pushed.length} pushed (${o.linked.length} newly linked), ${o.unchanged} unchanged, ${o.skipped} not linked, ${o.failed.length} failed`);
    console.log(`  ${writes}`);
    if (i.created.length) console.log(`  created in Primero: ${i.created.join(', ')}`);
    for (const failure of [...i.failed, ...o.failed]) {
      console.log(`  failed ${failure.id}: ${failure.error}${failure.matches ? ` (cases ${failure.matches.join(', ')})` : ''}`);
    }
    if (i.failed.length || o.failed.length) process.exitCode = 1;
    return report;
  };
  const primeroWrites = () => fake?.requests.filter((request) => request.method !== 'GET' && request.method !== 'HEAD').length ?? 0;

  if (!fake || !standIn) {
    await run('run');
  } else {
    // The demo. A caseworker first asks for one case to be opened in the external system.
    const flagged = (await client.cases.list({ filters: { status: 'open' }, per: 1 }).firstPage()).data[0];
    if (flagged) await client.cases.update(flagged.id, { [LINK_FIELDS.referToExternal]: true });
    const first = await run('run 1: the first run');
    await run('run 2: nothing changed');

    // One change on each side: a caseworker lowers a linked case's risk level; the external staff close a client.
    const linkedCase = first.inbound.created[0];
    if (linkedCase) await client.cases.update(linkedCase, { risk_level: 'low' });
    const closing = standIn.all().find((c) => c.status !== 'Exited' && c.global_id !== state.linkByPrimeroId(linkedCase ?? '')?.globalId);
    if (closing) standIn.edit(closing.global_id, { status: 'Exited' });
    await run('run 3: a caseworker changed a linked case, the external staff closed a client');
    await run('run 4: nothing changed');
  }
  console.log(`Links: ${state.linkCount}. State kept in ${args.state ?? (fake ? 'a temporary directory, removed now' : stateDir)}`);
} catch (error) {
  // SDK errors carry no secret and no record data: safe to print whole.
  console.error(isPrimeroError(error) ? `${error.name}: ${error.message}` : error instanceof Error ? `${error.name}: ${error.message}` : error);
  process.exitCode = 1;
} finally {
  for (const close of cleanup.reverse()) await close();
}
