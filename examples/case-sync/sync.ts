/**
 * One run of the two-way sync between Primero and the external case system.
 *
 * 1. **Inbound**: the external clients changed since the external cursor (a day) are written into Primero,
 *    matched by their external id: `oscar_number` = `global_id` through the SDK's upsert matching (which
 *    refuses to guess between several cases), or, for a client that came from Primero, its `case_id`.
 * 2. **Outbound**: the Primero cases changed since the Primero cursor (`client.cases.changes()`) that are
 *    linked to a client, or flagged by a caseworker to be, are pushed to the external system. A new client's
 *    ids are written back into the case.
 *
 * **Loops.** Every write of the sync is a change on the other side at the next run: an inbound write is a
 * Primero change the outbound step reads, a push is an external change the inbound step reads. The sync
 * keeps, per link, the fingerprint of the shared content it last wrote or pushed, and skips a record whose
 * shared content has that fingerprint: its own echo, a record re-read through a coarse cursor, or a change
 * to fields the sync does not carry. Because the comparison is on content, not timestamps, a rerun with
 * nothing new writes nothing, on either side.
 *
 * **Conflicts.** A field both systems edit between two runs ends up with the external value: inbound runs
 * first, and its write makes the Primero content equal to the link's fingerprint.
 *
 * **Failures** never stop a run. A record that fails is reported (class and message: no record content) and
 * tried again: the external cursor stays at the failed client's day, and a Primero case whose push failed is
 * kept in the state's retry list, fetched and pushed again next time, while the Primero cursor moves on.
 *
 * @module
 */
import { isPrimeroError, type PrimeroClient } from 'primero-sdk';
import { ExampleError, describeError } from '../support/errors.js';
import { fingerprint, fromExternal, fromPrimero, takesPart, toExternal, toPrimero, type Mapping } from './mapping.js';
import type { OscarApi } from './oscar.js';
import type { SyncState } from './state.js';

export interface SyncOptions {
  client: PrimeroClient;
  external: OscarApi;
  state: SyncState;
  mapping: Mapping;
}

/** A record that could not be synced. */
export interface Failure {
  /** The record's id where it was read: the external `global_id` (inbound) or the Primero id (outbound). */
  id: string;
  /** The error's class and message, which carry no record content. */
  error: string;
  /** For an ambiguous match: the ids of the Primero cases that carry the same external id. */
  matches?: readonly string[];
}

/** What one run did. Ids only. */
export interface SyncReport {
  inbound: {
    read: number;
    /** Primero ids of the cases created. */
    created: string[];
    /** Primero ids of the cases updated. */
    updated: string[];
    /** Clients whose shared content the link already holds: nothing written. */
    unchanged: number;
    failed: Failure[];
  };
  outbound: {
    read: number;
    /** Primero ids of the cases pushed. */
    pushed: string[];
    /** Of those, the ones that got a client only now (their ids were written back into Primero). */
    linked: string[];
    /** Linked cases whose shared content the link already holds (the sync's own echoes among them). */
    unchanged: number;
    /** Cases neither linked nor flagged, or disabled. */
    skipped: number;
    failed: Failure[];
  };
}

/** A client that names a Primero case Primero does not have. */
export class UnknownCaseError extends ExampleError {
  override readonly name = 'UnknownCaseError';
}

/** Runs the sync once: inbound, then outbound. */
export async function runSync(options: SyncOptions): Promise<SyncReport> {
  const report: SyncReport = {
    inbound: { read: 0, created: [], updated: [], unchanged: 0, failed: [] },
    outbound: { read: 0, pushed: [], linked: [], unchanged: 0, skipped: 0, failed: [] },
  };
  await inbound(options, report.inbound);
  await outbound(options, report.outbound);
  return report;
}

async function inbound({ client, external, state, mapping }: SyncOptions, report: SyncReport['inbound']): Promise<void> {
  const clients = await external.listClients(state.externalSince);
  let newest: string | undefined;
  let firstFailure: string | undefined;
  for (const record of clients) {
    report.read++;
    if (!newest || record.updated_at > newest) newest = record.updated_at;
    const shared = fromExternal(record, mapping);
    const print = fingerprint(shared);
    if (state.linkByGlobalId(record.global_id)?.fingerprint === print) {
      report.unchanged++;
      continue;
    }
    try {
      const data = toPrimero(shared, mapping);
      let id: string;
      if (shared.caseId) {
        // The client came from Primero: its case exists. Found by case_id, never created again here (a
        // create cannot set case_id, so a second case would be made at every run).
        const found = await client.cases.findByCaseId(shared.caseId);
        if (!found) throw new UnknownCaseError("No Primero case has this client's external_id");
        await client.cases.update(found.id, data);
        id = found.id;
        report.updated.push(id);
      } else {
        if (!shared.globalId) throw new UnknownCaseError('The client has no global_id');
        // The SDK's matching: the key must be an identifier field, the matches must really carry the value,
        // and several matches throw AmbiguousMatchError instead of updating the first. dryRun first, because
        // module_id is written on create only: an update must never move a case to another module.
        const match = { [mapping.fields.globalId]: shared.globalId };
        const plan = await client.cases.upsert({ match, data, dryRun: true });
        if (plan.action === 'created') {
          id = (await client.cases.create({ ...data, ...match, module_id: mapping.moduleId })).id;
          report.created.push(id);
        } else {
          id = plan.record.id;
          await client.cases.update(id, data);
          report.updated.push(id);
        }
      }
      state.setLink({ globalId: record.global_id, primeroId: id, fingerprint: print });
      await state.save();
    } catch (error) {
      report.failed.push(failure(record.global_id, error));
      if (!firstFailure || record.updated_at < firstFailure) firstFailure = record.updated_at;
    }
  }
  // A day, since the system takes nothing finer: the next run reads this day again, skipping what it holds.
  const upTo = firstFailure ?? newest;
  if (upTo) state.externalSince = upTo.slice(0, 10);
  await state.save();
}

async function outbound(options: SyncOptions, report: SyncReport['outbound']): Promise<void> {
  const { client, state } = options;
  for (const id of [...state.retry]) {
    try {
      await push(options, report, await client.cases.get(id));
    } catch (error) {
      // A case that is gone (or no longer readable) has nothing left to push.
      if (isPrimeroError(error, 'NotFoundError') || isPrimeroError(error, 'ForbiddenError')) state.retry.delete(id);
      else report.failed.push(failure(id, error));
    }
  }
  await state.save();
  const feed = client.cases.changes({ since: await state.primeroCursor.load() });
  for await (const page of feed.byPage()) {
    for (const record of page) await push(options, report, record);
    await state.save();
    // Only after the page's records were pushed (or put on the retry list).
    await state.primeroCursor.save(feed.nextCursor());
  }
}

async function push({ client, external, state, mapping }: SyncOptions, report: SyncReport['outbound'], record: { id: string; enabled?: boolean } & Record<string, unknown>): Promise<void> {
  report.read++;
  if (record.enabled === false || !takesPart(record, mapping)) {
    report.skipped++;
    state.retry.delete(record.id);
    return;
  }
  const shared = fromPrimero(record, mapping);
  if (state.linkByPrimeroId(record.id)?.fingerprint === fingerprint(shared)) {
    report.unchanged++;
    state.retry.delete(record.id);
    return;
  }
  try {
    if (shared.globalId && !state.linkByPrimeroId(record.id)) {
      // First contact with a case that already claims a client: make sure no other case claims the same one,
      // or both would overwrite the client in turn. The SDK's matching throws AmbiguousMatchError if so.
      await client.cases.upsert({ match: { [mapping.fields.globalId]: shared.globalId }, data: {}, dryRun: true });
    }
    const stored = await external.upsertClient(toExternal(shared, mapping));
    let held = shared;
    if (!shared.globalId) {
      // New to the external system (or found there by external_id after a run that stopped here): write its
      // ids back, so that its changes find this case. The write-back is one more echo the fingerprint covers.
      const back = toPrimero(fromExternal(stored, mapping), mapping, ['external']);
      await client.cases.update(record.id, back);
      held = fromPrimero({ ...record, ...back }, mapping);
      report.linked.push(record.id);
    }
    state.setLink({ globalId: stored.global_id, primeroId: record.id, fingerprint: fingerprint(held) });
    state.retry.delete(record.id);
    report.pushed.push(record.id);
  } catch (error) {
    state.retry.add(record.id);
    report.failed.push(failure(record.id, error));
  }
}

function failure(id: string, error: unknown): Failure {
  // SDK errors name status, route and field names, never values; the external API's carry status and route;
  // any other error is named by its class only (describeError).
  const text = describeError(error);
  return isPrimeroError(error, 'AmbiguousMatchError') ? { id, error: text, matches: error.ids } : { id, error: text };
}
