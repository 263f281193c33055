/**
 * A service: one entry of a case's `services_section` subform (primero-api.md section 6).
 *
 * @module
 */
import { z } from 'zod';
import { DateOnly, DateTime, Uuid } from './common.js';

/** `lookup-service-implemented` (primero-api.md 6). */
export const ServiceImplemented = z.enum(['implemented', 'not_implemented']);
/** Whether a service was delivered. */
export type ServiceImplemented = z.infer<typeof ServiceImplemented>;

/**
 * The seeded service fields; deployments add their own, which are kept. `unique_id` is a lowercase UUID:
 * the key by which the server merges subform entries.
 */
export const ServiceEntry = z.looseObject({
  unique_id: z.string(),
  service_response_type: z.string().nullable().optional(),
  service_type: z.string().nullable().optional(),
  service_response_day_time: z.string().nullable().optional(),
  service_response_timeframe: z.string().nullable().optional(),
  service_appointment_date: z.string().nullable().optional(),
  service_implementing_agency: z.string().nullable().optional(),
  service_implementing_agency_individual: z.string().nullable().optional(),
  service_provider: z.string().nullable().optional(),
  service_delivery_location: z.string().nullable().optional(),
  service_location: z.string().nullable().optional(),
  service_referral_notes: z.string().nullable().optional(),
  service_status_referred: z.boolean().nullable().optional(),
  service_implemented: ServiceImplemented.nullable().optional(),
  service_implemented_day_time: z.string().nullable().optional(),
  note_on_referral_from_provider: z.string().nullable().optional(),
});
/** One entry of a case's `services_section`. */
export type ServiceEntry = z.infer<typeof ServiceEntry>;

/**
 * A services_section entry as sent in a write: the typed fields are checked before sending (a number for
 * a date is caught here rather than as a 422), `_destroy: true` removes the entry (primero-api.md 4.4;
 * the docs' `_delete` is silently ignored by the server).
 */
export const ServiceWrite = z.looseObject({
  unique_id: Uuid.optional(),
  service_type: z.string().nullable().optional(),
  service_response_type: z.string().nullable().optional(),
  service_response_day_time: DateTime.nullable().optional(),
  service_appointment_date: DateOnly.nullable().optional(),
  service_implemented_day_time: DateTime.nullable().optional(),
  service_implementing_agency: z.string().nullable().optional(),
  service_implementing_agency_individual: z.string().nullable().optional(),
  service_status_referred: z.boolean().optional(),
  service_implemented: ServiceImplemented.nullable().optional(),
  _destroy: z.boolean().nullable().optional(),
});
/** A services_section entry as sent in a write. */
export type ServiceWrite = z.input<typeof ServiceWrite>;

/** A new service, as given to `services.add()`: the SDK assigns `unique_id`. */
export type ServiceInput = Omit<ServiceWrite, 'unique_id' | '_destroy'> & { service_type: string };
