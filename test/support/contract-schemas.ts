/**
 * zod schemas of the wire shapes that `schemas/primero.openapi.yaml` declares but the SDK does not parse
 * with zod, so they live with the tests rather than in src/models:
 * - error bodies: the SDK reads them with the lenient `parseErrorBody` (src/core/errors.ts), which must
 *   survive the docs' `code` key, HTML and plain text; these schemas are the exact shape the server renders;
 * - request envelopes: the resources build `{ data: ... }` themselves from the src/models input schemas;
 * - the revoke answer: `referrals.revoke()` parses a `Referral` and turns any other status into an
 *   `IllegalTransitionError`, which says more than a schema mismatch would.
 * Shapes the server renders with a fixed key set are strict objects here, so a doc example with a stale
 * key (`code`, `full_name`) fails for that key.
 */
import { z } from 'zod';
import { CaseWrite } from '../../src/models/case.js';
import { PageMetadataSchema, Uuid } from '../../src/models/common.js';
import { IncidentWrite } from '../../src/models/incident.js';
import { Referral, ReferralInput } from '../../src/models/referral.js';

/** One entry of `{ errors: [...] }` (primero-api.md 3.1, `errors/_error.json.jbuilder`). */
export const ErrorEntry = z.strictObject({
  status: z.number().int(),
  resource: z.string(),
  detail: z.union([z.string(), z.array(z.string())]).optional(),
  message: z.union([z.string(), z.array(z.string())]),
});

/** The body of every error Primero itself renders. */
export const ErrorEnvelope = z.strictObject({ errors: z.array(ErrorEntry) });

/** The body of a Devise 401 (primero-api.md 1.4). */
export const DeviseError = z.strictObject({ error: z.string() });

/** `POST /tokens` with a password (primero-api.md 1.2a). */
export const LoginRequest = z.strictObject({ user: z.strictObject({ user_name: z.string(), password: z.string() }) });

/** `{}`: the answer of `DELETE /tokens`. */
export const EmptyObject = z.strictObject({});

/** The answer of `DELETE /cases/:id/referrals/:id`: always `revoked` (primero-api.md 5.6). */
export const RevokedReferral = Referral.extend({ status: z.literal('revoked') });

/** `data` of `POST /cases/referrals`: the referral plus the cases (primero-api.md 5.4). */
export const BulkReferralInput = ReferralInput.safeExtend({ ids: z.array(Uuid).min(1) });

/** `data` of `PATCH /cases/:id/referrals/:id` (primero-api.md 5.5). */
export const ReferralUpdate = z.strictObject({
  status: z.enum(['accepted', 'rejected', 'done']),
  rejected_reason: z.string().optional(),
  rejection_note: z.string().optional(),
});

/** The record actions of a PATCH (primero-api.md 2.9). */
export const RecordAction = z.enum([
  'close',
  'reopen',
  'enable_disable_record',
  'incident_from_case',
  'add_registry_record',
  'case_from_family',
  'link_family_record',
  'attribute',
  'add_note',
]);

/** The users index adds `total_enabled` to the page metadata (primero-api.md 8). */
export const UserPageMetadata = PageMetadataSchema.extend({ total_enabled: z.number().int() });

/** `{ data: T }` of a create, sent by the client. */
export function createBody<T extends z.ZodType>(data: T) {
  return z.strictObject({ data });
}

/** `{ data: T, record_action? }` of a record PATCH (primero-api.md 2.1 and 2.9). */
export function updateBody<T extends z.ZodType>(data: T) {
  return z.strictObject({ data, record_action: RecordAction.optional() });
}

/** A paginated list: `{ data: T[], metadata }` (primero-api.md 2.2). */
export function page<T extends z.ZodType, M extends z.ZodType>(item: T, metadata: M) {
  return z.strictObject({ data: z.array(item), metadata });
}

/** The request bodies of the record endpoints. */
export const CaseCreateBody = createBody(CaseWrite);
/** `PATCH /cases/:id`. */
export const CaseUpdateBody = updateBody(CaseWrite);
/** `POST /incidents`. */
export const IncidentCreateBody = createBody(IncidentWrite);
/** `PATCH /incidents/:id`. */
export const IncidentUpdateBody = updateBody(IncidentWrite);
