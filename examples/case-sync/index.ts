/**
 * Two-way sync between Primero and an external case system (an OSCaR-like NGO system, peers.md 2.1):
 * external clients are upserted into Primero by their external id, Primero changes are pushed out, each
 * side with its own cursor, and a rerun with nothing new writes nothing on either side.
 *
 *   npm run example:case-sync                       # the fake Primero and a stand-in external system: a demo of four runs
 *   PRIMERO_URL=https://primero.example.org PRIMERO_USERNAME=... PRIMERO_PASSWORD=... \
 *   OSCAR_URL=https://oscar.example.org OSCAR_TOKEN=... npm run example:case-sync -- --state /var/lib/case-sync
 *
 * Both sides real, or both stand-ins: a real system is never synced with a stand-in (the fake Primero would
 * write its invented case ids into a real external system; the stand-in would make a real Primero create
 * invented children, and would keep copies of real children's details). Against real systems, one run per
 * process, with its state in `--state`. Output: counts and record ids, never a child's details.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connect, realPrimeroUrl, type Connection } from '../support/connect.js';
import { ExampleError, exitWithError } from '../support/errors.js';
import { demoClients } from './demo.js';
import { LINK_FIELDS, addLinkForm, deploymentMapping } from './deployment.js';
import { OscarApi } from './oscar.js';
import { OscarStandIn } from './standin.js';
import { SyncState } from './state.js';
import { runSync, type SyncReport } from './sync.js';

const USAGE = 'usage: npm run example:case-sync [-- --state <dir>]   (--state: with PRIMERO_URL and OSCAR_URL only)';

/** What the run is given: both systems real, or neither. */
type Setup = { real: true; stateDir: string; external: OscarApi } | { real: false };

/** Refuses a mixed or incomplete setup before anything is started, connected or written. */
function setup(): Setup {
  let state: string | undefined;
  try {
    ({ values: { state } } = parseArgs({ options: { state: { type: 'string' } } }));
  } catch {
    throw new ExampleError(USAGE);
  }
  const primeroUrl = realPrimeroUrl();
  const externalUrl = process.env.OSCAR_URL?.trim() || undefined;
  if (primeroUrl && !externalUrl) {
    throw new ExampleError(
      'PRIMERO_URL is set but OSCAR_URL is not: a real Primero is never synced with the stand-in, which would create invented children in it ' +
        'and keep copies of real ones. Set OSCAR_URL and OSCAR_TOKEN, or unset PRIMERO_URL for the demo',
    );
  }
  if (externalUrl && !primeroUrl) {
    throw new ExampleError(
      "OSCAR_URL is set but PRIMERO_URL is not: the real external system is never synced with the fake Primero, whose invented case ids would be written into it. " +
        'Set PRIMERO_URL (with PRIMERO_USERNAME and PRIMERO_PASSWORD), or unset OSCAR_URL for the demo',
    );
  }
  if (!primeroUrl || !externalUrl) {
    if (state !== undefined) {
      throw new ExampleError(
        "--state is for real systems: the demo's fake Primero and stand-in forget everything when the process ends, so a state kept from one demo " +
          'would belong to no server in the next. The demo keeps its state in a temporary directory, removed at the end',
      );
    }
    return { real: false };
  }
  if (!state) throw new ExampleError('PRIMERO_URL is set: give --state <dir>, the directory where the cursors and links are kept between runs');
  const token = process.env.OSCAR_TOKEN;
  if (!token) throw new ExampleError('OSCAR_URL is set: set OSCAR_TOKEN too');
  return { real: true, stateDir: state, external: new OscarApi({ baseUrl: externalUrl, token }) };
}

const cleanup: Array<() => Promise<void>> = [];
try {
  const given = setup();
  const connection = await connect();
  cleanup.push(connection.close);
  if (given.real) await runOnce(connection, given.stateDir, given.external);
  else await runDemo(connection);
} catch (error) {
  exitWithError(error);
} finally {
  for (const close of cleanup.reverse()) await close();
}

/** Against real systems: one run, resuming from the state directory. */
async function runOnce(connection: Connection, stateDir: string, external: OscarApi): Promise<void> {
  const { client } = connection;
  // The state is opened first: a directory of other systems is refused before anything is read or written.
  const state = await SyncState.open(stateDir, { primero: connection.origin, external: external.origin });
  console.log(`Two-way sync between ${connection.target} and the external system at ${external.host}`);
  const { mapping, missing } = await deploymentMapping(client);
  if (missing.length) console.log(`  not on this deployment, left out of the sync: ${missing.join(', ')}`);
  const report = await runSync({ client, external, state, mapping });
  const { inbound: i, outbound: o } = report;
  printReport('run', report, `writes: Primero ${i.created.length + i.updated.length + o.linked.length}, external ${o.pushed.length}`);
  console.log(`Links: ${state.linkCount}. State kept in ${stateDir}`);
}

/**
 * The demo, all on this machine: the fake Primero (with the link's form added, as an administrator would),
 * the stand-in external system in memory, and four runs, with the writes as the two servers counted them.
 */
async function runDemo(connection: Connection): Promise<void> {
  const { client, fake } = connection;
  if (!fake) throw new Error('the demo runs against the fake Primero only');
  addLinkForm(fake.store);
  const stateDir = await mkdtemp(join(tmpdir(), 'case-sync-'));
  cleanup.push(() => rm(stateDir, { recursive: true, force: true }));
  const token = randomUUID();
  const standIn = new OscarStandIn({ token });
  standIn.seed(demoClients(Date.now()));
  const served = await standIn.listen();
  cleanup.push(served.close);
  const external = new OscarApi({ baseUrl: served.url, token });
  const state = await SyncState.open(stateDir, { primero: connection.origin, external: 'stand-in' });

  console.log(`Two-way sync between ${connection.target} and the external system (a stand-in on this machine)`);
  const { mapping, missing } = await deploymentMapping(client);
  if (missing.length) console.log(`  not on this deployment, left out of the sync: ${missing.join(', ')}`);

  const primeroWrites = () => fake.requests.filter((request) => request.method !== 'GET' && request.method !== 'HEAD').length;
  const run = async (label: string): Promise<SyncReport> => {
    const before = { primero: primeroWrites(), external: standIn.stats.upsertRequests };
    const report = await runSync({ client, external, state, mapping });
    printReport(label, report, `writes counted by the servers: Primero ${primeroWrites() - before.primero}, external ${standIn.stats.upsertRequests - before.external}`);
    return report;
  };

  // A caseworker first asks for one case to be opened in the external system.
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
  console.log(`Links: ${state.linkCount}. State kept in a temporary directory, removed now`);
}

/** Prints what one run did: counts and ids. Sets the exit code when a record failed. */
function printReport(label: string, report: SyncReport, writes: string): void {
  const { inbound: i, outbound: o } = report;
  console.log(label);
  console.log(`  inbound:  ${i.read} read, ${i.created.length} created, ${i.updated.length} updated, ${i.unchanged} unchanged, ${i.failed.length} failed`);
  console.log(`  outbound: ${o.read} read, ${o.pushed.length} pushed (${o.linked.length} newly linked), ${o.unchanged} unchanged, ${o.skipped} not linked, ${o.failed.length} failed`);
  console.log(`  ${writes}`);
  if (i.created.length) console.log(`  created in Primero: ${i.created.join(', ')}`);
  for (const failure of [...i.failed, ...o.failed]) {
    console.log(`  failed ${failure.id}: ${failure.error}${failure.matches ? ` (cases ${failure.matches.join(', ')})` : ''}`);
  }
  if (i.failed.length || o.failed.length) process.exitCode = 1;
}
