// Prefetch against a server that takes 20 ms to answer each page: `prefetch: 4` against sequential paging,
// both through the SDK (default maxConcurrency 4, which bounds the pages in flight).
//
// The fake runs on the same (small, shared) machine, and its CPU work per page grows with the whole table
// (it filters and sorts every case on each request): that work is serialised on the machine's cores, where a
// remote server's would not be. The measured configuration keeps it small (1,000 cases, 20 pages of 50), so
// the 20 ms of latency dominates as it does against a real server; the SDK's default page size over 2,000
// cases is reported beside it, without a target, to show the effect.
import { PrimeroClient } from 'primero-sdk';
import { interleave, numberArg, pairedRatio, report, result, startFake } from './lib.mjs';

const LATENCY_MS = 20;
const rounds = numberArg('rounds', 10);

async function speedup(cases, per) {
  const fake = await startFake({ cases, seed: 1, latencyMs: LATENCY_MS });
  const client = new PrimeroClient({ baseUrl: fake.url, auth: fake.credentials });
  const scan = (prefetch) => async () => {
    let count = 0;
    for await (const record of client.cases.list({ per, prefetch })) count += record.id ? 1 : 0;
    if (count !== cases) throw new Error(`prefetch ${prefetch} read ${count} cases, expected ${cases}`);
  };
  const samples = await interleave({ sequential: scan(0), prefetch4: scan(4) }, { rounds, warmup: 1 });
  await fake.close();
  return pairedRatio(samples.sequential, samples.prefetch4);
}

report([
  result('prefetch-4-speedup', await speedup(1000, 50), 'x', { op: '>=', value: 2.5 }, `sequential over prefetch: 4, 20 pages of 50, ${LATENCY_MS} ms latency per page`),
  result('prefetch-4-speedup-per100', await speedup(2000, 100), 'x', undefined, `the same with 20 pages of 100 over 2,000 cases: more fake-server CPU per page, serialised on this machine`),
]);
