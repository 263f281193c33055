/**
 * Referrals of cases (primero-api.md section 5), as `Api::V2::ReferralsController`, `Referral` and
 * `Transition` do them:
 * - `GET /cases/:id/referrals`: the referrals the caller's scope allows (`referrals_for_user`, 5.2);
 * - `POST /cases/:id/referrals` and the bulk `POST /cases/referrals` (5.3, 5.4);
 * - `PATCH /cases/:id/referrals/:referral_id`: accept, reject, done (5.5), where an illegal or repeated
 *   change is a 200 with the unchanged referral;
 * - `DELETE /cases/:id/referrals/:referral_id`: revoke (5.6).
 *
 * A transition is rendered as the jbuilder does (5.1): every column with nil removed, then
 * `record_access_denied`, `user_can_accept_or_reject` and, on writes, `record` with the case's changed fields.
 *
 * @module
 */
import type { FakeState } from '../fake.js';
import { normalizeUuid } from '../filters.js';
import { apiError, json, notFound } from '../http.js';
import { renderedEnabled } from '../record-view.js';
import type { Route, RouteContext } from '../router.js';
import { inScope } from '../scope.js';
import type { FakeRecord, FakeTransition, FakeUser } from '../store.js';
import { castBoolean, isObject, present, sameJson } from '../values.js';

/** `PrimeroModule::GBV`: the one module whose referrals need only `consent_for_services` (5.3). */
const GBV_MODULE = 'primeromodule-gbv';

/** The keys `ReferralsController#refer` permits (5.3); anything else is dropped by strong params. */
const PERMITTED = [
  'transitioned_to', 'transitioned_to_remote', 'transitioned_to_agency', 'service', 'service_record_id',
  'remote', 'type_of_export', 'notes', 'consent_overridden', 'authorized_role_unique_id', 'allow_case_creation',
] as const;
/** Boolean columns: Rails casts what is sent ("true", 1, …) to a boolean. */
const BOOLEAN_KEYS = new Set<string>(['remote', 'consent_overridden', 'allow_case_creation']);

/**
 * The `transitions` columns in the order primero-api.md 5.1 lists them. The four non-null boolean columns
 * have database defaults (false), so they are in every rendered transition even when a seeded row lacks them.
 */
const COLUMNS = [
  'id', 'type', 'status', 'record_id', 'record_type',
  'transitioned_to', 'transitioned_to_remote', 'transitioned_to_agency', 'transitioned_to_user_agency', 'transitioned_to_user_groups',
  'transitioned_by', 'transitioned_by_user_agency', 'transitioned_by_user_groups',
  'notes', 'rejected_reason', 'rejection_note', 'remote', 'type_of_export', 'service', 'service_record_id',
  'consent_overridden', 'consent_individual_transfer', 'authorized_role_unique_id', 'allow_case_creation',
  'record_owned_by', 'record_owned_by_agency', 'record_owned_by_groups', 'created_at', 'responded_at',
] as const;
const COLUMN_DEFAULTS: Record<string, unknown> = { remote: false, consent_overridden: false, consent_individual_transfer: false, allow_case_creation: false };
/** Keys the view computes: never taken from the stored row. */
const COMPUTED = new Set(['record_access_denied', 'user_can_accept_or_reject', 'record']);

/** `ActiveRecord::RecordInvalid`: attribute → messages, in the order the validations added them (3.2). */
type Invalid = Map<string, string[]>;

/** @internal */
export function referralRoutes(state: FakeState): Route[] {
  const { store } = state;
  const nowIso = (): string => new Date(state.now()).toISOString();

  const userNamed = (name: unknown): FakeUser | undefined => (typeof name === 'string' ? store.users.find((u) => u.user_name === name) : undefined);

  /**
   * `can?(:read, record)`: the role's scope ({@link inScope}, shared with the record routes). A referral grants
   * its recipient access by adding them to `assigned_user_names` (5.3), which is why revoking removes it.
   */
  const canRead = (user: FakeUser, record: FakeRecord): boolean => inScope(user, record, store);

  const referralsOf = (record: FakeRecord): FakeTransition[] => [...store.referrals.values()].filter((r) => r.record_id === record.id);

  /**
   * `Transitionable#referrals_for_user` (5.2). The fake's roles have no `view_referrals` permission, so a
   * non-owner with an agency or group scope sees the referrals to them that are still active
   * (`referrals_to_user`), and a self scope sees every referral to them.
   */
  const visibleReferrals = (user: FakeUser, record: FakeRecord): FakeTransition[] => {
    const all = referralsOf(record);
    if (user.group_permission === 'all' || record.owned_by === user.user_name) return all;
    if (user.group_permission === 'self') return all.filter((r) => r.transitioned_to === user.user_name);
    return all.filter((r) => r.transitioned_to === user.user_name && (r.status === 'in_progress' || r.status === 'accepted'));
  };

  /** `_transition.json.jbuilder` (5.1). `changed` names the case fields to put in `record` (writes only). */
  const render = (transition: FakeTransition, user: FakeUser, changed?: string[]): Record<string, unknown> => {
    const row: Record<string, unknown> = { ...COLUMN_DEFAULTS, ...transition };
    const out: Record<string, unknown> = {};
    for (const key of [...COLUMNS, ...Object.keys(row).filter((k) => !(COLUMNS as readonly string[]).includes(k) && !COMPUTED.has(k))]) {
      const value = row[key];
      // compact_deep: nil values go, and so do nil values inside nested hashes; arrays are kept as they are.
      if (value !== undefined && value !== null) out[key] = compactDeep(value);
    }
    const record = store.cases.get(transition.record_id);
    const accessDenied = !record || !canRead(user, record);
    out.record_access_denied = accessDenied;
    // Transition#user_can_accept_or_reject?: only the recipient of a non-remote referral still in progress.
    out.user_can_accept_or_reject = transition.remote !== true && transition.status === 'in_progress' && transition.transitioned_to === user.user_name;
    if (changed && record && !accessDenied) out.record = recordView(record, changed);
    return out;
  };

  /**
   * The model validations run by every `save!` of a transition (`Transition`, `Referral#consent_given?`,
   * `UserTransitionService#can_receive?`), so they also guard accept, reject, done and revoke: a case whose
   * consent was withdrawn after the referral cannot have it answered without `consent_overridden`.
   */
  const validate = (transition: FakeTransition, record: FakeRecord): Invalid => {
    const invalid: Invalid = new Map();
    const add = (attribute: string, message: string) => invalid.set(attribute, [...(invalid.get(attribute) ?? []), message]);
    if (!consentGiven(record) && !truthy(transition.consent_overridden)) add('consent', 'transition.errors.consent');
    if (transition.remote !== true && transition.status !== 'revoked') {
      const recipient = userNamed(transition.transitioned_to);
      // can_receive? reads `transitioned_to_user.user_name`: an unknown or missing recipient is a NoMethodError,
      // which ErrorService renders as a 500 with the raw message (3.2).
      if (!recipient) throw new Error("undefined method 'user_name' for nil");
      if (!canReceive(recipient, transition, record)) add('transitioned_to', 'transition.errors.to_user_can_receive');
    }
    return invalid;
  };

  /**
   * `UserTransitionService#users_for_transition` + `with_receive_permission` (5.3): enabled, not the user who
   * made the referral, and a role with `receive_referral` for the case's module.
   */
  const canReceive = (recipient: FakeUser, transition: FakeTransition, record: FakeRecord): boolean =>
    !recipient.disabled &&
    recipient.user_name !== transition.transitioned_by &&
    recipient.receives_referrals &&
    typeof record.module_id === 'string' &&
    recipient.module_ids.includes(record.module_id);

  /**
   * `Transition#remove_assigned_user`: the recipient loses access unless another referral to them on this
   * case is still in progress or accepted.
   */
  const removeAssignedUser = (transition: FakeTransition, record: FakeRecord): void => {
    const name = transition.transitioned_to;
    if (typeof name !== 'string') return;
    const stillActive = referralsOf(record).some(
      (r) => r.id !== transition.id && r.transitioned_to === name && (r.status === 'in_progress' || r.status === 'accepted'),
    );
    if (stillActive || !Array.isArray(record.assigned_user_names)) return;
    record.assigned_user_names = record.assigned_user_names.filter((n) => n !== name);
  };

  /**
   * The case's `save!` after a transition changed it: `update_last_updated_by` (when the action calls it), the
   * `before_save` callbacks (last_updated_at, Transitionable's referred_users…), data forwarding, and the
   * field names `updates_for_record` puts in the answer: what changed, without last_updated_by, plus
   * last_updated_at (`Historical#saved_changes_to_record`, `RecordResourceController#record_updated_fields`).
   */
  const saveCase = (record: FakeRecord, before: Record<string, unknown>, updatedBy: FakeUser | undefined): string[] => {
    if (updatedBy) {
      record.last_updated_by = updatedBy.user_name;
      record.last_updated_by_full_name = updatedBy.full_name;
      record.last_updated_organization = updatedBy.agency;
    }
    record.last_updated_at = nowIso();
    deriveReferralFields(record, referralsOf(record));
    const changed = Object.keys(record).filter((key) => key !== 'last_updated_at' && key !== 'last_updated_by' && !sameJson(before[key], record[key]));
    state.recordChanged('update', 'case', record);
    return [...changed, 'last_updated_at'];
  };

  /** `ReferralsController#refer` + `Referral#perform`: validates, stores, grants access, re-saves the case. */
  const refer = (user: FakeUser, record: FakeRecord, data: Record<string, unknown>): { transition: FakeTransition; changed: string[] } | { invalid: Invalid } => {
    const permitted: Record<string, unknown> = {};
    for (const key of PERMITTED) {
      const value = data[key];
      // Strong params keep permitted scalars only; an array or object for a scalar key is dropped.
      if (value === undefined || (value !== null && typeof value === 'object')) continue;
      permitted[key] = BOOLEAN_KEYS.has(key) ? castBoolean(value) : value === null ? null : String(value);
    }
    const remote = permitted.remote === true;
    const recipient = remote ? undefined : userNamed(permitted.transitioned_to);
    const transition: FakeTransition = {
      id: state.random.uuid(),
      type: 'Referral',
      status: 'in_progress',
      record_id: record.id,
      record_type: 'case',
      ...permitted,
      remote,
      consent_overridden: permitted.consent_overridden === true,
      allow_case_creation: permitted.allow_case_creation === true,
      transitioned_by: user.user_name,
    };
    const invalid = validate(transition, record);
    if (invalid.size) return { invalid };

    const before = structuredClone(record);
    // before_create: copy_record_ownership, copy_transitioned_user_groups_and_agency (the fake has no user groups).
    Object.assign(transition, {
      transitioned_by_user_agency: user.agency,
      transitioned_by_user_groups: [],
      ...(recipient ? { transitioned_to_user_agency: recipient.agency, transitioned_to_user_groups: [] } : {}),
      record_owned_by: record.owned_by,
      record_owned_by_agency: record.owned_by_agency_id,
      record_owned_by_groups: record.owned_by_groups,
      created_at: nowIso(),
    });
    // mark_service_referred: `record.services_section.find` is a NoMethodError on a case without services.
    if (typeof transition.service_record_id === 'string' && transition.service_record_id) {
      if (!Array.isArray(record.services_section)) throw new Error("undefined method 'find' for nil");
      const service = serviceEntry(record, transition.service_record_id);
      if (service) service.service_status_referred = true;
    }
    // perform_system_referral: the recipient gains access; a remote referral grants none (5.7).
    if (recipient) record.assigned_user_names = [...new Set([...stringList(record.assigned_user_names), recipient.user_name])];
    store.referrals.set(transition.id, transition);
    return { transition, changed: saveCase(record, before, user) };
  };

  /** `Referral#process!` (5.5): a repeated, unknown or illegal status leaves everything as it was. */
  const respond = (user: FakeUser, transition: FakeTransition, record: FakeRecord, data: Record<string, unknown>): { changed: string[] } | { invalid: Invalid } => {
    const requested = data.status;
    const unchanged = { changed: ['last_updated_at'] };
    if (requested === transition.status) return unchanged;
    const legal =
      (requested === 'accepted' && transition.status === 'in_progress') ||
      (requested === 'rejected' && transition.status === 'in_progress') ||
      (requested === 'done' && transition.status === 'accepted');
    if (!legal) return unchanged;

    const next: FakeTransition = { ...transition, status: requested };
    const invalid = validate(next, record);
    if (invalid.size) return { invalid };

    const before = structuredClone(record);
    let updatedBy: FakeUser | undefined;
    if (requested === 'accepted') {
      next.responded_at = nowIso();
    } else if (requested === 'rejected') {
      // reject! stores whatever reason came, nil included.
      next.rejected_reason = typeof data.rejected_reason === 'string' ? data.rejected_reason : null;
      next.responded_at = nowIso();
      removeAssignedUser(next, record);
      updatedBy = user;
    } else {
      // done!: responded_at stays the acceptance time; the provider's note travels as rejection_note.
      const service = typeof next.service_record_id === 'string' && next.service_record_id ? serviceEntry(record, next.service_record_id) : undefined;
      if (service) {
        if (!present(service.service_implemented_day_time)) service.service_implemented_day_time = nowIso();
        service.service_implemented = 'implemented';
      }
      const note = data.rejection_note;
      if (typeof note === 'string' && note.trim()) {
        next.rejection_note = note;
        if (service) service.note_on_referral_from_provider = note;
      }
      removeAssignedUser(next, record);
      updatedBy = user;
    }
    store.referrals.set(next.id, next);
    return { changed: saveCase(record, before, updatedBy) };
  };

  /** `Referral#revoke!` (5.6): no status precondition. */
  const revoke = (user: FakeUser, transition: FakeTransition, record: FakeRecord): { changed: string[] } | { invalid: Invalid } => {
    const next: FakeTransition = { ...transition, status: 'revoked' };
    const invalid = validate(next, record);
    if (invalid.size) return { invalid };
    const before = structuredClone(record);
    removeAssignedUser(next, record);
    store.referrals.set(next.id, next);
    return { changed: saveCase(record, before, user) };
  };

  const resource = (ctx: RouteContext): string => `/api/v2${ctx.path}`;
  const forbidden = (ctx: RouteContext): Response => apiError(403, resource(ctx), 'Forbidden');
  const missingData = (ctx: RouteContext): Response => apiError(422, resource(ctx), 'param is missing or the value is empty or invalid: data');
  const invalidResponse = (ctx: RouteContext, invalid: Invalid): Response =>
    json({ errors: [...invalid].map(([detail, message]) => ({ status: 422, resource: resource(ctx), detail, message })) }, 422);

  /** `Child.find(id)`: the id as ActiveRecord casts a uuid (any case, braces), as the record routes read it. */
  const caseWithId = (id: string): FakeRecord | undefined => {
    const uuid = normalizeUuid(id);
    return uuid === undefined ? undefined : store.cases.get(uuid);
  };

  /** `RecordResourceController#find_record` and `Referral.find` (not scoped to the case in the URL). */
  const findCase = (ctx: RouteContext): FakeRecord | Response => caseWithId(ctx.params.id ?? '') ?? notFound(resource(ctx), 'Child', ctx.params.id);
  const findReferral = (ctx: RouteContext): FakeTransition | Response => {
    const id = ctx.params.referral_id ?? '';
    const uuid = normalizeUuid(id);
    return (uuid === undefined ? undefined : store.referrals.get(uuid)) ?? apiError(404, resource(ctx), 'Not Found', `Couldn't find Referral with 'id'=${id} [WHERE "transitions"."type" = $1]`);
  };

  /**
   * PATCH and DELETE: the case in the URL must exist and be updatable by the caller (`authorize_update!`),
   * then the referral is found by its id alone; what changes is the referral's own case. PATCH also needs
   * the caller to read *that* case (`authorize!(:update, transition)`); `destroy` has no such check.
   */
  const locate = (ctx: RouteContext, checkReferralCase: boolean): { transition: FakeTransition; record: FakeRecord } | Response => {
    const urlCase = findCase(ctx);
    if (urlCase instanceof Response) return urlCase;
    if (!canRead(ctx.user, urlCase)) return forbidden(ctx);
    const transition = findReferral(ctx);
    if (transition instanceof Response) return transition;
    const record = store.cases.get(transition.record_id);
    if (!record) return notFound(resource(ctx), 'Child', transition.record_id);
    if (checkReferralCase && !canRead(ctx.user, record)) return forbidden(ctx);
    return { transition, record };
  };

  return [
    {
      method: 'GET',
      pattern: '/cases/:id/referrals',
      // Not paginated, no metadata (2.2).
      handler: (ctx) => {
        const record = findCase(ctx);
        if (record instanceof Response) return record;
        if (!canRead(ctx.user, record)) return forbidden(ctx);
        return json({ data: visibleReferrals(ctx.user, record).map((r) => render(r, ctx.user)) });
      },
    },
    {
      method: 'POST',
      pattern: '/cases/referrals',
      handler: (ctx) => {
        const data = dataOf(ctx.body);
        // find_records reads params['data']['ids'] before anything else: no data is a NoMethodError (500).
        if (!data) throw new Error("undefined method '[]' for nil");
        const ids = data.ids;
        const list = ids === undefined || ids === null || ids === '' || (Array.isArray(ids) && !ids.length) ? [] : [ids].flat().map(String);
        const records = list.map((id) => caseWithId(id));
        const found = records.filter((r): r is FakeRecord => r !== undefined);
        if (found.length !== list.length) {
          // Child.find(ids) with an array.
          const detail = `Couldn't find all Children with 'id': (${list.join(', ')}) (found ${found.length} results, but was looking for ${list.length}).`;
          return apiError(404, resource(ctx), 'Not Found', detail);
        }
        // authorize_all!(:referral, records): one case the caller may not refer is a 403 before anything is done.
        if (found.some((record) => !canRead(ctx.user, record))) return forbidden(ctx);
        // `@records.map { refer(record) }` with no transaction: a case that fails validation stops the request
        // with its 422, and the referrals made for the cases before it stay (primero-api.md 5.4 says "aborts").
        const out: Record<string, unknown>[] = [];
        for (const record of found) {
          const result = refer(ctx.user, record, data);
          if ('invalid' in result) return invalidResponse(ctx, result.invalid);
          out.push(render(result.transition, ctx.user, result.changed));
        }
        return json({ data: out });
      },
    },
    {
      method: 'POST',
      pattern: '/cases/:id/referrals',
      handler: (ctx) => {
        const record = findCase(ctx);
        if (record instanceof Response) return record;
        // authorize_create!: `referral` (or `referral_from_service`); the fake's roles may refer what they can read.
        if (!canRead(ctx.user, record)) return forbidden(ctx);
        const data = dataOf(ctx.body);
        if (!data) return missingData(ctx);
        const result = refer(ctx.user, record, data);
        if ('invalid' in result) return invalidResponse(ctx, result.invalid);
        return json({ data: render(result.transition, ctx.user, result.changed) });
      },
    },
    {
      method: 'PATCH',
      pattern: '/cases/:id/referrals/:referral_id',
      handler: (ctx) => {
        const found = locate(ctx, true);
        if (found instanceof Response) return found;
        const data = dataOf(ctx.body);
        if (!data) return missingData(ctx);
        const result = respond(ctx.user, found.transition, found.record, data);
        if ('invalid' in result) return invalidResponse(ctx, result.invalid);
        return json({ data: render(store.referrals.get(found.transition.id) ?? found.transition, ctx.user, result.changed) });
      },
    },
    {
      method: 'DELETE',
      pattern: '/cases/:id/referrals/:referral_id',
      handler: (ctx) => {
        const found = locate(ctx, false);
        if (found instanceof Response) return found;
        const result = revoke(ctx.user, found.transition, found.record);
        if ('invalid' in result) return invalidResponse(ctx, result.invalid);
        return json({ data: render(store.referrals.get(found.transition.id) ?? found.transition, ctx.user, result.changed) });
      },
    },
  ];
}

/**
 * Transitionable's `before_save` callbacks: the referral summaries kept on the case (primero-api.md 4.7).
 * The last_referral_* dates are left out rather than stored as null while there is none.
 */
function deriveReferralFields(record: FakeRecord, referrals: FakeTransition[]): void {
  const names = (...statuses: string[]) => [...new Set(referrals.filter((r) => statuses.includes(r.status)).map((r) => r.transitioned_to).filter((n): n is string => typeof n === 'string'))];
  const latest = (status: string) => referrals.filter((r) => r.status === status).map((r) => r.responded_at).filter((t): t is string => typeof t === 'string').sort().at(-1);
  record.referred_users = names('in_progress', 'accepted');
  record.referred_users_present = (record.referred_users as string[]).length > 0;
  record.referred_users_pending = names('in_progress');
  record.referred_users_pending_present = (record.referred_users_pending as string[]).length > 0;
  record.referred_users_accepted = names('accepted');
  record.referred_users_accepted_present = (record.referred_users_accepted as string[]).length > 0;
  for (const [key, status] of [['last_referral_rejected_at', 'rejected'], ['last_referral_done_at', 'done']] as const) {
    const value = latest(status);
    if (value === undefined) delete record[key];
    else record[key] = value;
  }
}

/** `_record.json.jbuilder` with the selected fields: id, enabled, then the fields (2.7). */
function recordView(record: FakeRecord, fields: string[]): Record<string, unknown> {
  const view: Record<string, unknown> = { id: record.id, enabled: renderedEnabled(record) };
  for (const field of fields) if (field in record) view[field] = record[field];
  return view;
}

/** `Referral#consent_given?` (5.3): Ruby truthiness, as the model reads the stored values. */
function consentGiven(record: FakeRecord): boolean {
  if (record.module_id === GBV_MODULE) return truthy(record.consent_for_services);
  return truthy(record.disclosure_other_orgs) && truthy(record.consent_for_services);
}

function serviceEntry(record: FakeRecord, uniqueId: string): Record<string, unknown> | undefined {
  const services = Array.isArray(record.services_section) ? (record.services_section as unknown[]) : [];
  return services.find((s): s is Record<string, unknown> => typeof s === 'object' && s !== null && (s as Record<string, unknown>).unique_id === uniqueId);
}

/** Ruby truthiness: everything but nil and false. */
function truthy(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** `params[:data]` when the body has an object there. */
function dataOf(body: unknown): Record<string, unknown> | undefined {
  return isObject(body) && isObject(body.data) ? body.data : undefined;
}

function compactDeep(value: unknown): unknown {
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => [k, compactDeep(v)]));
}
