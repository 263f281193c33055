/**
 * The incremental pull: the cases changed since the saved cursor (`client.cases.changes()`), each with its
 * referrals, turned into facts that replace the case's previous ones.
 *
 * Why a changed case is enough to see referral changes: every save of a referral (created, accepted,
 * rejected, completed, revoked) also saves its case (the server's Transition model has
 * `after_save :save_record`, and the case keeps `referred_users*` summaries, primero-api.md 4.7 and 5.3 to
 * 5.6), which moves the case's `last_updated_at`. So referrals are listed only for the cases a run pulls.
 *
 * @module
 */
import type { ChangeCursor, CursorStore, PrimeroClient, Referral } from 'primero-sdk';
import { caseFacts, FACT_FIELDS, type CaseFacts } from './facts.js';

/** What a pull did, for the run's summary (counts only). */
export interface PullSummary {
  /** Case versions pulled (a case changed twice during the run counts twice). */
  changed: number;
  /** Of those, cases the state did not hold before. */
  added: number;
  /** Referral lists read (one per enabled changed case). */
  referralLists: number;
  /** The newest `last_updated_at` covered, server time; null before anything was ever pulled. */
  dataAsOf: string | null;
}

/** Options of {@link pullChanges}. */
export interface PullOptions {
  /** Where to resume; undefined pulls every case. */
  since: ChangeCursor | undefined;
  /** Saves the cursor after each page, once the facts are saved. */
  cursors: CursorStore;
  /** Saves the facts after each page. */
  saveFacts: (facts: ReadonlyMap<string, CaseFacts>) => Promise<void>;
  /** Page size (default 500). */
  per?: number;
}

/**
 * Pulls the changes into `facts` (updated in place), saving facts then cursor after each page: a run stopped
 * part-way keeps what it processed, and the next one resumes from there.
 */
export async function pullChanges(client: PrimeroClient, facts: Map<string, CaseFacts>, options: PullOptions): Promise<PullSummary> {
  const summary: PullSummary = { changed: 0, added: 0, referralLists: 0, dataAsOf: options.since?.since ?? null };
  // No filter: a status filter would hide the very change that closes a case (see ChangesParams.filters).
  // Only the fields the indicators read: names, dates of birth and notes are never downloaded.
  const feed = client.cases.changes({ since: options.since, per: options.per ?? 500, fields: FACT_FIELDS });
  for await (const page of feed.byPage()) {
    // The client's concurrency limit (4 by default) paces these requests.
    const referrals = await Promise.all(
      page.map((record): Promise<Referral[]> => {
        if (record.enabled === false || record.record_state === false) return Promise.resolve([]);
        summary.referralLists++;
        return client.referrals.list(record.id);
      }),
    );
    page.forEach((record, index) => {
      if (!facts.has(record.id)) summary.added++;
      facts.set(record.id, caseFacts(record, referrals[index] ?? []));
    });
    summary.changed += page.length;
    await options.saveFacts(facts);
    const cursor = feed.nextCursor();
    await options.cursors.save(cursor);
    summary.dataAsOf = cursor.since;
  }
  return summary;
}
