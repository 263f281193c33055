/**
 * Services: the `services_section` subform of a case (primero-api.md section 6), written through
 * `PATCH /api/v2/cases/:id` merges. The SDK gives each new service its `unique_id`, so every write is
 * repeat-safe: a retried add merges into the same entry instead of appending a duplicate.
 *
 * @module
 */
import { RequestValidationError } from '../core/errors.js';
import { path } from '../core/path.js';
import type { Requester } from '../core/requester.js';
import type { RequestOptions } from '../core/transport.js';
import { checkInput } from '../core/validate.js';
import { CaseRecord } from '../models/case.js';
import { DateTime, Uuid, single } from '../models/common.js';
import type { Referral, ReferralInput } from '../models/referral.js';
import { ServiceWrite, type ServiceEntry, type ServiceInput } from '../models/service.js';
import type { ReferralsResource } from './referrals.js';

/** Services of cases. Reach it as `client.services`. */
export class ServicesResource {
  /** @internal */
  constructor(
    private readonly api: Requester,
    private readonly referrals: ReferralsResource,
  ) {}

  /**
   * The services of a case (`GET /api/v2/cases/:id?fields=services_section`).
   * @throws {@link NotFoundError}, {@link ForbiddenError}.
   * @example
   * ```ts
   * const open = (await client.services.list(caseId)).filter((s) => s.service_implemented !== 'implemented');
   * ```
   */
  async list(caseId: string, options: RequestOptions = {}): Promise<ServiceEntry[]> {
    const response = await this.api.call({ ...options, method: 'GET', path: path`/cases/${caseId}`, query: { fields: 'services_section' } }, single(CaseRecord));
    return response.data.data.services_section ?? [];
  }

  /**
   * One service of a case by its `unique_id`, or undefined.
   * @throws {@link RequestValidationError} for an id that is not a lowercase UUID; {@link NotFoundError} for the case.
   * @example
   * ```ts
   * const service = await client.services.get(caseId, uniqueId);
   * ```
   */
  async get(caseId: string, uniqueId: string, options: RequestOptions = {}): Promise<ServiceEntry | undefined> {
    checkUniqueId(uniqueId);
    return (await this.list(caseId, options)).find((service) => service.unique_id === uniqueId);
  }

  /**
   * Adds a service to a case, with a `unique_id` the SDK assigns (a lowercase UUID).
   * @throws {@link RequestValidationError} for fields of the wrong type; {@link InvalidRecordError}.
   * @example
   * ```ts
   * const service = await client.services.add(caseId, { service_type: 'legal_assistance_service', service_implementing_agency: 'UNHCR' });
   * ```
   */
  async add(caseId: string, service: ServiceInput, options: RequestOptions = {}): Promise<ServiceEntry> {
    const entry = { ...checkInput(ServiceWrite, service, 'service'), unique_id: globalThis.crypto.randomUUID() };
    if (typeof entry.service_type !== 'string' || !entry.service_type) {
      throw new RequestValidationError('A service needs a service_type', [{ path: ['service_type'], code: 'too_small' }]);
    }
    return this.#write(caseId, entry, options);
  }

  /**
   * Changes fields of one service (merged by `unique_id`; other fields and services are kept).
   * @throws {@link RequestValidationError}, {@link InvalidRecordError}, {@link NotFoundError}.
   * @example
   * ```ts
   * await client.services.update(caseId, uniqueId, { service_appointment_date: '2024-06-01' });
   * ```
   */
  // async (as markImplemented below): a bad input is a rejected promise, not a synchronous throw.
  async update(caseId: string, uniqueId: string, patch: Omit<ServiceInput, 'service_type'> & { service_type?: string }, options: RequestOptions = {}): Promise<ServiceEntry> {
    return this.#write(caseId, { ...checkInput(ServiceWrite, patch, 'service update'), unique_id: checkUniqueId(uniqueId) }, options);
  }

  /**
   * Removes a service: `{ unique_id, _destroy: true }` (the docs' `_delete` is silently ignored by the server).
   * @throws {@link RequestValidationError}, {@link NotFoundError}.
   * @example
   * ```ts
   * await client.services.remove(caseId, uniqueId);
   * ```
   */
  async remove(caseId: string, uniqueId: string, options: RequestOptions = {}): Promise<void> {
    const body = { data: { services_section: [{ unique_id: checkUniqueId(uniqueId), _destroy: true }] } };
    await this.api.call({ ...options, method: 'PATCH', path: path`/cases/${caseId}`, body, idempotent: true });
  }

  /**
   * Refers a case for one of its services: `service` is the entry's `service_type`, `service_record_id`
   * its `unique_id`, and the recipient defaults to the entry's implementing user
   * (`service_implementing_agency_individual`), or for a remote referral to its agency, as the web app does
 * (primero-api.md 6). The server then
   * marks the service `service_status_referred`.
   * @throws {@link RequestValidationError} when the service does not exist or names no recipient; and the
   *   errors of {@link ReferralsResource.create}.
   * @example
   * ```ts
   * await client.services.refer(caseId, uniqueId, { remote: true, transitioned_to_agency: 'UNHCR' });
   * ```
   */
  async refer(caseId: string, uniqueId: string, input: Partial<ReferralInput> = {}, options: RequestOptions = {}): Promise<Referral> {
    const service = await this.get(caseId, uniqueId, options);
    if (!service) throw new RequestValidationError('No service with this unique_id on the case', [{ path: ['unique_id'], code: 'not_found' }]);
    // The web app fills the recipient from the service: its user for an internal referral, its agency for
    // a remote one (primero-api.md 6).
    const recipient = input.remote
      ? { transitioned_to_agency: input.transitioned_to_agency ?? (input.transitioned_to_remote ? undefined : (service.service_implementing_agency ?? undefined)) }
      : { transitioned_to: input.transitioned_to ?? service.service_implementing_agency_individual ?? undefined };
    return this.referrals.create(
      caseId,
      { ...recipient, ...input, service: input.service ?? service.service_type ?? undefined, service_record_id: uniqueId } as ReferralInput,
      options,
    );
  }

  /**
   * Marks a service implemented at `at` (default now): the server then sets `service_implemented`.
   * @throws {@link RequestValidationError}, {@link NotFoundError}.
   * @example
   * ```ts
   * await client.services.markImplemented(caseId, uniqueId);
   * ```
   */
  async markImplemented(caseId: string, uniqueId: string, at: Date = new Date(), options: RequestOptions = {}): Promise<ServiceEntry> {
    const when = checkInput(DateTime, at instanceof Date && !Number.isNaN(at.getTime()) ? at.toISOString() : String(at), 'implementation time');
    return this.update(caseId, uniqueId, { service_implemented_day_time: when }, options);
  }

  async #write(caseId: string, entry: ServiceWrite & { unique_id: string }, options: RequestOptions): Promise<ServiceEntry> {
    const body = { data: { services_section: [entry] } };
    const response = await this.api.call({ ...options, method: 'PATCH', path: path`/cases/${caseId}`, body, idempotent: true }, single(CaseRecord));
    // The answer holds only what changed; an unchanged entry is not in it.
    const changed = response.data.data.services_section?.find((service) => service.unique_id === entry.unique_id);
    return { ...entry, ...changed } as ServiceEntry;
  }
}

function checkUniqueId(uniqueId: string): string {
  return checkInput(Uuid, uniqueId, 'service unique_id');
}
