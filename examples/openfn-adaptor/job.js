// A sample OpenFn job, in the compiled form the runtime executes (what @openfn/compiler makes of a job:
// the adaptor's operations imported, the adaptor re-exported so the runtime finds its `execute`, and the
// top-level operations gathered in the default export). A job author writes only the operations:
//
//   upsertCase('unhcr_individual_no', (state) => ({ module_id: 'primeromodule-cp', ... }));
//   fn((state) => ({ ...state, caseId: state.data.record.id }));
//   getReferrals((state) => state.caseId);
//   fnIf((state) => !state.referralId, createReferral((state) => state.caseId, { remote: true, ... }));
//   ...
//
// The flow (peers.md 2.2, proGres): a partner system sends an intake (the trigger's body, state.data); it
// becomes a Primero case matched by the partner's id, is referred to the partner agency, the partner's
// acceptance is recorded, and the open caseload is counted for the partner's dashboard. Only ids and
// counts leave the run: the last step drops the records from data and references.
//
// Safe to run again on the same intake (a retried webhook, a rerun after a failure): the case is matched,
// not created again, and a referral is made only when the case has no open referral of this service to the
// agency; the acceptance is recorded only on a referral still waiting for it.
import { createReferral, fn, fnIf, getCases, getReferrals, updateReferral, upsertCase } from '@example/language-primero';
export * from '@example/language-primero';

const AGENCY = 'agency-unhcr';
const SERVICE = 'legal_assistance_service';

/** A remote referral of this service to the agency that is still open: in progress or accepted. */
const openReferral = (referrals) =>
  referrals.find((referral) => referral.remote === true && referral.transitioned_to_agency === AGENCY && referral.service === SERVICE
    && (referral.status === 'in_progress' || referral.status === 'accepted'));

export default [
  upsertCase('unhcr_individual_no', (state) => ({
    module_id: 'primeromodule-cp',
    unhcr_individual_no: state.data.individual_id,
    sex: state.data.sex,
    age: state.data.age,
    consent_for_services: state.data.consent === true,
    disclosure_other_orgs: state.data.consent === true,
  })),
  fn((state) => ({ ...state, caseId: state.data.record.id, caseAction: state.data.action })),

  // Referred already (by an earlier run of this intake, or by a caseworker)? Then that referral is the one.
  getReferrals((state) => state.caseId),
  fn((state) => {
    const open = openReferral(state.data);
    return open ? { ...state, referralId: open.id, referralStatus: open.status, referralAction: 'found open' } : state;
  }),
  fnIf((state) => !state.referralId, createReferral((state) => state.caseId, {
    remote: true,
    transitioned_to_agency: AGENCY,
    service: SERVICE,
    notes: 'Intake received from the partner system',
  })),
  fn((state) => (state.referralId ? state : { ...state, referralId: state.data.id, referralStatus: state.data.status, referralAction: 'created' })),

  // Primero has no inbound channel for a remote agency's decision (primero-api.md 5.7): the job records it,
  // once: a referral accepted by an earlier run is left as it is.
  fnIf((state) => state.referralStatus === 'in_progress', updateReferral((state) => state.caseId, (state) => state.referralId, 'accepted')),
  getReferrals((state) => state.caseId, { status: 'accepted' }),
  fn((state) => ({ ...state, acceptedReferrals: state.data.map((referral) => referral.id) })),

  getCases({ status: 'open' }, { fields: ['risk_level'], per: 50 }),
  fn((state) => ({
    data: {
      caseId: state.caseId,
      caseAction: state.caseAction,
      referralId: state.referralId,
      referralAction: state.referralAction,
      acceptedReferrals: state.acceptedReferrals,
      openCases: state.data.length,
      highRisk: state.data.filter((record) => record.risk_level === 'high').length,
      pages: state.metadata.pages,
    },
    references: [],
  })),
];
