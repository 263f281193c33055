/**
 * Reading a data-forwarding delivery (primero-api.md 7.3): `{"data": {record_id, record_type, hostname,
 * ...fields, last_updated_at}}`. There is no event name: a create, an update, a manual Sync and the echo of
 * an acknowledgement all look alike.
 *
 * @module
 */
import { z } from 'zod';
import { WebhookPayloadError } from '../core/errors.js';
import { toIssues } from '../core/validate.js';

/** The `data` object of a delivery: the envelope keys, then the record's fields readable by the webhook's role. */
export interface WebhookData {
  /** The record's `id` (a UUID). */
  record_id: string;
  /** `case`, `incident`, … (the record's parent form). */
  record_type: string;
  /** The host of the sending Primero (its `default_url_options`). */
  hostname: string;
  /** When the record was last saved (ISO-8601); `null` if the server sent none. */
  last_updated_at: string | null;
  /** The record's fields: instance-specific, hence untyped. */
  [field: string]: unknown;
}

/** One delivery, parsed. */
export interface WebhookDelivery {
  /** `data.record_id`. */
  readonly recordId: string;
  /** `data.record_type`, e.g. `case`. */
  readonly recordType: string;
  /** `data.hostname`: tells deliveries of several Primero instances apart. */
  readonly hostname: string;
  /** `data.last_updated_at`. */
  readonly lastUpdatedAt: string | null;
  /** The whole `data` object as sent, envelope keys included. */
  readonly data: WebhookData;
}

const Envelope = z.object({
  data: z.looseObject({
    record_id: z.string().min(1),
    record_type: z.string().min(1),
    hostname: z.string(),
    last_updated_at: z.string().nullable(),
  }),
});

/**
 * Parses a delivery's body: the raw text or bytes, or JSON already parsed by a framework.
 * @throws {@link WebhookPayloadError} when it is not JSON or not a delivery; its `issues` name paths and
 * codes only, never a value from the body.
 * @example
 * ```ts
 * const delivery = parseWebhook(await request.text());
 * console.log(delivery.recordType, delivery.recordId);
 * ```
 */
export function parseWebhook(body: unknown): WebhookDelivery {
  let json: unknown = body;
  if (typeof body === 'string' || body instanceof Uint8Array) {
    try {
      json = JSON.parse(typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: true }).decode(body));
    } catch {
      throw new WebhookPayloadError([{ path: [], code: 'invalid_json' }]);
    }
  }
  let result: ReturnType<typeof Envelope.safeParse>;
  try {
    result = Envelope.safeParse(json);
  } catch {
    // A getter that throws, a revoked proxy: whatever was passed in, the answer is a typed error.
    throw new WebhookPayloadError([{ path: [], code: 'invalid_type', expected: 'object' }]);
  }
  if (!result.success) throw new WebhookPayloadError(toIssues(result.error));
  const data = result.data.data as WebhookData;
  return Object.freeze({ recordId: data.record_id, recordType: data.record_type, hostname: data.hostname, lastUpdatedAt: data.last_updated_at, data });
}
