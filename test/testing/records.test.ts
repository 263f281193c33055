/**
 * The fake Primero's record routes (`/cases`, `/incidents`), behaviour by behaviour against
 * primero-api.md: through the SDK where it would send the input, and through raw requests where the SDK
 * would refuse to (wrong types, shapes and filters, to see the server's own answers).
 */
import { http, passthrough } from 'msw';
import { describe, expect, test } from 'vitest';
import { ConflictError, ForbiddenError, InvalidRecordError, NotFoundError, PrimeroClient, range } from '../../src/index.js';
import { createFakePrimero, DEMO_PASSWORD, type FakePrimeroWithHandlers, type FakeRecord } from '../../src/testing/index.js';
import { server } from '../support/server.js';

const NOW = '2025-06-01T12:00:00.123Z';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface Setup {
  fake: FakePrimeroWithHandlers;
  client: PrimeroClient;
  clock: { now: number };
  events: [string, string, string][];
}

function setup(cases = 30): Setup {
  const clock = { now: Date.parse(NOW) };
  const fake = createFakePrimero({ cases, seed: 7, now: () => clock.now });
  const events: [string, string, string][] = [];
  fake.onRecordChanged((event, type, record) => events.push([event, type, record.id]));
  const client = new PrimeroClient({ baseUrl: fake.baseUrl, auth: fake.credentials, fetch: fake.fetch, retry: { baseDelayMs: 1, maxDelayMs: 5 } });
  return { fake, client, clock, events };
}

interface Answer {
  status: number;
  /** The server's JSON, asserted field by field. */
  body: any;
  text: string;
}

/** A raw request as any HTTP client would send it, Basic auth as `user`. */
async function send(fake: FakePrimeroWithHandlers, method: string, path: string, body?: unknown, user = 'demo_caseworker'): Promise<Answer> {
  const headers = { authorization: `Basic ${Buffer.from(`${user}:${DEMO_PASSWORD}`).toString('base64')}`, 'content-type': 'application/json' };
  const response = await fake.handle(new Request(`${fake.baseUrl}/api/v2${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }));
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, text };
}

const cases = (fake: FakePrimeroWithHandlers) => [...fake.store.cases.values()];
const ids = (records: { id: string }[]) => records.map((r) => r.id);
const byCreated = (a: FakeRecord, b: FakeRecord) => String(a.created_at).localeCompare(String(b.created_at));
/** Ids of the stored cases that pass `keep`, newest first (the server's default order, 2.3). */
const expectedIds = (fake: FakePrimeroWithHandlers, keep: (c: FakeRecord) => boolean) => ids(cases(fake).filter(keep).sort(byCreated).reverse());
const list = async (fake: FakePrimeroWithHandlers, query: string) => (await send(fake, 'GET', `/cases?per=1000&${query}`)).body;

const textField = (name: string) => ({ name, type: 'text_field' as const, display_name: { en: name } });

function aCase(fake: FakePrimeroWithHandlers, keep: (c: FakeRecord) => boolean = () => true): FakeRecord {
  const found = cases(fake).find(keep);
  if (!found) throw new Error('no seeded case fits');
  return found;
}

describe('GET /cases: paging and sorting (primero-api.md 2.2, 2.3, 4.1)', () => {
  test('4.1: a bare list is page 1 of 20, newest first, with every case counted: open, closed and disabled (no implicit filter, 2.4)', async () => {
    const { fake } = setup();
    const newest = expectedIds(fake, () => true);
    const disabled = fake.store.cases.get(newest[1]!)!;
    disabled.record_state = false;
    const closed = fake.store.cases.get(newest[2]!)!;
    closed.status = 'closed';
    const { status, body } = await send(fake, 'GET', '/cases');
    expect(status).toBe(200);
    expect(body.metadata).toEqual({ total: 30, per: 20, page: 1 });
    expect(ids(body.data)).toEqual(expectedIds(fake, () => true).slice(0, 20));
    expect(body.data.slice(1, 3).map((r: { enabled: boolean; status: string }) => [r.enabled, r.status])).toEqual([[false, disabled.status], [true, 'closed']]);
  });

  test('2.2: per is capped at 1000; a page past the end is empty and keeps the total; page=0 is an empty total 0', async () => {
    const { fake } = setup();
    expect((await send(fake, 'GET', '/cases?per=5000')).body.metadata).toEqual({ total: 30, per: 1000, page: 1 });
    expect((await send(fake, 'GET', '/cases?per=10&page=4')).body).toEqual({ data: [], metadata: { total: 30, per: 10, page: 4 } });
    expect((await send(fake, 'GET', '/cases?per=10&page=3')).body.data).toHaveLength(10);
    expect((await send(fake, 'GET', '/cases?page=0')).body).toEqual({ data: [], metadata: { total: 0, per: 20, page: 0 } });
  });

  test('2.3: order_by a field, asc or desc; an unknown order is asc', async () => {
    const { fake } = setup();
    const ages = (body: { data: { age: number }[] }) => body.data.map((r) => r.age);
    const sorted = cases(fake).map((c) => c.age as number).sort((a, b) => a - b);
    expect(ages(await list(fake, 'order_by=age&order=asc'))).toEqual(sorted);
    expect(ages(await list(fake, 'order_by=age&order=desc'))).toEqual([...sorted].reverse());
    expect(ages(await list(fake, 'order_by=age&order=sideways'))).toEqual(sorted);
    expect(ids((await list(fake, 'order_by=created_at&order=asc')).data)).toEqual(expectedIds(fake, () => true).reverse());
  });

  test('2.3: a field without a value sorts last ascending and first descending (SQL NULL)', async () => {
    const { fake } = setup();
    const blank = aCase(fake);
    delete blank.risk_level;
    expect((await list(fake, 'order_by=risk_level&order=asc')).data.at(-1).id).toBe(blank.id);
    expect((await list(fake, 'order_by=risk_level&order=desc')).data[0].id).toBe(blank.id);
  });
});

describe('GET /cases: filters (primero-api.md 2.4)', () => {
  test('values, lists (any of), and values of several fields together', async () => {
    const { fake } = setup();
    const body = await list(fake, 'sex=female&status=open');
    expect(ids(body.data)).toEqual(expectedIds(fake, (c) => c.sex === 'female' && c.status === 'open'));
    expect(body.metadata.total).toBe(body.data.length);
    // An array field matches when one of its items does.
    const concerns = await list(fake, 'protection_concerns=separated,unaccompanied');
    const any = (c: FakeRecord) => (c.protection_concerns as string[]).some((p) => p === 'separated' || p === 'unaccompanied');
    expect(ids(concerns.data)).toEqual(expectedIds(fake, any));
    expect(concerns.data.length).toBeGreaterThan(3);
    // The SPA's bracket form is a list too; `status[]=` is dropped by `permit` (a scalar name), so it filters nothing.
    expect((await list(fake, 'status[0]=closed&status[1]=transferred')).metadata.total).toBe(cases(fake).filter((c) => c.status === 'closed').length);
    expect((await list(fake, 'status[]=closed')).metadata.total).toBe(30);
  });

  test('unknown filter names are silently ignored: a typo returns every case', async () => {
    const { fake } = setup();
    expect((await list(fake, 'sexx=female')).metadata.total).toBe(30);
    expect((await list(fake, 'sex=female')).metadata.total).toBeLessThan(30);
  });

  test('numeric ranges; an open numeric end matches nothing on an indexed field, hence the SDK sends 2147483647', async () => {
    const { fake } = setup();
    expect(ids((await list(fake, 'age=10..17')).data)).toEqual(expectedIds(fake, (c) => (c.age as number) >= 10 && (c.age as number) <= 17));
    expect((await list(fake, 'age=10..')).metadata.total).toBe(0);
    expect(ids((await list(fake, 'age=10..2147483647')).data)).toEqual(expectedIds(fake, (c) => (c.age as number) >= 10));
  });

  test('date ranges: dates inclusive; last_updated_at at one-second precision, created_at (indexed) at full precision (2.8)', async () => {
    const { fake } = setup();
    expect(ids((await list(fake, 'registration_date=2025-01-01..2025-01-01')).data)).toEqual(expectedIds(fake, (c) => c.registration_date === '2025-01-01'));
    const touched = aCase(fake);
    touched.last_updated_at = '2025-03-01T10:00:00.900Z';
    touched.created_at = '2025-03-01T10:00:00.900Z';
    expect(ids((await list(fake, 'last_updated_at=2025-03-01T10:00:00Z..2025-03-01T10:00:00Z')).data)).toEqual([touched.id]);
    expect((await list(fake, 'created_at=2025-03-01T10:00:00Z..2025-03-01T10:00:00Z')).metadata.total).toBe(0);
    // An open end, and an offset read as the same instant; the next second no longer matches.
    expect(ids((await list(fake, 'last_updated_at=2025-03-01T12:00:00%2B02:00..')).data)).toEqual([touched.id]);
    expect((await list(fake, 'last_updated_at=2025-03-01T10:00:01Z..')).metadata.total).toBe(0);
  });

  test('booleans: false also matches a record without the field', async () => {
    const { fake } = setup();
    const without = aCase(fake);
    delete without.consent_for_services;
    const refused = aCase(fake, (c) => c.id !== without.id);
    refused.consent_for_services = false;
    expect(ids((await list(fake, 'consent_for_services=false')).data).sort()).toEqual([without.id, refused.id].sort());
    expect((await list(fake, 'consent_for_services=true')).metadata.total).toBe(28);
  });

  test('record_state and status filter disabled and closed cases only when asked', async () => {
    const { fake } = setup();
    const disabled = aCase(fake);
    disabled.record_state = false;
    expect(ids((await list(fake, 'record_state=false')).data)).toEqual([disabled.id]);
    expect((await list(fake, 'record_state=true&status=open')).metadata.total).toBe(cases(fake).filter((c) => c.record_state && c.status === 'open').length);
  });

  test('not[field] excludes, and keeps records without the field', async () => {
    const { fake } = setup();
    const unknown = aCase(fake, (c) => c.sex === 'male');
    delete unknown.sex;
    expect(ids((await list(fake, 'not[sex]=male')).data)).toEqual(expectedIds(fake, (c) => c.sex !== 'male'));
  });

  test('or[field]=… matches any of several fields; of several not[field], only the first counts (SearchFilterService#build_filter)', async () => {
    const { fake } = setup();
    expect(ids((await list(fake, 'or[sex]=male&or[age]=0')).data)).toEqual(expectedIds(fake, (c) => c.sex === 'male' || c.age === 0));
    expect(ids((await list(fake, 'not[sex]=male&not[status]=closed')).data)).toEqual(expectedIds(fake, (c) => c.sex !== 'male'));
    // A list of ranges in the SPA's bracket form is an OR of ranges.
    expect(ids((await list(fake, 'age[0]=0..2&age[1]=16..17')).data)).toEqual(expectedIds(fake, (c) => (c.age as number) <= 2 || (c.age as number) >= 16));
  });

  test('loc:field matches the location and its descendants; a plain value is exact', async () => {
    const { fake } = setup();
    expect(ids((await list(fake, 'loc:location_current=KH01')).data)).toEqual(expectedIds(fake, (c) => String(c.location_current).startsWith('KH01')));
    expect((await list(fake, 'loc:location_current=kh01')).metadata.total).toBe(cases(fake).filter((c) => String(c.location_current).startsWith('KH01')).length);
    expect((await list(fake, 'loc:location_current=KH')).metadata.total).toBe(30);
    expect((await list(fake, 'location_current=KH01')).metadata.total).toBe(0);
  });

  test('id=a,b selects records by id; identifier fields (case_id, short_id) match exactly as sent (2.5)', async () => {
    const { fake } = setup();
    const [a, b] = cases(fake) as [FakeRecord, FakeRecord];
    expect(ids((await list(fake, `id=${a.id},${b.id}`)).data).sort()).toEqual([a.id, b.id].sort());
    expect(ids((await list(fake, `case_id=${a.case_id}`)).data)).toEqual([a.id]);
    expect(ids((await list(fake, `short_id=${a.short_id}`)).data)).toEqual([a.id]);
    expect((await list(fake, `short_id=${String(a.short_id).slice(1)}`)).metadata.total).toBe(0);
  });

  test('a value the SQL cannot compare is an error the server swallows: an empty list, even under not[] (2.2)', async () => {
    const { fake } = setup();
    expect(await list(fake, 'age=ten')).toEqual({ data: [], metadata: { total: 0, per: 1000, page: 1 } });
    expect((await list(fake, 'not[age]=ten')).metadata.total).toBe(0);
    expect((await list(fake, 'id=not-a-uuid')).metadata.total).toBe(0);
    // An empty value compares with NULL: nothing.
    expect((await list(fake, 'status=')).metadata.total).toBe(0);
  });
});

describe('GET /cases: query, id_search, fields, scope (primero-api.md 2.4, 2.5)', () => {
  test('query searches the identifier fields, case-insensitively, by substring', async () => {
    const { fake } = setup();
    const target = aCase(fake, (c) => /[a-f]/.test(String(c.short_id)));
    const part = String(target.short_id).slice(1, 6).toUpperCase();
    const body = await list(fake, `query=${part}`);
    expect(ids(body.data)).toContain(target.id);
    expect(ids(body.data)).toEqual(expectedIds(fake, (c) => ['unique_identifier', 'short_id', 'case_id_display', 'case_id'].some((f) => String(c[f]).toUpperCase().includes(part))));
    expect((await list(fake, 'query=no-such-identifier')).metadata.total).toBe(0);
  });

  test('fields=short, fields=a,b and id_search always come with id, enabled and last_updated_at', async () => {
    const { fake } = setup();
    const target = aCase(fake);
    const { body } = await send(fake, 'GET', `/cases?fields=age,sex,nonexistent&id=${target.id}`);
    expect(body.data).toEqual([{ id: target.id, enabled: true, age: target.age, sex: target.sex, last_updated_at: target.last_updated_at }]);
    const short = (await send(fake, 'GET', `/cases?fields=short&id=${target.id}`)).body.data[0];
    expect(Object.keys(short).sort()).toEqual(
      ['id', 'enabled', 'short_id', 'case_id_display', 'module_id', 'status', 'workflow', 'sex', 'age', 'location_current', 'registration_date', 'owned_by', 'owned_by_agency_id', 'created_at', 'record_in_scope', 'flag_count', 'alert_count', 'last_updated_at'].sort(),
    );
    // A record search is forced to the short set, and id_search permits `name` (PermittedFieldService::ID_SEARCH_FIELDS).
    const search = (await send(fake, 'GET', `/cases?id_search=true&query=${target.short_id}&fields=age`)).body.data[0];
    expect(Object.keys(search).sort()).toEqual([...Object.keys(short), 'name'].sort());
    expect(search.name).toBeNull();
  });

  test("1.2a: a 'self' scope sees only the cases it owns or is assigned; another case is 403", async () => {
    const { fake } = setup();
    const worker = fake.store.users.find((u) => u.user_name === 'unhcr_focal')!;
    worker.group_permission = 'self';
    const own = aCase(fake);
    own.owned_by = 'unhcr_focal';
    const visible = (c: FakeRecord) => c.owned_by === 'unhcr_focal' || (c.assigned_user_names as string[]).includes('unhcr_focal');
    const { body } = await send(fake, 'GET', '/cases?per=100', undefined, 'unhcr_focal');
    expect(ids(body.data)).toEqual(expectedIds(fake, visible));
    expect(body.data.length).toBeGreaterThanOrEqual(2);
    const other = aCase(fake, (c) => !visible(c));
    const denied = await send(fake, 'GET', `/cases/${other.id}`, undefined, 'unhcr_focal');
    expect(denied).toMatchObject({ status: 403, body: { errors: [{ status: 403, resource: `/api/v2/cases/${other.id}`, message: 'Forbidden' }] } });
    expect((await send(fake, 'PATCH', `/cases/${other.id}`, { data: { age: 1 } }, 'unhcr_focal')).status).toBe(403);
  });
});

describe('GET /cases/:id (primero-api.md 4.2)', () => {
  test('the whole record, with enabled, the computed fields and last_updated_at; fields selects', async () => {
    const { fake, client } = setup();
    const target = aCase(fake, (c) => (c.services_section as unknown[]).length > 0);
    const { body } = await send(fake, 'GET', `/cases/${target.id}`);
    const { id, ...data } = target;
    expect(body.data).toEqual({ id, enabled: true, ...data, record_in_scope: true, flag_count: 0, alert_count: 0 });
    expect(await client.cases.get(target.id, { fields: ['age'] })).toEqual({ id, enabled: true, age: target.age, last_updated_at: target.last_updated_at });
  });

  test('404 in the errors envelope with ActiveRecord\'s detail; an uppercase uuid is the same id', async () => {
    const { fake, client } = setup();
    expect(await send(fake, 'GET', '/cases/thisdoesntexist')).toMatchObject({
      status: 404,
      body: { errors: [{ status: 404, resource: '/api/v2/cases/thisdoesntexist', detail: "Couldn't find Child with 'id'=thisdoesntexist", message: 'Not Found' }] },
    });
    const target = aCase(fake);
    expect((await send(fake, 'GET', `/cases/${target.id.toUpperCase()}`)).body.data.id).toBe(target.id);
    await expect(client.cases.get('6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('POST /cases (primero-api.md 4.3, 2.7)', () => {
  test('without data.id: 200 with the record; the server sets state, status, workflow, registration date, identifiers, ownership', async () => {
    const { fake, events } = setup();
    const { status, body } = await send(fake, 'POST', '/cases', { data: { module_id: 'primeromodule-cp', name_first: 'Amina', age: 12, sex: 'female' } });
    expect(status).toBe(200);
    const stored = fake.store.cases.get(body.data.id)!;
    const uid = stored.unique_identifier as string;
    expect(body.data.id).toMatch(UUID);
    expect(uid).toMatch(UUID);
    expect(uid).not.toBe(body.data.id);
    expect(body.data).toEqual({
      id: stored.id,
      enabled: true,
      module_id: 'primeromodule-cp',
      name_first: 'Amina',
      age: 12,
      sex: 'female',
      record_state: true,
      status: 'open',
      registration_date: '2025-06-01',
      notes_section: [],
      workflow: 'new',
      unique_identifier: uid,
      short_id: uid.slice(-7),
      case_id: uid,
      case_id_display: uid.slice(-7),
      created_by: 'demo_caseworker',
      created_by_full_name: 'Demo Caseworker',
      created_organization: 'agency-unicef',
      owned_by: 'demo_caseworker',
      owned_by_full_name: 'Demo Caseworker',
      owned_by_agency_id: 'agency-unicef',
      owned_by_location: 'KH01',
      associated_user_names: ['demo_caseworker'],
      created_at: NOW,
      last_updated_at: NOW,
    });
    expect(events).toEqual([['create', 'case', stored.id]]);
  });

  test('with data.id: 204 and no body; the same id again is 409 "Conflict: A record with this id already exists"', async () => {
    const { fake } = setup();
    const id = '0b6e5d4c-3a2b-4c1d-9e8f-7a6b5c4d3e2f';
    const created = await send(fake, 'POST', '/cases', { data: { id, module_id: 'primeromodule-cp', age: 3 } });
    expect(created).toEqual({ status: 204, body: undefined, text: '' });
    expect(fake.store.cases.get(id)?.age).toBe(3);
    const again = await send(fake, 'POST', '/cases', { data: { id, module_id: 'primeromodule-cp', age: 4 } });
    expect(again).toMatchObject({ status: 409, body: { errors: [{ status: 409, resource: '/api/v2/cases', message: 'Conflict: A record with this id already exists' }] } });
    expect(again.body.errors[0]).not.toHaveProperty('detail');
    expect(fake.store.cases.get(id)?.age).toBe(3);
  });

  test('a case_id given on create (a form field) is kept; its unique index makes a second one 409', async () => {
    const { fake } = setup();
    fake.store.forms[0]!.fields.push(textField('case_id'));
    const first = await send(fake, 'POST', '/cases', { data: { module_id: 'primeromodule-cp', case_id: 'CP-2025-0001' } });
    const stored = fake.store.cases.get(first.body.data.id)!;
    expect(stored).toMatchObject({ case_id: 'CP-2025-0001', case_id_display: String(stored.unique_identifier).slice(-7) });
    expect((await send(fake, 'POST', '/cases', { data: { module_id: 'primeromodule-cp', case_id: 'CP-2025-0001' } })).status).toBe(409);
    expect(fake.store.cases.size).toBe(31);
  });

  test('an id that is not a lowercase uuid is 422 Invalid Record JSON pointing at /id', async () => {
    const { fake } = setup();
    const answer = await send(fake, 'POST', '/cases', { data: { id: '0B6E5D4C-3A2B-4C1D-9E8F-7A6B5C4D3E2F', module_id: 'primeromodule-cp' } });
    expect(answer).toEqual({ status: 422, text: answer.text, body: { errors: [{ status: 422, resource: '/api/v2/cases', detail: ['/id'], message: 'Invalid Record JSON' }] } });
    expect(fake.store.cases.size).toBe(30);
  });

  test('form fields are writable only through the module: without module_id they are dropped (PermittedFormFieldsService)', async () => {
    const { fake } = setup();
    const { body } = await send(fake, 'POST', '/cases', { data: { name_first: 'Dara', age: 9, status: 'open' } });
    const stored = fake.store.cases.get(body.data.id)!;
    expect(stored).not.toHaveProperty('name_first');
    expect(stored).not.toHaveProperty('age');
    expect(stored.status).toBe('open');
  });

  test('a create without data makes a case of defaults: the records controller does not require it (deviation from the docs, 2.1)', async () => {
    const { fake } = setup();
    const { status, body } = await send(fake, 'POST', '/cases');
    expect(status).toBe(200);
    expect(fake.store.cases.get(body.data.id)).toMatchObject({ record_state: true, status: 'open', workflow: 'new' });
  });

  test('SDK: create with a client-generated id reads the record back after the 204; a given existing id is a ConflictError', async () => {
    const { fake, client } = setup();
    const record = await client.cases.create({ module_id: 'primeromodule-cp', name_first: 'Sokha', age: 7 });
    expect(fake.store.cases.get(record.id)).toMatchObject({ name_first: 'Sokha', age: 7 });
    expect(fake.requests.filter((r) => r.path.startsWith('/cases')).map((r) => r.method)).toEqual(['POST', 'GET']);
    await expect(client.cases.create({ id: record.id, module_id: 'primeromodule-cp' })).rejects.toBeInstanceOf(ConflictError);
  });
});

describe('write validation (primero-api.md 2.6, 3.3)', () => {
  test('wrong types, enums and patterns are 422 with the JSON pointers, in form order', async () => {
    const { fake } = setup();
    const target = aCase(fake);
    const before = structuredClone(target);
    const answer = await send(fake, 'PATCH', `/cases/${target.id}`, {
      data: {
        consent_for_services: null, // tick boxes take true or false only
        protection_concerns: ['separated', 3], // multi-select: strings of the lookup
        registration_date: '2024-05-01T10:00:00Z', // a time where a date is expected
        date_of_birth: '2010-13-01', // not a date
        age: 12.5, // decimals are rejected
        sex: 'other', // not in lookup-gender
        name_first: '2020-01-01', // parsed into a Date before validation: no longer a string
        name_last: 'Keo',
      },
    });
    expect(answer.status).toBe(422);
    expect(answer.body).toEqual({
      errors: [
        {
          status: 422,
          resource: `/api/v2/cases/${target.id}`,
          detail: ['/name_first', '/sex', '/age', '/date_of_birth', '/registration_date', '/protection_concerns/1', '/consent_for_services'],
          message: 'Invalid Record JSON',
        },
      ],
    });
    expect(target).toEqual(before);
  });

  test('subform entries: their fields, a lowercase uuid unique_id, a boolean _destroy; a datetime needs a time', async () => {
    const { fake } = setup();
    const target = aCase(fake);
    const answer = await send(fake, 'PATCH', `/cases/${target.id}`, {
      data: { services_section: [{ service_type: 'legal_assistance_service' }, { service_type: 'nope', service_response_day_time: '2024-05-01', unique_id: 'ABC', _destroy: 'yes' }] },
    });
    expect(answer.body.errors[0].detail).toEqual([
      '/services_section/1/service_type',
      '/services_section/1/service_response_day_time',
      '/services_section/1/_destroy',
      '/services_section/1/unique_id',
    ]);
  });

  test('numbers beyond int32 and unknown modules are rejected; a core field keeps its type (record_state)', async () => {
    const { fake } = setup();
    const target = aCase(fake);
    const detail = async (data: object) => (await send(fake, 'PATCH', `/cases/${target.id}`, { data })).body.errors?.[0].detail;
    expect(await detail({ age: 2_147_483_648 })).toEqual(['/age']);
    expect(await detail({ age: -2_147_483_648 })).toBeUndefined();
    expect(await detail({ module_id: 'primeromodule-gbv' })).toEqual(['/module_id']);
    expect(await detail({ record_state: 'false' })).toEqual(['/record_state']);
    expect(await detail({ status: 'archived' })).toEqual(['/status']);
  });

  test('unknown keys and values of the wrong shape are dropped silently, not rejected (strong parameters)', async () => {
    const { fake } = setup();
    const target = aCase(fake);
    const before = structuredClone(target);
    const answer = await send(fake, 'PATCH', `/cases/${target.id}`, {
      data: { unauthorized_field: '0001', age: [1], protection_concerns: 'separated', services_section: 'x', sex: { a: 1 } },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toEqual({ id: target.id, enabled: true, last_updated_at: NOW });
    expect(target).toEqual({ ...before, last_updated_at: NOW, last_updated_by: 'demo_caseworker' });
  });

  test('datetimes are stored in UTC with milliseconds, as Rails renders a Time', async () => {
    const { fake } = setup();
    const target = aCase(fake, (c) => (c.services_section as unknown[]).length === 0);
    await send(fake, 'PATCH', `/cases/${target.id}`, { data: { services_section: [{ service_type: 'food_service', service_response_day_time: '2024-05-01T12:00:00+02:00' }] } });
    expect((target.services_section as Record<string, unknown>[])[0]?.service_response_day_time).toBe('2024-05-01T10:00:00.000Z');
  });

  test('SDK: a value the SDK lets through but the server refuses is an InvalidRecordError with the pointers', async () => {
    const { fake, client } = setup();
    const error = await client.cases.update(aCase(fake).id, { sex: 'other', risk_level: 'extreme' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRecordError);
    expect((error as InvalidRecordError).pointers).toEqual(['/sex', '/risk_level']);
  });
});

describe('PATCH /cases/:id (primero-api.md 4.4, 2.9, 7.4)', () => {
  test('answers id, enabled, last_updated_at and only the fields that changed; last_updated_at moves on every save', async () => {
    const { fake, clock, events } = setup();
    const target = aCase(fake, (c) => c.risk_level !== 'high');
    const answer = await send(fake, 'PATCH', `/cases/${target.id}`, { data: { risk_level: 'high', age: target.age } });
    expect(answer.body).toEqual({ data: { id: target.id, enabled: true, risk_level: 'high', last_updated_at: NOW } });
    expect(target).toMatchObject({ risk_level: 'high', last_updated_at: NOW, last_updated_by: 'demo_caseworker' });
    clock.now += 60_000;
    const again = await send(fake, 'PATCH', `/cases/${target.id}`, { data: { risk_level: 'high' } });
    expect(again.body.data).toEqual({ id: target.id, enabled: true, last_updated_at: '2025-06-01T12:01:00.123Z' });
    expect(events).toEqual([['update', 'case', target.id], ['update', 'case', target.id]]);
  });

  test('id and the other never-updatable fields are ignored, even when they are form fields (spec "does not update the id")', async () => {
    const { fake } = setup();
    fake.store.forms[0]!.fields.push(textField('case_id'), textField('short_id'), textField('case_id_display'));
    const target = aCase(fake);
    const before = structuredClone(target);
    const other = '47e3e51c-7049-4aff-bd3e-ded1b1c5477f';
    const answer = await send(fake, 'PATCH', `/cases/${target.id}`, {
      data: { id: other, short_id: 'x', case_id: 'y', case_id_display: 'z', unique_identifier: other, created_at: '2020-01-01T00:00:00Z', created_by: 'someone' },
    });
    expect(answer.body.data).toEqual({ id: target.id, enabled: true, last_updated_at: NOW });
    expect(target).toEqual({ ...before, last_updated_at: NOW, last_updated_by: 'demo_caseworker' });
    expect(fake.store.cases.has(other)).toBe(false);
  });

  test('deep merge: scalars and scalar arrays replaced, null replaces a scalar, subforms merged by unique_id', async () => {
    const { fake } = setup();
    const target = aCase(fake, (c) => (c.services_section as unknown[]).length === 2);
    const [first, second] = structuredClone(target.services_section) as [Record<string, unknown>, Record<string, unknown>];
    const added = 'd4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f70';
    const answer = await send(fake, 'PATCH', `/cases/${target.id}`, {
      data: {
        protection_concerns: ['caafag'],
        age: null,
        services_section: [
          { unique_id: first.unique_id, service_provider: 'Clinic A' },
          { unique_id: added, service_type: 'food_service' },
          { service_type: 'education_service' },
        ],
      },
    });
    const services = target.services_section as Record<string, unknown>[];
    expect(services).toHaveLength(4);
    expect(services[0]).toEqual({ ...first, service_provider: 'Clinic A' });
    expect(services[1]).toEqual(second);
    expect(services[2]).toEqual({ unique_id: added, service_type: 'food_service', service_implemented: 'not_implemented' });
    expect(services[3]).toMatchObject({ service_type: 'education_service', service_implemented: 'not_implemented' });
    expect(services[3]?.unique_id).toMatch(UUID);
    expect(target.protection_concerns).toEqual(['caafag']);
    expect(target.age).toBeNull();
    // The whole changed subform is answered, not only the entries sent.
    expect(answer.body.data.services_section).toEqual(services);
    expect(Object.keys(answer.body.data).sort()).toEqual(['age', 'enabled', 'id', 'last_updated_at', 'protection_concerns', 'services_section']);
  });

  test('_destroy: true removes an entry; [] keeps the entries; null for a subform or a multi-select is dropped by strong parameters', async () => {
    const { fake } = setup();
    const target = aCase(fake, (c) => (c.services_section as unknown[]).length === 2);
    const [first, second] = structuredClone(target.services_section) as [Record<string, unknown>, Record<string, unknown>];
    await send(fake, 'PATCH', `/cases/${target.id}`, { data: { services_section: [{ unique_id: first.unique_id, _destroy: true }] } });
    expect(target.services_section).toEqual([second]);
    await send(fake, 'PATCH', `/cases/${target.id}`, { data: { services_section: [] } });
    expect(target.services_section).toEqual([second]);
    const concerns = structuredClone(target.protection_concerns);
    await send(fake, 'PATCH', `/cases/${target.id}`, { data: { services_section: null, protection_concerns: null } });
    expect(target.services_section).toEqual([second]);
    expect(target.protection_concerns).toEqual(concerns);
  });

  test('record_action enable_disable_record answers only its own fields; an unknown action is 403', async () => {
    const { fake } = setup();
    const target = aCase(fake);
    const answer = await send(fake, 'PATCH', `/cases/${target.id}`, { data: { record_state: false, risk_level: 'high' }, record_action: 'enable_disable_record' });
    expect(answer.body).toEqual({ data: { id: target.id, enabled: false, record_state: false, last_updated_at: NOW } });
    expect(target).toMatchObject({ record_state: false, risk_level: 'high' });
    const forbidden = await send(fake, 'PATCH', `/cases/${target.id}`, { data: { record_state: true }, record_action: 'enable' });
    expect(forbidden).toMatchObject({ status: 403, body: { errors: [{ status: 403, message: 'Forbidden' }] } });
    expect((await send(fake, 'PATCH', `/cases/${target.id}`, { data: { record_state: true }, record_action: 'constructor' })).status).toBe(403);
    expect(target.record_state).toBe(false);
  });

  test('closing sets workflow closed; a new pending service sets the workflow to its response type', async () => {
    const { fake } = setup();
    const target = aCase(fake, (c) => c.status === 'open');
    await send(fake, 'PATCH', `/cases/${target.id}`, { data: { services_section: [{ service_type: 'food_service', service_response_type: 'care_plan', service_response_day_time: '2030-01-01T00:00:00Z' }] } });
    expect(target.workflow).toBe('care_plan');
    const closed = await send(fake, 'PATCH', `/cases/${target.id}`, { data: { status: 'closed', date_closure: '2025-06-01' }, record_action: 'close' });
    expect(closed.body.data).toEqual({ id: target.id, enabled: true, status: 'closed', date_closure: '2025-06-01', last_updated_at: NOW });
    expect(target.workflow).toBe('closed');
  });

  test('7.4: mark_synced keys are stripped, set sync_status and synced_at, and still count as an update', async () => {
    const { fake, client, clock, events } = setup();
    const target = aCase(fake);
    const answer = await send(fake, 'PATCH', `/cases/${target.id}`, { data: { mark_synced: true, mark_synced_url: 'https://partner.example/hook', mark_synced_status: 'synced' } });
    expect(answer.body).toEqual({ data: { id: target.id, enabled: true, last_updated_at: NOW } });
    expect(target).toMatchObject({ sync_status: 'synced', synced_at: NOW });
    expect(target).not.toHaveProperty('mark_synced');
    expect(target).not.toHaveProperty('mark_synced_url');
    clock.now += 1000;
    await client.cases.markSynced(target.id, { status: 'failed', url: 'https://partner.example/hook' });
    expect(target).toMatchObject({ sync_status: 'failed', synced_at: NOW });
    expect((await client.cases.get(target.id, { fields: ['sync_status', 'synced_at'] })).sync_status).toBe('failed');
    expect(events.map(([event]) => event)).toEqual(['update', 'update']);
  });

  test('a user without sync_external cannot acknowledge: the keys are unpermitted and dropped', async () => {
    const { fake } = setup();
    const target = aCase(fake);
    await send(fake, 'PATCH', `/cases/${target.id}`, { data: { mark_synced: true, mark_synced_url: 'https://x.example', mark_synced_status: 'synced' } }, 'cp_worker');
    expect(target).not.toHaveProperty('sync_status');
    expect(target).not.toHaveProperty('mark_synced');
  });

  test('404 for an unknown case', async () => {
    const { fake } = setup();
    expect((await send(fake, 'PATCH', '/cases/6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5', { data: { age: 1 } })).body.errors[0]).toEqual({
      status: 404,
      resource: '/api/v2/cases/6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5',
      detail: "Couldn't find Child with 'id'=6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5",
      message: 'Not Found',
    });
  });
});

describe('DELETE /cases/:id (primero-api.md 4.5)', () => {
  test('disables: record_state false, answers {data: {id}}, forwarded as an update; enable restores it', async () => {
    const { fake, client, events } = setup();
    const target = aCase(fake);
    expect(await send(fake, 'DELETE', `/cases/${target.id}`)).toMatchObject({ status: 200, body: { data: { id: target.id } } });
    expect(target).toMatchObject({ record_state: false, last_updated_at: NOW });
    expect((await client.cases.get(target.id)).enabled).toBe(false);
    expect(await client.cases.enable(target.id)).toEqual({ id: target.id, enabled: true, record_state: true, last_updated_at: NOW });
    expect(events.map(([event]) => event)).toEqual(['update', 'update']);
  });
});

describe('case incidents and sync (primero-api.md 4.6, 7.2, 8)', () => {
  test('incidents: ids as in 2.7 (incident_id, incident_code), linked with incident_case_id, listed under the case without paging', async () => {
    const { fake, client } = setup();
    const target = aCase(fake);
    const created = await send(fake, 'POST', '/incidents', { data: { module_id: 'primeromodule-cp', incident_case_id: target.id, status: 'open' } });
    expect(created.status).toBe(200);
    const incident = fake.store.incidents.get(created.body.data.id)!;
    expect(incident).toMatchObject({
      incident_id: incident.unique_identifier,
      incident_code: String(incident.unique_identifier).slice(-7),
      short_id: String(incident.unique_identifier).slice(-7),
      incident_case_id: target.id,
      date_of_first_report: '2025-06-01',
      record_state: true,
    });
    await send(fake, 'POST', '/incidents', { data: { module_id: 'primeromodule-cp' } });
    const listed = await send(fake, 'GET', `/cases/${target.id}/incidents?fields=incident_code`);
    expect(listed.body).toEqual({ data: [{ id: incident.id, enabled: true, incident_code: incident.incident_code, last_updated_at: NOW }] });
    expect((await client.cases.incidents(target.id)).map((i) => i.case_id_display)).toEqual([target.case_id_display]);
    expect((await client.incidents.list({ filters: { incident_case_id: target.id } }).collect({ max: 10 })).map((i) => i.id)).toEqual([incident.id]);
    expect((await send(fake, 'GET', '/incidents')).body.metadata.total).toBe(2);
  });

  test('POST /cases/:id/incidents links existing incidents: 204, no body; an unknown incident is 404', async () => {
    const { fake } = setup();
    const target = aCase(fake);
    const { body } = await send(fake, 'POST', '/incidents', { data: { module_id: 'primeromodule-cp' } });
    expect(await send(fake, 'POST', `/cases/${target.id}/incidents`, { data: { incident_ids: [body.data.id] } })).toEqual({ status: 204, body: undefined, text: '' });
    expect(fake.store.incidents.get(body.data.id)?.incident_case_id).toBe(target.id);
    expect((await send(fake, 'POST', `/cases/${target.id}/incidents`, { data: { incident_ids: ['6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5'] } })).status).toBe(404);
  });

  test('incidents update and disable like cases; an incident 404 names the Incident model; there is no incident sync route', async () => {
    const { fake, client } = setup();
    const incident = await client.incidents.create({ module_id: 'primeromodule-cp' });
    expect(await client.incidents.update(incident.id, { status: 'closed' })).toEqual({ id: incident.id, enabled: true, status: 'closed', last_updated_at: NOW });
    expect(await client.incidents.disable(incident.id)).toEqual({ id: incident.id });
    expect(fake.store.incidents.get(incident.id)?.record_state).toBe(false);
    expect((await send(fake, 'GET', '/incidents/nope')).body.errors[0].detail).toBe("Couldn't find Incident with 'id'=nope");
    expect((await send(fake, 'POST', `/incidents/${incident.id}/sync`)).status).toBe(404);
  });

  test('7.2: POST /cases/:id/sync answers the sync status "sending" and forwards a post; without sync_external 403', async () => {
    const { fake, client, events } = setup();
    const target = aCase(fake);
    expect(await client.cases.sync(target.id)).toEqual({ record_id: target.id, record_type: 'case', synced_at: null, sync_status: 'sending' });
    expect(events).toEqual([['post', 'case', target.id]]);
    await client.cases.markSynced(target.id, { status: 'synced', url: 'https://partner.example/hook' });
    expect((await send(fake, 'POST', `/cases/${target.id}/sync`)).body.data).toEqual({ record_id: target.id, record_type: 'case', synced_at: NOW, sync_status: 'sending' });
    expect((await send(fake, 'POST', `/cases/${target.id}/sync`, undefined, 'cp_worker')).status).toBe(403);
    await expect(client.cases.sync('6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('the SDK against the fake', () => {
  test('cases.list with checkFilters returns exactly the matching seeded cases, in creation order', async () => {
    const { fake, client } = setup(80);
    const found = await client.cases.list({ filters: { age: range(10, 17), sex: 'female', status: ['open'] }, checkFilters: true }).collect({ max: 100 });
    const expected = cases(fake).filter((c) => (c.age as number) >= 10 && (c.age as number) <= 17 && c.sex === 'female' && c.status === 'open').sort(byCreated);
    expect(expected.length).toBeGreaterThan(3);
    expect(ids(found)).toEqual(ids(expected));
    const sent = fake.requests.find((r) => r.path === '/cases')!;
    expect(Object.fromEntries(sent.query)).toMatchObject({ age: '10..17', sex: 'female', status: 'open', order_by: 'created_at', order: 'asc' });
  });

  test('cases.upsert: created when nothing matches, then updated', async () => {
    const { fake, client } = setup();
    // The identifier must be a field of the module's forms to be writable (2.6); the seed has none.
    fake.store.forms[0]!.fields.push({ name: 'national_id_no', type: 'text_field', display_name: { en: 'National ID' } });
    const first = await client.cases.upsert({ match: { national_id_no: 'NID-0042' }, data: { module_id: 'primeromodule-cp', name_first: 'Dara', age: 9 } });
    expect(first.action).toBe('created');
    expect(fake.store.cases.get(first.record.id)).toMatchObject({ national_id_no: 'NID-0042', name_first: 'Dara', age: 9 });
    const second = await client.cases.upsert({ match: { national_id_no: 'NID-0042' }, data: { module_id: 'primeromodule-cp', age: 10 } });
    expect(second).toMatchObject({ action: 'updated', record: { id: first.record.id, age: 10, name_first: 'Dara' } });
    expect(fake.store.cases.size).toBe(31);
    expect(fake.store.cases.get(first.record.id)?.age).toBe(10);
  });

  test('services.add, update and remove merge into services_section by unique_id', async () => {
    const { fake, client } = setup();
    const target = aCase(fake, (c) => (c.services_section as unknown[]).length === 1);
    const [existing] = structuredClone(target.services_section) as [Record<string, unknown>];
    const added = await client.services.add(target.id, { service_type: 'legal_assistance_service', service_implementing_agency: 'agency-unhcr' });
    expect(added.unique_id).toMatch(UUID);
    expect(target.services_section).toEqual([
      existing,
      { unique_id: added.unique_id, service_type: 'legal_assistance_service', service_implementing_agency: 'agency-unhcr', service_implemented: 'not_implemented' },
    ]);
    await client.services.update(target.id, added.unique_id, { service_appointment_date: '2025-07-01' });
    await client.services.markImplemented(target.id, added.unique_id, new Date('2025-07-02T09:30:00Z'));
    expect((target.services_section as Record<string, unknown>[])[1]).toEqual({
      unique_id: added.unique_id,
      service_type: 'legal_assistance_service',
      service_implementing_agency: 'agency-unhcr',
      service_appointment_date: '2025-07-01',
      service_implemented_day_time: '2025-07-02T09:30:00.000Z',
      service_implemented: 'implemented',
    });
    await client.services.remove(target.id, existing.unique_id as string);
    expect((target.services_section as Record<string, unknown>[]).map((s) => s.unique_id)).toEqual([added.unique_id]);
    expect(await client.services.list(target.id)).toEqual(target.services_section);
  });

  test('a case out of scope is a ForbiddenError through the SDK', async () => {
    const { fake } = setup();
    fake.store.users.find((u) => u.user_name === 'cp_worker')!.group_permission = 'self';
    const client = new PrimeroClient({ baseUrl: fake.baseUrl, auth: { username: 'cp_worker', password: DEMO_PASSWORD }, fetch: fake.fetch });
    const other = aCase(fake, (c) => c.owned_by !== 'cp_worker' && !(c.assigned_user_names as string[]).includes('cp_worker'));
    await expect(client.cases.get(other.id)).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe('end to end over real HTTP', () => {
  async function overHttp<T>(fake: FakePrimeroWithHandlers, run: (client: PrimeroClient) => Promise<T>): Promise<T> {
    const { url, close } = await fake.listen();
    // The shared msw server fails unhandled requests: let the loopback ones through to the real server.
    server.use(http.all(`${url}/*`, () => passthrough()));
    try {
      return await run(new PrimeroClient({ baseUrl: url, auth: fake.credentials }));
    } finally {
      await close();
    }
  }

  test('2.2: 250 seeded cases, 100 a page, through the SDK iterator: every case once, oldest first, in 3 requests', async () => {
    const fake = createFakePrimero({ cases: 250, seed: 3 });
    const found = await overHttp(fake, (client) => client.cases.list({ per: 100 }).collect({ max: 1000 }));
    expect(ids(found)).toEqual(ids(cases(fake).sort(byCreated)));
    const pages = fake.requests.filter((r) => r.path === '/cases').map((r) => [r.query.get('page'), r.query.get('per')]);
    expect(pages).toEqual([['1', '100'], ['2', '100'], ['3', '100']]);
  });

  test('4.3-4.5: create with a client id (204, read back), update, disable', async () => {
    const clock = { now: Date.parse(NOW) };
    const fake = createFakePrimero({ cases: 5, seed: 3, now: () => clock.now });
    await overHttp(fake, async (client) => {
      const created = await client.cases.create({ module_id: 'primeromodule-cp', name_first: 'Leila', age: 11, sex: 'female' });
      expect(created).toMatchObject({ enabled: true, name_first: 'Leila', age: 11, status: 'open', workflow: 'new', owned_by: 'demo_caseworker' });
      expect(fake.requests.filter((r) => r.path.startsWith('/cases')).map((r) => r.method)).toEqual(['POST', 'GET']);
      clock.now += 5_000;
      expect(await client.cases.update(created.id, { age: 12 })).toEqual({ id: created.id, enabled: true, age: 12, last_updated_at: '2025-06-01T12:00:05.123Z' });
      expect(await client.cases.disable(created.id)).toEqual({ id: created.id });
      expect(await client.cases.get(created.id, { fields: ['age', 'record_state'] })).toEqual({ id: created.id, enabled: false, age: 12, record_state: false, last_updated_at: '2025-06-01T12:00:05.123Z' });
    });
    expect(fake.store.cases.size).toBe(6);
  });
});
