/**
 * What the record views share: `_record.json.jbuilder` renders a record for the record routes and, under
 * `record`, for a referral's answer (primero-api.md 2.7, 5.1).
 *
 * @module
 */
import type { FakeRecord } from './store.js';

/** `enabled` as the view renders it: the stored `record_state`, null when the record has none. */
export function renderedEnabled(record: FakeRecord): unknown {
  return record.record_state ?? null;
}
