// What the benchmarks share: a fake Primero served from its own process, interleaved rounds, paired ratios,
// and the result format. Every benchmark imports the BUILT package by name, as a user gets it.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('./server.mjs', import.meta.url));

/**
 * Starts `createFakePrimero(options)` in a child process, served over HTTP on loopback (`fake.listen()`).
 * Its work and its garbage stay out of the measured process, as a real server's would.
 * @returns {Promise<{ url: string, credentials: { username: string, password: string }, basic: string, close: () => Promise<void> }>}
 */
export async function startFake(options) {
  const child = fork(SERVER, [JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`fake server exited with ${code}`)));
  });
  const { username, password } = ready.credentials;
  return {
    url: ready.url,
    credentials: ready.credentials,
    basic: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
    close: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.send('close');
      }),
  };
}

/** Collects a full GC when the process runs with --expose-gc (every benchmark child does). */
export function collectGarbage() {
  globalThis.gc?.();
}

/**
 * Runs every variant once per round, in an order that rotates from round to round, so slow and fast phases
 * of a shared machine fall on every variant alike. The first `warmup` rounds are run and discarded.
 * @param {Record<string, () => Promise<unknown>>} variants
 * @returns {Promise<Record<string, Array<{ ms: number, cpuMs: number }>>>} per variant, one entry per measured round
 */
export async function interleave(variants, { rounds, warmup = 1 }) {
  const names = Object.keys(variants);
  const samples = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < warmup + rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length];
      collectGarbage();
      const cpu = process.cpuUsage();
      const started = performance.now();
      await variants[name]();
      const ms = performance.now() - started;
      const used = process.cpuUsage(cpu);
      if (round >= warmup) samples[name].push({ ms, cpuMs: (used.user + used.system) / 1000 });
    }
  }
  return samples;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The median of the per-round ratios `a[i] / b[i]`: each round compares runs made moments apart. */
export function pairedRatio(a, b, key = 'ms') {
  return median(a.map((sample, i) => sample[key] / b[i][key]));
}

/**
 * One figure. `target` is `{ op: '<=' | '>=' | '<', value }`, or undefined for a figure reported without a
 * target. `unit` is 'x' for a ratio, or a unit name.
 */
export function result(name, value, unit, target, note) {
  return { name, value, unit, ...(target ? { target } : {}), note };
}

/** Prints the results of a benchmark child for bench/run.mjs (one JSON line, last on stdout). */
export function report(results) {
  process.stdout.write(`${JSON.stringify({ results })}\n`);
}

/** `--name value` from argv, as a number. */
export function numberArg(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  const value = at === -1 ? undefined : Number(process.argv[at + 1]);
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}
