/**
 * Auth under load: 50 concurrent calls cross a session expiry, on the fake Primero. Some calls are answered
 * with the old session, the rest meet its end; together they must cause exactly one new login (README
 * "Authentication": renewal is single-flight), and every call must succeed with its own answer.
 * test/auth.test.ts covers the single-flight rules with 10 calls on hand-made servers; this runs them at a
 * larger scale against the fake's own session and token handling, through every concurrency limit.
 */
import { describe, expect, test } from 'vitest';
import { PrimeroClient, sessionAuth, tokenAuth, type AuthOption, type FetchLike } from '../../src/index.js';
import { createFakePrimero, type FakePrimeroOptions, type FakePrimeroWithHandlers } from '../../src/testing/index.js';

const CALLS = 50;

/**
 * A fake, and a `fetch` in front of it that runs `expire` once, when the `after`-th read of a case
 * arrives: the expiry then falls in the middle of the 50 calls, some already answered, others in flight
 * or still queued.
 */
function world(options: FakePrimeroOptions, expire: (fake: FakePrimeroWithHandlers) => void, after = 12) {
  const fake = createFakePrimero({ cases: CALLS, seed: 3, ...options });
  let reads = 0;
  const fetch: FetchLike = async (request, init) => {
    if (request.method === 'GET' && /\/api\/v2\/cases\/[^/]+$/.test(new URL(request.url).pathname) && ++reads === after) expire(fake);
    return fake.fetch(request, init);
  };
  const logins = () => fake.requests.filter((r) => r.method === 'POST' && r.path === '/tokens').length;
  return { fake, fetch, logins };
}

async function fifty(client: PrimeroClient, fake: FakePrimeroWithHandlers): Promise<void> {
  const ids = [...fake.store.cases.keys()];
  const records = await Promise.all(ids.map((id) => client.cases.get(id)));
  expect(records.map((r) => r.id)).toEqual(ids);
}

describe.each([1, 4, CALLS])('50 concurrent calls across an expiry, maxConcurrency %i', (maxConcurrency) => {
  const strategies: Array<[string, Partial<FakePrimeroOptions>, (fake: FakePrimeroWithHandlers) => AuthOption]> = [
    ['sessionAuth (cookie session + CSRF)', { auth: 'session' }, (fake) => sessionAuth(fake.credentials)],
    ['auto on a server that refuses Basic', { auth: 'session' }, (fake) => ({ ...fake.credentials })],
  ];

  test.each(strategies)('%s: the idle timeout ends the session mid-way, one login renews it', async (_name, options, auth) => {
    const { fake, fetch, logins } = world(options, (f) => f.expireSessions());
    const client = new PrimeroClient({ baseUrl: fake.baseUrl, auth: auth(fake), fetch, maxConcurrency, retry: { baseDelayMs: 1, maxDelayMs: 2 } });
    await client.cases.list({ per: 1 }).firstPage(); // signed in
    expect(logins()).toBe(1);
    fake.requests.length = 0;

    await fifty(client, fake);

    expect(logins()).toBe(1);
    expect(fake.activeSessions()).toEqual([fake.credentials.username]);
    // The expiry did cut in: some reads were refused with the old session, then replayed.
    expect(fake.requests.filter((r) => r.path.startsWith('/cases/')).length).toBeGreaterThan(CALLS);
  });

  test('tokenAuth (legacy JWT): the token expires mid-way on the server clock, one login renews it', async () => {
    let now = Date.now(); // the client reads the token's exp on its own clock: start both together
    const ttl = 3600;
    const { fake, fetch, logins } = world({ auth: 'token', tokenTtlSeconds: ttl, now: () => now }, () => {
      now += (ttl + 60) * 1000; // past the token's exp: the server refuses it from here on
    });
    const client = new PrimeroClient({ baseUrl: fake.baseUrl, auth: tokenAuth(fake.credentials), fetch, maxConcurrency, retry: { baseDelayMs: 1, maxDelayMs: 2 } });
    await client.cases.list({ per: 1 }).firstPage();
    expect(logins()).toBe(1);
    fake.requests.length = 0;

    await fifty(client, fake);

    expect(logins()).toBe(1);
    expect(fake.requests.filter((r) => r.path.startsWith('/cases/')).length).toBeGreaterThan(CALLS);
  });
});

describe('tokenAuth with a server clock that is off', () => {
  test.each([
    ['2 hours behind', -2 * 3_600_000],
    ['2 hours ahead', 2 * 3_600_000],
  ])('server clock %s: the token is used for its lifetime, one login for 50 calls', async (_name, offsetMs) => {
    const fake = createFakePrimero({ cases: CALLS, seed: 3, auth: 'token', tokenTtlSeconds: 3600, now: () => Date.now() + offsetMs });
    const logins = () => fake.requests.filter((r) => r.method === 'POST' && r.path === '/tokens').length;
    const client = new PrimeroClient({ baseUrl: fake.baseUrl, auth: tokenAuth(fake.credentials), fetch: fake.fetch });
    await fifty(client, fake);
    await fifty(client, fake);
    // Read on the client's clock, a token issued 2 hours in the past would look expired on arrival: every call a login.
    expect(logins()).toBe(1);
    expect(fake.requests.filter((r) => r.path.startsWith('/cases/'))).toHaveLength(2 * CALLS);
  });
});

test('tokenAuth, a token without iat: the server clock is read from the Date header of the login answer', async () => {
  const serverNow = () => Date.now() - 2 * 3_600_000;
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  let logins = 0;
  const fetch: FetchLike = async (request) => {
    const headers = { 'content-type': 'application/json', date: new Date(serverNow()).toUTCString() };
    if (request.method === 'POST' && new URL(request.url).pathname === '/api/v2/tokens') {
      logins++;
      const token = `${b64({ alg: 'HS256' })}.${b64({ sub: 'u', exp: Math.floor(serverNow() / 1000) + 3600 })}.sig`;
      return new Response(JSON.stringify({ user_name: 'u' }), { status: 200, headers: { ...headers, authorization: `Bearer ${token}` } });
    }
    return new Response(JSON.stringify({ data: { id: 'x', enabled: true, last_updated_at: '2024-01-01T00:00:00Z' } }), { status: 200, headers });
  };
  const client = new PrimeroClient({ baseUrl: 'https://primero.test', auth: tokenAuth({ username: 'u', password: 'p' }), fetch });
  for (let i = 0; i < 5; i++) await client.cases.get('x');
  expect(logins).toBe(1);
});
