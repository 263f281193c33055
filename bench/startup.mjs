// Cold start: the time of `import('primero-sdk')` in a fresh Node process, against importing its two runtime
// dependencies (ky and zod) alone, in fresh processes too, alternated round by round.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { median, numberArg, report, result } from './lib.mjs';

const CHILD = fileURLToPath(new URL('./import-child.mjs', import.meta.url));
const rounds = numberArg('rounds', 15);

async function importMs(...specifiers) {
  const { stdout } = await promisify(execFile)(process.execPath, [CHILD, ...specifiers]);
  return Number(stdout);
}

const ratios = [];
for (let round = 0; round < rounds + 1; round++) {
  let sdk;
  let deps;
  // Alternating which goes first, so neither always meets a warmer file system cache.
  if (round % 2) {
    sdk = await importMs('primero-sdk');
    deps = await importMs('ky', 'zod');
  } else {
    deps = await importMs('ky', 'zod');
    sdk = await importMs('primero-sdk');
  }
  if (round > 0) ratios.push(sdk / deps); // round 0 warms the file system cache
}

report([result('import-vs-ky-zod', median(ratios), 'x', { op: '<=', value: 1.5 }, "cold import('primero-sdk') vs import('ky') + import('zod'), fresh processes")]);
