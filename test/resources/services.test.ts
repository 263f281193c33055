/**
 * `client.services`: the `services_section` subform of a case (primero-api.md section 6), written through
 * `PATCH /cases/:id` merges by `unique_id` (4.4), and referrals for a service (5.3, 6).
 */
import { http, HttpResponse } from 'msw';
import { describe, expect, test } from 'vitest';
import { NotFoundError, RequestValidationError, ServerError, type ServiceInput } from '../../src/index.js';
import { rejection } from '../support/async.js';
import { apiError, body, settled, trail } from '../support/requests.js';
import { API, recordRequests, server, testClient } from '../support/server.js';

const CASE = '3f0c9a52-7b1d-4c8e-9a4b-2d6e8f1a0b3c';
const SVC = 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f';
const SVC2 = 'd4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f70';
const REF = 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b';
const LOWER_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const SERVICES = [
  { unique_id: SVC, service_type: 'legal_assistance_service', service_implementing_agency: 'agency-unhcr', service_implementing_agency_individual: 'legal_worker', service_implemented: 'not_implemented' },
  { unique_id: SVC2, service_type: 'health_medical_service', service_implementing_agency_individual: null },
];

function caseWith(services: unknown): Record<string, unknown> {
  return { id: CASE, enabled: true, last_updated_at: '2024-05-01T10:00:00.000Z', ...(services === undefined ? {} : { services_section: services }) };
}

type Entry = Record<string, unknown> & { unique_id: string };

/**
 * A case whose PATCH merges `services_section` by unique_id like RecordMergeDataHashService, and answers
 * only the changed entries (as `select_updated_fields` does). `failFirst` answers the first PATCH 502
 * after applying it (the answer was lost).
 */
function caseServer(initial: Entry[] | null, options: { failFirst?: boolean } = {}) {
  const state = { services: initial === null ? null : initial.map((e) => ({ ...e })), patches: 0 };
  server.use(
    http.get(`${API}/cases/:id`, () => HttpResponse.json({ data: caseWith(state.services) })),
    http.patch(`${API}/cases/:id`, async ({ request }) => {
      state.patches++;
      const { data } = (await request.json()) as { data: { services_section: Entry[] } };
      const changed: Entry[] = [];
      const services = state.services ?? [];
      for (const incoming of data.services_section) {
        const existing = services.find((e) => e.unique_id === incoming.unique_id);
        if (incoming._destroy === true) {
          state.services = services.filter((e) => e.unique_id !== incoming.unique_id);
          continue;
        }
        // Serviceable: service_implemented follows service_implemented_day_time.
        const merged: Entry = { ...(existing ?? { service_implemented: 'not_implemented' }), ...incoming };
        if (merged.service_implemented_day_time) merged.service_implemented = 'implemented';
        if (existing) Object.assign(existing, merged);
        else services.push(merged);
        state.services = services;
        changed.push(merged);
      }
      if (options.failFirst && state.patches === 1) return errorFor(502, 'Bad Gateway');
      return HttpResponse.json({ data: { ...caseWith(undefined), ...(changed.length ? { services_section: changed } : {}) } });
    }),
  );
  return state;
}

const errorFor = (status: number, message: string | string[], detail?: string | string[]): Response => apiError(status, message, detail, `/api/v2/cases/${CASE}`);

// ---------------------------------------------------------------------------------------------------------

describe('services.list / get', () => {
  test('GET /cases/:id?fields=services_section → the entries; no body', async () => {
    const seen = recordRequests();
    caseServer(SERVICES);
    await expect(testClient().services.list(CASE)).resolves.toEqual(SERVICES);
    await settled(seen);
    expect(trail(seen)).toEqual([`GET /cases/${CASE}`]);
    expect(Object.fromEntries(seen[0]!.query)).toEqual({ fields: 'services_section' });
    expect(seen[0]!.body).toBe('');
  });

  test('services_section null or absent → []', async () => {
    caseServer(null);
    await expect(testClient().services.list(CASE)).resolves.toEqual([]);
    server.resetHandlers();
    server.use(http.get(`${API}/cases/:id`, () => HttpResponse.json({ data: caseWith(undefined) })));
    await expect(testClient().services.list(CASE)).resolves.toEqual([]);
  });

  test('get by unique_id; an unknown one → undefined; a case that does not exist → NotFoundError', async () => {
    caseServer(SERVICES);
    const client = testClient();
    await expect(client.services.get(CASE, SVC2)).resolves.toEqual(SERVICES[1]);
    await expect(client.services.get(CASE, REF)).resolves.toBeUndefined();
    server.use(http.get(`${API}/cases/:id`, () => errorFor(404, 'Not Found')));
    await expect(client.services.get(CASE, SVC)).rejects.toBeInstanceOf(NotFoundError);
  });

  test.each(['S-1', SVC.toUpperCase(), ''])('get with the unique_id %j → RequestValidationError, nothing sent', async (id) => {
    const seen = recordRequests();
    caseServer(SERVICES);
    await expect(testClient().services.get(CASE, id)).rejects.toBeInstanceOf(RequestValidationError);
    expect(await settled(seen)).toEqual([]);
  });
});

describe('services.add', () => {
  test('PATCH one entry with an SDK lowercase UUID unique_id → the entry as the server merged it', async () => {
    const seen = recordRequests();
    const state = caseServer([...SERVICES]);
    const input: ServiceInput = { service_type: 'psychosocial_service', service_implementing_agency_individual: 'pss_worker', service_appointment_date: '2024-06-01', service_response_day_time: '2024-05-20T08:00:00Z' };

    const added = await testClient().services.add(CASE, input);

    await settled(seen);
    expect(trail(seen)).toEqual([`PATCH /cases/${CASE}`]);
    const sent = body(seen[0]) as { data: { services_section: Entry[] } };
    expect(sent.data.services_section).toHaveLength(1);
    const [entry] = sent.data.services_section as [Entry];
    expect(entry.unique_id).toMatch(LOWER_UUID);
    expect(sent).toEqual({ data: { services_section: [{ ...input, unique_id: entry.unique_id }] } });
    expect(added).toEqual({ ...input, unique_id: entry.unique_id, service_implemented: 'not_implemented' });
    expect(state.services).toHaveLength(3);
  });

  test('each service gets its own unique_id', async () => {
    const seen = recordRequests();
    caseServer([]);
    const client = testClient();
    const a = await client.services.add(CASE, { service_type: 'food_service' });
    const b = await client.services.add(CASE, { service_type: 'food_service' });
    expect(a.unique_id).not.toBe(b.unique_id);
    expect(seen).toHaveLength(2);
  });

  test('retried on 502 with the SAME unique_id, so the repeat merges instead of adding a second service', async () => {
    const seen = recordRequests();
    const state = caseServer([], { failFirst: true });

    const added = await testClient().services.add(CASE, { service_type: 'legal_assistance_service' });

    await settled(seen);
    expect(trail(seen)).toEqual([`PATCH /cases/${CASE}`, `PATCH /cases/${CASE}`]);
    expect(body(seen[1])).toEqual(body(seen[0]));
    expect(state.services).toHaveLength(1);
    expect(state.services![0]!.unique_id).toBe(added.unique_id);
  });

  test.each<[string, unknown, string]>([
    ['no service_type', { service_implementing_agency: 'agency-unhcr' }, 'service_type'],
    ['an empty service_type', { service_type: '' }, 'service_type'],
    ['a null service_type', { service_type: null }, 'service_type'],
    ['a number for service_appointment_date', { service_type: 'x', service_appointment_date: 20240601 }, 'service_appointment_date'],
    ['a datetime for service_appointment_date', { service_type: 'x', service_appointment_date: '2024-06-01T10:00:00Z' }, 'service_appointment_date'],
    ['a bare date for service_response_day_time', { service_type: 'x', service_response_day_time: '2024-06-01' }, 'service_response_day_time'],
    ['a Date object for service_implemented_day_time', { service_type: 'x', service_implemented_day_time: new Date() }, 'service_implemented_day_time'],
    ['an unknown service_implemented value', { service_type: 'x', service_implemented: 'yes' }, 'service_implemented'],
    ['a string service_status_referred', { service_type: 'x', service_status_referred: 'true' }, 'service_status_referred'],
  ])('%s → RequestValidationError naming the field; nothing sent', async (_name, input, field) => {
    const seen = recordRequests();
    caseServer([]);
    const error = await rejection(testClient().services.add(CASE, input as ServiceInput));
    expect(error).toBeInstanceOf(RequestValidationError);
    expect((error as RequestValidationError).issues.map((i) => i.path[0])).toContain(field);
    expect(await settled(seen)).toEqual([]);
  });
});

describe('services.update / remove / markImplemented', () => {
  test('update sends only the unique_id and the changed fields; the other fields and services are kept by the merge', async () => {
    const seen = recordRequests();
    const state = caseServer(SERVICES.map((s) => ({ ...s })));

    const updated = await testClient().services.update(CASE, SVC, { service_appointment_date: '2024-07-01', service_provider: 'Legal Aid' });

    await settled(seen);
    expect(trail(seen)).toEqual([`PATCH /cases/${CASE}`]);
    expect(body(seen[0])).toEqual({ data: { services_section: [{ service_appointment_date: '2024-07-01', service_provider: 'Legal Aid', unique_id: SVC }] } });
    expect(updated).toEqual({ ...SERVICES[0], service_appointment_date: '2024-07-01', service_provider: 'Legal Aid' });
    expect(state.services).toHaveLength(2);
    expect(state.services![1]).toEqual(SERVICES[1]);
  });

  test('update: an answer without the entry (nothing changed) resolves to what was sent', async () => {
    server.use(http.patch(`${API}/cases/:id`, () => HttpResponse.json({ data: caseWith(undefined) })));
    await expect(testClient().services.update(CASE, SVC, { service_provider: 'x' })).resolves.toEqual({ service_provider: 'x', unique_id: SVC });
  });

  test('update is retried on 502; a bad unique_id or field → RequestValidationError (a rejection, not a throw), nothing sent', async () => {
    const seen = recordRequests();
    caseServer(SERVICES.map((s) => ({ ...s })), { failFirst: true });
    const client = testClient();
    await client.services.update(CASE, SVC, { service_provider: 'x' });
    expect(seen).toHaveLength(2);

    const badId = client.services.update(CASE, 'S-1', { service_provider: 'x' });
    await expect(badId).rejects.toBeInstanceOf(RequestValidationError);
    await expect(client.services.update(CASE, SVC, { service_appointment_date: 5 } as never)).rejects.toBeInstanceOf(RequestValidationError);
    expect(await settled(seen)).toHaveLength(2);
  });

  test('remove sends {unique_id, _destroy: true} (never the docs’ _delete) and resolves to nothing', async () => {
    const seen = recordRequests();
    const state = caseServer(SERVICES.map((s) => ({ ...s })));

    await expect(testClient().services.remove(CASE, SVC)).resolves.toBeUndefined();

    await settled(seen);
    expect(trail(seen)).toEqual([`PATCH /cases/${CASE}`]);
    expect(body(seen[0])).toEqual({ data: { services_section: [{ unique_id: SVC, _destroy: true }] } });
    expect(seen[0]!.body).not.toContain('_delete');
    expect(state.services!.map((s) => s.unique_id)).toEqual([SVC2]);
  });

  test('remove is retried on 502; a bad unique_id → RequestValidationError, nothing sent', async () => {
    const seen = recordRequests();
    let n = 0;
    server.use(http.patch(`${API}/cases/:id`, () => (++n === 1 ? errorFor(502, 'Bad Gateway') : HttpResponse.json({ data: caseWith(undefined) }))));
    const client = testClient();
    await client.services.remove(CASE, SVC);
    expect(n).toBe(2);
    await expect(client.services.remove(CASE, 'not-a-uuid')).rejects.toBeInstanceOf(RequestValidationError);
    expect(await settled(seen)).toHaveLength(2);
  });

  test('markImplemented(at) sends service_implemented_day_time as ISO; the server marks it implemented', async () => {
    const seen = recordRequests();
    caseServer(SERVICES.map((s) => ({ ...s })));
    const at = new Date('2024-05-01T10:00:00.000Z');

    const done = await testClient().services.markImplemented(CASE, SVC, at);

    await settled(seen);
    expect(body(seen[0])).toEqual({ data: { services_section: [{ service_implemented_day_time: '2024-05-01T10:00:00.000Z', unique_id: SVC }] } });
    expect(done.service_implemented).toBe('implemented');
    expect(done.service_implemented_day_time).toBe('2024-05-01T10:00:00.000Z');
  });

  test('markImplemented() defaults to now; an invalid Date → RequestValidationError, nothing sent', async () => {
    const seen = recordRequests();
    caseServer(SERVICES.map((s) => ({ ...s })));
    const client = testClient();
    const before = Date.now();
    await client.services.markImplemented(CASE, SVC);
    const after = Date.now();
    await settled(seen);
    const sent = (body(seen[0]) as { data: { services_section: [Entry] } }).data.services_section[0];
    const when = Date.parse(String(sent.service_implemented_day_time));
    expect(when).toBeGreaterThanOrEqual(before);
    expect(when).toBeLessThanOrEqual(after);

    await expect(client.services.markImplemented(CASE, SVC, new Date('nope'))).rejects.toBeInstanceOf(RequestValidationError);
    expect(await settled(seen)).toHaveLength(1);
  });
});

describe('services.refer', () => {
  function referServer(respond: () => Response = () => HttpResponse.json({ data: { id: REF, type: 'Referral', status: 'in_progress', record_id: CASE, record_type: 'case' } })) {
    caseServer(SERVICES.map((s) => ({ ...s })));
    server.use(http.post(`${API}/cases/:id/referrals`, respond));
  }

  test('POST a referral with service = service_type, service_record_id = unique_id, transitioned_to from the implementing user', async () => {
    const seen = recordRequests();
    referServer();

    const referral = await testClient().services.refer(CASE, SVC, { notes: 'Court date on 3 June' });

    expect(referral).toMatchObject({ id: REF, status: 'in_progress' });
    await settled(seen);
    expect(trail(seen)).toEqual([`GET /cases/${CASE}`, `POST /cases/${CASE}/referrals`]);
    expect(body(seen[1])).toEqual({
      data: { transitioned_to: 'legal_worker', notes: 'Court date on 3 June', service: 'legal_assistance_service', service_record_id: SVC },
    });
  });

  test('an explicit recipient and service win over the entry’s', async () => {
    const seen = recordRequests();
    referServer();
    await testClient().services.refer(CASE, SVC, { transitioned_to: 'other_worker', service: 'other_service' });
    await settled(seen);
    expect(body(seen[1])).toEqual({ data: { transitioned_to: 'other_worker', service: 'other_service', service_record_id: SVC } });
  });

  test('a remote referral carries no transitioned_to', async () => {
    const seen = recordRequests();
    referServer();
    await testClient().services.refer(CASE, SVC, { remote: true, transitioned_to_agency: 'UNHCR' });
    await settled(seen);
    expect(body(seen[1])).toEqual({ data: { remote: true, transitioned_to_agency: 'UNHCR', service: 'legal_assistance_service', service_record_id: SVC } });
  });

  test('a remote referral without a recipient goes to the service\'s implementing agency, as the web app does (primero-api.md 6)', async () => {
    const seen = recordRequests();
    referServer();
    await testClient().services.refer(CASE, SVC, { remote: true });
    await settled(seen);
    const sent = (body(seen[1]) as { data: Record<string, unknown> }).data;
    expect(sent).toEqual({ remote: true, transitioned_to_agency: SERVICES[0]!.service_implementing_agency, service: 'legal_assistance_service', service_record_id: SVC });
  });

  test('a remote referral naming only transitioned_to_remote is not given an agency', async () => {
    const seen = recordRequests();
    referServer();
    await testClient().services.refer(CASE, SVC, { remote: true, transitioned_to_remote: 'Legal Aid Clinic' });
    await settled(seen);
    expect(body(seen[1])).toEqual({ data: { remote: true, transitioned_to_remote: 'Legal Aid Clinic', service: 'legal_assistance_service', service_record_id: SVC } });
  });

  test('a unique_id with no service on the case → RequestValidationError; only the read was sent', async () => {
    const seen = recordRequests();
    referServer();
    const error = await rejection(testClient().services.refer(CASE, REF));
    expect(error).toBeInstanceOf(RequestValidationError);
    expect((error as RequestValidationError).issues).toEqual([{ path: ['unique_id'], code: 'not_found' }]);
    expect(trail(seen)).toEqual([`GET /cases/${CASE}`]);
  });

  test('a service without an implementing user and no transitioned_to → RequestValidationError; no POST', async () => {
    const seen = recordRequests();
    referServer();
    const error = await rejection(testClient().services.refer(CASE, SVC2));
    expect(error).toBeInstanceOf(RequestValidationError);
    expect((error as RequestValidationError).issues.map((i) => i.path[0])).toEqual(['transitioned_to']);
    expect(trail(seen)).toEqual([`GET /cases/${CASE}`]);
  });

  test('a bad unique_id → RequestValidationError before anything is sent; the POST is never retried', async () => {
    const seen = recordRequests();
    referServer(() => errorFor(502, 'Bad Gateway'));
    const client = testClient();
    await expect(client.services.refer(CASE, 'S-1')).rejects.toBeInstanceOf(RequestValidationError);
    expect(await settled(seen)).toEqual([]);
    await expect(client.services.refer(CASE, SVC)).rejects.toBeInstanceOf(ServerError);
    expect(trail(seen)).toEqual([`GET /cases/${CASE}`, `POST /cases/${CASE}/referrals`]);
  });
});
