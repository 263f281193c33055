/**
 * examples/referral-to-unhcr. The job is run as a scheduled job would be, one process per run, against a
 * fake Primero and the DTP stand-in that this test holds: so the state between runs lives only where the
 * example claims it does (Primero and the gateway), and what each side received can be counted.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { externalReferralId } from '../../examples/referral-to-unhcr/dtp.js';
import { startDtpStandIn, type DtpStandIn } from '../../examples/referral-to-unhcr/dtp-stand-in.js';
import { createDemoCase, type DemoCase } from '../../examples/referral-to-unhcr/demo-cases.js';
import { PrimeroClient } from '../../src/index.js';
import { createFakePrimero, type FakePrimeroWithHandlers, type FakeServer, type FakeTransition } from '../../src/testing/index.js';
import { ownStderr, runExample, type ExampleRun } from './run-example.js';

const KEY = 'dtp-subscription-key-test';
const UNHCR = 'agency-unhcr';
/** A seeded user of the fake, other than the one the job signs in as. */
const CASEWORKER = 'cp_worker';

let fake: FakePrimeroWithHandlers;
let primero: FakeServer;
let standIn: DtpStandIn;
let cases: { toAccept: DemoCase; toReject: DemoCase; noConsent: DemoCase; otherAgency: DemoCase };

const runJob = () =>
  runExample('referral-to-unhcr', {
    env: { PRIMERO_URL: primero.url, PRIMERO_USERNAME: fake.credentials.username, PRIMERO_PASSWORD: fake.credentials.password, UNHCR_DTP_URL: standIn.url, UNHCR_DTP_KEY: KEY },
  });

const referralsOf = (demo: DemoCase): FakeTransition[] => [...fake.store.referrals.values()].filter((r) => r.record_id === demo.id);
const serviceOf = (demo: DemoCase): Record<string, unknown> | undefined =>
  (fake.store.cases.get(demo.id)?.services_section as Record<string, unknown>[] | undefined)?.find((s) => s.unique_id === demo.serviceId);
const externalId = (demo: DemoCase) => externalReferralId(demo.caseId, demo.serviceId);
/** Every write the job made to Primero from request `from` on. */
const writesSince = (from: number) => fake.requests.slice(from).filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);

beforeAll(async () => {
  fake = createFakePrimero({ cases: 0, seed: 11 });
  primero = await fake.listen();
  standIn = await startDtpStandIn({ subscriptionKey: KEY });
  const client = new PrimeroClient({ baseUrl: fake.baseUrl, auth: fake.credentials, fetch: fake.fetch });
  cases = {
    toAccept: await createDemoCase(client, { agencyId: UNHCR, serviceType: 'legal_assistance_service' }),
    toReject: await createDemoCase(client, { agencyId: UNHCR, serviceType: 'registration_service' }),
    noConsent: await createDemoCase(client, { agencyId: UNHCR, serviceType: 'legal_assistance_service', consent: false }),
    otherAgency: await createDemoCase(client, { agencyId: 'agency-ngo-hope', serviceType: 'health_medical_service' }),
  };
  // The caseworker already referred one service from the web app (or a run died right after creating the
  // referral): the job must send that referral, not make a second one.
  await client.services.refer(cases.toAccept.id, cases.toAccept.serviceId, { remote: true, transitioned_to_agency: UNHCR });
  // A case of another caseworker: the job (signed in as the integration's account) refers it itself.
  const toReject = fake.store.cases.get(cases.toReject.id);
  if (!toReject) throw new Error('no case');
  toReject.owned_by = CASEWORKER;
});

afterAll(async () => {
  await standIn?.close();
  await primero?.close();
});

describe('referral-to-unhcr, run on a schedule against a Primero and a gateway', () => {
  let first: ExampleRun;
  let firstFrom: number;

  test('run 1 refers each UNHCR service once in Primero and sends each referral to the gateway once', async () => {
    firstFrom = fake.requests.length;
    first = await runJob();
    expect(first.stderr).not.toMatch(/error/i);
    expect(first.code).toBe(0);

    for (const demo of [cases.toAccept, cases.toReject]) {
      const referrals = referralsOf(demo);
      expect(referrals).toHaveLength(1);
      expect(referrals[0]).toMatchObject({ status: 'in_progress', remote: true, transitioned_to_agency: UNHCR, service_record_id: demo.serviceId });
      expect(serviceOf(demo)?.service_status_referred).toBe(true);
    }
    // Only the service nobody had referred yet got a referral from the job.
    expect(writesSince(firstFrom)).toEqual([`POST /cases/${cases.toReject.id}/referrals`]);
    expect([...standIn.posts].sort()).toEqual([externalId(cases.toAccept), externalId(cases.toReject)].sort());
    const sent = standIn.referrals.get(externalId(cases.toReject))?.referral;
    expect(sent).toMatchObject({ progres_interventiontype: 'Registration', primero_referral_id: referralsOf(cases.toReject)[0]?.id, primero_case_id_display: cases.toReject.caseIdDisplay });
    // UNHCR is given the case's caseworker to contact, not the integration account that made the referral.
    expect(referralsOf(cases.toReject)[0]?.transitioned_by).toBe(fake.credentials.username);
    expect(sent?.primero_user).toBe(CASEWORKER);
    expect(standIn.referrals.get(externalId(cases.toAccept))?.referral.primero_user).toBe(fake.credentials.username);
  });

  test('a case without consent to share is reported and not referred; another agency\'s service is left alone', () => {
    expect(referralsOf(cases.noConsent)).toEqual([]);
    expect(referralsOf(cases.otherAgency)).toEqual([]);
    expect(first.stdout).toMatch(new RegExp(`case ${cases.noConsent.caseIdDisplay} service ${cases.noConsent.serviceId}: not_referred \\(no consent`));
    expect(first.stdout).not.toContain(cases.otherAgency.serviceId);
  });

  test('a rerun before UNHCR decides writes nothing and sends nothing', async () => {
    const from = fake.requests.length;
    const run = await runJob();
    expect(run.code).toBe(0);
    expect(writesSince(from)).toEqual([]);
    expect(standIn.posts).toHaveLength(2);
    expect(run.stdout).toContain('nothing to send or write');
  });

  test('UNHCR\'s decisions are written once: accepted, then completed with the service implemented; rejected with the reason', async () => {
    standIn.accept(externalId(cases.toAccept));
    standIn.reject(externalId(cases.toReject), 'individual_not_found');
    let from = fake.requests.length;
    expect((await runJob()).code).toBe(0);
    const [accepted] = referralsOf(cases.toAccept);
    const [rejected] = referralsOf(cases.toReject);
    expect(accepted?.status).toBe('accepted');
    expect(rejected).toMatchObject({ status: 'rejected', rejected_reason: 'UNHCR: individual not found in proGres' });
    expect(writesSince(from).sort()).toEqual([`PATCH /cases/${cases.toAccept.id}/referrals/${accepted?.id}`, `PATCH /cases/${cases.toReject.id}/referrals/${rejected?.id}`].sort());
    expect(serviceOf(cases.toAccept)?.service_implemented).toBe('not_implemented');
    // Accepted in Primero and at UNHCR, not delivered yet: a rerun must not accept again.
    from = fake.requests.length;
    expect((await runJob()).code).toBe(0);
    expect(writesSince(from)).toEqual([]);

    standIn.complete(externalId(cases.toAccept), 'Legal counselling given');
    from = fake.requests.length;
    expect((await runJob()).code).toBe(0);
    expect(referralsOf(cases.toAccept)[0]?.status).toBe('done');
    expect(serviceOf(cases.toAccept)).toMatchObject({ service_implemented: 'implemented', note_on_referral_from_provider: 'Legal counselling given' });
    expect(serviceOf(cases.toReject)?.service_implemented).toBe('not_implemented');
    expect(writesSince(from)).toEqual([`PATCH /cases/${cases.toAccept.id}/referrals/${accepted?.id}`]);
  }, 20_000);

  test('a rerun after everything is decided changes nothing on either side', async () => {
    const from = fake.requests.length;
    const run = await runJob();
    expect(run.code).toBe(0);
    expect(writesSince(from)).toEqual([]);
    expect(standIn.posts).toHaveLength(2);
    expect(fake.store.referrals.size).toBe(2);
  });

  test('without UNHCR_DTP_URL against a real server it refuses to start', async () => {
    const run = await runExample('referral-to-unhcr', { env: { PRIMERO_URL: primero.url, PRIMERO_USERNAME: 'x', PRIMERO_PASSWORD: 'y', UNHCR_DTP_URL: '' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('UNHCR_DTP_URL');
  });
});

test('npm run example:referral-to-unhcr alone tells the whole story against its own fake and stand-in', async () => {
  const run = await runExample('referral-to-unhcr');
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/referral \S+ done; service implemented/);
  expect(run.stdout).toMatch(/referral \S+ rejected, reason recorded; service not_implemented/);
  expect(run.stdout).toContain('UNHCR gateway received 2 referral posts for 2 referrals; Primero received 2 referral creations and 3 status changes');
  expect(run.stdout).toMatch(/Run 4: .*\n\s+= .*nothing to send or write/);
});

describe('referral-to-unhcr: what a failure prints', () => {
  let fake2: FakePrimeroWithHandlers;
  let primero2: FakeServer;
  beforeAll(async () => {
    fake2 = createFakePrimero({ cases: 0, seed: 12 });
    primero2 = await fake2.listen();
    const client = new PrimeroClient({ baseUrl: fake2.baseUrl, auth: fake2.credentials, fetch: fake2.fetch });
    await createDemoCase(client, { agencyId: UNHCR, serviceType: 'legal_assistance_service' });
  });
  afterAll(async () => {
    await primero2?.close();
  });
  const env = (dtpUrl: string) => ({ PRIMERO_URL: primero2.url, PRIMERO_USERNAME: fake2.credentials.username, PRIMERO_PASSWORD: fake2.credentials.password, UNHCR_DTP_URL: dtpUrl, UNHCR_DTP_KEY: KEY });

  test('a gateway URL holding credentials is refused in one line that does not repeat it, before any request', async () => {
    for (const url of ['https://api:s3cret@dtp example.org', 'https://api:s3cret@dtp.example.org/primero']) {
      const from = fake2.requests.length;
      const run = await runExample('referral-to-unhcr', { env: env(url) });
      expect(run.code).toBe(1);
      expect(run.stdout + run.stderr).not.toContain('s3cret');
      expect(ownStderr(run.stderr)).toMatch(/^ExampleError: UNHCR_DTP_URL (is not a valid URL|must not hold a user name or password.*)$/);
      expect(fake2.requests.slice(from)).toEqual([]);
    }
  });

  test('a gateway answering 200 with a page that is not JSON: the step fails with the status and route, never the page', async () => {
    const gateway = await new Promise<{ url: string; close: () => void }>((resolve) => {
      const page = createServer((req, res) => {
        req.resume();
        res.writeHead(200, { 'content-type': 'text/html' }).end('Amina Yusuf, born 2014-02-03: see the portal');
      });
      page.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(page.address() as AddressInfo).port}`, close: () => page.close() }));
    });
    try {
      const run = await runExample('referral-to-unhcr', { env: env(gateway.url) });
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('failed (PartnerHttpError: DTP gateway answered 200 with a body that is not JSON (GET /referrals/{id}))');
      expect(run.stdout + run.stderr).not.toContain('Amina');
    } finally {
      gateway.close();
    }
  });
});
