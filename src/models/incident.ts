/**
 * An incident (`/api/v2/incidents`, and a case's `GET /cases/:id/incidents`): same record conventions as
 * cases (primero-api.md section 8).
 *
 * @module
 */
import { z } from 'zod';
import { DateOnly, RecordBase, Uuid } from './common.js';

/** The incident fields integrations use; the rest of the deployment's fields are kept untyped. */
export const IncidentRecord = RecordBase.extend({
  incident_id: z.string().optional(),
  incident_code: z.string().optional(),
  short_id: z.string().optional(),
  incident_case_id: z.string().nullable().optional(),
  module_id: z.string().optional(),
  status: z.string().optional(),
  owned_by: z.string().nullable().optional(),
  created_at: z.string().optional(),
  incident_date: z.string().nullable().optional(),
});
/** An incident record. */
export type IncidentRecord = z.infer<typeof IncidentRecord>;

/** Fields of an incident to create or update; link it to a case with `incident_case_id`. */
export const IncidentWrite = z.looseObject({
  id: Uuid.optional(),
  module_id: z.string().min(1).optional(),
  // A UUID string: the server's core-field schema rejects null (PERMITTED_CORE_FIELDS_SCHEMA).
  incident_case_id: Uuid.optional(),
  incident_date: DateOnly.nullable().optional(),
  record_state: z.boolean().optional(),
});
/** Fields of an incident to create or update. */
export type IncidentInput = z.input<typeof IncidentWrite>;
