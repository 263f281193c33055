#!/usr/bin/env node
// The benchmarks of docs/benchmarks.md: `npm run bench` (builds first), or `node bench/run.mjs` on a build.
//
//   --check          exit 1 when a target is missed (the size budget included)
//   --only a,b       run only these benchmarks: iterate, memory, prefetch, request, startup, size
//   --rounds N       measured rounds for every benchmark instead of each one's default
//
// Each benchmark runs in its own Node process (with --expose-gc), against a fake Primero served over HTTP on
// loopback from another process, and reports ratios against a baseline measured in the same run: absolute
// times on a shared machine are noise. Prints one line per figure, `name: value (target)`, then a markdown
// table for docs/benchmarks.md.
import { execFile } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { measureSize } from '../scripts/size-check.mjs';

const BENCHMARKS = ['iterate', 'memory', 'prefetch', 'request', 'startup', 'size'];
const args = process.argv.slice(2);
const check = args.includes('--check');
const onlyAt = args.indexOf('--only');
const only = onlyAt === -1 ? BENCHMARKS : args[onlyAt + 1].split(',');
const unknown = only.filter((name) => !BENCHMARKS.includes(name));
if (unknown.length) {
  console.error(`bench: unknown benchmark ${unknown.join(', ')} (known: ${BENCHMARKS.join(', ')})`);
  process.exit(2);
}
const roundsAt = args.indexOf('--rounds');
const passArgs = roundsAt === -1 ? [] : ['--rounds', args[roundsAt + 1]];

async function runChild(name) {
  const script = fileURLToPath(new URL(`./${name}.mjs`, import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', script, ...passArgs], { maxBuffer: 16 << 20 });
  return JSON.parse(stdout.trim().split('\n').at(-1)).results;
}

async function runSize() {
  const size = await measureSize();
  return [
    {
      name: 'size-esm-min-gz',
      value: size.gzipBytes / 1024,
      unit: 'KB',
      target: { op: '<=', value: size.budgetBytes / 1024 },
      note: `dist/index.js bundled with ky (zod external), minified, gzipped; ${(size.minifiedBytes / 1024).toFixed(1)} KB minified`,
    },
  ];
}

const format = (value, unit) => (unit === 'x' ? `${value.toFixed(2)}x` : `${value.toFixed(1)} ${unit}`);
const targetText = (r) => (r.target ? `${r.target.op} ${format(r.target.value, r.unit)}` : 'no target');
function met(r) {
  if (!r.target) return undefined;
  const { op, value } = r.target;
  return op === '<=' ? r.value <= value : op === '<' ? r.value < value : r.value >= value;
}

const results = [];
let failed = false;
for (const name of only) {
  const started = Date.now();
  try {
    const figures = name === 'size' ? await runSize() : await runChild(name);
    for (const figure of figures) {
      results.push(figure);
      const ok = met(figure);
      console.log(`${figure.name}: ${format(figure.value, figure.unit)} (${targetText(figure)})${ok === false ? '  MISSED' : ''}`);
    }
  } catch (error) {
    failed = true;
    console.error(`${name}: failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (process.env.BENCH_VERBOSE) console.error(`(${name}: ${((Date.now() - started) / 1000).toFixed(0)} s)`);
}

const missed = results.filter((r) => met(r) === false);
console.log(`\n${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'})\n`);
console.log('| benchmark | result | target | met | what |');
console.log('| --- | --- | --- | --- | --- |');
for (const r of results) {
  const ok = met(r);
  console.log(`| ${r.name} | ${format(r.value, r.unit)} | ${r.target ? targetText(r) : '–'} | ${ok === undefined ? '–' : ok ? 'yes' : '**no**'} | ${r.note} |`);
}
if (missed.length) console.log(`\n${missed.length} target(s) missed: ${missed.map((r) => r.name).join(', ')}`);
if (failed || (check && missed.length)) process.exitCode = 1;
