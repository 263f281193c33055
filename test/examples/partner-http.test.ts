/**
 * The partner API clients of the examples (examples/support/partner-http.ts, under the DTP gateway of
 * referral-to-unhcr and the external system of case-sync): an answer's body never reaches an error
 * message, a 2xx page that is not JSON included, and a base URL holding credentials is refused without
 * being repeated. Partners are played by msw.
 */
import { http, HttpResponse } from 'msw';
import { describe, expect, test } from 'vitest';
import { OscarApi } from '../../examples/case-sync/oscar.js';
import { DtpGateway } from '../../examples/referral-to-unhcr/dtp.js';
import { PartnerHttp } from '../../examples/support/partner-http.js';
import { server } from '../support/server.js';

/** A page a proxy or a misconfigured gateway may serve with a 200, quoting a child (invented). */
const PAGE = 'Amina Yusuf, born 2014-02-03: referral on the portal';
const page = () => new HttpResponse(PAGE, { status: 200, headers: { 'content-type': 'text/html' } });

/** The error a call rejects with. */
async function failure(call: () => Promise<unknown>): Promise<Error> {
  try {
    await call();
  } catch (error) {
    return error as Error;
  }
  throw new Error('the call did not fail');
}

describe('a 2xx answer that is not JSON', () => {
  test('DTP gateway: the status-and-route error, never the body', async () => {
    server.use(http.get('https://dtp.test/referrals/:id', page));
    const error = await failure(() => new DtpGateway('https://dtp.test', 'key').lookup('case-1#abc'));
    expect(`${error.name}: ${error.message}`).toBe('PartnerHttpError: DTP gateway answered 200 with a body that is not JSON (GET /referrals/{id})');
    expect(String(error)).not.toContain('Amina');
  });

  test('the external system: the status-and-route error, never the body', async () => {
    server.use(http.get('https://oscar.test/api/v1/organizations/clients', page), http.post('https://oscar.test/api/v1/organizations/clients/upsert', page));
    const api = new OscarApi({ baseUrl: 'https://oscar.test', token: 't' });
    for (const call of [() => api.listClients('2026-01-01'), () => api.upsertClient({ global_id: 'G1', level_of_risk: 'high' })]) {
      const error = await failure(call);
      expect(error.message).toMatch(/^The external system answered 200 with a body that is not JSON \((GET|POST) \/api\/v1\/organizations\/clients(\/upsert)?\)$/);
      expect(String(error)).not.toContain('Amina');
    }
  });

  test('an error status is reported by status and route, its body unread; accepted statuses are answers', async () => {
    server.use(
      http.get('https://dtp.test/referrals/:id', () => HttpResponse.json({ detail: PAGE }, { status: 500 })),
      http.post('https://dtp.test/ReceiveIncomingReferral', () => HttpResponse.json({ error: 'duplicate_referral' }, { status: 409 })),
    );
    const gateway = new DtpGateway('https://dtp.test', 'key');
    const error = await failure(() => gateway.lookup('case-1#abc'));
    expect(error.message).toBe('DTP gateway answered 500 (GET /referrals/{id})');
    const referral = { request_type: 'ReceiveIncomingReferral' as const, progres_orgreferralid: 'x', progres_interventiontype: 'Registration', primero_referral_id: 'r', primero_case_id_display: null, primero_user: null, referral_date: null };
    expect(await gateway.send(referral)).toBe('already_held');
  });

  test('no answer at all: named, without the URL', async () => {
    server.use(http.get('https://dtp.test/referrals/:id', () => HttpResponse.error()));
    const error = await failure(() => new DtpGateway('https://dtp.test', 'key').lookup('case-1#abc'));
    expect(error.message).toBe('DTP gateway could not be reached (GET /referrals/{id})');
  });
});

describe('a base URL', () => {
  test('with credentials, invalid or plain http off this machine is refused, and not repeated', () => {
    const cases: Array<[string, RegExp]> = [
      ['https://api:s3cret@dtp.example.org', /^UNHCR_DTP_URL must not hold a user name or password/],
      ['https://api:s3cret@dtp example.org', /^UNHCR_DTP_URL is not a valid URL$/],
      ['http://dtp.example.org', /^UNHCR_DTP_URL must be https:\/\/$/],
    ];
    for (const [url, message] of cases) {
      let error: unknown;
      try {
        new DtpGateway(url, 'key');
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(message);
      expect(JSON.stringify({ ...(error as object), message: (error as Error).message })).not.toContain('s3cret');
    }
  });

  test('http on this machine is allowed, the path kept, the credential sent in its header only', async () => {
    let seen: Request | undefined;
    const partner = new PartnerHttp({
      partner: 'Partner',
      baseUrl: 'http://127.0.0.1:9/api/',
      headers: { authorization: 'Bearer t' },
      fetch: async (input, init) => {
        seen = new Request(input, init);
        return Response.json({ ok: true });
      },
    });
    expect(await partner.request('GET', '/x', { route: '/x' })).toEqual({ status: 200, body: { ok: true } });
    expect(seen?.url).toBe('http://127.0.0.1:9/api/x');
    expect(seen?.headers.get('authorization')).toBe('Bearer t');
    expect(JSON.stringify(partner)).not.toContain('Bearer');
  });
});
