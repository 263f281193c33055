/**
 * What the dashboard keeps of each case between runs: the coded values its indicators count, and nothing
 * that identifies a child. No name, date of birth, case number or free text is kept; the record id is only
 * the key that lets a later run replace a case's facts when the case changes (so a case that moves to
 * another district is counted there, and not in both).
 *
 * Pure: no I/O.
 * @module
 */
import type { CaseRecord, Referral, TransitionStatus } from 'primero-sdk';

/** A service of the case (one `services_section` entry). */
export interface ServiceFacts {
  /** `service_type` (an option id of `lookup-service-type`), or null when not set. */
  type: string | null;
  /** Whether the service was delivered. */
  implemented: boolean;
}

/** A referral of the case. */
export interface ReferralFacts {
  status: TransitionStatus;
  /**
   * Hours from the referral's creation to the recipient's answer (accepted or rejected), or null: not
   * answered yet, revoked, or without usable timestamps. See {@link responseHours}.
   */
  response_hours: number | null;
}

/** The indicator inputs of one case. */
export interface CaseFacts {
  /** False once the case is disabled (Primero's soft delete): it then counts nowhere. */
  enabled: boolean;
  /** `open`, `closed`, `transferred`... or null. */
  status: string | null;
  sex: string | null;
  age: number | null;
  /** `protection_concerns` option ids, each once. */
  concerns: string[];
  /** `location_current`: a location code. */
  location: string | null;
  services: ServiceFacts[];
  referrals: ReferralFacts[];
}

/** The case fields {@link caseFacts} reads: all a pull asks the server for. */
export const FACT_FIELDS = ['record_state', 'status', 'sex', 'age', 'protection_concerns', 'location_current', 'services_section'] as const;

/** The statuses a recipient answered in: `done` keeps the acceptance time as `responded_at` (primero-api.md 5.5). */
const ANSWERED: readonly TransitionStatus[] = ['accepted', 'rejected', 'done'];

/**
 * The facts of a case as the server sent it, with the referrals listed for it. A disabled case keeps only
 * `enabled: false`: it counts nowhere, and its referrals are not even read.
 */
export function caseFacts(record: CaseRecord, referrals: readonly Referral[]): CaseFacts {
  const enabled = record.enabled !== false && record.record_state !== false;
  if (!enabled) return { enabled, status: null, sex: null, age: null, concerns: [], location: null, services: [], referrals: [] };
  return {
    enabled,
    status: text(record.status),
    sex: text(record.sex),
    age: typeof record.age === 'number' && Number.isInteger(record.age) && record.age >= 0 ? record.age : null,
    concerns: [...new Set((record.protection_concerns ?? []).filter((c): c is string => typeof c === 'string' && c !== ''))],
    location: text(record.location_current),
    services: (record.services_section ?? []).map((service) => ({
      type: text(service.service_type),
      // The server keeps the two in step on save (primero-api.md 6); either one is enough.
      implemented: service.service_implemented === 'implemented' || text(service.service_implemented_day_time) !== null,
    })),
    referrals: referrals.filter((r) => r.type === 'Referral').map((r) => ({ status: r.status, response_hours: responseHours(r) })),
  };
}

/**
 * Time to response, in hours: `created_at` to `responded_at`, for a referral the recipient accepted
 * (including one since completed) or rejected. Null for one still in progress or revoked, and for
 * timestamps that are missing, unreadable, or out of order.
 */
export function responseHours(referral: Pick<Referral, 'status' | 'created_at' | 'responded_at'>): number | null {
  if (!ANSWERED.includes(referral.status)) return null;
  const created = Date.parse(referral.created_at ?? '');
  const responded = Date.parse(referral.responded_at ?? '');
  if (Number.isNaN(created) || Number.isNaN(responded) || responded < created) return null;
  return (responded - created) / 3_600_000;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}
