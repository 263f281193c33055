/**
 * The position of an incremental pull ({@link ChangeFeed}): what was delivered, in the server's own
 * timestamps, so a later run resumes without losing or repeating more than the overlap.
 *
 * @module
 */
import { z } from 'zod';
import { RequestValidationError } from '../core/errors.js';

/** The record collections an incremental pull can follow. */
export type ChangeCollection = 'cases' | 'incidents';

/**
 * Where an incremental pull stopped. A plain JSON-serialisable object: persist it as is (for example with
 * {@link FileCursorStore}) and pass it back as `since`. It holds record ids and timestamps, never record
 * content.
 *
 * - `since`: the high-water mark, the newest `last_updated_at` delivered, exactly as the server wrote it
 *   (the server's clock, never the local one). The next run asks for `last_updated_at >= since - overlap`,
 *   floored to the second (the server compares at one-second precision).
 * - `seen`: `id -> last_updated_at` of the records delivered whose timestamp falls within the overlap
 *   before `since`: the next run re-reads that window and skips exactly these versions, so a record is
 *   delivered again only when its `last_updated_at` changed.
 */
export interface ChangeCursor {
  /** Format version of the cursor. */
  readonly version: 1;
  /** The collection the cursor belongs to; a case cursor is refused by `client.incidents.changes()`. */
  readonly collection: ChangeCollection;
  /** The high-water mark: the newest `last_updated_at` delivered (server time, ISO-8601). */
  readonly since: string;
  /** `id -> last_updated_at` of the versions delivered within the overlap window before `since`. */
  readonly seen: Readonly<Record<string, string>>;
}

const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}))?$/;

/** @internal A timestamp the server could have written: ISO-8601 with a 4-digit year, parseable. */
export const Timestamp = z.string().regex(ISO, 'an ISO-8601 timestamp').refine((value) => !Number.isNaN(Date.parse(value)), 'a valid date');

/** @internal The cursor's schema, checked whenever one is read back or passed in. */
export const ChangeCursorSchema = z.strictObject({
  version: z.literal(1),
  collection: z.enum(['cases', 'incidents']),
  since: Timestamp,
  seen: z.record(z.string().min(1), Timestamp),
});

/** @internal True for something shaped like a cursor (an object with `version`), as opposed to a date. */
export function looksLikeCursor(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !(value instanceof Date) && 'version' in value;
}

/**
 * @internal Checks a cursor passed by the caller.
 * @throws {@link RequestValidationError} naming the wrong fields, never their values.
 */
export function checkCursor(value: unknown, collection: ChangeCollection): ChangeCursor {
  const parsed = ChangeCursorSchema.safeParse(value);
  if (!parsed.success) {
    throw new RequestValidationError('since is not a valid change cursor', parsed.error.issues.map((issue) => ({ path: ['since', ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], code: issue.code })));
  }
  if (parsed.data.collection !== collection) {
    throw new RequestValidationError(`since is a cursor of ${parsed.data.collection}, not ${collection}`, [{ path: ['since', 'collection'], code: 'invalid_value' }]);
  }
  return parsed.data;
}
