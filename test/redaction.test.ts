/**
 * No secret and no personal data in a log line or an error, ever. This drives every error path with
 * logging at debug and checks everything the SDK printed, threw and serialised for the password, tokens,
 * cookies, filter values and a child's name (peers.md section 1.6: the adaptor logged all of these).
 */
import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import {
  basicAuth,
  bearerAuth,
  sessionAuth,
  tokenAuth,
  type AuthOption,
  type FetchLike,
} from '../src/index.js';
import { describeError } from '../src/cli/connection.js';
import { redactUrl } from '../src/core/redact.js';
import { createWebhookHandler, parseWebhook } from '../src/webhooks/index.js';
import { captureLogs } from './support/logs.js';
import { CREDENTIALS, testClient } from './support/server.js';

const CHILD_NAME = 'Amina Secretname';
const CASE_ID_FILTER = 'CP-SECRET-4711';
const SESSION_COOKIE = 'sessionvalue0123456789';
const CSRF_TOKEN = 'csrf+value/with=chars';
const JWT = `eyJhbGciOiJIUzI1NiJ9.${btoa(JSON.stringify({ exp: Math.floor(Date.now() / 1000) + 3600 })).replace(/=+$/, '')}.c2lnbmF0dXJlc2VjcmV0`;
const IDP_TOKEN = 'idp-access-token-abcdef0123';
const GATEWAY_KEY = 'gateway-key-9876';

const SECRETS = [CREDENTIALS.password, CHILD_NAME, CASE_ID_FILTER, SESSION_COOKIE, CSRF_TOKEN, encodeURIComponent(CSRF_TOKEN), JWT, IDP_TOKEN, GATEWAY_KEY];

/** Everything a user could print of an error. */
function renderings(error: unknown): string[] {
  const e = error as Error;
  return [String(e), e.message, e.stack ?? '', JSON.stringify(e), inspect(e, { depth: 10, showHidden: false }), inspect(e.cause, { depth: 10 })];
}

function expectClean(texts: string[]): void {
  const all = texts.join('\n');
  for (const secret of SECRETS) expect(all, `leaked ${secret}`).not.toContain(secret);
}

/**
 * A server that knows every secret and puts them where a careless client would repeat them. It answers
 * through the client's `fetch` option rather than msw: msw keeps the cookies of mocked responses and adds
 * them to later requests (its browser emulation), which would let a client without a session pass.
 */
function leakyServer(): FetchLike {
  const expectedBasic = `Basic ${btoa(`${CREDENTIALS.username}:${CREDENTIALS.password}`)}`;
  const json = (body: unknown, init: { status?: number; headers?: [string, string][] } = {}) =>
    new Response(JSON.stringify(body), { status: init.status ?? 200, headers: [['content-type', 'application/json'], ...(init.headers ?? [])] });
  return async (request) => {
    const url = new URL(request.url);
    const route = `${request.method} ${url.pathname.replace(/^\/api\/v2/, '')}`;
    if (route === 'GET /primero') {
      return json({ data: {} }, { headers: [['Set-Cookie', '_app_session=anonymous; path=/'], ['Set-Cookie', `CSRF-TOKEN=${encodeURIComponent(CSRF_TOKEN)}; path=/`]] });
    }
    if (route === 'POST /tokens') {
      const body = (await request.json().catch(() => null)) as { user?: { password?: string } } | null;
      if (body?.user?.password !== CREDENTIALS.password) return json({ error: 'Invalid User name or password.' }, { status: 401 });
      return json({ id: 1, user_name: CREDENTIALS.username, group_permission: 'all' }, { headers: [['Authorization', `Bearer ${JWT}`], ['Set-Cookie', `_app_session=${SESSION_COOKIE}; path=/`]] });
    }
    const auth = request.headers.get('authorization');
    if (auth !== expectedBasic && auth !== `Bearer ${JWT}` && !request.headers.get('cookie')?.includes(SESSION_COOKIE)) {
      return json({ error: 'You need to sign in or sign up before continuing.' }, { status: 401 });
    }
    if (route === 'POST /cases') return json({ errors: [{ status: 422, resource: '/api/v2/cases', detail: ['/age'], message: 'Invalid Record JSON' }] }, { status: 422 });
    if (request.method === 'PATCH') return json({ errors: [{ status: 409, message: `Conflict: ${CHILD_NAME}` }] }, { status: 409 });
    switch (url.searchParams.get('scenario')) {
      case '500':
        return json({ errors: [{ status: 500, resource: '/api/v2/cases', message: `PG::Error: value "${CHILD_NAME}" case_id ${CASE_ID_FILTER}` }] }, { status: 500 });
      case '502':
        return new Response(`<!DOCTYPE html><html><body>Bad gateway for ${CHILD_NAME}</body></html>`, { status: 502, headers: { 'content-type': 'text/html' } });
      case '429':
        return new Response(`Retry later ${CASE_ID_FILTER}`, { status: 429 });
      case 'reset':
        throw new TypeError('fetch failed', { cause: Object.assign(new Error(`connect ECONNRESET ${CHILD_NAME}`), { code: 'ECONNRESET' }) });
      case 'slow':
        await new Promise((resolve, reject) => {
          const timer = setTimeout(resolve, 200);
          request.signal.addEventListener('abort', () => (clearTimeout(timer), reject(request.signal.reason)));
        });
        return json({ data: [], metadata: { total: 0, per: 20, page: 1 } });
      case 'shape':
        return json({ data: [{ id: 'a', name: CHILD_NAME, age: CHILD_NAME }], metadata: { total: 1, per: 100, page: 1 } });
      default:
        return json({ data: [{ id: 'a', name: CHILD_NAME }], metadata: { total: 1, per: 100, page: 1 } });
    }
  };
}

const strategies: Array<[string, () => AuthOption]> = [
  ['auto', () => ({ ...CREDENTIALS })],
  ['basic', () => basicAuth(CREDENTIALS)],
  ['session', () => sessionAuth(CREDENTIALS)],
  ['token', () => tokenAuth(CREDENTIALS)],
];

describe('nothing secret or personal in logs, errors or serialised objects', () => {
  test.each(strategies)('every error path with %s auth, logging at debug', async (_name, auth) => {
    const { logger, lines } = captureLogs();
    const client = testClient({ fetch: leakyServer(), auth: auth(), logger, logLevel: 'debug', maxRetries: 1, timeoutMs: 50, headers: { 'X-Gateway-Key': GATEWAY_KEY } });
    const strict = client.withOptions({ validate: 'strict' });
    const calls: Array<() => Promise<unknown>> = [
      () => client.request('GET', '/cases', { query: { case_id: CASE_ID_FILTER } }),
      ...['500', '502', '429', 'reset', 'slow'].map((scenario) => () => client.request('GET', '/cases', { query: { scenario, case_id: CASE_ID_FILTER, name: CHILD_NAME } })),
      () => client.request('POST', '/cases', { body: { data: { name: CHILD_NAME, age: 'ten' } } }),
      () => client.request('PATCH', '/cases/0b9c3a4e-1111-4222-8333-444455556666', { body: { data: { name: CHILD_NAME } } }),
      () => strict.paginate('/cases', { query: { scenario: 'shape' }, schema: z.object({ id: z.string(), age: z.number() }) }).collect({ max: 10 }),
      () => client.request('GET', '/cases', { query: { case_id: CASE_ID_FILTER }, signal: AbortSignal.abort(new Error('stop')) }),
    ];
    const thrown: unknown[] = [];
    for (const call of calls) await call().catch((error: unknown) => thrown.push(error));
    expect(thrown.length).toBe(calls.length - 1); // the first call succeeds
    expect(lines().length).toBeGreaterThan(10);
    expectClean([...lines(), ...thrown.flatMap(renderings), JSON.stringify(client), inspect(client, { depth: 10 })]);
  });

  test('a refused login and a refused identity-provider token', async () => {
    const { logger, lines } = captureLogs();
    const wrong = { username: CREDENTIALS.username, password: `${CREDENTIALS.password}-wrong` };
    const thrown: unknown[] = [];
    for (const auth of [sessionAuth(wrong), tokenAuth(wrong), { ...wrong }, bearerAuth({ getToken: () => IDP_TOKEN })]) {
      const client = testClient({ fetch: leakyServer(), auth, logger, logLevel: 'debug' });
      await client.request('GET', '/cases').catch((error: unknown) => thrown.push(error));
      const shown = 'authorize' in auth ? [JSON.stringify(auth), inspect(auth, { depth: 10 })] : []; // a plain object is the caller's own
      expectClean([...shown, JSON.stringify(client), inspect(client, { depth: 10 })]);
    }
    expect(thrown).toHaveLength(4);
    expectClean([...lines(), ...thrown.flatMap(renderings)]);
    expect(lines().join('\n')).not.toContain(wrong.password);
  });

  test('logBodies is the one way to see bodies, and never a login body', async () => {
    const { logger, lines } = captureLogs();
    const client = testClient({ fetch: leakyServer(), auth: sessionAuth(CREDENTIALS), logger, logLevel: 'debug', logBodies: true });
    await client.request('GET', '/cases');
    const all = lines().join('\n');
    expect(all).toContain(CHILD_NAME); // the user asked for bodies
    expect(all).not.toContain(CREDENTIALS.password);
    expect(all).not.toContain(SESSION_COOKIE);
  });
});

// ---------------------------------------------------------------------------------------------------------
// The rest of the error paths: bodies that cannot be read, a redirect towards a URL that carries a token,
// input refused before sending, an ambiguous upsert, a strict record, the webhook receiver, and the line the
// `primero` command prints for each failure. Same rule, more secrets: api keys and a webhook's password too.

const API_KEY = 'api-key-7f00c4e1';
const WEBHOOK_KEY = 'webhook-key-51d2a9';
const WEBHOOK_PASSWORD = 'webhook-P4ss!';
const CASE_UUID = '0b9c3a4e-1111-4222-8333-444455556666';
const MORE_SECRETS = [...SECRETS, API_KEY, WEBHOOK_KEY, WEBHOOK_PASSWORD];

function expectNone(texts: string[]): void {
  const all = texts.join('\n');
  for (const secret of MORE_SECRETS) expect(all, `leaked ${secret}`).not.toContain(secret);
}

/** A Basic-auth server whose answers quote the child, the case id, the token and the CSRF value. */
function moreLeaks(): FetchLike {
  const record = { id: CASE_UUID, enabled: true, last_updated_at: '2024-05-01T10:00:00Z', case_id: CASE_ID_FILTER, name: CHILD_NAME };
  const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
  return async (request) => {
    const url = new URL(request.url);
    const member = url.pathname.endsWith(`/cases/${CASE_UUID}`) ? 'strict' : undefined;
    switch (url.searchParams.get('scenario') ?? url.searchParams.get('case_id') ?? member) {
      case 'cut':
        return new Response(JSON.stringify({ data: [record] }).slice(0, 60), { headers: { 'content-type': 'application/json' } });
      case 'html200':
        return new Response(`<html><body>Welcome back ${CHILD_NAME} ${JWT}</body></html>`, { headers: { 'content-type': 'text/html' } });
      case 'redirect':
        return new Response(null, { status: 302, headers: { Location: `https://sso.example/login?token=${JWT}&csrf=${encodeURIComponent(CSRF_TOKEN)}&who=${encodeURIComponent(CHILD_NAME)}` } });
      case '401':
        return json({ error: `Invalid token ${JWT} for ${CHILD_NAME}` }, 401);
      case '403':
        return json({ errors: [{ status: 403, resource: '/api/v2/cases', message: `CSRF ${CSRF_TOKEN} refused, cookie ${SESSION_COOKIE}` }] }, 403);
      case 'strict': // a record whose age is a name: the strict client refuses it
        return json({ data: { ...record, age: CHILD_NAME } });
      case CASE_ID_FILTER: // the upsert's lookup: two cases carry the identifier
        return json({ data: [record, { ...record, id: CASE_UUID.replace('0b9c', '1c0d') }], metadata: { total: 2, per: 100, page: 1 } });
      default:
        return json({ errors: [{ status: 500, message: `boom ${CHILD_NAME} ${API_KEY}` }] }, 500);
    }
  };
}

describe('more error paths, the webhook receiver and the command line: still nothing secret', () => {
  test('unreadable bodies, a redirect with a token in its Location, refused input, an ambiguous upsert, a strict record', async () => {
    const { logger, lines } = captureLogs();
    const client = testClient({ fetch: moreLeaks(), auth: basicAuth(CREDENTIALS), logger, logLevel: 'debug', maxRetries: 1, headers: { 'X-Api-Key': API_KEY } });
    const strict = client.withOptions({ validate: 'strict' });
    const calls: Array<() => Promise<unknown>> = [
      ...['cut', 'html200', 'redirect', '401', '403'].map((scenario) => async () => client.request('GET', '/cases', { query: { scenario, name: CHILD_NAME } })),
      async () => strict.cases.get(CASE_UUID, { fields: ['name', 'age'] }),
      async () => client.cases.list({ filters: { name: `${CHILD_NAME}, the second` } }).firstPage(),
      async () => client.cases.list({ filters: { name: `${CHILD_NAME}\ntrue` } }).firstPage(),
      async () => client.cases.create({ module_id: 'primeromodule-cp', name: CHILD_NAME, date_of_birth: CHILD_NAME }),
      async () => client.cases.upsert({ match: { case_id: CASE_ID_FILTER }, data: { name: CHILD_NAME } }),
      async () => client.request('GET', `/cases/${encodeURIComponent(CHILD_NAME)}/../../users`),
    ];
    const thrown: unknown[] = [];
    for (const call of calls) await call().then(() => thrown.push(new Error('expected a failure')), (error: unknown) => thrown.push(error));
    expect(thrown.map((e) => (e as Error).name)).toEqual([
      'ConnectionError',
      'ConnectionError',
      'PrimeroApiError',
      'AuthenticationError',
      'ForbiddenError',
      'ResponseValidationError',
      'RequestValidationError',
      'RequestValidationError',
      'RequestValidationError',
      'AmbiguousMatchError',
      'RequestValidationError',
    ]);
    expect(lines().length).toBeGreaterThan(5);
    expectNone([...lines(), ...thrown.flatMap(renderings), ...thrown.map(describeError), JSON.stringify(client), inspect(strict, { depth: 10 })]);
  });

  test("every failure of the leaky server, as the `primero` command's one-line error", async () => {
    const errors: unknown[] = [];
    for (const [, auth] of strategies) {
      const client = testClient({ fetch: leakyServer(), auth: auth(), maxRetries: 0, timeoutMs: 50, headers: { 'X-Api-Key': API_KEY } });
      for (const scenario of ['500', '502', '429', 'reset', 'slow']) await client.request('GET', '/cases', { query: { scenario, case_id: CASE_ID_FILTER } }).catch((e: unknown) => errors.push(e));
      await client.request('POST', '/cases', { body: { data: { name: CHILD_NAME } } }).catch((e: unknown) => errors.push(e));
      await client.request('PATCH', `/cases/${CASE_UUID}`, { body: { data: { name: CHILD_NAME } } }).catch((e: unknown) => errors.push(e));
    }
    const wrong = testClient({ fetch: leakyServer(), auth: sessionAuth({ username: CREDENTIALS.username, password: `${CREDENTIALS.password}-wrong` }) });
    await wrong.request('GET', '/cases').catch((e: unknown) => errors.push(e));
    expect(errors).toHaveLength(strategies.length * 7 + 1);
    const printed = errors.map(describeError);
    expect(printed.every((line) => line.length > 0 && !line.includes('\n'))).toBe(true);
    expectNone(printed);
  });

  test('the webhook receiver: refused keys and passwords, bodies that are not deliveries, a failing onDelivery, a failing acknowledgement', async () => {
    const { logger, lines } = captureLogs();
    // The acknowledging client meets the leaky server's PATCH: a 409 quoting the child.
    const client = testClient({ fetch: leakyServer(), auth: basicAuth(CREDENTIALS), logger, logLevel: 'debug', maxRetries: 0 });
    const reported: unknown[] = [];
    const answers: string[] = [];
    const delivery = (data: Record<string, unknown>) => JSON.stringify({ data: { record_id: CASE_UUID, record_type: 'case', hostname: 'primero.example.org', last_updated_at: null, ...data } });
    const handler = createWebhookHandler({
      auth: [{ apiKey: WEBHOOK_KEY }, { basic: { username: 'primero', password: WEBHOOK_PASSWORD } }],
      acknowledge: { client, url: 'https://partner.example/hook' },
      onDelivery: (d) => {
        if (d.data.name === 'fail') throw new Error('our database is down');
      },
      // What the SDK reports here is its own error (the acknowledgement's): scanned. The 'delivery' stage hands
      // back the user's own error as thrown: not the SDK's to censor.
      onError: (error, stage) => {
        if (stage === 'acknowledge') reported.push(error);
      },
    });
    const basic = (password: string) => `Basic ${Buffer.from(`primero:${password}`).toString('base64')}`;
    const requests: Array<[Record<string, string>, string]> = [
      [{ 'x-api-key': `${WEBHOOK_KEY}-old` }, delivery({ name: CHILD_NAME })],
      [{ authorization: basic(`${WEBHOOK_PASSWORD}x`) }, delivery({ name: CHILD_NAME })],
      [{ 'x-api-key': WEBHOOK_KEY }, `{"data": {"name": "${CHILD_NAME}", "case_id": "${CASE_ID_FILTER}"`],
      [{ 'x-api-key': WEBHOOK_KEY }, JSON.stringify({ data: { record_id: 42, name: CHILD_NAME, token: JWT } })],
      [{ 'x-api-key': WEBHOOK_KEY }, delivery({ name: 'fail' })],
      [{ authorization: basic(WEBHOOK_PASSWORD) }, delivery({ name: CHILD_NAME, case_id: CASE_ID_FILTER })],
    ];
    for (const [headers, body] of requests) {
      const response = await handler(new Request('https://receiver.example/hook', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }));
      answers.push(`${response.status} ${JSON.stringify([...response.headers])} ${await response.text()}`);
    }
    expect(answers.map((a) => a.slice(0, 3))).toEqual(['401', '401', '400', '400', '500', '200']);
    expect(reported).toHaveLength(2); // the 'failed' acknowledgement after onDelivery threw, and the 'synced' one
    const parseErrors = [delivery({ record_id: '' }), `{"data": [${JSON.stringify(CHILD_NAME)}]}`, 'not json'].map((body) => {
      try {
        return parseWebhook(body);
      } catch (error) {
        return error;
      }
    });
    const config = (() => {
      try {
        return createWebhookHandler({ auth: { apiKey: WEBHOOK_KEY }, maxBodyBytes: -1, onDelivery: () => undefined });
      } catch (error) {
        return error;
      }
    })();
    expect([...parseErrors, config].every((e) => e instanceof Error)).toBe(true);
    expectNone([...answers, ...lines(), ...[...reported, ...parseErrors, config].flatMap(renderings), ...reported.map(describeError), inspect(handler, { depth: 5 })]);
  });
});

describe('redactUrl', () => {
  const parsed = (url: string) => new URL(url, 'http://redacted.invalid').pathname;

  test('a path of plain segments comes back as the URL parser would give it (the fast path skips the parse)', () => {
    const segment = fc.stringMatching(/^[\w~-]{1,12}$/);
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 6 }), fc.boolean(), (segments, slash) => {
        const url = `/api/v2/${segments.join('/')}${slash ? '/' : ''}`;
        expect(redactUrl(url)).toBe(parsed(url));
      }),
    );
  });

  test.each([
    ['/api/v2/cases/./x', '/api/v2/cases/x'],
    ['/api/v2/cases/%2e%2e/admin', '/api/v2/admin'],
    ['/api/v2/cases/a b', '/api/v2/cases/a%20b'],
    ['//host/api/v2/cases', '/api/v2/cases'],
    ['/api/v2/cases?case_id=CP-1&page=2', '/api/v2/cases?case_id=…&page=2'],
  ])('anything else is parsed and redacted: %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});
