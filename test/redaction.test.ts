/**
 * No secret and no personal data in a log line or an error, ever. This drives every error path with
 * logging at debug and checks everything the SDK printed, threw and serialised for the password, tokens,
 * cookies, filter values and a child's name (peers.md section 1.6: the adaptor logged all of these).
 */
import { inspect } from 'node:util';
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
