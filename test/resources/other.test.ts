/**
 * The smaller resources: incidents (same record conventions as cases), tokens (login, refresh, logout,
 * primero-api.md 1.2-1.3), lookups, forms, locations, users (section 8) and the public `client.primero()`.
 *
 * The session fake sets cookies with plain `Response`s: msw stores the cookies of an `HttpResponse` that
 * carries Set-Cookie and injects them into later requests, which would hide what the SDK really sent.
 */
import { http, HttpResponse } from 'msw';
import { describe, expect, test } from 'vitest';
import {
  AuthenticationError,
  ConflictError,
  NotFoundError,
  RequestValidationError,
  ResponseValidationError,
  ServerError,
  basicAuth,
  range,
  sessionAuth,
  type IncidentInput,
} from '../../src/index.js';
import { rejection } from '../support/async.js';
import { apiError, body, page, query, settled, trail } from '../support/requests.js';
import { API, CREDENTIALS, recordRequests, server, testClient } from '../support/server.js';

const ID = '3f0c9a52-7b1d-4c8e-9a4b-2d6e8f1a0b3c';
const CASE = '7a1e2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b';
const LOWER_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BASIC = `Basic ${Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`, 'utf8').toString('base64')}`;
const ME = { id: 7, user_name: CREDENTIALS.username, group_permission: 'all' };

function incident(id = ID, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, enabled: true, last_updated_at: '2024-05-01T10:00:00.000Z', ...fields };
}

const errorFor = (status: number, message: string | string[], detail?: string | string[]): Response => apiError(status, message, detail, '/api/v2/incidents');

// ---------------------------------------------------------------------------------------------------------

describe('incidents', () => {
  test('list: GET /incidents with filters, fields and created_at asc', async () => {
    const seen = recordRequests();
    server.use(http.get(`${API}/incidents`, () => HttpResponse.json(page([incident()]))));
    const items = await testClient().incidents.list({ filters: { status: 'open', incident_date: range('2024-01-01') }, fields: ['id', 'incident_date'] }).collect({ max: 5 });
    expect(items).toEqual([incident()]);
    await settled(seen);
    expect(trail(seen)).toEqual(['GET /incidents']);
    expect(query(seen[0])).toEqual({ order_by: 'created_at', order: 'asc', page: '1', per: '100', status: 'open', incident_date: '2024-01-01..', fields: 'id,incident_date' });
    expect(seen[0]!.body).toBe('');
  });

  test('get: GET /incidents/:id; 404 → NotFoundError', async () => {
    const seen = recordRequests();
    server.use(http.get(`${API}/incidents/:id`, ({ params }) => (params.id === ID ? HttpResponse.json({ data: incident(ID, { incident_code: 'a1b2c3d' }) }) : errorFor(404, 'Not Found'))));
    const client = testClient();
    await expect(client.incidents.get(ID, { fields: 'short' })).resolves.toEqual(incident(ID, { incident_code: 'a1b2c3d' }));
    await expect(client.incidents.get(CASE)).rejects.toBeInstanceOf(NotFoundError);
    expect(query(seen[0])).toEqual({ fields: 'short' });
  });

  test('create: a client id, 204 → read back; a lost answer then 409 → the record, never a duplicate', async () => {
    const seen = recordRequests();
    let posts = 0;
    server.use(
      http.post(`${API}/incidents`, () => {
        posts++;
        if (posts === 1) return new HttpResponse(null, { status: 204 });
        if (posts === 2) return HttpResponse.error();
        return errorFor(409, 'Conflict: A record with this id already exists');
      }),
      http.get(`${API}/incidents/:id`, ({ params }) => HttpResponse.json({ data: incident(String(params.id), { incident_case_id: CASE }) })),
    );
    const client = testClient();
    const input: IncidentInput = { module_id: 'primeromodule-cp', incident_case_id: CASE, incident_date: '2024-05-01' };

    const first = await client.incidents.create(input);
    const second = await client.incidents.create(input);

    await settled(seen);
    const [a, b, c] = [body(seen[0]), body(seen[2]), body(seen[3])] as { data: { id: string } }[];
    expect(a!.data.id).toMatch(LOWER_UUID);
    expect(a).toEqual({ data: { ...input, id: a!.data.id } });
    expect(c).toEqual(b);
    expect(b!.data.id).not.toBe(a!.data.id);
    expect(trail(seen)).toEqual(['POST /incidents', `GET /incidents/${a!.data.id}`, 'POST /incidents', 'POST /incidents', `GET /incidents/${b!.data.id}`]);
    expect(first.id).toBe(a!.data.id);
    expect(second.id).toBe(b!.data.id);
  });

  test('create: a 409 on the first attempt is a ConflictError; bad input → RequestValidationError, nothing sent', async () => {
    const seen = recordRequests();
    server.use(http.post(`${API}/incidents`, () => errorFor(409, 'Conflict: A record with this id already exists')));
    const client = testClient();
    await expect(client.incidents.create({ module_id: 'primeromodule-cp', id: ID })).rejects.toBeInstanceOf(ConflictError);
    expect(seen).toHaveLength(1);
    await expect(client.incidents.create({ incident_case_id: 'CP-1' })).rejects.toBeInstanceOf(RequestValidationError);
    await expect(client.incidents.create({ incident_date: '01/05/2024' })).rejects.toBeInstanceOf(RequestValidationError);
    expect(await settled(seen)).toHaveLength(1);
  });

  test('update, disable, enable', async () => {
    const seen = recordRequests();
    server.use(
      http.patch(`${API}/incidents/:id`, () => HttpResponse.json({ data: incident(ID, { incident_date: '2024-05-02' }) })),
      http.delete(`${API}/incidents/:id`, ({ params }) => HttpResponse.json({ data: { id: params.id } })),
    );
    const client = testClient();
    await expect(client.incidents.update(ID, { incident_date: '2024-05-02' }, { recordAction: 'incident_from_case' })).resolves.toEqual(incident(ID, { incident_date: '2024-05-02' }));
    await expect(client.incidents.disable(ID)).resolves.toEqual({ id: ID });
    await client.incidents.enable(ID);
    await settled(seen);
    expect(trail(seen)).toEqual([`PATCH /incidents/${ID}`, `DELETE /incidents/${ID}`, `PATCH /incidents/${ID}`]);
    expect(seen.map(body)).toEqual([
      { data: { incident_date: '2024-05-02' }, record_action: 'incident_from_case' },
      undefined,
      { data: { record_state: true }, record_action: 'enable_disable_record' },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------

interface FakeSession {
  id: string;
  csrf: string;
  user?: string | undefined;
}

/** A cookie-session Primero with CSRF protection (primero-api.md 1.2a, 1.3, 1.5). */
function sessionServer() {
  const sessions = new Map<string, FakeSession>();
  let n = 0;
  const state = { logins: 0, refreshes: 0, logouts: 0 };
  const open = (user?: string): FakeSession => {
    n++;
    const session = { id: `sid-${n}`, csrf: `csrf+${n}/x=`, user };
    sessions.set(session.id, session);
    return session;
  };
  const lookup = (request: Request): FakeSession | undefined => {
    const cookie = request.headers.get('cookie') ?? '';
    const id = /(?:^|;\s*)_app_session=([^;]+)/.exec(cookie)?.[1];
    return id === undefined ? undefined : sessions.get(id);
  };
  const respond = (payload: unknown, status: number, cookies: { session?: FakeSession; csrf?: string } = {}): Response => {
    const headers = new Headers({ 'Content-Type': 'application/json; charset=utf-8' });
    if (cookies.session) headers.append('Set-Cookie', `_app_session=${cookies.session.id}; path=/; HttpOnly; SameSite=Lax`);
    if (cookies.csrf) headers.append('Set-Cookie', `CSRF-TOKEN=${encodeURIComponent(cookies.csrf)}; path=/; SameSite=Strict`);
    return new Response(JSON.stringify(payload), { status, headers });
  };
  const unauthenticated = () => respond({ error: 'You need to sign in or sign up before continuing.' }, 401);
  const csrfRefused = () => respond({ errors: [{ status: 403, resource: '/api/v2/tokens', message: "Can't verify CSRF token authenticity." }] }, 403);

  server.use(
    http.get(`${API}/primero`, ({ request }) => {
      const existing = lookup(request);
      const session = existing ?? open();
      return respond({ data: { sandbox_ui: false, locales: ['en'] } }, 200, { ...(existing ? {} : { session }), csrf: session.csrf });
    }),
    http.post(`${API}/tokens`, async ({ request }) => {
      const session = lookup(request);
      if (!session || request.headers.get('x-csrf-token') !== session.csrf) return csrfRefused();
      const text = await request.text();
      if (!text) {
        if (!session.user) return unauthenticated();
        state.refreshes++;
        return respond(ME, 200);
      }
      const { user } = JSON.parse(text) as { user: { user_name: string; password: string } };
      if (user.user_name !== CREDENTIALS.username || user.password !== CREDENTIALS.password) return respond({ error: 'Invalid User name or password.' }, 401);
      state.logins++;
      sessions.delete(session.id);
      return respond(ME, 200, { session: open(CREDENTIALS.username) });
    }),
    http.delete(`${API}/tokens`, ({ request }) => {
      const session = lookup(request);
      if (session && request.headers.get('x-csrf-token') !== session.csrf) return csrfRefused();
      if (session) session.user = undefined;
      state.logouts++;
      return respond({}, 200);
    }),
    http.get(`${API}/cases`, ({ request }) => (lookup(request)?.user ? respond(page([]), 200) : unauthenticated())),
  );
  return state;
}

describe('tokens', () => {
  test('create() with basicAuth: the CSRF bootstrap, then a Basic-signed POST /tokens echoing the token, no body (the check runs before any credential, primero-api.md 1.5)', async () => {
    const seen = recordRequests();
    server.use(
      http.get(`${API}/primero`, () => new Response(JSON.stringify({ data: {} }), { headers: [['content-type', 'application/json'], ['set-cookie', 'CSRF-TOKEN=abc%2B1; path=/']] })),
      http.post(`${API}/tokens`, ({ request }) =>
        request.headers.get('authorization') === BASIC && request.headers.get('x-csrf-token') === 'abc+1'
          ? HttpResponse.json(ME)
          : HttpResponse.json({ error: 'Invalid User name or password.' }, { status: 401 }),
      ),
    );

    await expect(testClient({ auth: basicAuth(CREDENTIALS) }).tokens.create()).resolves.toEqual(ME);

    await settled(seen);
    expect(trail(seen)).toEqual(['GET /primero', 'POST /tokens']);
    expect(seen[0]!.headers.get('authorization')).toBeNull();
    expect(seen[1]!.headers.get('authorization')).toBe(BASIC);
    expect(seen[1]!.body).toBe('');
  });

  test('create() with refused Basic credentials → AuthenticationError', async () => {
    server.use(
      http.get(`${API}/primero`, () => HttpResponse.json({ data: {} })),
      http.post(`${API}/tokens`, () => HttpResponse.json({ error: 'Invalid User name or password.' }, { status: 401 })),
    );
    await expect(testClient({ auth: basicAuth({ username: 'x', password: 'y' }) }).tokens.create()).rejects.toBeInstanceOf(AuthenticationError);
  });

  test('create() with sessionAuth returns the login handshake’s own answer: one login, not two', async () => {
    const seen = recordRequests();
    const fake = sessionServer();
    const client = testClient({ auth: sessionAuth(CREDENTIALS) });

    await expect(client.tokens.create()).resolves.toEqual(ME);
    await client.cases.list().collect({ max: 0 });

    await settled(seen);
    expect(trail(seen)).toEqual(['GET /primero', 'POST /tokens', 'GET /cases']);
    expect(body(seen[1])).toEqual({ user: { user_name: CREDENTIALS.username, password: CREDENTIALS.password } });
    expect(fake.logins).toBe(1);
  });

  test('refresh() with Basic: POST /tokens without a body', async () => {
    const seen = recordRequests();
    server.use(http.post(`${API}/tokens`, () => HttpResponse.json(ME)));
    await expect(testClient({ auth: basicAuth(CREDENTIALS) }).tokens.refresh()).resolves.toEqual(ME);
    await settled(seen);
    expect(trail(seen)).toEqual(['POST /tokens']);
    expect(seen[0]!.body).toBe('');
    expect(seen[0]!.headers.get('authorization')).toBe(BASIC);
  });

  test('refresh() with a session: POST /tokens with the cookie and CSRF token, without a body', async () => {
    const seen = recordRequests();
    const fake = sessionServer();
    const client = testClient({ auth: sessionAuth(CREDENTIALS) });
    await client.tokens.create();
    const before = seen.length;

    await expect(client.tokens.refresh()).resolves.toEqual(ME);

    await settled(seen);
    const refresh = seen.filter((s) => s.method === 'POST').at(-1)!;
    expect(refresh.body).toBe('');
    expect(refresh.headers.get('cookie')).toContain('_app_session=sid-2');
    expect(refresh.headers.get('x-csrf-token')).toBe('csrf+2/x=');
    expect(trail(seen.slice(before))).toEqual(['GET /primero', 'POST /tokens']); // a fresh CSRF token first, then the refresh
    expect(fake).toMatchObject({ logins: 1, refreshes: 1 });
  });

  test('delete(): DELETE /tokens, then the next request logs in again', async () => {
    const seen = recordRequests();
    const fake = sessionServer();
    const client = testClient({ auth: sessionAuth(CREDENTIALS) });
    await client.cases.list().collect({ max: 0 });

    await expect(client.tokens.delete()).resolves.toBeUndefined();
    await client.cases.list().collect({ max: 0 });

    await settled(seen);
    expect(trail(seen)).toEqual([
      'GET /primero', 'POST /tokens', 'GET /cases',
      'GET /primero', 'DELETE /tokens',
      'GET /primero', 'POST /tokens', 'GET /cases',
    ]);
    const logout = seen[4]!;
    expect(logout.body).toBe('');
    expect(logout.headers.get('x-csrf-token')).toBe('csrf+2/x=');
    // The second login starts from nothing: the bootstrap carries no cookie of the ended session.
    expect(seen[5]!.headers.get('cookie')).toBeNull();
    expect(fake).toMatchObject({ logins: 2, logouts: 1 });
  });

  test('a failed logout still makes the client forget its session: the next request logs in again', async () => {
    const seen = recordRequests();
    const fake = sessionServer();
    const client = testClient({ auth: sessionAuth(CREDENTIALS), maxRetries: 0 });
    await client.cases.list().collect({ max: 0 });
    server.use(http.delete(`${API}/tokens`, () => errorFor(500, 'boom')));

    await expect(client.tokens.delete()).rejects.toBeInstanceOf(ServerError);
    await client.cases.list().collect({ max: 0 });

    await settled(seen);
    expect(trail(seen).slice(-3)).toEqual(['GET /primero', 'POST /tokens', 'GET /cases']);
    expect(fake.logins).toBe(2);
  });

  test('delete() on a session client that never logged in sends nothing: logging in first would end the user\'s other sessions (primero-api.md 1.2)', async () => {
    const seen = recordRequests();
    const fake = sessionServer();
    const client = testClient({ auth: sessionAuth(CREDENTIALS) });

    await client.tokens.delete();

    expect(seen).toHaveLength(0);
    expect(fake).toMatchObject({ logins: 0, logouts: 0 });
  });

  test('delete() with Basic sends nothing (Basic holds no session; the DELETE would end the user\'s other sessions), and requests stay signed', async () => {
    const seen = recordRequests();
    server.use(http.get(`${API}/cases`, () => HttpResponse.json(page([]))));
    const client = testClient({ auth: basicAuth(CREDENTIALS) });
    await client.tokens.delete();
    await client.cases.list().collect({ max: 0 });
    expect(trail(seen)).toEqual(['GET /cases']);
    expect(seen[0]!.headers.get('authorization')).toBe(BASIC);
  });
});

// ---------------------------------------------------------------------------------------------------------

const LOOKUPS = [
  {
    id: 3,
    unique_id: 'lookup-service-type',
    name: { en: 'Service Type' },
    values: [
      { id: 'legal_assistance_service', display_text: { en: 'Legal assistance', fr: 'Assistance juridique', ar: '' } },
      { id: 'food_service', display_text: { en: 'Food' } },
    ],
  },
  { id: 4, unique_id: 'lookup-yes-no', name: { en: 'Yes or No' }, locked: true, values: [{ id: 'true', display_text: { en: 'Yes', fr: 'Oui' } }] },
];

describe('lookups', () => {
  test('list: GET /lookups sorted by id, page by page', async () => {
    const seen = recordRequests();
    server.use(http.get(`${API}/lookups`, () => HttpResponse.json(page(LOOKUPS))));
    await expect(testClient().lookups.list().collect({ max: 10 })).resolves.toEqual(LOOKUPS);
    await settled(seen);
    expect(trail(seen)).toEqual(['GET /lookups']);
    expect(query(seen[0])).toEqual({ order_by: 'id', order: 'asc', page: '1', per: '100' });
    expect(seen[0]!.body).toBe('');
  });

  test('get: GET /lookups/:id; 404 → NotFoundError', async () => {
    const seen = recordRequests();
    server.use(http.get(`${API}/lookups/:id`, ({ params }) => (params.id === '3' ? HttpResponse.json({ data: LOOKUPS[0] }) : HttpResponse.json({ errors: [{ status: 404, resource: '/api/v2/lookups/9', message: 'Not Found' }] }, { status: 404 }))));
    const client = testClient();
    await expect(client.lookups.get(3)).resolves.toEqual(LOOKUPS[0]);
    await expect(client.lookups.get(9)).rejects.toBeInstanceOf(NotFoundError);
    expect(trail(seen)).toEqual(['GET /lookups/3', 'GET /lookups/9']);
  });

  test('label: reads the lookups once (per=1000), then answers from the cache; locale falls back to en; unknown → undefined', async () => {
    const seen = recordRequests();
    server.use(http.get(`${API}/lookups`, () => HttpResponse.json(page(LOOKUPS, { per: 1000 }))));
    const client = testClient();

    const labels = await Promise.all([
      client.lookups.label('lookup-service-type', 'legal_assistance_service'),
      client.lookups.label('lookup-service-type', 'legal_assistance_service', 'fr'),
    ]);
    expect(labels).toEqual(['Legal assistance', 'Assistance juridique']);
    await expect(client.lookups.label('lookup-service-type', 'legal_assistance_service', 'ar')).resolves.toBe('Legal assistance'); // '' falls back
    await expect(client.lookups.label('lookup-service-type', 'food_service', 'fr')).resolves.toBe('Food'); // missing falls back
    await expect(client.lookups.label('lookup-yes-no', 'true', 'fr')).resolves.toBe('Oui');
    await expect(client.lookups.label('lookup-service-type', 'no_such_option')).resolves.toBeUndefined();
    await expect(client.lookups.label('lookup-nope', 'x')).resolves.toBeUndefined();

    expect(trail(seen)).toEqual(['GET /lookups']);
    expect(query(seen[0])).toEqual({ order_by: 'id', order: 'asc', page: '1', per: '1000' });
  });

  test('label: a failed read is not cached', async () => {
    const seen = recordRequests();
    let n = 0;
    server.use(http.get(`${API}/lookups`, () => (++n === 1 ? HttpResponse.json({ errors: [{ status: 404, resource: '/api/v2/lookups', message: 'Not Found' }] }, { status: 404 }) : HttpResponse.json(page(LOOKUPS)))));
    const client = testClient();
    await expect(client.lookups.label('lookup-service-type', 'food_service')).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.lookups.label('lookup-service-type', 'food_service')).resolves.toBe('Food');
    await expect(client.lookups.label('lookup-service-type', 'food_service')).resolves.toBe('Food');
    expect(seen).toHaveLength(2);
  });
});

describe('forms, locations, users', () => {
  const form = { id: 1, unique_id: 'services', name: { en: 'Services' }, parent_form: 'case', is_nested: false, module_ids: ['primeromodule-cp'], fields: [{ name: 'services_section', type: 'subform', subform_section_id: 2 }] };

  test('forms.list: GET /forms with record_type and module_id (unpaginated); without params no query', async () => {
    const seen = recordRequests();
    server.use(http.get(`${API}/forms`, () => HttpResponse.json({ data: [form] })));
    const client = testClient();
    await expect(client.forms.list({ record_type: 'case', module_id: 'primeromodule-cp' })).resolves.toEqual([form]);
    await client.forms.list();
    await settled(seen);
    expect(trail(seen)).toEqual(['GET /forms', 'GET /forms']);
    expect(seen.map(query)).toEqual([{ record_type: 'case', module_id: 'primeromodule-cp' }, {}]);
    expect(seen.every((s) => s.body === '')).toBe(true);
  });

  test('locations.list: hierarchy=true, sorted by code, paged', async () => {
    const seen = recordRequests();
    const locations = [
      { id: 1, code: 'KH', type: 'country', disabled: false, name: { en: 'Cambodia' }, admin_level: 0, hierarchy: [] },
      { id: 2, code: 'KH01', type: 'province', disabled: false, name: { en: 'Banteay Meanchey' }, admin_level: 1, hierarchy: ['KH'] },
    ];
    server.use(
      http.get(`${API}/locations`, ({ request }) => {
        const n = Number(new URL(request.url).searchParams.get('page'));
        return HttpResponse.json(page([locations[n - 1]], { total: 2, per: 1, page: n }));
      }),
    );
    await expect(testClient().locations.list({ hierarchy: true, per: 1 }).collect({ max: 10 })).resolves.toEqual(locations);
    expect(seen.map(query)).toEqual([
      { hierarchy: 'true', order_by: 'code', order: 'asc', page: '1', per: '1' },
      { hierarchy: 'true', order_by: 'code', order: 'asc', page: '2', per: '1' },
    ]);
  });

  test('locations.list without hierarchy sends none', async () => {
    const seen = recordRequests();
    server.use(http.get(`${API}/locations`, () => HttpResponse.json(page([]))));
    await testClient().locations.list().collect({ max: 0 });
    expect(query(seen[0])).toEqual({ order_by: 'code', order: 'asc', page: '1', per: '100' });
  });

  test('users.list: GET /users paged, in the endpoint’s own order (no order_by)', async () => {
    const seen = recordRequests();
    const users = [{ id: 1, user_name: 'primero_api', full_name: 'API', disabled: false, agency_id: 1, role_unique_id: 'role-api', module_unique_ids: ['primeromodule-cp'] }];
    server.use(http.get(`${API}/users`, () => HttpResponse.json({ ...(page(users) as object), metadata: { total: 1, per: 100, page: 1, total_enabled: 1 } })));
    await expect(testClient().users.list().collect({ max: 10 })).resolves.toEqual(users);
    expect(trail(seen)).toEqual(['GET /users']);
    expect(query(seen[0])).toEqual({ page: '1', per: '100' });
  });

  test('a 500 on a list page is retried (GET), then a ServerError', async () => {
    const seen = recordRequests();
    server.use(http.get(`${API}/users`, () => HttpResponse.json({ errors: [{ status: 500, resource: '/api/v2/users', message: 'boom' }] }, { status: 500 })));
    await expect(testClient().users.list().collect({ max: 10 })).rejects.toBeInstanceOf(ServerError);
    expect(seen).toHaveLength(3);
  });
});

describe('client.primero()', () => {
  const info = { sandbox_ui: false, config_ui: 'full', allow_self_registration: false, locales: ['en', 'fr'], webpush_enabled: false, agencies: [{ unique_id: 'agency-unicef', name: { en: 'UNICEF' }, logo_icon: '/rails/active_storage/blobs/x' }] };

  test('sends no Authorization even with Basic auth configured', async () => {
    const seen = recordRequests();
    server.use(http.get(`${API}/primero`, () => HttpResponse.json({ data: info })));
    await expect(testClient({ auth: basicAuth(CREDENTIALS) }).primero()).resolves.toEqual(info);
    await settled(seen);
    expect(trail(seen)).toEqual(['GET /primero']);
    expect(seen[0]!.headers.get('authorization')).toBeNull();
    expect(seen[0]!.body).toBe('');
  });

  test('with a session configured: no login, no cookie', async () => {
    const seen = recordRequests();
    server.use(http.get(`${API}/primero`, () => HttpResponse.json({ data: info })));
    await testClient({ auth: sessionAuth(CREDENTIALS) }).primero();
    expect(trail(seen)).toEqual(['GET /primero']);
    expect(seen[0]!.headers.get('authorization')).toBeNull();
    expect(seen[0]!.headers.get('cookie')).toBeNull();
  });

  test('a malformed body under validate: strict → ResponseValidationError naming the path', async () => {
    server.use(http.get(`${API}/primero`, () => HttpResponse.json({ data: { locales: 'en' } })));
    const error = await rejection(testClient({ validate: 'strict' }).primero());
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as ResponseValidationError).issues.map((i) => i.path)).toEqual([['data', 'locales']]);
  });
});
