/**
 * Referrals of cases (primero-api.md section 5): the case is referred to a user of Primero or to an
 * agency outside it, and the decision comes back as a status change.
 *
 * @module
 */
import { z } from 'zod';
import { IllegalTransitionError, RequestValidationError } from '../core/errors.js';
import { path } from '../core/path.js';
import type { Requester } from '../core/requester.js';
import type { RequestOptions } from '../core/transport.js';
import { checkInput } from '../core/validate.js';
import { Uuid, many, single } from '../models/common.js';
import { Referral, ReferralInput, ReferralRecipient, TransitionStatus } from '../models/referral.js';

/** Which users can receive a referral (`GET /api/v2/users/refer-to`). */
export interface RecipientParams {
  /** The case's module, e.g. `primeromodule-cp`: without it the server returns almost no one. */
  record_module_id: string;
  /** A service type id (`lookup-service-type`): users who provide it. */
  service?: string | undefined;
  /** An agency's unique_id. */
  agency?: string | undefined;
  /** A reporting location code. */
  location?: string | undefined;
}

const RecipientQuery = z.strictObject({
  record_module_id: z.string().min(1),
  service: z.string().min(1).optional(),
  agency: z.string().min(1).optional(),
  location: z.string().min(1).optional(),
});
const CaseIds = z.array(Uuid).min(1);
const Statuses = z.array(TransitionStatus).min(1);

/** Referrals. Reach it as `client.referrals`. */
export class ReferralsResource {
  /** @internal */
  constructor(private readonly api: Requester) {}

  /**
   * `GET /api/v2/cases/:caseId/referrals`: the referrals of a case the user may see (not paginated),
   * optionally only those in the given status or statuses (the server has no such filter: the SDK keeps them).
   * @throws {@link RequestValidationError} for an unknown status; {@link NotFoundError}, {@link ForbiddenError}.
   * @example
   * ```ts
   * const pending = await client.referrals.list(caseId, { status: 'in_progress' });
   * ```
   */
  async list(caseId: string, params: { status?: TransitionStatus | readonly TransitionStatus[] } = {}, options: RequestOptions = {}): Promise<Referral[]> {
    const wanted = params.status === undefined ? undefined : checkInput(Statuses, [params.status].flat(), 'referral status');
    const { data } = await this.api.call({ ...options, method: 'GET', path: path`/cases/${caseId}/referrals` }, many(Referral));
    return wanted ? data.data.filter((referral) => wanted.includes(referral.status)) : data.data;
  }

  /**
   * `POST /api/v2/cases/:caseId/referrals`: refers a case. Sent once, never retried: after a lost answer,
   * `list()` tells whether it was created.
   *
   * @throws {@link RequestValidationError} for a referral without a recipient or with keys the server would
   *   drop; {@link ValidationError} with `field` `consent` (the case lacks consent: set `consent_overridden`)
   *   or `transitioned_to` (the user cannot receive referrals).
   * @example
   * ```ts
   * await client.referrals.create(caseId, { remote: true, transitioned_to_agency: 'UNHCR', service: 'legal_assistance_service', notes: 'RSD support' });
   * ```
   */
  async create(caseId: string, input: ReferralInput, options: RequestOptions = {}): Promise<Referral> {
    const body = { data: checkInput(ReferralInput, input, 'referral') };
    return (await this.api.call({ ...options, method: 'POST', path: path`/cases/${caseId}/referrals`, body }, single(Referral))).data.data;
  }

  /**
   * `POST /api/v2/cases/referrals`: refers several cases the same way. Permission is checked for every
   * case first (a 403 creates nothing), but the server then refers the cases one by one: a 422 on one case
   * stops there and keeps the referrals already made for the cases before it (primero-api.md 5.4). After
   * a failure, `list()` each case to see where it stopped.
   * @throws {@link RequestValidationError}, {@link ForbiddenError}, {@link ValidationError}.
   * @example
   * ```ts
   * await client.referrals.createBulk([caseA, caseB], { transitioned_to: 'cp_worker', notes: 'Follow-up' });
   * ```
   */
  async createBulk(caseIds: readonly string[], input: ReferralInput, options: RequestOptions = {}): Promise<Referral[]> {
    const ids = checkInput(CaseIds, caseIds, 'case ids');
    const body = { data: { ids, ...checkInput(ReferralInput, input, 'referral') } };
    return (await this.api.call({ ...options, method: 'POST', path: '/cases/referrals', body }, many(Referral))).data.data;
  }

  /**
   * `PATCH /api/v2/cases/:caseId/referrals/:id` with status `accepted` (from `in_progress` only).
   * @throws {@link IllegalTransitionError} when the referral is not in progress (the server answers 200 unchanged).
   * @example
   * ```ts
   * await client.referrals.accept(caseId, referralId);
   * ```
   */
  accept(caseId: string, referralId: string, options: RequestOptions = {}): Promise<Referral> {
    return this.#respond(caseId, referralId, { status: 'accepted' }, options);
  }

  /**
   * Status `rejected` (from `in_progress` only), with the reason.
   * @throws {@link RequestValidationError} without a reason; {@link IllegalTransitionError}.
   * @example
   * ```ts
   * await client.referrals.reject(caseId, referralId, { rejected_reason: 'Outside our area' });
   * ```
   */
  // async, so that a missing reason is a rejected promise like every other failure, not a synchronous throw.
  async reject(caseId: string, referralId: string, params: { rejected_reason: string }, options: RequestOptions = {}): Promise<Referral> {
    const reason = params?.rejected_reason;
    if (typeof reason !== 'string' || !reason.trim()) throw new RequestValidationError('reject() needs a rejected_reason', [{ path: ['rejected_reason'], code: 'too_small' }]);
    return this.#respond(caseId, referralId, { status: 'rejected', rejected_reason: reason }, options);
  }

  /**
   * Status `done` (from `accepted` only): the service was provided. The note travels as `rejection_note`
   * (the server's name for the provider's closing note); the linked service is marked implemented.
   * @throws {@link IllegalTransitionError} when the referral was not accepted.
   * @example
   * ```ts
   * await client.referrals.complete(caseId, referralId, { note: 'Legal counselling given' });
   * ```
   */
  complete(caseId: string, referralId: string, params: { note?: string } = {}, options: RequestOptions = {}): Promise<Referral> {
    return this.#respond(caseId, referralId, { status: 'done', ...(params.note === undefined ? {} : { rejection_note: params.note }) }, options);
  }

  /**
   * `DELETE /api/v2/cases/:caseId/referrals/:id`: revokes the referral (status `revoked`; the docs' `done`
   * is stale) and removes the recipient's access. Used by the owner to retract and by the recipient to hand back.
   * @throws {@link IllegalTransitionError} if the answer is not `revoked`; {@link NotFoundError}.
   * @example
   * ```ts
   * await client.referrals.revoke(caseId, referralId);
   * ```
   */
  async revoke(caseId: string, referralId: string, options: RequestOptions = {}): Promise<Referral> {
    const route = path`/cases/${caseId}/referrals/${referralId}`;
    const referral = (await this.api.call({ ...options, method: 'DELETE', path: route }, single(Referral))).data.data;
    return expectStatus(referral, referralId, 'revoked');
  }

  /**
   * `GET /api/v2/users/refer-to?record_type=case`: the users this user may refer a case to.
   * @throws {@link RequestValidationError} without `record_module_id`.
   * @example
   * ```ts
   * const users = await client.referrals.recipients({ record_module_id: 'primeromodule-cp', service: 'legal_assistance_service' });
   * ```
   */
  async recipients(params: RecipientParams, options: RequestOptions = {}): Promise<ReferralRecipient[]> {
    const query = { record_type: 'case', ...checkInput(RecipientQuery, params, 'recipient filter') };
    return (await this.api.call({ ...options, method: 'GET', path: '/users/refer-to', query }, many(ReferralRecipient))).data.data;
  }

  // Moving to a status is repeat-safe (the server answers the same final state), so it is retried like a GET.
  async #respond(caseId: string, referralId: string, data: { status: TransitionStatus; rejected_reason?: string; rejection_note?: string }, options: RequestOptions): Promise<Referral> {
    const route = path`/cases/${caseId}/referrals/${referralId}`;
    const response = await this.api.call({ ...options, method: 'PATCH', path: route, body: { data }, idempotent: true }, single(Referral));
    return expectStatus(response.data.data, referralId, data.status);
  }
}

// Primero answers an illegal change with 200 and the unchanged referral (primero-api.md 5.5).
function expectStatus(referral: Referral, referralId: string, requested: TransitionStatus): Referral {
  if (referral.status !== requested) throw new IllegalTransitionError(referralId, requested, String(referral.status));
  return referral;
}
