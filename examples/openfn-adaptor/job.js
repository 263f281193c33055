// A sample OpenFn job, in the compiled form the runtime executes (what @openfn/compiler makes of a job:
// the adaptor's operations imported, the adaptor re-exported so the runtime finds its `execute`, and the
// top-level operations gathered in the default export). A job author writes only the operations:
//
//   upsertCase('unhcr_individual_no', (state) => ({ module_id: 'primeromodule-cp', ... }));
//   fn((state) => ({ ...state, caseId: state.data.record.id }));
//   createReferral((state) => state.caseId, { remote: true, ... });
//   ...
//
// The flow (peers.md 2.2, proGres): a partner system sends an intake (the trigger's body, state.data); it
// becomes a Primero case matched by the partner's id, is referred to the partner agency, the partner's
// acceptance is recorded, and the open caseload is counted for the partner's dashboard. Only ids and
// counts leave the run: the last step drops the records from data and references.
import { createReferral, fn, getCases, getReferrals, updateReferral, upsertCase } from '@example/language-primero';
export * from '@example/language-primero';

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

  createReferral((state) => state.caseId, {
    remote: true,
    transitioned_to_agency: 'agency-unhcr',
    service: 'legal_assistance_service',
    notes: 'Intake received from the partner system',
  }),
  fn((state) => ({ ...state, referralId: state.data.id })),

  // Primero has no inbound channel for a remote agency's decision (primero-api.md 5.7): the job records it.
  updateReferral((state) => state.caseId, (state) => state.referralId, 'accepted'),
  getReferrals((state) => state.caseId, { status: 'accepted' }),
  fn((state) => ({ ...state, acceptedReferrals: state.data.map((referral) => referral.id) })),

  getCases({ status: 'open' }, { fields: ['risk_level'], per: 50 }),
  fn((state) => ({
    data: {
      caseId: state.caseId,
      caseAction: state.caseAction,
      referralId: state.referralId,
      acceptedReferrals: state.acceptedReferrals,
      openCases: state.data.length,
      highRisk: state.data.filter((record) => record.risk_level === 'high').length,
      pages: state.metadata.pages,
    },
    references: [],
  })),
];
