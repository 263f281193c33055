/**
 * Data forwarding (primero-api.md section 7), as the real server does it:
 * - every create or update of a record, and a manual sync (`POST /cases/:id/sync`), enqueues a job
 *   (`WebhookJob`, 7.2) that runs after the request that caused it has been answered;
 * - the job reloads the record, then posts it to every webhook subscribed to `<record type>.<action>`
 *   (`case.create`, `case.update`, `case.post`; `Webhook.webhooks_for`), one after the other;
 * - the request (7.3) is `POST <url>` with `Content-Type: application/json`, `cache-control: no-cache` and
 *   either `x-api-key: <secret>` or `Authorization: Basic …`: no signature, no event name, no delivery id;
 * - the body is `{"data": {record_id, record_type, hostname, ...fields, last_updated_at}}` (`post_params`);
 * - a failure is only logged, never retried: an HTTP status of 400 or more is logged `failed` and the next
 *   webhook is posted; no answer at all raises, and the job rescues it, so the remaining webhooks are skipped.
 *
 * What the fake does not model: the module opt-in (`use_webhooks_for`, every record is forwarded) and the
 * webhook's role (a webhook here sees every stored field; the server would send only what its role reads).
 * Each delivery is recorded in {@link FakePrimero.deliveries}; {@link FakePrimero.settle} waits for them.
 *
 * @module
 */
import type { FakeRecord, FakeStore, FakeWebhook } from './store.js';

/** The `fetch` data forwarding posts with. */
export type WebhookFetch = (input: string, init: RequestInit) => Promise<Response>;

/** What changed, as the server's `WebhookJob` is told (primero-api.md 7.2). */
export type RecordChangeEvent = 'create' | 'update' | 'post';

/** One POST the fake made to a webhook (the server's `audit_logs` row with `action: webhook`, 7.3). */
export interface WebhookDelivery {
  /** Where it was posted. */
  url: string;
  /** The event it was sent for, e.g. `case.update`. The receiver is not told (7.3): this is for tests only. */
  event: string;
  /** The record's `id`. */
  recordId: string;
  /** The receiver's HTTP status, when it answered. Below 400 the server logs the delivery `sent`, else `failed`. */
  status?: number;
  /** Why no answer came (connection refused, timeout, …): the server logs the delivery `failed`. */
  error?: string;
  /** When the delivery ended, ISO-8601 on the fake's clock. */
  at: string;
}

/** @internal What forwarding needs from the fake. */
export interface ForwardingOptions {
  store: FakeStore;
  /** The `host` of the server's `default_url_options`: sent as `hostname`. */
  hostname: string;
  now: () => number;
  /** Default: `globalThis.fetch`, looked up at each delivery (so msw or a test's stub sees it). */
  fetch: WebhookFetch | undefined;
  /** How long a receiver may take to answer before the delivery counts as failed (FakePrimeroOptions.webhookTimeoutMs). Default 10000. */
  timeoutMs?: number;
}

/** Keys a PATCH may carry to acknowledge a delivery; the server strips them before saving (7.4). */
const SYNC_KEYS = new Set(['mark_synced', 'mark_synced_url', 'mark_synced_status']);
/** `RecordDataService::CENSORED_VALUE`: the name of a record with `hidden_name` (2.7). */
const CENSORED = '*******';

/** @internal Posts record changes to the store's webhooks and remembers how each post went. */
export class DataForwarding {
  /** Every delivery that has ended, in the order they ended. */
  readonly deliveries: WebhookDelivery[] = [];
  readonly #pending = new Set<Promise<void>>();
  readonly #options: ForwardingOptions;

  constructor(options: ForwardingOptions) {
    this.#options = options;
  }

  /** Enqueues the job for one change. Never throws: the request that caused it must not fail (7.2). */
  enqueue(event: RecordChangeEvent, recordType: 'case' | 'incident', record: FakeRecord): void {
    const name = `${recordType}.${event}`;
    if (!this.#options.store.webhooks.some((webhook) => webhook.events.includes(name))) return;
    const job = this.#run(name, recordType, record.id).finally(() => this.#pending.delete(job));
    this.#pending.add(job);
  }

  /** Resolves once no delivery is queued or in flight, including those enqueued while waiting. */
  async settle(): Promise<void> {
    while (this.#pending.size) await Promise.allSettled([...this.#pending]);
  }

  async #run(event: string, recordType: 'case' | 'incident', id: string): Promise<void> {
    // perform_later: the job runs once the request that enqueued it has been answered.
    await new Promise((resolve) => setTimeout(resolve, 0));
    try {
      // WebhookJob reloads the record by id: the payload is the record as it is when the job runs.
      const record = (recordType === 'case' ? this.#options.store.cases : this.#options.store.incidents).get(id);
      if (!record) return;
      const webhooks = this.#options.store.webhooks.filter((webhook) => webhook.events.includes(event));
      for (const webhook of webhooks) await this.#post(webhook, event, recordType, record);
    } catch {
      // WebhookJob rescues everything and logs it; nothing reaches the request that caused the change.
    }
  }

  async #post(webhook: FakeWebhook, event: string, recordType: 'case' | 'incident', record: FakeRecord): Promise<void> {
    const entry = { url: webhook.url, event, recordId: record.id };
    try {
      const fetch = this.#options.fetch ?? globalThis.fetch;
      const response = await fetch(webhook.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'cache-control': 'no-cache', ...authHeader(webhook.auth) },
        body: JSON.stringify(webhookPayload(record, recordType, this.#options.hostname)),
        // Faraday does not follow redirects: a 3xx is an answer below 400, logged `sent`.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#options.timeoutMs ?? 10_000),
      });
      // The server parses and stores the body in the audit log; reading it also frees the connection.
      await response.arrayBuffer().catch(() => undefined);
      this.deliveries.push({ ...entry, status: response.status, at: this.#at() });
    } catch (error) {
      this.deliveries.push({ ...entry, error: failureMessage(error), at: this.#at() });
      // Faraday raises on a connection failure; WebhookJob rescues it, so the webhooks after this one are skipped.
      throw error;
    }
  }

  #at(): string {
    return new Date(this.#options.now()).toISOString();
  }
}

/** The failure's message, with the cause fetch hides behind "fetch failed" (ECONNREFUSED, …). */
function failureMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
  const code = cause && 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
  return code ? `${message} (${code})` : message;
}

/** @internal `x-api-key` or Basic from the webhook's secret (`connection.rb`, 7.3). */
export function authHeader(auth: FakeWebhook['auth']): Record<string, string> {
  if (auth.type === 'api_key') return { 'x-api-key': auth.key };
  return { Authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}` };
}

/**
 * @internal The body of a delivery (`WebhookConnector#post_params`, 7.3): record id and type, the host,
 * the record's fields (`RecordDataService.data`: the acknowledgement keys are never stored, a hidden name
 * is masked) and `last_updated_at`.
 */
export function webhookPayload(record: FakeRecord, recordType: 'case' | 'incident', hostname: string): { data: Record<string, unknown> } {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (SYNC_KEYS.has(key) || key === 'last_updated_at') continue;
    fields[key] = value;
  }
  if ('name' in fields && record.hidden_name === true) fields.name = CENSORED;
  return { data: { record_id: record.id, record_type: recordType, hostname, ...fields, last_updated_at: record.last_updated_at ?? null } };
}
