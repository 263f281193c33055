// Per-request overhead: `cases.get(id)` for one small record (validation loose, the default) against a raw
// fetch of the same URL with the same header, parsed as JSON and status-checked. Each round sends a batch of
// sequential requests per variant over one keep-alive connection pool. Beside the target, to show where the
// difference goes: ky alone (the SDK's request builder, configured as the SDK configures it), ky called
// exactly as the transport calls it with its per-attempt timeout, and the SDK's untyped `client.request()`,
// all against the same raw fetch.
import ky from 'ky';
import { PrimeroClient } from 'primero-sdk';
import { interleave, numberArg, pairedRatio, report, result, startFake } from './lib.mjs';

const BATCH = 200;
const rounds = numberArg('rounds', 12);

const fake = await startFake({ cases: 10, seed: 1 });
const client = new PrimeroClient({ baseUrl: fake.url, auth: fake.credentials });
const off = new PrimeroClient({ baseUrl: fake.url, auth: fake.credentials, validate: 'off' });
// A small record: only what a create sets (the fake adds the server's defaults and ownership fields).
const { id } = await client.cases.create({ module_id: 'primeromodule-cp', name: 'Bench Child', sex: 'female', age: 9 });
const bytes = (await (await fetch(`${fake.url}/api/v2/cases/${id}`, { headers: { authorization: fake.basic } })).text()).length;

async function raw() {
  for (let i = 0; i < BATCH; i++) {
    const response = await fetch(`${fake.url}/api/v2/cases/${id}`, { headers: { authorization: fake.basic, accept: 'application/json' } });
    if (!response.ok) throw new Error(`GET /cases/:id: ${response.status}`);
    const { data } = await response.json();
    if (data.id !== id) throw new Error('wrong record');
  }
}

const kyClient = ky.create({ prefixUrl: `${fake.url}/api/v2`, retry: 0, timeout: false, throwHttpErrors: false, fetch: (input, init) => globalThis.fetch(input, init) });
async function kyOnly() {
  for (let i = 0; i < BATCH; i++) {
    const response = await kyClient(`cases/${id}`, { headers: { authorization: fake.basic, accept: 'application/json' }, redirect: 'manual' });
    if (!response.ok) throw new Error(`GET /cases/:id: ${response.status}`);
    if (JSON.parse(await response.text()).data.id !== id) throw new Error('wrong record');
  }
}

// ky as the transport calls it, and no more: a Headers object, the redirect refused, and the one thing a
// client cannot drop, a per-attempt timeout (an AbortController and a timer, cleared once the body is read,
// its signal handed to fetch with the request). The floor for an SDK built on ky.
async function kyTimeout() {
  for (let i = 0; i < BATCH; i++) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 30_000);
    try {
      const response = await kyClient(`cases/${id}`, {
        headers: new Headers({ accept: 'application/json', authorization: fake.basic }),
        redirect: 'manual',
        fetch: (input, init) => globalThis.fetch(input, { ...init, signal: controller.signal }),
      });
      if (!response.ok) throw new Error(`GET /cases/:id: ${response.status}`);
      if (JSON.parse(await response.text()).data.id !== id) throw new Error('wrong record');
    } finally {
      clearTimeout(timer);
    }
  }
}

async function untyped() {
  for (let i = 0; i < BATCH; i++) if ((await off.request('GET', `/cases/${id}`)).data.id !== id) throw new Error('wrong record');
}

function sdk(c) {
  return async () => {
    for (let i = 0; i < BATCH; i++) if ((await c.cases.get(id)).id !== id) throw new Error('wrong record');
  };
}

const samples = await interleave({ raw, sdk: sdk(client), off: sdk(off), ky: kyOnly, kyTimeout, request: untyped }, { rounds, warmup: 2 });
await fake.close();

report([
  result('get-overhead', pairedRatio(samples.sdk, samples.raw), 'x', { op: '<=', value: 1.15 }, `cases.get() of one ${bytes}-byte record vs raw fetch; wall time`),
  result('get-overhead-off', pairedRatio(samples.off, samples.raw), 'x', undefined, 'the same with validate off'),
  result('get-overhead-request', pairedRatio(samples.request, samples.raw), 'x', undefined, "client.request('GET', path) without a schema, validate off"),
  result('get-overhead-ky-only', pairedRatio(samples.ky, samples.raw), 'x', undefined, 'ky alone, as the transport configures it (no SDK code)'),
  result('get-overhead-ky-timeout', pairedRatio(samples.kyTimeout, samples.raw), 'x', undefined, 'ky as the transport calls it, with a per-attempt timeout: the floor on ky'),
  result('get-overhead-client-cpu', pairedRatio(samples.sdk, samples.raw, 'cpuMs'), 'x', undefined, 'client process CPU time, cases.get() vs raw fetch'),
]);
