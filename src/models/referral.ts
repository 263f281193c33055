/**
 * Referrals and the other transitions (primero-api.md section 5). The server renders every column of the
 * `transitions` row with nil values removed, so most fields are optional.
 *
 * @module
 */
import { z } from 'zod';
import { Uuid } from './common.js';

/** `Transition::STATUS_*`. */
export const TransitionStatus = z.enum(['in_progress', 'accepted', 'rejected', 'done', 'revoked']);
/** A referral's status: `in_progress` until the recipient accepts or rejects; `done` once completed. */
export type TransitionStatus = z.infer<typeof TransitionStatus>;

/**
 * The API name of a transitioned record's type: `case` or `incident`, the two models with transitions
 * (`PrimeroModelService.to_name`, primero-api.md 5.1). The docs' `Child` is stale (section 10).
 */
export const TransitionRecordType = z.enum(['case', 'incident']);
/** The type of the record a referral belongs to. */
export type TransitionRecordType = z.infer<typeof TransitionRecordType>;

/** A referral (or another transition) as listed, created or updated. */
export const Referral = z.looseObject({
  id: z.string(),
  type: z.string(),
  status: TransitionStatus,
  record_id: z.string(),
  record_type: TransitionRecordType,
  transitioned_to: z.string().optional(),
  transitioned_to_remote: z.string().optional(),
  transitioned_to_agency: z.string().optional(),
  transitioned_by: z.string().optional(),
  notes: z.string().optional(),
  rejected_reason: z.string().optional(),
  rejection_note: z.string().optional(),
  remote: z.boolean().optional(),
  type_of_export: z.string().optional(),
  service: z.string().optional(),
  service_record_id: z.string().optional(),
  consent_overridden: z.boolean().optional(),
  consent_individual_transfer: z.boolean().optional(),
  authorized_role_unique_id: z.string().optional(),
  created_at: z.string().optional(),
  responded_at: z.string().optional(),
  user_can_accept_or_reject: z.boolean().optional(),
  record_access_denied: z.boolean().optional(),
  /** The case's changed fields, on create/update/revoke when the user can read the case. */
  record: z.looseObject({ id: z.string() }).optional(),
});
/** A referral. */
export type Referral = z.infer<typeof Referral>;

/** A user who can receive a referral (`GET /api/v2/users/refer-to`, primero-api.md 5.3). */
export const ReferralRecipient = z.looseObject({
  id: z.number(),
  user_name: z.string(),
  code: z.string().nullable().optional(),
  position: z.string().nullable().optional(),
  location: z.string().nullable().optional(),
  agency: z.string().nullable().optional(),
  disabled: z.boolean().nullable().optional(),
  services: z.array(z.string()).nullable().optional(),
});
/** A user who can receive a referral. */
export type ReferralRecipient = z.infer<typeof ReferralRecipient>;

/**
 * What a new referral carries (`POST /api/v2/cases/:id/referrals`, primero-api.md 5.3). An internal
 * referral names the recipient in `transitioned_to`; a referral to an agency outside Primero sets
 * `remote: true` and names it in `transitioned_to_remote` or `transitioned_to_agency`. Keys the server
 * does not permit are refused here, since the server would drop them silently.
 */
export const ReferralInput = z
  .strictObject({
    transitioned_to: z.string().min(1).optional(),
    remote: z.boolean().optional(),
    transitioned_to_remote: z.string().min(1).optional(),
    transitioned_to_agency: z.string().min(1).optional(),
    service: z.string().min(1).optional(),
    service_record_id: Uuid.optional(),
    type_of_export: z.string().optional(),
    notes: z.string().optional(),
    consent_overridden: z.boolean().optional(),
    authorized_role_unique_id: z.string().optional(),
    allow_case_creation: z.boolean().optional(),
  })
  .superRefine((input, ctx) => {
    if (input.remote) {
      if (!input.transitioned_to_remote && !input.transitioned_to_agency) {
        ctx.addIssue({ code: 'custom', path: ['transitioned_to_remote'], message: 'a remote referral names its recipient' });
      }
    } else if (!input.transitioned_to) {
      ctx.addIssue({ code: 'custom', path: ['transitioned_to'], message: 'an internal referral names its recipient (or set remote: true)' });
    }
  });
/** What a new referral carries. */
export type ReferralInput = z.input<typeof ReferralInput>;
