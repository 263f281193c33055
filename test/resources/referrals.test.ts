/**
 * `client.referrals` against a fake Primero (primero-api.md section 5): creation (internal and remote),
 * bulk, the status changes of 5.5 (where an illegal change is a 200 with the unchanged referral), revoke
 * (5.6) and the refer-to recipients (singular `service`, `record_module_id`).
 */
import { http, HttpResponse } from 'msw';
import { describe, expect, test } from 'vitest';
import {
  ConnectionError,
  ForbiddenError,
  IllegalTransitionError,
  InvalidRecordError,
  NotFoundError,
  RequestValidationError,
  ServerError,
  ValidationError,
  type ReferralInput,
} from '../../src/index.js';
import { rejection } from '../support/async.js';
import { apiError, body, settled, trail } from '../support/requests.js';
import { API, recordRequests, server, testClient } from '../support/server.js';

const CASE = '3f0c9a52-7b1d-4c8e-9a4b-2d6e8f1a0b3c';
const CASE2 = '7a1e2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b';
const REF = 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b';
const SERVICE = 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f';

function referral(status: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: REF,
    type: 'Referral',
    status,
    record_id: CASE,
    record_type: 'case',
    transitioned_to: 'cp_worker',
    transitioned_by: 'primero_api',
    created_at: '2024-05-01T10:00:00.000Z',
    ...fields,
  };
}

const errorFor = (status: number, message: string | string[], detail?: string | string[]): Response => apiError(status, message, detail, `/api/v2/cases/${CASE}/referrals`);

// ---------------------------------------------------------------------------------------------------------

describe('referrals.list', () => {
  test('GET /cases/:id/referrals → the referrals; no query, no body', async () => {
    const seen = recordRequests();
    const rows = [referral('in_progress'), referral('done', { id: CASE2, remote: true, transitioned_to: undefined, transitioned_to_remote: 'Legal Aid' })];
    server.use(http.get(`${API}/cases/:id/referrals`, () => HttpResponse.json({ data: rows })));
    await expect(testClient().referrals.list(CASE)).resolves.toEqual(JSON.parse(JSON.stringify(rows)));
    await settled(seen);
    expect(trail(seen)).toEqual([`GET /cases/${CASE}/referrals`]);
    expect(seen[0]!.query.size).toBe(0);
    expect(seen[0]!.body).toBe('');
  });

  test('status keeps only the referrals in that status or those statuses (the server has no such filter)', async () => {
    const rows = [referral('in_progress'), referral('accepted', { id: CASE2 }), referral('done', { id: '9b8c7d6e-5f40-4a3b-9c2d-1e0f9a8b7c6d' })];
    server.use(http.get(`${API}/cases/:id/referrals`, () => HttpResponse.json({ data: rows })));
    const client = testClient();
    expect((await client.referrals.list(CASE, { status: 'in_progress' })).map((r) => r.status)).toEqual(['in_progress']);
    expect((await client.referrals.list(CASE, { status: ['accepted', 'done'] })).map((r) => r.status)).toEqual(['accepted', 'done']);
  });

  test('an unknown status is a RequestValidationError, before any request', async () => {
    const seen = recordRequests();
    const error = await rejection(testClient().referrals.list(CASE, { status: 'pending' as never }));
    expect(error).toBeInstanceOf(RequestValidationError);
    expect(seen).toHaveLength(0);
  });

  test('404 → NotFoundError', async () => {
    server.use(http.get(`${API}/cases/:id/referrals`, () => errorFor(404, 'Not Found')));
    await expect(testClient().referrals.list(CASE)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('referrals.create', () => {
  function createServer(respond: (n: number, request: Request) => Response | Promise<Response>): void {
    let n = 0;
    server.use(http.post(`${API}/cases/:id/referrals`, ({ request }) => respond(++n, request)));
  }

  test('internal: POST {data} with transitioned_to → the referral with its record', async () => {
    const seen = recordRequests();
    const answer = referral('in_progress', { service: 'legal_assistance_service', service_record_id: SERVICE, record: { id: CASE, services_section: [{ unique_id: SERVICE, service_status_referred: true }] } });
    createServer(() => HttpResponse.json({ data: answer }));
    const input: ReferralInput = {
      transitioned_to: 'cp_worker',
      service: 'legal_assistance_service',
      service_record_id: SERVICE,
      notes: 'Needs legal support',
      consent_overridden: true,
      authorized_role_unique_id: 'role-referral',
    };

    await expect(testClient().referrals.create(CASE, input)).resolves.toEqual(answer);

    await settled(seen);
    expect(trail(seen)).toEqual([`POST /cases/${CASE}/referrals`]);
    expect(body(seen[0])).toEqual({ data: input });
  });

  test('remote: remote + transitioned_to_remote / transitioned_to_agency, no user', async () => {
    const seen = recordRequests();
    createServer(() => HttpResponse.json({ data: referral('in_progress', { remote: true, transitioned_to: undefined }) }));
    const client = testClient();
    const remote: ReferralInput = { remote: true, transitioned_to_remote: 'Legal Aid NGO', transitioned_to_agency: 'UNHCR', service: 'legal_assistance_service', type_of_export: 'pdf' };
    await client.referrals.create(CASE, remote);
    await client.referrals.create(CASE, { remote: true, transitioned_to_agency: 'UNHCR' });
    await settled(seen);
    expect(body(seen[0])).toEqual({ data: remote });
    expect(body(seen[1])).toEqual({ data: { remote: true, transitioned_to_agency: 'UNHCR' } });
  });

  test.each<[string, unknown, string]>([
    ['no recipient', { notes: 'x' }, 'transitioned_to'],
    ['remote without a remote recipient', { remote: true, notes: 'x' }, 'transitioned_to_remote'],
    ['remote: false and no user', { remote: false, transitioned_to_agency: 'UNHCR' }, 'transitioned_to'],
    ['an empty transitioned_to', { transitioned_to: '' }, 'transitioned_to'],
    ['consent_individual_transfer (a transfer key, ignored for referrals)', { transitioned_to: 'cp_worker', consent_individual_transfer: true }, ''],
    ['a typo', { transitioned_to: 'cp_worker', notess: 'x' }, ''],
    ['the plural services', { transitioned_to: 'cp_worker', services: ['a'] }, ''],
    ['a service_record_id that is not a UUID', { transitioned_to: 'cp_worker', service_record_id: 'svc-1' }, 'service_record_id'],
    ['an uppercase service_record_id', { transitioned_to: 'cp_worker', service_record_id: SERVICE.toUpperCase() }, 'service_record_id'],
    ['a string consent_overridden', { transitioned_to: 'cp_worker', consent_overridden: 'true' }, 'consent_overridden'],
  ])('%s → RequestValidationError, nothing sent', async (_name, input, field) => {
    const seen = recordRequests();
    createServer(() => HttpResponse.json({ data: referral('in_progress') }));
    const error = await rejection(testClient().referrals.create(CASE, input as ReferralInput));
    expect(error).toBeInstanceOf(RequestValidationError);
    if (field) expect((error as RequestValidationError).issues.map((i) => i.path[0])).toContain(field);
    else expect((error as RequestValidationError).issues.map((i) => i.code)).toContain('unrecognized_keys');
    expect(await settled(seen)).toEqual([]);
  });

  test('never retried: a 502 → exactly one POST; a lost answer → exactly one POST', async () => {
    const seen = recordRequests();
    createServer((n) => (n === 1 ? errorFor(502, 'Bad Gateway') : HttpResponse.error()));
    const client = testClient();
    const bad = await rejection(client.referrals.create(CASE, { transitioned_to: 'cp_worker' }));
    expect(bad).toBeInstanceOf(ServerError);
    expect((bad as ServerError).attempts).toBe(1);
    await expect(client.referrals.create(CASE, { transitioned_to: 'cp_worker' })).rejects.toBeInstanceOf(ConnectionError);
    expect(trail(seen)).toEqual([`POST /cases/${CASE}/referrals`, `POST /cases/${CASE}/referrals`]);
  });

  test("consent 422 → ValidationError with field 'consent' and the server's key (not an InvalidRecordError)", async () => {
    createServer(() => errorFor(422, ['transition.errors.consent'], 'consent'));
    const error = await rejection(testClient().referrals.create(CASE, { transitioned_to: 'cp_worker' }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).not.toBeInstanceOf(InvalidRecordError);
    expect((error as ValidationError).field).toBe('consent');
    expect((error as ValidationError).messages).toEqual(['transition.errors.consent']);
    expect((error as ValidationError).status).toBe(422);
  });

  test("an ineligible recipient 422 → ValidationError with field 'transitioned_to'", async () => {
    createServer(() => errorFor(422, ['transition.errors.to_user_can_receive'], 'transitioned_to'));
    const error = await rejection(testClient().referrals.create(CASE, { transitioned_to: 'system_user' }));
    expect((error as ValidationError).field).toBe('transitioned_to');
    expect((error as ValidationError).messages).toEqual(['transition.errors.to_user_can_receive']);
  });
});

describe('referrals.createBulk', () => {
  test('POST /cases/referrals {data: {ids, …same keys}} → one referral per case', async () => {
    const seen = recordRequests();
    const rows = [referral('in_progress'), referral('in_progress', { id: SERVICE, record_id: CASE2 })];
    server.use(http.post(`${API}/cases/referrals`, () => HttpResponse.json({ data: rows })));
    await expect(testClient().referrals.createBulk([CASE, CASE2], { transitioned_to: 'cp_worker', notes: 'Follow-up' })).resolves.toEqual(rows);
    await settled(seen);
    expect(trail(seen)).toEqual(['POST /cases/referrals']);
    expect(body(seen[0])).toEqual({ data: { ids: [CASE, CASE2], transitioned_to: 'cp_worker', notes: 'Follow-up' } });
  });

  test.each<[string, unknown, unknown]>([
    ['empty ids', [], { transitioned_to: 'cp_worker' }],
    ['an id that is not a UUID', [CASE, 'CP-1'], { transitioned_to: 'cp_worker' }],
    ['ids that are not an array', CASE, { transitioned_to: 'cp_worker' }],
    ['no recipient', [CASE], { notes: 'x' }],
    ['an unknown key', [CASE], { transitioned_to: 'cp_worker', ids: [CASE2] }],
  ])('%s → RequestValidationError, nothing sent', async (_name, ids, input) => {
    const seen = recordRequests();
    server.use(http.post(`${API}/cases/referrals`, () => HttpResponse.json({ data: [] })));
    await expect(testClient().referrals.createBulk(ids as string[], input as ReferralInput)).rejects.toBeInstanceOf(RequestValidationError);
    expect(await settled(seen)).toEqual([]);
  });

  test('all or nothing: 403 → ForbiddenError; a 502 is not retried', async () => {
    const seen = recordRequests();
    let n = 0;
    server.use(http.post(`${API}/cases/referrals`, () => (++n === 1 ? errorFor(403, 'Forbidden') : errorFor(502, 'Bad Gateway'))));
    const client = testClient();
    await expect(client.referrals.createBulk([CASE], { transitioned_to: 'cp_worker' })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(client.referrals.createBulk([CASE], { transitioned_to: 'cp_worker' })).rejects.toBeInstanceOf(ServerError);
    expect(seen).toHaveLength(2);
  });
});

describe('accept / reject / complete (PATCH /cases/:id/referrals/:id, primero-api.md 5.5)', () => {
  /** A referral with a status that follows Referral#process!: illegal changes answer 200 unchanged. */
  function referralServer(initial: string, options: { failFirst?: 'before' | 'after' } = {}) {
    const state = { status: initial, patches: 0 };
    server.use(
      http.patch(`${API}/cases/:id/referrals/:rid`, async ({ request }) => {
        state.patches++;
        const { data } = (await request.json()) as { data: { status: string; rejected_reason?: string; rejection_note?: string } };
        if (options.failFirst === 'before' && state.patches === 1) return errorFor(502, 'Bad Gateway');
        const legal = (data.status === 'accepted' || data.status === 'rejected') ? state.status === 'in_progress' : data.status === 'done' ? state.status === 'accepted' : false;
        const extra: Record<string, unknown> = {};
        if (legal) {
          state.status = data.status;
          if (data.rejected_reason) extra.rejected_reason = data.rejected_reason;
          if (data.rejection_note) extra.rejection_note = data.rejection_note;
          if (data.status !== 'done') extra.responded_at = '2024-05-02T10:00:00.000Z';
        }
        // The change landed but its answer was lost on the way back.
        if (options.failFirst === 'after' && state.patches === 1) return errorFor(502, 'Bad Gateway');
        return HttpResponse.json({ data: referral(state.status, { ...extra, record: { id: CASE } }) });
      }),
    );
    return state;
  }

  test("accept sends exactly {data: {status: 'accepted'}} → the accepted referral", async () => {
    const seen = recordRequests();
    referralServer('in_progress');
    const accepted = await testClient().referrals.accept(CASE, REF);
    expect(accepted.status).toBe('accepted');
    await settled(seen);
    expect(trail(seen)).toEqual([`PATCH /cases/${CASE}/referrals/${REF}`]);
    expect(body(seen[0])).toEqual({ data: { status: 'accepted' } });
  });

  test('reject sends the rejected_reason; complete sends the note as rejection_note (or nothing)', async () => {
    const seen = recordRequests();
    referralServer('in_progress');
    const client = testClient();
    const rejected = await client.referrals.reject(CASE, REF, { rejected_reason: 'Outside our area' });
    expect(rejected.status).toBe('rejected');
    expect(rejected.rejected_reason).toBe('Outside our area');

    server.resetHandlers();
    referralServer('accepted');
    const done = await client.referrals.complete(CASE, REF, { note: 'Legal counselling given' });
    expect(done.status).toBe('done');
    server.resetHandlers();
    referralServer('accepted');
    await client.referrals.complete(CASE, REF);

    await settled(seen);
    expect(seen.map(body)).toEqual([
      { data: { status: 'rejected', rejected_reason: 'Outside our area' } },
      { data: { status: 'done', rejection_note: 'Legal counselling given' } },
      { data: { status: 'done' } },
    ]);
  });

  test.each<[string, string, (c: ReturnType<typeof testClient>) => Promise<unknown>, string]>([
    ['accepting a rejected referral', 'rejected', (c) => c.referrals.accept(CASE, REF), 'accepted'],
    ['rejecting an accepted referral', 'accepted', (c) => c.referrals.reject(CASE, REF, { rejected_reason: 'x' }), 'rejected'],
    ['completing a referral in progress', 'in_progress', (c) => c.referrals.complete(CASE, REF), 'done'],
    ['completing a revoked referral', 'revoked', (c) => c.referrals.complete(CASE, REF, { note: 'n' }), 'done'],
  ])('%s: the server answers 200 unchanged → IllegalTransitionError with current and requested', async (_name, current, act, requested) => {
    const seen = recordRequests();
    referralServer(current);
    const error = await rejection(act(testClient()));
    expect(error).toBeInstanceOf(IllegalTransitionError);
    expect(error).toMatchObject({ referralId: REF, current, requested });
    expect(seen).toHaveLength(1);
  });

  test('accept is retried on 502 (repeat-safe): same body twice → accepted', async () => {
    const seen = recordRequests();
    const state = referralServer('in_progress', { failFirst: 'before' });
    await expect(testClient().referrals.accept(CASE, REF)).resolves.toMatchObject({ status: 'accepted' });
    expect(state.patches).toBe(2);
    await settled(seen);
    expect(body(seen[1])).toEqual(body(seen[0]));
  });

  test('a retry that finds the referral already accepted (the first PATCH landed, its answer was lost) succeeds', async () => {
    const state = referralServer('in_progress', { failFirst: 'after' });
    const accepted = await testClient().referrals.accept(CASE, REF);
    expect(accepted.status).toBe('accepted');
    expect(state).toEqual({ status: 'accepted', patches: 2 });
  });

  test.each<[string, unknown]>([
    ['no params', undefined],
    ['no reason', {}],
    ['an empty reason', { rejected_reason: '' }],
    ['a blank reason', { rejected_reason: '  ' }],
    ['a reason that is not a string', { rejected_reason: 3 }],
  ])('reject with %s → RequestValidationError, nothing sent', async (_name, params) => {
    const seen = recordRequests();
    referralServer('in_progress');
    // A rejected promise like every other failure, never a synchronous throw.
    const pending = testClient().referrals.reject(CASE, REF, params as { rejected_reason: string });
    await expect(pending).rejects.toBeInstanceOf(RequestValidationError);
    expect(await settled(seen)).toEqual([]);
  });
});

describe('referrals.revoke (DELETE, primero-api.md 5.6)', () => {
  test("DELETE /cases/:id/referrals/:id, no body → status 'revoked' is success", async () => {
    const seen = recordRequests();
    server.use(http.delete(`${API}/cases/:id/referrals/:rid`, () => HttpResponse.json({ data: referral('revoked', { record: { id: CASE } }) })));
    await expect(testClient().referrals.revoke(CASE, REF)).resolves.toMatchObject({ id: REF, status: 'revoked' });
    await settled(seen);
    expect(trail(seen)).toEqual([`DELETE /cases/${CASE}/referrals/${REF}`]);
    expect(seen[0]!.body).toBe('');
  });

  test.each(['done', 'in_progress', 'accepted'])("answered with status '%s' → IllegalTransitionError", async (status) => {
    server.use(http.delete(`${API}/cases/:id/referrals/:rid`, () => HttpResponse.json({ data: referral(status) })));
    const error = await rejection(testClient().referrals.revoke(CASE, REF));
    expect(error).toBeInstanceOf(IllegalTransitionError);
    expect(error).toMatchObject({ referralId: REF, current: status, requested: 'revoked' });
  });

  test('404 → NotFoundError', async () => {
    server.use(http.delete(`${API}/cases/:id/referrals/:rid`, () => errorFor(404, 'Not Found')));
    await expect(testClient().referrals.revoke(CASE, REF)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('referrals.recipients (GET /users/refer-to)', () => {
  const users = [{ id: 12, user_name: 'cp_worker', code: null, position: 'Caseworker', location: 'KH01', agency: 'agency-unicef', disabled: false, services: ['legal_assistance_service'] }];

  test('record_type=case, record_module_id and the singular service', async () => {
    const seen = recordRequests();
    server.use(http.get(`${API}/users/refer-to`, () => HttpResponse.json({ data: users })));
    await expect(
      testClient().referrals.recipients({ record_module_id: 'primeromodule-cp', service: 'legal_assistance_service', agency: 'agency-unicef', location: 'KH01' }),
    ).resolves.toEqual(users);
    await settled(seen);
    expect(trail(seen)).toEqual(['GET /users/refer-to']);
    expect(Object.fromEntries(seen[0]!.query)).toEqual({
      record_type: 'case',
      record_module_id: 'primeromodule-cp',
      service: 'legal_assistance_service',
      agency: 'agency-unicef',
      location: 'KH01',
    });
    expect(seen[0]!.query.has('services')).toBe(false);
    expect(seen[0]!.body).toBe('');
  });

  test.each<[string, unknown]>([
    ['no record_module_id', { service: 'legal_assistance_service' }],
    ['an empty record_module_id', { record_module_id: '' }],
    ['the plural services (docs)', { record_module_id: 'primeromodule-cp', services: 'legal_assistance_service' }],
    ['no params', undefined],
  ])('%s → RequestValidationError, nothing sent', async (_name, params) => {
    const seen = recordRequests();
    server.use(http.get(`${API}/users/refer-to`, () => HttpResponse.json({ data: users })));
    await expect(testClient().referrals.recipients(params as never)).rejects.toBeInstanceOf(RequestValidationError);
    expect(await settled(seen)).toEqual([]);
  });
});
