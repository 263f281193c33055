/**
 * The fake Primero's referral routes (primero-api.md section 5), driven through the SDK and, where the SDK
 * refuses to send the input, through raw requests to `fake.handle`. Cases are put in `fake.store` directly so
 * these tests do not depend on the record routes; the clock is the fake's, so every timestamp is exact.
 */
import { http, passthrough } from 'msw';
import { describe, expect, test } from 'vitest';
import { ForbiddenError, IllegalTransitionError, NotFoundError, PrimeroClient, ServerError, ValidationError } from '../../src/index.js';
import { CP_MODULE, DEMO_PASSWORD, createFakePrimero, type FakeRecord } from '../../src/testing/index.js';
import { rejection } from '../support/async.js';
import { server } from '../support/server.js';

const T0 = Date.UTC(2025, 5, 2, 9, 0, 0);
const CREATED = '2025-01-01T00:00:00.000Z';
const SERVICE = '5b0c3f7e-2d4a-4e6b-9c1d-8a7f6e5d4c3b';
const GBV_MODULE = 'primeromodule-gbv';

/** A fake with no generated cases, a clock the test moves, and helpers. */
function world(options: { cases?: number; seed?: number } = {}) {
  let clock = T0;
  const fake = createFakePrimero({ cases: options.cases ?? 0, seed: options.seed ?? 11, now: () => clock });
  const events: Array<[string, string, string]> = [];
  fake.onRecordChanged((event, type, record) => events.push([event, type, record.id]));
  const as = (user?: string, baseUrl = fake.baseUrl, viaFake = true): PrimeroClient =>
    new PrimeroClient({
      baseUrl,
      auth: user ? { username: user, password: DEMO_PASSWORD } : fake.credentials,
      ...(viaFake ? { fetch: fake.fetch } : {}),
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
    });
  const addCase = (fields: Record<string, unknown> = {}): FakeRecord => {
    const record: FakeRecord = {
      id: globalThis.crypto.randomUUID(),
      module_id: CP_MODULE,
      record_state: true,
      status: 'open',
      owned_by: 'demo_caseworker',
      owned_by_agency_id: 'agency-unicef',
      assigned_user_names: [],
      consent_for_services: true,
      disclosure_other_orgs: true,
      created_at: CREATED,
      last_updated_at: CREATED,
      last_updated_by: 'demo_caseworker',
      services_section: [],
      ...fields,
    };
    fake.store.cases.set(record.id, record);
    return record;
  };
  /** A raw request, for inputs the SDK refuses to send and for exact envelopes. */
  const raw = async (method: string, path: string, body?: unknown, user = 'demo_caseworker'): Promise<{ status: number; json: any }> => {
    const response = await fake.handle(
      new Request(`${fake.baseUrl}/api/v2${path}`, {
        method,
        headers: { authorization: `Basic ${Buffer.from(`${user}:${DEMO_PASSWORD}`).toString('base64')}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    );
    return { status: response.status, json: await response.json() };
  };
  return {
    fake,
    events,
    as,
    addCase,
    raw,
    client: as(),
    /** Moves the clock a minute on and returns the new time as the server writes it. */
    tick: (ms = 60_000): string => {
      clock += ms;
      return new Date(clock).toISOString();
    },
    user: (name: string) => {
      const found = fake.store.users.find((u) => u.user_name === name);
      if (!found) throw new Error(`no user ${name}`);
      return found;
    },
  };
}

const snapshot = <T>(value: T): T => structuredClone(value);

/** Derived referral summaries (primero-api.md 4.7) after a first referral to `user`, still in progress. */
const pendingFor = (user: string) => ({
  referred_users: [user],
  referred_users_present: true,
  referred_users_pending: [user],
  referred_users_pending_present: true,
  referred_users_accepted: [],
  referred_users_accepted_present: false,
});

const DEMO_UPDATE = { last_updated_by_full_name: 'Demo Caseworker', last_updated_organization: 'agency-unicef' };

// ---------------------------------------------------------------------------------------------------------

describe('use case 1: a service referred to an agency outside Primero', () => {
  test('remote referral for a service → service_status_referred → accepted → done with a note → implemented (5.3, 5.5, 5.7, 6)', async () => {
    const w = world();
    const service = {
      unique_id: SERVICE,
      service_response_type: 'service_provision',
      service_type: 'legal_assistance_service',
      service_implementing_agency: 'agency-unhcr',
      service_status_referred: false,
      service_implemented: 'not_implemented',
      service_implemented_day_time: null,
    };
    const c = w.addCase({ services_section: [service] });

    // What services.refer() sends for a remote referral: service = the entry's type, service_record_id = its unique_id (6).
    const t1 = w.tick();
    const created = await w.client.referrals.create(c.id, {
      remote: true,
      transitioned_to_remote: 'UNHCR Protection Unit',
      transitioned_to_agency: 'agency-unhcr',
      service: 'legal_assistance_service',
      service_record_id: SERVICE,
      notes: 'RSD support',
    });
    const [stored] = [...w.fake.store.referrals.values()];
    expect(w.fake.store.referrals.size).toBe(1);
    const referred = { ...service, service_status_referred: true };
    // 5.1: no nil keys; remote → no recipient columns; user_can_accept_or_reject is false for a remote referral (5.7).
    expect(created).toEqual({
      id: stored!.id,
      type: 'Referral',
      status: 'in_progress',
      record_id: c.id,
      record_type: 'case',
      transitioned_to_remote: 'UNHCR Protection Unit',
      transitioned_to_agency: 'agency-unhcr',
      transitioned_by: 'demo_caseworker',
      transitioned_by_user_agency: 'agency-unicef',
      transitioned_by_user_groups: [],
      notes: 'RSD support',
      remote: true,
      service: 'legal_assistance_service',
      service_record_id: SERVICE,
      consent_overridden: false,
      consent_individual_transfer: false,
      allow_case_creation: false,
      record_owned_by: 'demo_caseworker',
      record_owned_by_agency: 'agency-unicef',
      created_at: t1,
      record_access_denied: false,
      user_can_accept_or_reject: false,
      record: {
        id: c.id,
        enabled: true,
        ...DEMO_UPDATE,
        services_section: [referred],
        referred_users: [],
        referred_users_present: false,
        referred_users_pending: [],
        referred_users_pending_present: false,
        referred_users_accepted: [],
        referred_users_accepted_present: false,
        last_updated_at: t1,
      },
    });
    const stored1 = w.fake.store.cases.get(c.id)!;
    expect(stored1.services_section).toEqual([referred]);
    // A remote referral grants no one access (5.7).
    expect(stored1.assigned_user_names).toEqual([]);
    expect(stored1.last_updated_at).toBe(t1);

    // No inbound channel: the referrer records the agency's decision (5.7).
    const t2 = w.tick();
    const accepted = await w.client.referrals.accept(c.id, created.id);
    expect(accepted.status).toBe('accepted');
    expect(accepted.responded_at).toBe(t2);
    expect(accepted.record).toEqual({ id: c.id, enabled: true, last_updated_at: t2 });

    const t3 = w.tick();
    const done = await w.client.referrals.complete(c.id, created.id, { note: 'Legal counselling given' });
    const implemented = { ...referred, service_implemented: 'implemented', service_implemented_day_time: t3, note_on_referral_from_provider: 'Legal counselling given' };
    expect(done.status).toBe('done');
    expect(done.rejection_note).toBe('Legal counselling given');
    // done leaves responded_at at the acceptance (5.5).
    expect(done.responded_at).toBe(t2);
    expect(done.record).toEqual({ id: c.id, enabled: true, services_section: [implemented], last_referral_done_at: t2, last_updated_at: t3 });
    expect(w.fake.store.cases.get(c.id)!.services_section).toEqual([implemented]);
    expect(w.fake.store.referrals.get(created.id)).toMatchObject({ status: 'done', responded_at: t2, rejection_note: 'Legal counselling given' });
    // Each step re-saved the case, which data forwarding sees as an update.
    expect(w.events).toEqual([['update', 'case', c.id], ['update', 'case', c.id], ['update', 'case', c.id]]);
  });

  test('done keeps a service_implemented_day_time already set (5.5)', async () => {
    const w = world();
    const c = w.addCase({ services_section: [{ unique_id: SERVICE, service_type: 'legal_assistance_service', service_implemented_day_time: '2025-05-30T08:00:00.000Z' }] });
    const r = await w.client.referrals.create(c.id, { remote: true, transitioned_to_agency: 'agency-unhcr', service_record_id: SERVICE });
    await w.client.referrals.accept(c.id, r.id);
    w.tick();
    await w.client.referrals.complete(c.id, r.id);
    expect(w.fake.store.cases.get(c.id)!.services_section).toEqual([
      { unique_id: SERVICE, service_type: 'legal_assistance_service', service_implemented_day_time: '2025-05-30T08:00:00.000Z', service_status_referred: true, service_implemented: 'implemented' },
    ]);
    // No note: nothing is written as the provider's note (mark_rejection needs one).
    expect(w.fake.store.referrals.get(r.id)!.rejection_note).toBeUndefined();
  });
});

describe('internal referrals (5.2, 5.3, 5.5)', () => {
  test('refer-to lists the eligible users; a referral to cp_worker gives them access and the decision (5.3)', async () => {
    const w = world();
    const all = await w.client.referrals.recipients({ record_module_id: CP_MODULE });
    // Not the caller, not the disabled former_staff, only users who can receive referrals.
    expect(all.map((u) => u.user_name)).toEqual(['cp_worker', 'unhcr_focal', 'health_provider']);
    const forService = await w.client.referrals.recipients({ record_module_id: CP_MODULE, service: 'child_protection_service' });
    expect(forService).toEqual([
      { id: 2, user_name: 'cp_worker', code: null, position: 'Caseworker', location: 'KH02', agency: 'agency-unicef', disabled: false, services: ['child_protection_service', 'psychosocial_service', 'family_mediation_service'] },
    ]);

    const c = w.addCase();
    const t1 = w.tick();
    const created = await w.client.referrals.create(c.id, { transitioned_to: forService[0]!.user_name, notes: 'Family tracing' });
    expect(created).toEqual({
      id: [...w.fake.store.referrals.keys()][0],
      type: 'Referral',
      status: 'in_progress',
      record_id: c.id,
      record_type: 'case',
      transitioned_to: 'cp_worker',
      transitioned_to_user_agency: 'agency-unicef',
      transitioned_to_user_groups: [],
      transitioned_by: 'demo_caseworker',
      transitioned_by_user_agency: 'agency-unicef',
      transitioned_by_user_groups: [],
      notes: 'Family tracing',
      remote: false,
      consent_overridden: false,
      consent_individual_transfer: false,
      allow_case_creation: false,
      record_owned_by: 'demo_caseworker',
      record_owned_by_agency: 'agency-unicef',
      created_at: t1,
      record_access_denied: false,
      // The caller made the referral; only the recipient may answer it.
      user_can_accept_or_reject: false,
      record: { id: c.id, enabled: true, assigned_user_names: ['cp_worker'], ...DEMO_UPDATE, ...pendingFor('cp_worker'), last_updated_at: t1 },
    });
    expect(w.fake.store.cases.get(c.id)).toMatchObject({ assigned_user_names: ['cp_worker'], last_updated_at: t1, last_updated_by: 'demo_caseworker' });

    const worker = w.as('cp_worker');
    const [mine] = await worker.referrals.list(c.id);
    expect(mine).toMatchObject({ id: created.id, status: 'in_progress', user_can_accept_or_reject: true, record_access_denied: false });
    expect(mine).not.toHaveProperty('record');

    const t2 = w.tick();
    const accepted = await worker.referrals.accept(c.id, created.id);
    expect(accepted).toMatchObject({ status: 'accepted', responded_at: t2, user_can_accept_or_reject: false });
    expect(accepted.record).toEqual({
      id: c.id,
      enabled: true,
      referred_users_pending: [],
      referred_users_pending_present: false,
      referred_users_accepted: ['cp_worker'],
      referred_users_accepted_present: true,
      last_updated_at: t2,
    });
    // Accepting keeps the recipient's access, and (accept! does not call update_last_updated_by) the last editor.
    expect(w.fake.store.cases.get(c.id)).toMatchObject({ assigned_user_names: ['cp_worker'], last_updated_at: t2, last_updated_by: 'demo_caseworker' });
  });

  test('listing is scoped: the owner sees every referral, a self-scoped recipient only theirs (5.2)', async () => {
    const w = world();
    const c = w.addCase();
    const toWorker = await w.client.referrals.create(c.id, { transitioned_to: 'cp_worker' });
    const toHealth = await w.client.referrals.create(c.id, { transitioned_to: 'health_provider' });
    w.user('cp_worker').group_permission = 'self';

    const declined = await w.client.referrals.create(c.id, { transitioned_to: 'cp_worker', notes: 'second service' });
    await w.as('cp_worker').referrals.reject(c.id, declined.id, { rejected_reason: 'Not our service' });

    expect((await w.client.referrals.list(c.id)).map((r) => r.id)).toEqual([toWorker.id, toHealth.id, declined.id]);
    // Self scope: every referral to them, whatever its status (referrals_self_scope).
    expect((await w.as('cp_worker').referrals.list(c.id)).map((r) => r.id)).toEqual([toWorker.id, declined.id]);
    // Agency scope without view_referrals: only their referrals still in progress or accepted (referrals_to_user).
    w.user('cp_worker').group_permission = 'agency';
    expect((await w.as('cp_worker').referrals.list(c.id)).map((r) => r.id)).toEqual([toWorker.id]);
    w.user('cp_worker').group_permission = 'self';
    // A case the self-scoped user is not associated with: 403 (authorize! :read).
    const other = w.addCase();
    const error = await rejection(w.as('cp_worker').referrals.list(other.id));
    expect(error).toBeInstanceOf(ForbiddenError);
    expect((error as ForbiddenError).status).toBe(403);
  });

  test('seeded referrals render with the non-null column defaults and without nil keys (5.1)', async () => {
    const w = world({ cases: 40, seed: 3 });
    const seeded = [...w.fake.store.referrals.values()].find((r) => r.status === 'in_progress')!;
    const [listed] = await w.client.referrals.list(seeded.record_id);
    const { responded_at: _none, ...row } = seeded;
    expect(listed).toEqual({ ...row, consent_individual_transfer: false, allow_case_creation: false, record_access_denied: false, user_can_accept_or_reject: false });
    expect(Object.values(listed!).includes(null)).toBe(false);
  });

  test('unknown and non-permitted keys are ignored; booleans are cast as Rails does (5.3, 3.3)', async () => {
    const w = world();
    const c = w.addCase();
    const { status, json } = await w.raw('POST', `/cases/${c.id}/referrals`, {
      data: { transitioned_to: 'cp_worker', consent_individual_transfer: true, status: 'done', favourite_colour: 'blue', remote: 'false', notes: ['a list'] },
    });
    expect(status).toBe(200);
    expect(json.data).toMatchObject({ status: 'in_progress', remote: false, consent_individual_transfer: false, transitioned_to: 'cp_worker' });
    expect(json.data).not.toHaveProperty('favourite_colour');
    // An array for a scalar key is dropped by strong params.
    expect(json.data).not.toHaveProperty('notes');
  });

  test('a body without data is 422 ParameterMissing (2.1)', async () => {
    const w = world();
    const c = w.addCase();
    expect(await w.raw('POST', `/cases/${c.id}/referrals`, { transitioned_to: 'cp_worker' })).toEqual({
      status: 422,
      json: { errors: [{ status: 422, resource: `/api/v2/cases/${c.id}/referrals`, message: 'param is missing or the value is empty or invalid: data' }] },
    });
    expect(w.fake.store.referrals.size).toBe(0);
  });
});

describe('validations → 422 RecordInvalid (5.3, 3.2)', () => {
  test('a case without consent: ValidationError on consent; consent_overridden: true passes', async () => {
    const w = world();
    const c = w.addCase({ disclosure_other_orgs: false });
    const before = snapshot(c);
    const error = await rejection(w.client.referrals.create(c.id, { transitioned_to: 'cp_worker' }));
    expect(error).toBeInstanceOf(ValidationError);
    const e = error as ValidationError;
    expect([e.status, e.field, e.messages]).toEqual([422, 'consent', ['transition.errors.consent']]);
    expect(e.errors).toEqual([{ status: 422, resource: `/api/v2/cases/${c.id}/referrals`, detail: 'consent', message: ['transition.errors.consent'] }]);
    expect(w.fake.store.referrals.size).toBe(0);
    expect(w.fake.store.cases.get(c.id)).toEqual(before);
    expect(w.events).toEqual([]);

    const overridden = await w.client.referrals.create(c.id, { transitioned_to: 'cp_worker', consent_overridden: true });
    expect(overridden).toMatchObject({ status: 'in_progress', consent_overridden: true });
    expect(w.fake.store.cases.get(c.id)!.assigned_user_names).toEqual(['cp_worker']);
  });

  test('remote referrals need consent too; a GBV case needs only consent_for_services', async () => {
    const w = world();
    const noConsent = w.addCase({ consent_for_services: false });
    const error = await rejection(w.client.referrals.create(noConsent.id, { remote: true, transitioned_to_agency: 'agency-unhcr' }));
    expect((error as ValidationError).field).toBe('consent');

    const gbv = w.addCase({ module_id: GBV_MODULE, disclosure_other_orgs: false });
    await expect(w.client.referrals.create(gbv.id, { remote: true, transitioned_to_agency: 'agency-unhcr' })).resolves.toMatchObject({ status: 'in_progress' });
    const gbvNoConsent = w.addCase({ module_id: GBV_MODULE, consent_for_services: false, disclosure_other_orgs: true });
    expect(((await rejection(w.client.referrals.create(gbvNoConsent.id, { remote: true, transitioned_to_agency: 'agency-unhcr' }))) as ValidationError).field).toBe('consent');
  });

  test.each([
    ['the disabled former_staff', 'former_staff', CP_MODULE, 'demo_caseworker'],
    ['a user whose role cannot receive referrals', 'demo_caseworker', CP_MODULE, 'cp_worker'],
    ['a user without the case module', 'health_provider', 'primeromodule-mrm', 'demo_caseworker'],
    ['the referring user themself', 'cp_worker', CP_MODULE, 'cp_worker'],
  ])('an ineligible recipient (%s) → ValidationError on transitioned_to', async (_label, recipient, moduleId, caller) => {
    const w = world();
    const c = w.addCase({ module_id: moduleId });
    const before = snapshot(c);
    const error = await rejection(w.as(caller).referrals.create(c.id, { transitioned_to: recipient }));
    expect(error).toBeInstanceOf(ValidationError);
    expect([(error as ValidationError).field, (error as ValidationError).messages]).toEqual(['transitioned_to', ['transition.errors.to_user_can_receive']]);
    expect(w.fake.store.referrals.size).toBe(0);
    expect(w.fake.store.cases.get(c.id)).toEqual(before);
  });

  test('one error object per invalid attribute, in validation order', async () => {
    const w = world();
    const c = w.addCase({ consent_for_services: false });
    const resource = `/api/v2/cases/${c.id}/referrals`;
    expect(await w.raw('POST', `/cases/${c.id}/referrals`, { data: { transitioned_to: 'former_staff' } })).toEqual({
      status: 422,
      json: {
        errors: [
          { status: 422, resource, detail: 'consent', message: ['transition.errors.consent'] },
          { status: 422, resource, detail: 'transitioned_to', message: ['transition.errors.to_user_can_receive'] },
        ],
      },
    });
  });

  test('an unknown recipient is the server NoMethodError: 500, nothing stored', async () => {
    const w = world();
    const c = w.addCase();
    const before = snapshot(c);
    const error = await rejection(w.client.referrals.create(c.id, { transitioned_to: 'nobody_here' }));
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).status).toBe(500);
    expect((error as ServerError).errors).toEqual([{ status: 500, resource: `/api/v2/cases/${c.id}/referrals`, message: "undefined method 'user_name' for nil" }]);
    expect(w.fake.store.referrals.size).toBe(0);
    expect(w.fake.store.cases.get(c.id)).toEqual(before);
  });

  test('validations run on every save: a case whose consent was withdrawn cannot have its referral accepted', async () => {
    const w = world();
    const c = w.addCase();
    const r = await w.client.referrals.create(c.id, { transitioned_to: 'cp_worker' });
    w.fake.store.cases.get(c.id)!.disclosure_other_orgs = false;
    const before = snapshot(w.fake.store.cases.get(c.id));
    const error = await rejection(w.as('cp_worker').referrals.accept(c.id, r.id));
    expect((error as ValidationError).field).toBe('consent');
    expect(w.fake.store.referrals.get(r.id)!.status).toBe('in_progress');
    expect(w.fake.store.cases.get(c.id)).toEqual(before);
  });
});

describe('responding (5.5)', () => {
  test('reject stores the reason and responded_at and removes access; completing an in-progress or accepting a rejected referral is IllegalTransitionError and changes nothing', async () => {
    const w = world();
    const c = w.addCase();
    const r = await w.client.referrals.create(c.id, { transitioned_to: 'cp_worker' });
    const worker = w.as('cp_worker');

    let referralBefore = snapshot(w.fake.store.referrals.get(r.id));
    let caseBefore = snapshot(w.fake.store.cases.get(c.id));
    w.tick();
    const early = await rejection(worker.referrals.complete(c.id, r.id, { note: 'too soon' }));
    expect(early).toBeInstanceOf(IllegalTransitionError);
    expect(early).toMatchObject({ referralId: r.id, requested: 'done', current: 'in_progress' });
    expect(w.fake.store.referrals.get(r.id)).toEqual(referralBefore);
    expect(w.fake.store.cases.get(c.id)).toEqual(caseBefore);

    const t2 = w.tick();
    const rejected = await worker.referrals.reject(c.id, r.id, { rejected_reason: 'Outside our catchment area' });
    expect(rejected).toMatchObject({ status: 'rejected', rejected_reason: 'Outside our catchment area', responded_at: t2 });
    expect(rejected.record).toEqual({
      id: c.id,
      enabled: true,
      assigned_user_names: [],
      last_updated_by_full_name: 'Child Protection Worker',
      referred_users: [],
      referred_users_present: false,
      referred_users_pending: [],
      referred_users_pending_present: false,
      last_referral_rejected_at: t2,
      last_updated_at: t2,
    });
    expect(w.fake.store.cases.get(c.id)).toMatchObject({ assigned_user_names: [], last_updated_by: 'cp_worker', last_updated_at: t2 });

    referralBefore = snapshot(w.fake.store.referrals.get(r.id));
    caseBefore = snapshot(w.fake.store.cases.get(c.id));
    const eventsBefore = w.events.length;
    w.tick();
    const late = await rejection(w.client.referrals.accept(c.id, r.id));
    expect(late).toBeInstanceOf(IllegalTransitionError);
    expect(late).toMatchObject({ requested: 'accepted', current: 'rejected' });
    expect(w.fake.store.referrals.get(r.id)).toEqual(referralBefore);
    expect(w.fake.store.cases.get(c.id)).toEqual(caseBefore);
    expect(w.events.length).toBe(eventsBefore);
  });

  test('the same status again is a 200 with the unchanged referral, and the case is not re-saved', async () => {
    const w = world();
    const c = w.addCase();
    const r = await w.client.referrals.create(c.id, { transitioned_to: 'cp_worker' });
    const t1 = w.tick();
    const first = await w.as('cp_worker').referrals.accept(c.id, r.id);
    const referralBefore = snapshot(w.fake.store.referrals.get(r.id));
    const caseBefore = snapshot(w.fake.store.cases.get(c.id));
    const eventsBefore = w.events.length;

    w.tick();
    const again = await w.as('cp_worker').referrals.accept(c.id, r.id);
    expect(again).toEqual({ ...first, record: { id: c.id, enabled: true, last_updated_at: t1 } });
    // PATCH cannot revoke (only DELETE does) and unknown statuses are ignored: 200, unchanged.
    for (const status of ['accepted', 'revoked', 'in_progress', 'cancelled']) {
      const { status: http, json } = await w.raw('PATCH', `/cases/${c.id}/referrals/${r.id}`, { data: { status } }, 'cp_worker');
      expect([http, json.data.status, json.data.responded_at, json.data.record]).toEqual([200, 'accepted', t1, { id: c.id, enabled: true, last_updated_at: t1 }]);
    }
    expect(w.fake.store.referrals.get(r.id)).toEqual(referralBefore);
    expect(w.fake.store.cases.get(c.id)).toEqual(caseBefore);
    expect(w.events.length).toBe(eventsBefore);
  });

  test('a referral of a case the caller cannot read is 403, even under the URL of a case they can (referrals_controller_spec)', async () => {
    const w = world();
    const c = w.addCase();
    const r = await w.client.referrals.create(c.id, { transitioned_to: 'cp_worker' });
    w.user('health_provider').group_permission = 'self';
    const own = w.addCase({ owned_by: 'health_provider', owned_by_agency_id: 'agency-ngo-hope' });
    const before = snapshot(w.fake.store.referrals.get(r.id));
    // Referral.find is not scoped to the case in the URL: the referral is found, then its own case is checked.
    expect(await rejection(w.as('health_provider').referrals.accept(own.id, r.id))).toBeInstanceOf(ForbiddenError);
    expect(w.fake.store.referrals.get(r.id)).toEqual(before);
  });

  test('PATCH without data is 422 ParameterMissing', async () => {
    const w = world();
    const c = w.addCase();
    const r = await w.client.referrals.create(c.id, { transitioned_to: 'cp_worker' });
    const { status, json } = await w.raw('PATCH', `/cases/${c.id}/referrals/${r.id}`, { status: 'accepted' });
    expect([status, json.errors[0].message]).toEqual([422, 'param is missing or the value is empty or invalid: data']);
    expect(w.fake.store.referrals.get(r.id)!.status).toBe('in_progress');
  });
});

describe('revoke (5.6)', () => {
  test('DELETE sets revoked and removes the recipient access; no status precondition', async () => {
    const w = world();
    const c = w.addCase();
    w.user('cp_worker').group_permission = 'self';
    const r = await w.client.referrals.create(c.id, { transitioned_to: 'cp_worker' });
    await expect(w.as('cp_worker').referrals.list(c.id)).resolves.toHaveLength(1);

    const t2 = w.tick();
    const revoked = await w.client.referrals.revoke(c.id, r.id);
    expect(revoked).toMatchObject({ id: r.id, status: 'revoked', transitioned_to: 'cp_worker' });
    expect(revoked).not.toHaveProperty('responded_at');
    expect(revoked.record).toEqual({ id: c.id, enabled: true, assigned_user_names: [], referred_users: [], referred_users_present: false, referred_users_pending: [], referred_users_pending_present: false, last_updated_at: t2 });
    expect(w.fake.store.cases.get(c.id)).toMatchObject({ assigned_user_names: [], last_updated_at: t2 });
    expect(w.fake.store.referrals.get(r.id)!.status).toBe('revoked');
    // The recipient can no longer read the case.
    expect(await rejection(w.as('cp_worker').referrals.list(c.id))).toBeInstanceOf(ForbiddenError);

    // A done referral can be revoked as well.
    const d = await w.client.referrals.create(c.id, { transitioned_to: 'unhcr_focal' });
    await w.as('unhcr_focal').referrals.accept(c.id, d.id);
    await w.as('unhcr_focal').referrals.complete(c.id, d.id);
    await expect(w.client.referrals.revoke(c.id, d.id)).resolves.toMatchObject({ status: 'revoked' });
  });

  test('another active referral to the same user keeps their access', async () => {
    const w = world();
    const c = w.addCase();
    const first = await w.client.referrals.create(c.id, { transitioned_to: 'cp_worker' });
    await w.client.referrals.create(c.id, { transitioned_to: 'cp_worker', notes: 'second service' });
    await w.client.referrals.revoke(c.id, first.id);
    expect(w.fake.store.cases.get(c.id)!.assigned_user_names).toEqual(['cp_worker']);
  });

  test('the recipient can hand the case back', async () => {
    const w = world();
    const c = w.addCase();
    const r = await w.client.referrals.create(c.id, { transitioned_to: 'health_provider' });
    w.user('health_provider').group_permission = 'self';
    const back = await w.as('health_provider').referrals.revoke(c.id, r.id);
    // Rendered after the change: the recipient can no longer read the case, so no `record` (5.1).
    expect(back).toMatchObject({ status: 'revoked', record_access_denied: true });
    expect(back).not.toHaveProperty('record');
    expect(w.fake.store.cases.get(c.id)).toMatchObject({ assigned_user_names: [], last_updated_by: 'health_provider' });
  });
});

describe('bulk (5.4)', () => {
  test('POST /cases/referrals refers two cases, one transition each with its record', async () => {
    const w = world();
    const a = w.addCase();
    const b = w.addCase();
    const t1 = w.tick();
    const made = await w.client.referrals.createBulk([a.id, b.id], { transitioned_to: 'cp_worker', notes: 'Follow-up' });
    expect(made.map((r) => [r.record_id, r.status, r.transitioned_to, r.notes])).toEqual([
      [a.id, 'in_progress', 'cp_worker', 'Follow-up'],
      [b.id, 'in_progress', 'cp_worker', 'Follow-up'],
    ]);
    expect(made.map((r) => r.record)).toEqual(
      [a, b].map((c) => ({ id: c.id, enabled: true, assigned_user_names: ['cp_worker'], ...DEMO_UPDATE, ...pendingFor('cp_worker'), last_updated_at: t1 })),
    );
    expect(w.fake.store.referrals.size).toBe(2);
    expect([a, b].map((c) => w.fake.store.cases.get(c.id)!.assigned_user_names)).toEqual([['cp_worker'], ['cp_worker']]);
  });

  test('a case that fails validation first: 422 and nothing is created', async () => {
    const w = world();
    const bad = w.addCase({ consent_for_services: false });
    const good = w.addCase();
    const before = snapshot([bad, good]);
    const error = await rejection(w.client.referrals.createBulk([bad.id, good.id], { transitioned_to: 'cp_worker' }));
    expect(error).toBeInstanceOf(ValidationError);
    expect([(error as ValidationError).status, (error as ValidationError).field]).toEqual([422, 'consent']);
    expect((error as ValidationError).errors).toEqual([{ status: 422, resource: '/api/v2/cases/referrals', detail: 'consent', message: ['transition.errors.consent'] }]);
    expect(w.fake.store.referrals.size).toBe(0);
    expect([w.fake.store.cases.get(bad.id), w.fake.store.cases.get(good.id)]).toEqual(before);
  });

  test('the server has no transaction: cases before the failing one keep their referral (5.4, referrals_controller#create_bulk)', async () => {
    const w = world();
    const good = w.addCase();
    const bad = w.addCase({ consent_for_services: false });
    const error = await rejection(w.client.referrals.createBulk([good.id, bad.id], { transitioned_to: 'cp_worker' }));
    expect((error as ValidationError).status).toBe(422);
    expect([...w.fake.store.referrals.values()].map((r) => [r.record_id, r.status])).toEqual([[good.id, 'in_progress']]);
    expect(w.fake.store.cases.get(good.id)!.assigned_user_names).toEqual(['cp_worker']);
    expect(w.fake.store.cases.get(bad.id)!.assigned_user_names).toEqual([]);
  });

  test('a missing case id: 404 before anything is done; no data at all is a 500', async () => {
    const w = world();
    const good = w.addCase();
    const missing = '00000000-0000-4000-8000-000000000000';
    const error = await rejection(w.client.referrals.createBulk([good.id, missing], { transitioned_to: 'cp_worker' }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).errors[0]!.detail).toBe(`Couldn't find all Children with 'id': (${good.id}, ${missing}) (found 1 results, but was looking for 2).`);
    expect(w.fake.store.referrals.size).toBe(0);
    expect((await w.raw('POST', '/cases/referrals', { ids: [good.id] })).status).toBe(500);
    expect(await w.raw('POST', '/cases/referrals', { data: { transitioned_to: 'cp_worker' } })).toEqual({ status: 200, json: { data: [] } });
  });
});

describe('404 envelopes (3.2)', () => {
  test('a missing case or referral is NotFoundError with ActiveRecord detail', async () => {
    const w = world();
    const c = w.addCase();
    const r = await w.client.referrals.create(c.id, { transitioned_to: 'cp_worker' });
    const missing = '0f0f0f0f-0000-4000-8000-000000000000';
    for (const call of [
      w.client.referrals.list(missing),
      w.client.referrals.create(missing, { transitioned_to: 'cp_worker' }),
      w.client.referrals.accept(missing, r.id),
      w.client.referrals.revoke(missing, r.id),
      w.client.referrals.accept(c.id, missing),
      w.client.referrals.revoke(c.id, missing),
    ]) {
      expect(await rejection(call)).toBeInstanceOf(NotFoundError);
    }
    expect(await w.raw('GET', `/cases/${missing}/referrals`)).toEqual({
      status: 404,
      json: { errors: [{ status: 404, resource: `/api/v2/cases/${missing}/referrals`, detail: `Couldn't find Child with 'id'=${missing}`, message: 'Not Found' }] },
    });
    expect(await w.raw('DELETE', `/cases/${c.id}/referrals/${missing}`)).toEqual({
      status: 404,
      json: {
        errors: [{ status: 404, resource: `/api/v2/cases/${c.id}/referrals/${missing}`, detail: `Couldn't find Referral with 'id'=${missing} [WHERE "transitions"."type" = $1]`, message: 'Not Found' }],
      },
    });
    expect(w.fake.store.referrals.get(r.id)!.status).toBe('in_progress');
  });
});

describe('over real HTTP', () => {
  test('refer, answer and list through fake.listen() (5.3, 5.5)', async () => {
    const w = world();
    const { url, close } = await w.fake.listen();
    try {
      // The shared msw server refuses unhandled requests: let the loopback ones through to the real server.
      server.use(http.all(`${url}/*`, () => passthrough()));
      const c = w.addCase();
      const owner = w.as(undefined, url, false);
      const created = await owner.referrals.create(c.id, { transitioned_to: 'cp_worker', notes: 'Over the wire' });
      const accepted = await w.as('cp_worker', url, false).referrals.accept(c.id, created.id);
      expect(accepted).toMatchObject({ id: created.id, status: 'accepted', notes: 'Over the wire' });
      expect((await owner.referrals.list(c.id)).map((r) => [r.id, r.status])).toEqual([[created.id, 'accepted']]);
      expect(w.fake.store.cases.get(c.id)!.assigned_user_names).toEqual(['cp_worker']);
    } finally {
      await close();
    }
  });
});

describe('review fixes', () => {
  test('ids are read as the record routes read them: an uppercase or braced uuid finds the case and the referral', async () => {
    const w = world();
    const c = w.addCase();
    const referral = await w.client.referrals.create(c.id, { transitioned_to: 'cp_worker' });
    expect((await w.raw('GET', `/cases/${c.id.toUpperCase()}`)).status).toBe(200);
    const listed = await w.raw('GET', `/cases/${c.id.toUpperCase()}/referrals`);
    expect(listed.status).toBe(200);
    expect(listed.json.data.map((r: { id: string }) => r.id)).toEqual([referral.id]);
    const accepted = await w.raw('PATCH', `/cases/{${c.id.toUpperCase()}}/referrals/${referral.id.toUpperCase()}`, { data: { status: 'accepted' } }, 'cp_worker');
    expect(accepted.status).toBe(200);
    expect(accepted.json.data).toMatchObject({ id: referral.id, status: 'accepted' });
    const bulk = await w.raw('POST', '/cases/referrals', { data: { ids: [c.id.toUpperCase()], transitioned_to: 'health_provider' } });
    expect(bulk.status).toBe(200);
    // What is not a uuid is still a 404 in the server's words.
    const missing = await w.raw('DELETE', `/cases/${c.id}/referrals/not-a-uuid`);
    expect(missing.status).toBe(404);
    expect(missing.json.errors[0].detail).toContain("Couldn't find Referral with 'id'=not-a-uuid");
  });

  test('one scope rule for records and referrals: agency scope reaches a case through an associated user of the agency', async () => {
    const w = world();
    // Owned by another agency's user, assigned to a UNICEF user: a UNICEF agency-scoped user sees it everywhere.
    const c = w.addCase({ owned_by: 'unhcr_focal', owned_by_agency_id: 'agency-unhcr', assigned_user_names: ['demo_caseworker'] });
    w.user('cp_worker').group_permission = 'agency';
    expect((await w.raw('GET', `/cases/${c.id}`, undefined, 'cp_worker')).status).toBe(200);
    expect((await w.raw('GET', `/cases/${c.id}/referrals`, undefined, 'cp_worker')).status).toBe(200);
    // A group scope: the fake has no user groups, so it reaches what a self scope reaches, on both routes.
    w.user('cp_worker').group_permission = 'group';
    expect((await w.raw('GET', `/cases/${c.id}`, undefined, 'cp_worker')).status).toBe(403);
    expect((await w.raw('GET', `/cases/${c.id}/referrals`, undefined, 'cp_worker')).status).toBe(403);
  });

  test("a referral's record renders enabled from record_state, as the record routes do (nil stays null)", async () => {
    const w = world();
    const c = w.addCase();
    delete c.record_state;
    const referral = await w.raw('POST', `/cases/${c.id}/referrals`, { data: { transitioned_to: 'cp_worker' } });
    expect(referral.status).toBe(200);
    expect(referral.json.data.record.enabled).toBeNull();
    expect((await w.raw('GET', `/cases/${c.id}`)).json.data.enabled).toBeNull();
    c.record_state = false;
    const accepted = await w.raw('PATCH', `/cases/${c.id}/referrals/${referral.json.data.id}`, { data: { status: 'accepted' } }, 'cp_worker');
    expect(accepted.json.data.record.enabled).toBe(false);
  });
});
