// Peak RSS growth while streaming 100,000 cases at per=1000, measured in fresh child processes
// (bench/memory-child.mjs, --expose-gc) so this harness's own memory is not counted: the SDK over 100,000
// and 10,000 cases (flat means about the same growth), and the raw fetch loop over 100,000 for context.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { numberArg, report, result, startFake } from './lib.mjs';

const CASES = numberArg('cases', 100_000);
const CHILD = fileURLToPath(new URL('./memory-child.mjs', import.meta.url));
const fake = await startFake({ cases: CASES, seed: 1 });

async function stream(mode, limit) {
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', CHILD, mode, fake.url, fake.credentials.username, fake.credentials.password, String(limit)], {
    maxBuffer: 1 << 20,
  });
  const measured = JSON.parse(stdout.trim().split('\n').at(-1));
  if (measured.count !== limit) throw new Error(`${mode} streamed ${measured.count} cases, expected ${limit}`);
  return measured;
}

const small = Math.round(CASES / 10);
const full = await stream('sdk', CASES);
const tenth = await stream('sdk', small);
const raw = await stream('raw', CASES);
await fake.close();

const k = (n) => `${n / 1000}k`;
report([
  result(`memory-stream-${k(CASES)}`, full.peakGrowthMB, 'MB', { op: '<', value: 64 }, `peak RSS growth streaming ${CASES} cases with cases.list() per=1000`),
  result(`memory-growth-${k(CASES)}-vs-${k(small)}`, full.peakGrowthMB / tenth.peakGrowthMB, 'x', undefined, `peak RSS growth for ${CASES} cases over that for ${small}: near 1 when flat`),
  result(`memory-stream-${k(CASES)}-raw`, raw.peakGrowthMB, 'MB', undefined, 'the same for the raw fetch loop, for context'),
  result(`memory-held-heap-${k(CASES)}`, full.heldHeapMB, 'MB', undefined, 'heap a GC cannot free at the last case, inside the scan: the ids kept for de-duplication'),
  result(`memory-held-heap-${k(CASES)}-raw`, raw.heldHeapMB, 'MB', undefined, 'the same for the raw fetch loop'),
]);
