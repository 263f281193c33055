/**
 * A case (`/api/v2/cases`), as the server renders it (primero-api.md sections 2.7 and 4.7). Which fields
 * exist depends on the deployment's forms and the user's role; only `id`, `enabled` and
 * `last_updated_at` are always there.
 *
 * @module
 */
import { z } from 'zod';
import { DateOnly, RecordBase, Uuid } from './common.js';
import { ServiceEntry, ServiceWrite } from './service.js';

/** `Record::STATUS_*` (primero-api.md 2.7). */
export const CaseStatus = z.enum(['open', 'closed', 'transferred', 'identified']);
/** A case's status. */
export type CaseStatus = z.infer<typeof CaseStatus>;

/** The case fields integrations use; every other field of the deployment is kept untyped. */
export const CaseRecord = RecordBase.extend({
  case_id: z.string().optional(),
  case_id_display: z.string().optional(),
  short_id: z.string().optional(),
  unique_identifier: z.string().optional(),
  module_id: z.string().optional(),
  status: CaseStatus.optional(),
  record_state: z.boolean().optional(),
  workflow: z.string().optional(),
  owned_by: z.string().nullable().optional(),
  owned_by_agency_id: z.string().nullable().optional(),
  assigned_user_names: z.array(z.string()).nullable().optional(),
  created_at: z.string().optional(),
  created_by: z.string().nullable().optional(),
  registration_date: z.string().nullable().optional(),
  name: z.string().nullable().optional(),
  name_first: z.string().nullable().optional(),
  name_last: z.string().nullable().optional(),
  hidden_name: z.boolean().nullable().optional(),
  age: z.number().int().nullable().optional(),
  date_of_birth: z.string().nullable().optional(),
  sex: z.string().nullable().optional(),
  protection_concerns: z.array(z.string()).nullable().optional(),
  risk_level: z.string().nullable().optional(),
  location_current: z.string().nullable().optional(),
  consent_for_services: z.boolean().nullable().optional(),
  disclosure_other_orgs: z.boolean().nullable().optional(),
  services_section: z.array(ServiceEntry).nullable().optional(),
  sync_status: z.string().nullable().optional(),
  synced_at: z.string().nullable().optional(),
});
/** A case record. */
export type CaseRecord = z.infer<typeof CaseRecord>;

/**
 * Fields of a case to create or update: any field of the deployment's forms. The core fields are checked
 * before sending; the server checks the rest, ignores fields it does not know or the user may not write,
 * and answers a wrong type with a 422 "Invalid Record JSON".
 */
export const CaseWrite = z.looseObject({
  id: Uuid.optional(),
  module_id: z.string().min(1).optional(),
  name: z.string().nullable().optional(),
  name_first: z.string().nullable().optional(),
  name_last: z.string().nullable().optional(),
  age: z.number().int().min(0).max(2_147_483_647).nullable().optional(),
  date_of_birth: DateOnly.nullable().optional(),
  registration_date: DateOnly.nullable().optional(),
  sex: z.string().nullable().optional(),
  // The server ignores null for a multi-select or a subform (strong parameters skip it): send [] to clear a
  // multi-select, and `_destroy` each subform entry to remove it.
  protection_concerns: z.array(z.string()).optional(),
  location_current: z.string().nullable().optional(),
  // Tick boxes take true or false only: the server rejects null (primero-api.md 2.6).
  consent_for_services: z.boolean().optional(),
  disclosure_other_orgs: z.boolean().optional(),
  record_state: z.boolean().optional(),
  services_section: z.array(ServiceWrite).optional(),
});
/** Fields of a case to create or update. */
export type CaseInput = z.input<typeof CaseWrite>;

/** `{ record_id, record_type, synced_at, sync_status }` of `POST /api/v2/cases/:id/sync` (primero-api.md 7.2). */
export const SyncResult = z.looseObject({
  record_id: z.string(),
  record_type: z.string(),
  synced_at: z.string().nullable().optional(),
  sync_status: z.string().nullable().optional(),
});
/** The answer to a manual sync. */
export type SyncResult = z.infer<typeof SyncResult>;
