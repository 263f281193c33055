/**
 * `client.cases` against a fake Primero (primero-api.md sections 2 and 4): the exact requests (method, path,
 * query, `{data}` envelope, top-level `record_action`), the parsed results, and each documented error.
 */
import { http, HttpResponse } from 'msw';
import { describe, expect, test } from 'vitest';
import {
  AmbiguousMatchError,
  ConflictError,
  ConnectionError,
  ForbiddenError,
  InvalidRecordError,
  NotFoundError,
  RequestValidationError,
  ResponseValidationError,
  ServerError,
  not,
  range,
  within,
  type CaseInput,
} from '../../src/index.js';
import { rejection } from '../support/async.js';
import { apiError, body, page, query, settled, trail } from '../support/requests.js';
import { API, recordRequests, server, testClient } from '../support/server.js';

const ID = '3f0c9a52-7b1d-4c8e-9a4b-2d6e8f1a0b3c';
const ID2 = '7a1e2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b';
const ID3 = '9b8c7d6e-5f40-4a3b-9c2d-1e0f9a8b7c6d';
const SERVICE_ID = 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f';
const LOWER_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DEFAULT_LIST = { order_by: 'created_at', order: 'asc', page: '1', per: '100' };

function record(id = ID, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, enabled: true, last_updated_at: '2024-05-01T10:00:00.000Z', ...fields };
}

/** A `GET /cases` that answers `rows` (filtered by nothing: it is the test that decides what matches). */
function listCases(rows: unknown[]): void {
  server.use(http.get(`${API}/cases`, () => HttpResponse.json(page(rows))));
}

const FORMS = [
  {
    id: 1,
    unique_id: 'basic_identity',
    name: { en: 'Basic identity' },
    parent_form: 'case',
    fields: [
      { name: 'name_first', type: 'text_field' },
      { name: 'protection_concerns', type: 'select_box', multi_select: true },
      { name: 'custom_school_grade_7f2a', type: 'numeric_field' },
    ],
  },
];

// ---------------------------------------------------------------------------------------------------------

describe('cases.list', () => {
  test('serialises every kind of filter, asks for created_at asc by default, and parses the page', async () => {
    const seen = recordRequests();
    listCases([record(ID, { age: 12 }), record(ID2)]);

    const items = await testClient()
      .cases.list({
        filters: {
          status: 'open',
          protection_concerns: ['unaccompanied', 'separated'],
          age: range(10, 17),
          followup_count: range(2),
          registration_date: range(new Date('2024-01-01T00:00:00.123Z')),
          last_updated_at: range('2024-01-01', '2024-06-30T23:59:59Z'),
          date_closure: new Date('2024-03-04T05:06:07.890Z'),
          record_state: true,
          has_photo: false,
          sex: not('male'),
          location_current: within('KH01'),
          name_last: undefined,
        },
        fields: 'short',
      })
      .collect({ max: 10 });

    expect(items).toEqual([record(ID, { age: 12 }), record(ID2)]);
    expect(trail(await settled(seen))).toEqual(['GET /cases']);
    expect(query(seen[0])).toEqual({
      ...DEFAULT_LIST,
      fields: 'short',
      status: 'open',
      protection_concerns: 'unaccompanied,separated',
      age: '10..17',
      followup_count: '2..2147483647',
      registration_date: '2024-01-01T00:00:00Z..',
      last_updated_at: '2024-01-01..2024-06-30T23:59:59Z',
      date_closure: '2024-03-04T05:06:07Z',
      record_state: 'true',
      has_photo: 'false',
      'not[sex]': 'male',
      'loc:location_current': 'KH01',
    });
    expect(seen[0]!.body).toBe('');
  });

  test('fields as an array, text query, per, and the sort: a sort field alone is ascending, a direction alone keeps created_at', async () => {
    const seen = recordRequests();
    listCases([]);
    const client = testClient();

    await client.cases.list({ fields: ['id', 'name', 'age'], query: 'CP-12', per: 250 }).collect({ max: 0 });
    await client.cases.list({ order_by: 'age' }).collect({ max: 0 });
    await client.cases.list({ order_by: 'age', order: 'desc' }).collect({ max: 0 });
    await client.cases.list({ order: 'desc' }).collect({ max: 0 });

    expect(seen.map(query)).toEqual([
      { ...DEFAULT_LIST, per: '250', fields: 'id,name,age', query: 'CP-12' },
      { ...DEFAULT_LIST, order_by: 'age', order: 'asc' },
      { ...DEFAULT_LIST, order_by: 'age', order: 'desc' },
      { ...DEFAULT_LIST, order_by: 'created_at', order: 'desc' },
    ]);
  });

  test('iterates every page until page * per >= total', async () => {
    const seen = recordRequests();
    server.use(
      http.get(`${API}/cases`, ({ request }) => {
        const n = Number(new URL(request.url).searchParams.get('page'));
        return HttpResponse.json(page(n === 1 ? [record(ID), record(ID2)] : [record(ID3)], { total: 3, per: 2, page: n }));
      }),
    );
    const ids: string[] = [];
    for await (const c of testClient().cases.list({ per: 2 })) ids.push(c.id);
    expect(ids).toEqual([ID, ID2, ID3]);
    expect(seen.map((s) => query(s).page)).toEqual(['1', '2']);
  });

  test('a filter value the server would misread throws RequestValidationError at once; nothing is sent', async () => {
    const seen = recordRequests();
    const client = testClient();
    expect(() => client.cases.list({ filters: { name: 'Doe, Jane' } })).toThrow(RequestValidationError);
    expect(() => client.cases.list({ filters: { age: [] } })).toThrow(RequestValidationError);
    expect(() => client.cases.list({ filters: { 'bad name': 'x' } })).toThrow(RequestValidationError);
    expect(await settled(seen)).toEqual([]);
  });

  test('checkFilters: reads GET /forms?record_type=case once (cached across lists); form fields, core and identifier names pass', async () => {
    const seen = recordRequests();
    server.use(http.get(`${API}/forms`, () => HttpResponse.json({ data: FORMS })));
    listCases([record()]);
    const client = testClient();

    const filters = { custom_school_grade_7f2a: 5, protection_concerns: ['separated'], sex: not('male'), location_current: within('KH01'), oscar_number: 'OS-1', last_updated_at: range('2024-01-01') };
    await expect(client.cases.list({ filters, checkFilters: true }).collect({ max: 10 })).resolves.toEqual([record()]);
    await expect(client.cases.list({ filters: { age: range(0, 17) }, checkFilters: true }).collect({ max: 10 })).resolves.toEqual([record()]);

    expect(trail(seen)).toEqual(['GET /forms', 'GET /cases', 'GET /cases']);
    expect(query(seen[0])).toEqual({ record_type: 'case' });
  });

  test('checkFilters: an unknown filter name is a RequestValidationError and the cases request is never sent', async () => {
    const seen = recordRequests();
    server.use(http.get(`${API}/forms`, () => HttpResponse.json({ data: FORMS })));
    listCases([record()]);

    const error = await rejection(testClient().cases.list({ filters: { status: 'open', staus: 'open', name_frist: 'A' }, checkFilters: true }).collect({ max: 10 }));

    expect(error).toBeInstanceOf(RequestValidationError);
    expect((error as RequestValidationError).issues).toEqual([
      { path: ['filters', 'staus'], code: 'unknown_filter' },
      { path: ['filters', 'name_frist'], code: 'unknown_filter' },
    ]);
    expect(trail(seen)).toEqual(['GET /forms']);
  });

  test('checkFilters: a failed forms read is not cached; without filters no forms read at all', async () => {
    const seen = recordRequests();
    let forms = 0;
    server.use(http.get(`${API}/forms`, () => (++forms === 1 ? apiError(404, 'Not Found', undefined, '/api/v2/forms') : HttpResponse.json({ data: FORMS }))));
    listCases([]);
    const client = testClient();

    await expect(client.cases.list({ filters: { sex: 'f' }, checkFilters: true }).collect({ max: 10 })).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.cases.list({ filters: { sex: 'f' }, checkFilters: true }).collect({ max: 10 })).resolves.toEqual([]);
    await expect(client.cases.list({ checkFilters: true }).collect({ max: 10 })).resolves.toEqual([]);

    expect(trail(seen)).toEqual(['GET /forms', 'GET /forms', 'GET /cases', 'GET /cases']);
  });
});

describe('cases.get', () => {
  test('GET /cases/:id with fields; the id is one encoded path segment', async () => {
    const seen = recordRequests();
    server.use(http.get(`${API}/cases/:id`, ({ params }) => HttpResponse.json({ data: record(String(params.id), { status: 'open' }) })));
    const client = testClient();

    await expect(client.cases.get(ID, { fields: ['id', 'status'] })).resolves.toEqual(record(ID, { status: 'open' }));
    await client.cases.get(ID, { fields: 'short' });
    await client.cases.get('a/b');

    expect(trail(await settled(seen))).toEqual([`GET /cases/${ID}`, `GET /cases/${ID}`, 'GET /cases/a%2Fb']);
    expect(seen.map(query)).toEqual([{ fields: 'id,status' }, { fields: 'short' }, {}]);
    expect(seen.every((s) => s.body === '')).toBe(true);
  });

  test('404 → NotFoundError; 403 → ForbiddenError', async () => {
    server.use(http.get(`${API}/cases/:id`, ({ params }) => (params.id === ID ? apiError(404, 'Not Found', `Couldn't find Child with 'id'=${ID}`) : apiError(403, 'Forbidden'))));
    await expect(testClient().cases.get(ID)).rejects.toBeInstanceOf(NotFoundError);
    await expect(testClient().cases.get(ID2)).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe('cases.create', () => {
  const input: CaseInput = { module_id: 'primeromodule-cp', name_first: 'Amina', age: 12, date_of_birth: '2012-03-04', consent_for_services: true };

  function createServer(post: (n: number, request: Request) => Response | Promise<Response>): void {
    let n = 0;
    server.use(
      http.post(`${API}/cases`, ({ request }) => post(++n, request)),
      http.get(`${API}/cases/:id`, ({ params }) => HttpResponse.json({ data: record(String(params.id), { name_first: 'Amina', status: 'open' }) })),
    );
  }

  test('default: a client lowercase UUID in data.id; the server answers 204 and the SDK reads the case back', async () => {
    const seen = recordRequests();
    createServer(() => new HttpResponse(null, { status: 204 }));

    const created = await testClient().cases.create(input);

    await settled(seen);
    const sent = body(seen[0]) as { data: { id: string } };
    expect(sent.data.id).toMatch(LOWER_UUID);
    expect(sent).toEqual({ data: { ...input, id: sent.data.id } });
    expect(trail(seen)).toEqual(['POST /cases', `GET /cases/${sent.data.id}`]);
    expect(seen[1]!.body).toBe('');
    expect(created).toEqual(record(sent.data.id, { name_first: 'Amina', status: 'open' }));
  });

  test('a create without module_id is a RequestValidationError before sending: the server would drop every form field (primero-api.md 2.7)', async () => {
    const seen = recordRequests();
    const { module_id: _omitted, ...withoutModule } = input;
    const error = await rejection(testClient().cases.create(withoutModule));
    expect(error).toBeInstanceOf(RequestValidationError);
    expect((error as RequestValidationError).issues).toEqual([{ path: ['module_id'], code: 'required' }]);
    expect(seen).toHaveLength(0);
  });

  test('with the caller\'s own id, a 409 after a lost answer is a ConflictError: the id may have existed before the first attempt', async () => {
    const seen = recordRequests();
    createServer((n) => (n === 1 ? HttpResponse.error() : apiError(409, 'Conflict: A record with this id already exists')));

    const error = await rejection(testClient().cases.create({ ...input, id: ID }));

    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).attempts).toBe(2);
    expect(trail(seen)).toEqual(['POST /cases', 'POST /cases']);
  });

  test('idempotent: false with a 204 (no id to read back) is a ResponseValidationError, not a GET of /cases/undefined', async () => {
    const seen = recordRequests();
    createServer(() => new HttpResponse(null, { status: 204 }));

    const error = await rejection(testClient().cases.create(input, { idempotent: false }));

    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(trail(seen)).toEqual(['POST /cases']);
  });

  test('a 200 with a body (no 204) is returned as is, without a read-back', async () => {
    const seen = recordRequests();
    createServer(async (_n, request) => {
      const { data } = (await request.json()) as { data: { id: string } };
      return HttpResponse.json({ data: record(data.id, { name_first: 'Amina' }) });
    });
    const created = await testClient().cases.create(input);
    expect(trail(seen)).toEqual(['POST /cases']);
    expect(created.name_first).toBe('Amina');
  });

  test('a lost answer: the POST is retried with the same id, the 409 proves the first one landed → exactly 2 POSTs, then a GET', async () => {
    const seen = recordRequests();
    createServer((n) => (n === 1 ? HttpResponse.error() : apiError(409, 'Conflict: A record with this id already exists')));

    const created = await testClient().cases.create(input);

    await settled(seen);
    const [first, second] = seen.map(body) as [{ data: { id: string } }, { data: { id: string } }];
    expect(trail(seen)).toEqual(['POST /cases', 'POST /cases', `GET /cases/${first.data.id}`]);
    expect(second).toEqual(first);
    expect(created.id).toBe(first.data.id);
  });

  test('a 502 is retried with the same id too, and a 204 on the retry reads the case back', async () => {
    const seen = recordRequests();
    createServer((n) => (n === 1 ? apiError(502, 'Bad Gateway') : new HttpResponse(null, { status: 204 })));
    const created = await testClient().cases.create(input);
    await settled(seen);
    expect(trail(seen)).toEqual(['POST /cases', 'POST /cases', `GET /cases/${created.id}`]);
    expect(body(seen[1])).toEqual(body(seen[0]));
  });

  test('a 409 on the first attempt (a user-supplied id already used) is a ConflictError; nothing is read back', async () => {
    const seen = recordRequests();
    createServer(() => apiError(409, 'Conflict: A record with this id already exists'));

    const error = await rejection(testClient().cases.create({ ...input, id: ID }));

    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).attempts).toBe(1);
    await settled(seen);
    expect(trail(seen)).toEqual(['POST /cases']);
    expect(body(seen[0])).toEqual({ data: { ...input, id: ID } });
  });

  test('idempotent: false → no id added, the 200 body is returned, and a connection error is not retried', async () => {
    const seen = recordRequests();
    createServer((n) => (n === 1 ? HttpResponse.json({ data: record(ID, { name_first: 'Amina' }) }) : HttpResponse.error()));
    const client = testClient();

    await expect(client.cases.create(input, { idempotent: false })).resolves.toEqual(record(ID, { name_first: 'Amina' }));
    const error = await rejection(client.cases.create(input, { idempotent: false }));

    expect(error).toBeInstanceOf(ConnectionError);
    await settled(seen);
    expect(trail(seen)).toEqual(['POST /cases', 'POST /cases']);
    expect(body(seen[0])).toEqual({ data: input });
    expect(body(seen[1])).toEqual({ data: input });
  });

  test('idempotent: false → a 502 is not retried either', async () => {
    const seen = recordRequests();
    createServer(() => apiError(502, 'Bad Gateway'));
    await expect(testClient().cases.create(input, { idempotent: false })).rejects.toBeInstanceOf(ServerError);
    expect(trail(seen)).toEqual(['POST /cases']);
  });

  test.each<[string, Record<string, unknown>, string]>([
    ['a number for date_of_birth', { date_of_birth: 20120304 }, 'date_of_birth'],
    ['a datetime for date_of_birth', { date_of_birth: '2012-03-04T00:00:00Z' }, 'date_of_birth'],
    ['consent_for_services: null (tick boxes reject null)', { consent_for_services: null }, 'consent_for_services'],
    ['an uppercase id', { id: ID.toUpperCase() }, 'id'],
    ['an id that is not a UUID', { id: 'case-1' }, 'id'],
    ['age 1.5', { age: 1.5 }, 'age'],
    ['a negative age', { age: -1 }, 'age'],
    ['a string age', { age: '12' }, 'age'],
    ['a services entry with a bad unique_id', { services_section: [{ unique_id: 'S-1', service_type: 'x' }] }, 'services_section'],
  ])('bad input (%s) → RequestValidationError naming the field; nothing is sent', async (_name, bad, field) => {
    const seen = recordRequests();
    createServer(() => new HttpResponse(null, { status: 204 }));
    const error = await rejection(testClient().cases.create({ ...input, ...bad } as CaseInput));
    expect(error).toBeInstanceOf(RequestValidationError);
    expect((error as RequestValidationError).issues.map((i) => i.path[0])).toContain(field);
    expect(await settled(seen)).toEqual([]);
  });

  test('422 Invalid Record JSON → InvalidRecordError with the JSON pointers; not retried', async () => {
    const seen = recordRequests();
    createServer(() => apiError(422, 'Invalid Record JSON', ['/age', '/services_section/0/service_type']));
    const error = await rejection(testClient().cases.create(input));
    expect(error).toBeInstanceOf(InvalidRecordError);
    expect((error as InvalidRecordError).pointers).toEqual(['/age', '/services_section/0/service_type']);
    expect((error as InvalidRecordError).status).toBe(422);
    expect(trail(seen)).toEqual(['POST /cases']);
  });
});

describe('cases.update', () => {
  function patchServer(respond: (n: number, request: Request) => Response | Promise<Response>): void {
    let n = 0;
    server.use(http.patch(`${API}/cases/:id`, ({ request }) => respond(++n, request)));
  }

  test('PATCH /cases/:id with {data}; resolves to the changed fields only', async () => {
    const seen = recordRequests();
    patchServer(() => HttpResponse.json({ data: record(ID, { risk_level: 'high' }) }));

    await expect(testClient().cases.update(ID, { risk_level: 'high', protection_concerns: ['separated'] })).resolves.toEqual(record(ID, { risk_level: 'high' }));

    await settled(seen);
    expect(trail(seen)).toEqual([`PATCH /cases/${ID}`]);
    expect(body(seen[0])).toEqual({ data: { risk_level: 'high', protection_concerns: ['separated'] } });
    expect(seen[0]!.headers.get('content-type')).toMatch(/^application\/json/);
  });

  test('recordAction goes top-level next to data', async () => {
    const seen = recordRequests();
    patchServer(() => HttpResponse.json({ data: record(ID, { status: 'closed' }) }));
    await testClient().cases.update(ID, { status: 'closed', date_closure: '2024-05-01' }, { recordAction: 'close' });
    await settled(seen);
    expect(body(seen[0])).toEqual({ data: { status: 'closed', date_closure: '2024-05-01' }, record_action: 'close' });
  });

  test('retried on 502 when every subform entry names its unique_id (the repeat merges into the same entry)', async () => {
    const seen = recordRequests();
    patchServer((n) => (n === 1 ? apiError(502, 'Bad Gateway') : HttpResponse.json({ data: record(ID) })));
    const patch = { services_section: [{ unique_id: SERVICE_ID, service_type: 'legal_assistance_service' }], name_first: 'A' };
    await expect(testClient().cases.update(ID, patch)).resolves.toEqual(record(ID));
    await settled(seen);
    expect(trail(seen)).toEqual([`PATCH /cases/${ID}`, `PATCH /cases/${ID}`]);
    expect(body(seen[1])).toEqual({ data: patch });
  });

  test('a scalar-only patch is retried on 502 too', async () => {
    const seen = recordRequests();
    patchServer((n) => (n === 1 ? apiError(502, 'Bad Gateway') : HttpResponse.json({ data: record(ID) })));
    await testClient().cases.update(ID, { risk_level: 'low' });
    expect(seen).toHaveLength(2);
  });

  test('NOT retried on 502 when a subform entry has no unique_id (a repeat would append it twice)', async () => {
    const seen = recordRequests();
    patchServer(() => apiError(502, 'Bad Gateway'));
    const error = await rejection(testClient().cases.update(ID, { services_section: [{ unique_id: SERVICE_ID, service_type: 'a' }, { service_type: 'b' }] }));
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).attempts).toBe(1);
    expect(trail(seen)).toEqual([`PATCH /cases/${ID}`]);
  });

  test('NOT retried on 502 when an entry of a subform inside a subform has no unique_id (the server gives those none)', async () => {
    const seen = recordRequests();
    patchServer(() => apiError(502, 'Bad Gateway'));
    const patch = { services_section: [{ unique_id: SERVICE_ID, visits: [{ visit_note: 'first' }] }] } as unknown as CaseInput;
    const error = await rejection(testClient().cases.update(ID, patch));
    expect((error as ServerError).attempts).toBe(1);
    expect(trail(seen)).toEqual([`PATCH /cases/${ID}`]);
  });

  test('bad input → RequestValidationError, nothing sent; 404 → NotFoundError; 422 → InvalidRecordError', async () => {
    const seen = recordRequests();
    patchServer((n) => (n === 1 ? apiError(404, 'Not Found') : apiError(422, 'Invalid Record JSON', ['/age'])));
    const client = testClient();
    await expect(client.cases.update(ID, { age: 1.5 })).rejects.toBeInstanceOf(RequestValidationError);
    await expect(client.cases.update(ID, { consent_for_services: null } as unknown as CaseInput)).rejects.toBeInstanceOf(RequestValidationError);
    expect(seen).toHaveLength(0);
    await expect(client.cases.update(ID, { age: 3 })).rejects.toBeInstanceOf(NotFoundError);
    const invalid = await rejection(client.cases.update(ID, { age: 3 }));
    expect((invalid as InvalidRecordError).pointers).toEqual(['/age']);
    expect(seen).toHaveLength(2);
  });
});

describe('cases.findByCaseId', () => {
  test('GET /cases?case_id=X; returns the record that carries it, not merely the first one', async () => {
    const seen = recordRequests();
    listCases([record(ID, { case_id: 'CP-2' }), record(ID2, { case_id: 'CP-1' })]);
    await expect(testClient().cases.findByCaseId('CP-1')).resolves.toEqual(record(ID2, { case_id: 'CP-1' }));
    await settled(seen);
    expect(trail(seen)).toEqual(['GET /cases']);
    expect(query(seen[0])).toEqual({ ...DEFAULT_LIST, case_id: 'CP-1' });
    expect(seen[0]!.body).toBe('');
  });

  test('the server ignored the filter and returned unrelated cases → undefined (never the first record)', async () => {
    listCases([record(ID, { case_id: 'CP-7' }), record(ID2, { case_id: 'CP-8' }), record(ID3)]);
    await expect(testClient().cases.findByCaseId('CP-1')).resolves.toBeUndefined();
  });

  test('no case at all → undefined', async () => {
    listCases([]);
    await expect(testClient().cases.findByCaseId('CP-1')).resolves.toBeUndefined();
  });

  test('two exact matches → AmbiguousMatchError with both ids', async () => {
    listCases([record(ID, { case_id: 'CP-1' }), record(ID2, { case_id: 'CP-1' })]);
    const error = await rejection(testClient().cases.findByCaseId('CP-1'));
    expect(error).toBeInstanceOf(AmbiguousMatchError);
    expect((error as AmbiguousMatchError).ids).toEqual([ID, ID2]);
    expect((error as AmbiguousMatchError).keys).toEqual(['case_id']);
  });
});

describe('cases.upsert', () => {
  const data: CaseInput = { module_id: 'primeromodule-cp', name_first: 'Dara', age: 9 };
  const match = { oscar_number: 'OS-123' };

  /** List answers `rows`; POST answers 204; GET /cases/:id reads back; PATCH echoes the changed fields. */
  function upsertServer(rows: unknown[]): void {
    listCases(rows);
    server.use(
      http.post(`${API}/cases`, () => new HttpResponse(null, { status: 204 })),
      http.get(`${API}/cases/:id`, ({ params }) => HttpResponse.json({ data: record(String(params.id), { ...data, ...match }) })),
      http.patch(`${API}/cases/:id`, ({ params }) => HttpResponse.json({ data: record(String(params.id), { name_first: 'Dara', last_updated_at: '2024-06-01T00:00:00.000Z' }) })),
    );
  }

  test.each<[string, unknown]>([
    ['an empty match', {}],
    ['no match', undefined],
    ['an empty value', { oscar_number: '' }],
    ['a blank value', { oscar_number: '   ' }],
    ['a non-string value', { oscar_number: 123 }],
    ['a key that is not an identifier', { 'oscar-number': 'OS-1' }],
    ['a bracketed key', { 'not[oscar_number]': 'OS-1' }],
    ['a field that is not a case identifier', { name_first: 'Dara' }],
  ])('%s → RequestValidationError before any request', async (_name, bad) => {
    const seen = recordRequests();
    upsertServer([]);
    const error = await rejection(testClient().cases.upsert({ match: bad as Record<string, string>, data }));
    expect(error).toBeInstanceOf(RequestValidationError);
    expect(await settled(seen)).toEqual([]);
  });

  test('allowAnyKey allows a deployment field outside CASE_ID_FIELDS', async () => {
    const seen = recordRequests();
    upsertServer([]);
    const result = await testClient().cases.upsert({ match: { partner_ref_7f2a: 'R-1' }, data, allowAnyKey: true });
    expect(result.action).toBe('created');
    expect(query(seen[0])).toEqual({ ...DEFAULT_LIST, partner_ref_7f2a: 'R-1' });
  });

  test('0 matches → an idempotent create whose body holds the data and the match values', async () => {
    const seen = recordRequests();
    upsertServer([]);

    const result = await testClient().cases.upsert({ match, data });

    await settled(seen);
    const sent = body(seen[1]) as { data: { id: string } };
    expect(trail(seen)).toEqual(['GET /cases', 'POST /cases', `GET /cases/${sent.data.id}`]);
    expect(query(seen[0])).toEqual({ ...DEFAULT_LIST, oscar_number: 'OS-123' });
    expect(sent).toEqual({ data: { ...data, ...match, id: sent.data.id } });
    expect(sent.data.id).toMatch(LOWER_UUID);
    expect(result).toEqual({ action: 'created', record: record(sent.data.id, { ...data, ...match }), dryRun: false });
  });

  test('1 match → PATCH that case with the data but its module_id (written on create only); the result merges the match with the changed fields', async () => {
    const seen = recordRequests();
    const existing = record(ID2, { oscar_number: 'OS-123', name_first: 'D', sex: 'female' });
    upsertServer([record(ID, { oscar_number: 'OS-999' }), existing]);

    const result = await testClient().cases.upsert({ match, data });

    await settled(seen);
    expect(trail(seen)).toEqual(['GET /cases', `PATCH /cases/${ID2}`]);
    // A module_id in the PATCH would move the existing case to another module and its forms.
    const { module_id: _module, ...patch } = data;
    expect(body(seen[1])).toEqual({ data: patch });
    expect(result).toEqual({
      action: 'updated',
      record: { ...existing, name_first: 'Dara', last_updated_at: '2024-06-01T00:00:00.000Z' },
      dryRun: false,
    });
  });

  test('2 matches → AmbiguousMatchError listing the ids, never the values; nothing written', async () => {
    const seen = recordRequests();
    upsertServer([record(ID, { oscar_number: 'OS-123' }), record(ID2, { oscar_number: 'OS-123' })]);

    const error = await rejection(testClient().cases.upsert({ match, data }));

    expect(error).toBeInstanceOf(AmbiguousMatchError);
    const ambiguous = error as AmbiguousMatchError;
    expect(ambiguous.ids).toEqual([ID, ID2]);
    expect(ambiguous.count).toBe(2);
    expect(ambiguous.keys).toEqual(['oscar_number']);
    expect(`${ambiguous.message} ${JSON.stringify(ambiguous)}`).not.toContain('OS-123');
    expect(trail(seen)).toEqual(['GET /cases']);
  });

  test("onMultiple: 'first' updates the oldest (first in created_at asc order)", async () => {
    const seen = recordRequests();
    upsertServer([record(ID3, { oscar_number: 'OS-123' }), record(ID, { oscar_number: 'OS-123' })]);
    const result = await testClient().cases.upsert({ match, data, onMultiple: 'first' });
    expect(trail(seen)).toEqual(['GET /cases', `PATCH /cases/${ID3}`]);
    expect(result.record.id).toBe(ID3);
  });

  test('dryRun sends no write: reports created with the data, or updated with the match', async () => {
    const seen = recordRequests();
    upsertServer([]);
    const client = testClient();
    await expect(client.cases.upsert({ match, data, dryRun: true })).resolves.toEqual({ action: 'created', record: { ...data, ...match }, dryRun: true });
    server.resetHandlers();
    const existing = record(ID, { oscar_number: 'OS-123' });
    upsertServer([existing]);
    await expect(client.cases.upsert({ match, data, dryRun: true })).resolves.toEqual({ action: 'updated', record: existing, dryRun: true });
    expect(trail(seen)).toEqual(['GET /cases', 'GET /cases']);
  });

  test('the server ignoring the filter (only non-matching cases) counts as 0 matches → create', async () => {
    const seen = recordRequests();
    upsertServer([record(ID, { oscar_number: 'OS-1' }), record(ID2), record(ID3, { oscar_number: 'os-123' })]);
    const result = await testClient().cases.upsert({ match, data });
    expect(result.action).toBe('created');
    expect(trail(seen).slice(0, 2)).toEqual(['GET /cases', 'POST /cases']);
  });
});

describe('disable, enable, incidents, sync, markSynced', () => {
  test('disable: DELETE /cases/:id, no body → {id}', async () => {
    const seen = recordRequests();
    server.use(http.delete(`${API}/cases/:id`, ({ params }) => HttpResponse.json({ data: { id: params.id } })));
    await expect(testClient().cases.disable(ID)).resolves.toEqual({ id: ID });
    await settled(seen);
    expect(trail(seen)).toEqual([`DELETE /cases/${ID}`]);
    expect(seen[0]!.body).toBe('');
  });

  test('disable without the permission → ForbiddenError', async () => {
    server.use(http.delete(`${API}/cases/:id`, () => apiError(403, 'Forbidden')));
    await expect(testClient().cases.disable(ID)).rejects.toBeInstanceOf(ForbiddenError);
  });

  test("enable: PATCH {data: {record_state: true}, record_action: 'enable_disable_record'} (not the docs' status: true)", async () => {
    const seen = recordRequests();
    server.use(http.patch(`${API}/cases/:id`, ({ params }) => HttpResponse.json({ data: record(String(params.id), { record_state: true }) })));
    await expect(testClient().cases.enable(ID)).resolves.toEqual(record(ID, { record_state: true }));
    await settled(seen);
    expect(trail(seen)).toEqual([`PATCH /cases/${ID}`]);
    expect(body(seen[0])).toEqual({ data: { record_state: true }, record_action: 'enable_disable_record' });
  });

  test('incidents: GET /cases/:id/incidents (with fields) → the incident records', async () => {
    const seen = recordRequests();
    const incident = { id: ID2, enabled: true, last_updated_at: '2024-05-01T10:00:00.000Z', incident_case_id: ID, incident_date: '2024-04-01' };
    server.use(http.get(`${API}/cases/:id/incidents`, () => HttpResponse.json({ data: [incident] })));
    const client = testClient();
    await expect(client.cases.incidents(ID, { fields: ['id', 'incident_date'] })).resolves.toEqual([incident]);
    await expect(client.cases.incidents(ID)).resolves.toEqual([incident]);
    expect(trail(seen)).toEqual([`GET /cases/${ID}/incidents`, `GET /cases/${ID}/incidents`]);
    expect(seen.map(query)).toEqual([{ fields: 'id,incident_date' }, {}]);
  });

  test('sync: POST /cases/:id/sync without a body → the sync result; a 502 is not retried (a repeat sends the case twice)', async () => {
    const seen = recordRequests();
    const result = { record_id: ID, record_type: 'case', synced_at: '2024-05-01T10:00:00.000Z', sync_status: 'sending' };
    let n = 0;
    server.use(http.post(`${API}/cases/:id/sync`, () => (++n === 1 ? HttpResponse.json({ data: result }) : apiError(502, 'Bad Gateway'))));
    const client = testClient();
    await expect(client.cases.sync(ID)).resolves.toEqual(result);
    await expect(client.cases.sync(ID)).rejects.toBeInstanceOf(ServerError);
    await settled(seen);
    expect(trail(seen)).toEqual([`POST /cases/${ID}/sync`, `POST /cases/${ID}/sync`]);
    expect(seen[0]!.body).toBe('');
  });

  test('markSynced: PATCH {data: {mark_synced, mark_synced_url, mark_synced_status}}, retried on 502', async () => {
    const seen = recordRequests();
    let n = 0;
    server.use(http.patch(`${API}/cases/:id`, () => (++n === 1 ? apiError(502, 'Bad Gateway') : HttpResponse.json({ data: record(ID, { sync_status: 'synced' }) }))));
    const url = 'https://partner.example/primero-hook';
    await expect(testClient().cases.markSynced(ID, { status: 'synced', url })).resolves.toEqual(record(ID, { sync_status: 'synced' }));
    await settled(seen);
    expect(trail(seen)).toEqual([`PATCH /cases/${ID}`, `PATCH /cases/${ID}`]);
    expect(body(seen[0])).toEqual({ data: { mark_synced: true, mark_synced_url: url, mark_synced_status: 'synced' } });
    expect(body(seen[1])).toEqual(body(seen[0]));
  });

  test.each<[string, unknown]>([
    ['an unknown status', { status: 'done', url: 'https://partner.example/hook' }],
    ['a missing url', { status: 'synced' }],
    ['a url that is not a URL', { status: 'failed', url: 'partner hook' }],
    ['no params', undefined],
  ])('markSynced with %s → RequestValidationError, nothing sent', async (_name, params) => {
    const seen = recordRequests();
    const error = await rejection(testClient().cases.markSynced(ID, params as never));
    expect(error).toBeInstanceOf(RequestValidationError);
    expect(await settled(seen)).toEqual([]);
  });
});
