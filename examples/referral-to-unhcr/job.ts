/**
 * One run of the referral job, meant for a schedule (every few minutes, or hourly as the deployed proGres
 * flows run). It keeps no state of its own: each run reads where every UNHCR service stands in Primero
 * and at the gateway, and does the one next step that is missing. That is what makes a rerun, a crashed
 * run or two overlapping runs harmless:
 *
 * - a service for UNHCR with no referral linked to it gets one (Primero's referral list is the record of
 *   that: a lost answer is seen as a referral on the next run, never made twice);
 * - an open referral the gateway does not hold is posted to it (the gateway is asked first, under a key
 *   built from Primero's ids; a 409 from a concurrent run is taken as "held");
 * - UNHCR's decision is written only onto a referral still waiting for it: `in_progress` for accept and
 *   reject, `accepted` for completion. A referral in a final state is not even looked up.
 */
import { isPrimeroError, type CaseRecord, type PrimeroClient, type Referral, type ServiceEntry } from 'primero-sdk';
import { describeError } from '../support/errors.js';
import { decisionOf, externalReferralId, type DtpGateway, type DtpReferral } from './dtp.js';

/** Primero service types (`lookup-service-type`) UNHCR takes, as proGres intervention types. */
const INTERVENTION_TYPES: Readonly<Record<string, string>> = {
  legal_assistance_service: 'Legal Assistance',
  registration_service: 'Registration',
  family_seunification_service: 'Family Tracing and Reunification',
  safehouse_service: 'Alternative Care',
};

/** UNHCR's rejection codes, as the reason Primero shows the caseworker. */
const REJECTION_REASONS: Readonly<Record<string, string>> = {
  individual_not_found: 'UNHCR: individual not found in proGres',
  unhcr_id_mismatch: 'UNHCR: does not match the UNHCR ID on record',
  not_applicable: 'UNHCR: not applicable',
};

const CASE_FIELDS = ['case_id', 'case_id_display', 'owned_by', 'module_id', 'consent_for_services', 'disclosure_other_orgs', 'services_section'];

export type Step = 'referred' | 'sent' | 'accepted' | 'completed' | 'rejected' | 'waiting' | 'final' | 'not_referred' | 'failed';

/** What the run did for one service: ids and codes only, never a field of the child's. */
export interface StepReport {
  step: Step;
  /** `case_id_display`, as caseworkers know the case. */
  caseRef: string;
  serviceId: string;
  referralId?: string;
  detail?: string;
}

export interface JobOptions {
  /** The `unique_id` of UNHCR's agency in this Primero (`service_implementing_agency`). */
  agencyId: string;
  onStep?: (report: StepReport) => void;
}

export async function runReferralJob(client: PrimeroClient, gateway: DtpGateway, options: JobOptions): Promise<StepReport[]> {
  const reports: StepReport[] = [];
  const report = (entry: StepReport) => {
    reports.push(entry);
    options.onStep?.(entry);
  };
  for await (const record of client.cases.list({ filters: { status: 'open' }, fields: CASE_FIELDS, per: 100 })) {
    const services = (record.services_section ?? []).filter((service) => service.service_implementing_agency === options.agencyId);
    if (!services.length) continue;
    const referrals = await client.referrals.list(record.id);
    for (const service of services) {
      const at = { caseRef: record.case_id_display ?? record.id, serviceId: service.unique_id };
      try {
        const result = await syncService(client, gateway, options.agencyId, record, service, referrals);
        for (const entry of result) report({ ...at, ...entry });
      } catch (error) {
        // SDK errors and the gateway client's errors carry no record data; any other error is named only.
        report({ ...at, step: 'failed', detail: describeError(error) });
      }
    }
  }
  return reports;
}

type Outcome = Omit<StepReport, 'caseRef' | 'serviceId'>;

async function syncService(client: PrimeroClient, gateway: DtpGateway, agencyId: string, record: CaseRecord, service: ServiceEntry, referrals: Referral[]): Promise<Outcome[]> {
  const linked = referrals.filter((referral) => referral.service_record_id === service.unique_id);
  const outcomes: Outcome[] = [];
  if (!linked.length) {
    const made = await refer(client, agencyId, record, service);
    if ('outcome' in made) return [made.outcome];
    outcomes.push({ step: 'referred', referralId: made.referral.id });
    linked.push(made.referral);
  }
  const open = linked.filter((r) => r.remote === true && r.transitioned_to_agency === agencyId && (r.status === 'in_progress' || r.status === 'accepted'));
  if (!open.length) {
    const last = linked.at(-1);
    return [...outcomes, { step: 'final', ...(last ? { referralId: last.id, detail: last.remote === true ? last.status : `${last.status}, a referral inside Primero` } : {}) }];
  }
  // The gateway's key is per service: two open referrals of one service would share it.
  if (open.length > 1) return [...outcomes, { step: 'failed', detail: 'several open referrals for one service: revoke all but one in Primero' }];
  const referral = open[0] as Referral;
  return [...outcomes, await syncReferral(client, gateway, record, service, referral)];
}

/** Creates the remote referral linked to the service, as the web app's "Refer" on a service does (primero-api.md 6, 5.7). */
async function refer(client: PrimeroClient, agencyId: string, record: CaseRecord, service: ServiceEntry): Promise<{ referral: Referral } | { outcome: Outcome }> {
  if (service.service_implemented === 'implemented') return { outcome: { step: 'final', detail: 'service already implemented' } };
  // Marked referred with no referral in sight: the referral is outside this user's scope (primero-api.md 5.2).
  if (service.service_status_referred === true) return { outcome: { step: 'not_referred', detail: 'service marked referred, but no referral of it is visible to this user' } };
  if (!INTERVENTION_TYPES[service.service_type ?? '']) return { outcome: { step: 'not_referred', detail: `UNHCR takes no ${service.service_type ?? 'untyped'} service through proGres` } };
  // Consent is the caseworker's to record or override, never the job's. Checked here as well as by the
  // server, so that a case waiting for consent is not a refused POST on every run.
  if (!consentToShare(record)) return { outcome: NO_CONSENT };
  try {
    return { referral: await client.services.refer(record.id, service.unique_id, { remote: true, transitioned_to_agency: agencyId, notes: 'Sent to UNHCR through the proGres DTP gateway' }) };
  } catch (error) {
    if (isPrimeroError(error, 'ValidationError') && error.field === 'consent') return { outcome: NO_CONSENT };
    throw error;
  }
}

const NO_CONSENT: Outcome = { step: 'not_referred', detail: 'no consent to share recorded on the case (consent_for_services, disclosure_other_orgs)' };

/** `Referral#consent_given?` (primero-api.md 5.3): GBV cases need consent for services, others disclosure too. */
function consentToShare(record: CaseRecord): boolean {
  if (record.module_id === 'primeromodule-gbv') return record.consent_for_services === true;
  return record.consent_for_services === true && record.disclosure_other_orgs === true;
}

async function syncReferral(client: PrimeroClient, gateway: DtpGateway, record: CaseRecord, service: ServiceEntry, referral: Referral): Promise<Outcome> {
  if (!record.case_id) return { step: 'failed', referralId: referral.id, detail: 'case_id is not readable by this user' };
  const externalId = externalReferralId(record.case_id, service.unique_id);
  const held = await gateway.lookup(externalId);
  if (!held) {
    const sent = await gateway.send(toDtpReferral(externalId, record, service, referral));
    return { step: 'sent', referralId: referral.id, detail: sent === 'received' ? `as ${externalId}` : `as ${externalId} (already held: a concurrent run sent it)` };
  }
  const decision = decisionOf(held);
  const waitingForUs = referral.status === 'in_progress';
  switch (decision.kind) {
    case 'pending':
      return { step: 'waiting', referralId: referral.id, detail: 'UNHCR has not decided' };
    case 'accepted':
      if (!waitingForUs) return { step: 'waiting', referralId: referral.id, detail: 'accepted, service not delivered yet' };
      await client.referrals.accept(record.id, referral.id);
      return { step: 'accepted', referralId: referral.id };
    case 'completed':
      // Primero completes only an accepted referral (primero-api.md 5.5); completing marks the service implemented.
      if (waitingForUs) await client.referrals.accept(record.id, referral.id);
      await client.referrals.complete(record.id, referral.id, decision.note ? { note: decision.note } : {});
      return { step: 'completed', referralId: referral.id, detail: 'service implemented' };
    case 'rejected':
      if (!waitingForUs) return { step: 'failed', referralId: referral.id, detail: 'UNHCR rejected a referral Primero shows accepted: a person must revoke it' };
      await client.referrals.reject(record.id, referral.id, { rejected_reason: REJECTION_REASONS[decision.reasonCode] ?? `UNHCR: rejected (code ${decision.reasonCode})` });
      return { step: 'rejected', referralId: referral.id, detail: `reason code ${decision.reasonCode}` };
  }
}

/**
 * What UNHCR is sent. A real flow adds what the data-sharing agreement allows (the deployed one maps
 * names, date of birth, sex and language, peers.md 2.2); this example sends identifiers and the
 * intervention only, so that neither its logs nor the stand-in ever hold personal data.
 */
function toDtpReferral(externalId: string, record: CaseRecord, service: ServiceEntry, referral: Referral): DtpReferral {
  return {
    request_type: 'ReceiveIncomingReferral',
    progres_orgreferralid: externalId,
    progres_interventiontype: INTERVENTION_TYPES[service.service_type ?? ''] ?? 'Other',
    primero_referral_id: referral.id,
    primero_case_id_display: record.case_id_display ?? null,
    // The case's caseworker, whom UNHCR contacts, as the deployed flow sends (owned_by, peers.md 2.2). Not
    // transitioned_by: when this job made the referral, that is the integration's own account.
    primero_user: record.owned_by ?? null,
    referral_date: referral.created_at ?? null,
  };
}
