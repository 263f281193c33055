/**
 * examples/openfn-adaptor: jobs run through the real OpenFn runtime (`@openfn/runtime`) with the example
 * adaptor, against the fake Primero. The runtime needs `--experimental-vm-modules`, which vitest's workers do
 * not have, so the jobs run in a child process: a small harness (below) that serves the fake, runs each job
 * with `runJob`, and prints the final states, the collected log lines and what the fake saw.
 */
import { readFileSync } from 'node:fs';
import { DEMO_PASSWORD } from 'primero-sdk/testing';
import { beforeAll, describe, expect, test } from 'vitest';
import { collect, ownStderr, runExample, spawnExample, type ExampleRun } from './run-example.js';

const BASIC = Buffer.from(`demo_caseworker:${DEMO_PASSWORD}`).toString('base64');

const HARNESS = `
import { createFakePrimero } from 'primero-sdk/testing';
import { runJob } from './examples/openfn-adaptor/runner.js';

const fake = createFakePrimero({ cases: 130, seed: 9 });
const server = await fake.listen();
const referrals = [...fake.store.referrals.values()];
const pick = (status) => {
  const referral = referrals.find((r) => r.status === status);
  return { id: referral.id, record_id: referral.record_id, case_id: fake.store.cases.get(referral.record_id).case_id };
};
// Two cases claiming the same partner id: an upsert must refuse to choose.
const [a, b] = [...fake.store.cases.values()].slice(-2);
a.unhcr_individual_no = 'DUP-1';
b.unhcr_individual_no = 'DUP-1';
const facts = {
  pending: pick('in_progress'),
  done: pick('done'),
  open: [...fake.store.cases.values()].filter((c) => c.status === 'open').length,
  duplicates: [a.id, b.id],
};
const configuration = { url: server.url, user: fake.credentials.username, password: fake.credentials.password };
const INTAKE = JSON.parse(process.env.INTAKE);
const logs = [];
const states = {};
for (const [name, job] of Object.entries(JSON.parse(process.env.JOBS))) {
  const { source, data } = typeof job === 'string' ? { source: job, data: { from: 'trigger' } } : job;
  const start = fake.requests.length;
  const credential = name === 'noPassword' ? { url: server.url, user: fake.credentials.username } : configuration;
  const state = await runJob({ source, configuration: credential, stepId: name, debug: true, state: { data, facts }, onLog: (line) => logs.push(line) });
  const seen = fake.requests.slice(start).map((r) => ({ method: r.method, path: r.path, query: Object.fromEntries(r.query) }));
  states[name] = { state, seen };
}
const status = (id) => fake.store.referrals.get(id).status;
const partner = (id) => [...fake.store.cases.values()].filter((c) => c.unhcr_individual_no === id).length;
const intakeCases = [...fake.store.cases.values()].filter((c) => c.unhcr_individual_no === INTAKE.individual_id).map((c) => c.id);
const intake = { cases: intakeCases.length, referrals: [...fake.store.referrals.values()].filter((r) => intakeCases.includes(r.record_id)).map((r) => ({ id: r.id, status: r.status })) };
console.log('RESULT ' + JSON.stringify({ facts, states, logs, after: { pending: status(facts.pending.id), done: status(facts.done.id), p1: partner('P-1'), p2: partner('P-2'), intake } }));
await server.close();
`;

const HEADER = `import { addService, each, fn, getCase, getCases, getReferrals, getServices, updateReferral, updateService, upsertCase } from '@example/language-primero';
export * from '@example/language-primero';
`;
const job = (operations: string) => `${HEADER}export default [\n${operations}\n];\n`;
const SAMPLE_JOB = readFileSync(new URL('../../examples/openfn-adaptor/job.js', import.meta.url), 'utf8');
/** The trigger's body of the sample job (invented). */
const INTAKE = { individual_id: 'PRG-RERUN-1', sex: 'female', age: 12, consent: true };

const JOBS = {
  accept: job(`
    getCases({ status: 'open' }, { per: 20, fields: ['status'] }),
    updateReferral((state) => state.facts.pending.record_id, (state) => state.facts.pending.id, 'accepted'),
    getReferrals((state) => ({ case_id: state.facts.pending.case_id })),
  `),
  illegal: job(`
    updateReferral((state) => state.facts.done.record_id, (state) => state.facts.done.id, 'accepted'),
    fn((state) => ({ ...state, after: true })),
  `),
  unknownCase: job(`
    getReferrals({ case_id: 'no-such-case-id' }),
    fn((state) => ({ ...state, after: true })),
  `),
  ambiguous: job(`
    upsertCase('unhcr_individual_no', { module_id: 'primeromodule-cp', unhcr_individual_no: 'DUP-1', risk_level: 'high' }),
  `),
  upsertTwice: job(`
    each([{ id: 'P-1', age: 9 }, { id: 'P-2', age: 15 }], upsertCase('unhcr_individual_no', (state) => ({ module_id: 'primeromodule-cp', unhcr_individual_no: state.data.id, age: state.data.age }))),
    fn((state) => ({ ...state, first: state.data.action })),
    each([{ id: 'P-1', age: 10 }, { id: 'P-2', age: 16 }], upsertCase('unhcr_individual_no', (state) => ({ module_id: 'primeromodule-cp', unhcr_individual_no: state.data.id, age: state.data.age }))),
  `),
  services: job(`
    addService((state) => state.facts.pending.record_id, { service_type: 'psychosocial_service', service_response_type: 'care_plan' }),
    fn((state) => ({ ...state, serviceId: state.data.unique_id })),
    updateService((state) => state.facts.pending.record_id, (state) => state.serviceId, { service_appointment_date: '2026-05-04' }),
    getServices((state) => state.facts.pending.record_id),
    getCase((state) => state.facts.pending.record_id, { fields: ['status'] }),
  `),
  noPassword: job(`
    getCases({ status: 'open' }),
  `),
  // The sample job, triggered twice by the same intake (a retried webhook): one case, one referral.
  intake: { source: SAMPLE_JOB, data: INTAKE },
  intakeAgain: { source: SAMPLE_JOB, data: INTAKE },
};

interface Seen {
  method: string;
  path: string;
  query: Record<string, string>;
}
type JobState = Record<string, unknown> & { data?: unknown; references?: unknown[]; metadata?: { total: number; pages: number; per: number }; errors?: Record<string, { name: string; message: string }> };
interface HarnessResult {
  facts: { pending: { id: string; record_id: string; case_id: string }; done: { id: string; record_id: string }; open: number; duplicates: string[] };
  states: Record<keyof typeof JOBS, { state: JobState; seen: Seen[] }>;
  logs: string[];
  after: { pending: string; done: string; p1: number; p2: number; intake: { cases: number; referrals: { id: string; status: string }[] } };
}

let harness: { stdout: string; stderr: string; code: number | null; result: HarnessResult };

async function runHarness(): Promise<typeof harness> {
  // node --experimental-vm-modules --no-warnings --import <ts loader> --input-type=module --eval HARNESS
  const child = spawnExample('--input-type=module', {
    nodeArgs: ['--experimental-vm-modules', '--no-warnings'],
    args: ['--eval', HARNESS],
    env: { JOBS: JSON.stringify(JOBS), INTAKE: JSON.stringify(INTAKE) },
  });
  const run = await collect(child, 25_000);
  const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`harness failed (${run.code}): ${run.stderr}`);
  return { ...run, result: JSON.parse(line.slice('RESULT '.length)) as HarnessResult };
}

beforeAll(async () => {
  harness = await runHarness();
}, 30_000);

describe('jobs through @openfn/runtime', () => {
  test('getCases reads every page; the referral is accepted in Primero; references keep the earlier results', () => {
    const { state, seen } = harness.result.states.accept;
    const { facts } = harness.result;
    expect(state.errors).toBeUndefined();
    const pages = Math.ceil(facts.open / 20);
    expect(pages).toBeGreaterThan(1);
    const listed = seen.filter((r) => r.method === 'GET' && r.path === '/cases' && r.query.status === 'open');
    expect(listed.map((r) => [r.query.page, r.query.per])).toEqual(Array.from({ length: pages }, (_, i) => [String(i + 1), '20']));
    expect(state.metadata).toEqual({ total: facts.open, pages, per: 20 });

    // references: the trigger's data, then the cases, then the accepted referral; data: the case's referrals.
    const [trigger, cases, accepted] = state.references ?? [];
    expect(trigger).toEqual({ from: 'trigger' });
    expect(cases).toHaveLength(facts.open);
    expect(accepted).toMatchObject({ id: facts.pending.id, status: 'accepted' });
    expect(state.data).toEqual(expect.arrayContaining([expect.objectContaining({ id: facts.pending.id, status: 'accepted' })]));
    expect(harness.result.after.pending).toBe('accepted');
    expect(seen.filter((r) => r.method === 'PATCH')).toEqual([{ method: 'PATCH', path: `/cases/${facts.pending.record_id}/referrals/${facts.pending.id}`, query: {} }]);
  });

  test('a decision Primero silently refuses fails the job, and the operations after it do not run', () => {
    const { state } = harness.result.states.illegal;
    const { done } = harness.result.facts;
    expect(state.errors?.illegal?.message).toBe(`updateReferral: IllegalTransitionError: Referral ${done.id} cannot go from "done" to "accepted"`);
    expect(state.after).toBeUndefined();
    expect(harness.result.after.done).toBe('done');
  });

  test('a case_id no case carries fails the job instead of resolving silently', () => {
    const { state, seen } = harness.result.states.unknownCase;
    expect(state.errors?.unknownCase?.message).toBe('getReferrals: CaseNotFoundError: No case has this case_id');
    expect(state.after).toBeUndefined();
    expect(seen.filter((r) => r.path.includes('/referrals'))).toEqual([]);
  });

  test("an upsert key two cases carry is the SDK's AmbiguousMatchError: nothing is written", () => {
    const { state, seen } = harness.result.states.ambiguous;
    expect(state.errors?.ambiguous?.message).toMatch(/^upsertCase: AmbiguousMatchError: 2 records match on unhcr_individual_no/);
    expect(seen.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  test('upsertCase inside each: created once, updated on the second pass, never duplicated', () => {
    const { state, seen } = harness.result.states.upsertTwice;
    expect(state.errors).toBeUndefined();
    expect(state.first).toBe('created');
    expect((state.data as { action: string }).action).toBe('updated');
    expect(seen.filter((r) => r.method !== 'GET').map((r) => r.method)).toEqual(['POST', 'POST', 'PATCH', 'PATCH']);
    expect([harness.result.after.p1, harness.result.after.p2]).toEqual([1, 1]);
  });

  test('services: added with its unique_id, then updated by it', () => {
    const { state } = harness.result.states.services;
    expect(state.errors).toBeUndefined();
    const services = (state.references ?? []).at(-1) as { unique_id: string; service_appointment_date?: string }[];
    expect(services).toEqual(expect.arrayContaining([expect.objectContaining({ unique_id: state.serviceId, service_appointment_date: '2026-05-04' })]));
    expect(state.data).toMatchObject({ id: harness.result.facts.pending.record_id });
  });

  test('a credential without a password fails the job before any request, naming the keys, not the values', () => {
    const { state, seen } = harness.result.states.noPassword;
    expect(state.errors?.noPassword?.message).toBe('execute: AdaptorUsageError: configuration needs username (or user) and password, or token');
    expect(seen).toEqual([]);
  });

  test('no credential in any final state, log line (debug included) or output', () => {
    expect(harness.code).toBe(0);
    for (const { state } of Object.values(harness.result.states)) {
      expect(state).not.toHaveProperty('configuration');
      const json = JSON.stringify(state);
      expect(json).not.toContain(DEMO_PASSWORD);
      expect(json).not.toContain(BASIC);
    }
    expect(harness.result.logs.some((line) => line.startsWith('[R/T] Starting step accept'))).toBe(true);
    const everything = [harness.stdout, harness.stderr, ...harness.result.logs].join('\n');
    expect(everything).not.toContain(DEMO_PASSWORD);
    expect(everything).not.toContain(BASIC);
  });
});

describe('the sample job (job.js) triggered twice by the same intake', () => {
  test('one case and one referral: the rerun finds the open referral instead of making another, and does not accept it again', () => {
    const { intake, intakeAgain } = harness.result.states;
    expect(intake.state.errors).toBeUndefined();
    expect(intakeAgain.state.errors).toBeUndefined();
    expect(harness.result.after.intake.cases).toBe(1);
    expect(harness.result.after.intake.referrals).toEqual([{ id: expect.any(String), status: 'accepted' }]);
    const [referral] = harness.result.after.intake.referrals;
    expect(intake.state.data).toMatchObject({ caseAction: 'created', referralId: referral?.id, referralAction: 'created', acceptedReferrals: [referral?.id] });
    expect(intakeAgain.state.data).toMatchObject({ caseAction: 'updated', referralId: referral?.id, referralAction: 'found open', acceptedReferrals: [referral?.id] });
    // The rerun's writes: the case's update only; no referral created or changed.
    expect(intakeAgain.seen.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path.replace(/[0-9a-f-]{36}/g, ':id')}`)).toEqual(['PATCH /cases/:id']);
  });
});

describe('npm run example:openfn-adaptor', () => {
  let run: ExampleRun;
  beforeAll(async () => {
    run = await runExample('openfn-adaptor', { timeoutMs: 25_000 });
  }, 30_000);

  test('runs job.js through the runtime against the fake: case upserted, referral accepted, every page of open cases read', () => {
    expect(ownStderr(run.stderr)).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('[R/T] Starting step intake');
    const referral = /^ {2}referral ([0-9a-f-]{36}) (.+)$/m.exec(run.stdout);
    expect(referral?.[2]).toBe('created, accepted');
    expect(run.stdout).toMatch(/^ {2}case [0-9a-f-]{36} created$/m);
    const counts = /open cases: (\d+) \(read in (\d+) pages\)/.exec(run.stdout);
    expect(Number(counts?.[2])).toBe(Math.ceil(Number(counts?.[1]) / 50));
    expect(Number(counts?.[1])).toBeGreaterThan(50);
    expect(run.stdout).toContain('state keys: data, references');
  });

  test('prints ids and counts only: no credential, no field of the intake', () => {
    const output = run.stdout + run.stderr;
    expect(output).not.toContain(DEMO_PASSWORD);
    expect(output).not.toContain(BASIC);
    expect(output).not.toContain('PRG-2026-000417');
    expect(output).not.toContain('female');
  });
});
