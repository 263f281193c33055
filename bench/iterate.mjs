// Iterating 100,000 cases at per=1000 over loopback: the SDK's `cases.list()` (validation loose, the
// default, and off) against a hand-written fetch loop sending the same query. Wall time is the target; the
// client process's CPU time is reported beside it, because the fake server's own work (in another process)
// is in both wall times and dilutes the difference.
import { PrimeroClient } from 'primero-sdk';
import { interleave, numberArg, pairedRatio, report, result, startFake } from './lib.mjs';

const CASES = numberArg('cases', 100_000);
const PER = 1000;
const rounds = numberArg('rounds', 4);

const fake = await startFake({ cases: CASES, seed: 1 });

/** The loop a developer writes without an SDK: same query, status check, JSON, stop rule. */
async function rawFetch() {
  let count = 0;
  for (let page = 1; ; page++) {
    const response = await fetch(`${fake.url}/api/v2/cases?order_by=created_at&order=asc&page=${page}&per=${PER}`, {
      headers: { authorization: fake.basic, accept: 'application/json' },
    });
    if (!response.ok) throw new Error(`GET /cases page ${page}: ${response.status}`);
    const { data, metadata } = await response.json();
    for (const record of data) count += record.id.length > 0 ? 1 : 0;
    if (!data.length || page * metadata.per >= metadata.total) return count;
  }
}

function sdk(validate) {
  const client = new PrimeroClient({ baseUrl: fake.url, auth: fake.credentials, validate });
  return async () => {
    let count = 0;
    for await (const record of client.cases.list({ per: PER })) count += record.id.length > 0 ? 1 : 0;
    return count;
  };
}

const variants = { raw: rawFetch, loose: sdk('loose'), off: sdk('off') };
for (const [name, run] of Object.entries(variants)) {
  const count = await run();
  if (count !== CASES) throw new Error(`${name} read ${count} cases, expected ${CASES}`);
}
const samples = await interleave(variants, { rounds, warmup: 0 }); // the check above was the warm-up
await fake.close();

const k = `${CASES / 1000}k`;
report([
  result(`iterate-${k}-loose`, pairedRatio(samples.loose, samples.raw), 'x', { op: '<=', value: 1.25 }, `cases.list() per=${PER}, validate loose, vs raw fetch loop; wall time`),
  result(`iterate-${k}-off`, pairedRatio(samples.off, samples.raw), 'x', { op: '<=', value: 1.05 }, `cases.list() per=${PER}, validate off, vs raw fetch loop; wall time`),
  result(`iterate-${k}-loose-client-cpu`, pairedRatio(samples.loose, samples.raw, 'cpuMs'), 'x', undefined, 'client process CPU time, validate loose vs raw fetch'),
  result(`iterate-${k}-off-client-cpu`, pairedRatio(samples.off, samples.raw, 'cpuMs'), 'x', undefined, 'client process CPU time, validate off vs raw fetch'),
]);
