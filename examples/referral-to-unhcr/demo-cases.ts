/**
 * The caseworker's part, done through the API as the web app would: two cases with consent to share, each
 * with a service UNHCR is to provide. The cases carry no name or date of birth: the flow does not need
 * them, so the demo does not make them up.
 */
import type { PrimeroClient } from 'primero-sdk';

export interface DemoCase {
  id: string;
  caseId: string;
  caseIdDisplay: string;
  serviceId: string;
  serviceType: string;
}

export async function createDemoCase(client: PrimeroClient, options: { agencyId: string; serviceType: string; consent?: boolean }): Promise<DemoCase> {
  const consent = options.consent ?? true;
  const created = await client.cases.create({
    module_id: 'primeromodule-cp',
    consent_for_services: consent,
    disclosure_other_orgs: consent,
    protection_concerns: ['unaccompanied'],
  });
  const service = await client.services.add(created.id, {
    service_type: options.serviceType,
    service_response_type: 'service_provision',
    service_implementing_agency: options.agencyId,
  });
  // The create answer holds what the server set; case_id is read back rather than assumed to be there.
  const record = await client.cases.get(created.id, { fields: ['case_id', 'case_id_display'] });
  if (!record.case_id) throw new Error('the new case has no readable case_id');
  return { id: record.id, caseId: record.case_id, caseIdDisplay: record.case_id_display ?? record.id, serviceId: service.unique_id, serviceType: options.serviceType };
}
