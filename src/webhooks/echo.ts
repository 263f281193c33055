/**
 * Recognising the echo of an acknowledgement (primero-api.md 7.4). `markSynced` is a PATCH, so Primero
 * saves the case and posts it again as `case.update`; the payload names no event (7.3), so a receiver that
 * acknowledges every delivery would acknowledge its own echo forever.
 *
 * The rule: when a delivery of record R is acknowledged, the tracker remembers
 * - the `last_updated_at` the PATCH answered with (the save the acknowledgement made), and
 * - a SHA-256 fingerprint of the acknowledged delivery's fields, leaving out what an acknowledgement
 *   changes by itself: `last_updated_at`, `last_updated_*` (who saved), `sync_status`, `synced_at`.
 *
 * A later delivery of R is an echo when its `last_updated_at` equals the remembered one **and** its
 * fingerprint is the same, i.e. nothing but the acknowledgement happened. A real change made in between
 * alters the fingerprint (or the timestamp), so it is never skipped; an echo that is not recognised (an
 * unknown computed field that changes) is processed once and its own echo is then recognised, so the worst
 * case is one extra round, never a loop.
 *
 * An entry is not consumed by a match (two webhooks to the same receiver get two echoes of one
 * acknowledgement); it is replaced by the record's next acknowledgement and forgotten after `ttlMs`, or
 * beyond `maxEntries` (least recently acknowledged first). Only hashes and record ids are kept, no field
 * value. The memory is per process: replicas behind a load balancer each need the echo to come back to the
 * one that acknowledged (see the guide).
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { WebhookDelivery } from './parse.js';

/** The three statuses Primero records for an acknowledgement (7.4). */
export type AcknowledgeStatus = 'synced' | 'failed' | 'not_found';

/** What acknowledging needs from a client: `PrimeroClient` fits. */
export interface AcknowledgeClient {
  /** `client.cases`. */
  readonly cases: {
    /** `PATCH /cases/:id` with `mark_synced` (7.4); answers the case, including its new `last_updated_at`. */
    markSynced(id: string, params: { status: AcknowledgeStatus; url: string }): Promise<{ last_updated_at?: string | null | undefined }>;
  };
}

/** Options of {@link AcknowledgementTracker}. */
export interface AcknowledgementTrackerOptions {
  /** How many records to remember at most; the least recently acknowledged go first. Default 10 000. */
  maxEntries?: number;
  /** How long an acknowledgement's echo is expected, in milliseconds. Default 10 minutes. */
  ttlMs?: number;
  /** The clock, in epoch milliseconds. Default `Date.now`. */
  now?: () => number;
}

interface Entry {
  fingerprint: string;
  /** `undefined` while the PATCH is in flight or when the server's answer had no `last_updated_at`. */
  lastUpdatedAt: string | null | undefined;
  expiresAt: number;
  /** Set while the PATCH is in flight: a delivery of the record waits for it before being judged. */
  pending: Promise<void> | undefined;
}

/** Fields an acknowledgement changes by itself (7.4, 2.7), left out of the fingerprint. */
function volatile(key: string): boolean {
  return key === 'sync_status' || key === 'synced_at' || key.startsWith('last_updated_') || key.startsWith('mark_synced');
}

/**
 * Remembers acknowledgements so that their echoes can be skipped. Share one between the webhook handler
 * and any code of yours that calls `markSynced`; `createWebhookHandler({ acknowledge })` makes one itself.
 * @example
 * ```ts
 * const tracker = new AcknowledgementTracker();
 * const handler = createWebhookHandler({ auth, tracker, onDelivery: async (d) => queue.push(d) });
 * // later, once the queued delivery has been processed:
 * await tracker.acknowledge(client, delivery, { status: 'synced', url: WEBHOOK_URL });
 * ```
 */
export class AcknowledgementTracker {
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: AcknowledgementTrackerOptions = {}) {
    this.#maxEntries = Math.max(1, Math.floor(options.maxEntries ?? 10_000));
    this.#ttlMs = Math.max(0, options.ttlMs ?? 10 * 60_000);
    this.#now = options.now ?? Date.now;
  }

  /** How many acknowledgements are remembered (expired ones included until next touched). */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Acknowledges `delivery` with `client.cases.markSynced` and remembers its echo. Only cases can be
   * acknowledged (7.4). A delivery of the record arriving while the PATCH is in flight waits for it.
   * @throws what `markSynced` throws (the tracker then forgets this acknowledgement).
   */
  async acknowledge(client: AcknowledgeClient, delivery: WebhookDelivery, params: { status: AcknowledgeStatus; url: string }): Promise<void> {
    const key = keyOf(delivery);
    let done!: () => void;
    const entry: Entry = { fingerprint: fingerprint(delivery), lastUpdatedAt: undefined, expiresAt: Infinity, pending: new Promise<void>((resolve) => (done = resolve)) };
    this.#set(key, entry);
    try {
      const acknowledged = await client.cases.markSynced(delivery.recordId, params);
      entry.lastUpdatedAt = acknowledged?.last_updated_at ?? undefined;
      entry.expiresAt = this.#now() + this.#ttlMs;
    } catch (error) {
      if (this.#entries.get(key) === entry) this.#entries.delete(key);
      throw error;
    } finally {
      entry.pending = undefined;
      done();
    }
  }

  /**
   * Remembers an acknowledgement you made yourself: `acknowledged` is what `markSynced` returned.
   * @example
   * ```ts
   * tracker.remember(delivery, await client.cases.markSynced(delivery.recordId, { status: 'synced', url }));
   * ```
   */
  remember(delivery: WebhookDelivery, acknowledged: { last_updated_at?: string | null | undefined }): void {
    this.#set(keyOf(delivery), {
      fingerprint: fingerprint(delivery),
      lastUpdatedAt: acknowledged?.last_updated_at ?? undefined,
      expiresAt: this.#now() + this.#ttlMs,
      pending: undefined,
    });
  }

  /**
   * True when `delivery` is the echo of a remembered acknowledgement: same record, same `last_updated_at`
   * as the acknowledgement's save (when the server reported it), same fields apart from the sync status
   * and the `last_updated_*` audit fields.
   */
  async isEcho(delivery: WebhookDelivery): Promise<boolean> {
    const key = keyOf(delivery);
    let entry = this.#entries.get(key);
    if (entry?.pending) {
      await entry.pending;
      entry = this.#entries.get(key);
    }
    if (!entry) return false;
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return false;
    }
    if (entry.lastUpdatedAt !== undefined && entry.lastUpdatedAt !== delivery.lastUpdatedAt) return false;
    return entry.fingerprint === fingerprint(delivery);
  }

  /** Forgets the acknowledgement of one record, e.g. to let a manual Sync of an unchanged case through. */
  forget(delivery: Pick<WebhookDelivery, 'recordId' | 'recordType' | 'hostname'>): void {
    this.#entries.delete(keyOf(delivery));
  }

  /** Forgets every acknowledgement. */
  clear(): void {
    this.#entries.clear();
  }

  #set(key: string, entry: Entry): void {
    this.#entries.delete(key); // re-inserted last: the Map's order is the eviction order
    this.#entries.set(key, entry);
    const now = this.#now();
    for (const [oldKey, old] of this.#entries) {
      if (this.#entries.size <= this.#maxEntries && old.expiresAt > now) break;
      if (old.pending) continue;
      if (this.#entries.size > this.#maxEntries || old.expiresAt <= now) this.#entries.delete(oldKey);
    }
  }
}

function keyOf(delivery: Pick<WebhookDelivery, 'recordId' | 'recordType' | 'hostname'>): string {
  return JSON.stringify([delivery.hostname, delivery.recordType, delivery.recordId]);
}

/** @internal SHA-256 of the delivery's fields in a canonical order, without the volatile ones. */
export function fingerprint(delivery: WebhookDelivery): string {
  const hash = createHash('sha256');
  const keys = Object.keys(delivery.data).filter((key) => !volatile(key)).sort();
  for (const key of keys) hash.update(JSON.stringify(key)).update(':').update(canonical(delivery.data[key])).update(',');
  return hash.digest('base64');
}

/** JSON with object keys sorted, iteratively (a hostile body may nest deeper than the stack allows). */
function canonical(value: unknown): string {
  const out: string[] = [];
  const stack: unknown[] = [value];
  const TOKEN = Symbol('token');
  while (stack.length) {
    const item = stack.pop();
    if (typeof item === 'object' && item !== null && (item as { [TOKEN]?: string })[TOKEN] !== undefined) {
      out.push((item as { [TOKEN]: string })[TOKEN]);
    } else if (Array.isArray(item)) {
      stack.push({ [TOKEN]: ']' });
      for (let i = item.length - 1; i >= 0; i--) stack.push(item[i], ...(i ? [{ [TOKEN]: ',' }] : []));
      stack.push({ [TOKEN]: '[' });
    } else if (typeof item === 'object' && item !== null) {
      const record = item as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      stack.push({ [TOKEN]: '}' });
      for (let i = keys.length - 1; i >= 0; i--) {
        const k = keys[i] as string;
        stack.push(record[k], { [TOKEN]: `${i ? ',' : ''}${JSON.stringify(k)}:` });
      }
      stack.push({ [TOKEN]: '{' });
    } else {
      out.push(JSON.stringify(item) ?? 'null');
    }
  }
  return out.join('');
}
