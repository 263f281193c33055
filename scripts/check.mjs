#!/usr/bin/env node
// The project's one gate, run by `npm test` and CI: typecheck, generated types up to date, build, the main
// entry's size budget, unit tests (the examples and the browser test among them), API docs, the built
// package from real ESM and CJS consumers, packaging lints, and the README's main job. It runs every step even after a failure (one red run should show everything that is wrong) and ends
// with the line CI reads: `N passed, N failed`, counting each vitest test and each other step.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const RESULTS = '.vitest-results.json';
const steps = [
  ['typecheck', 'npx', ['tsc', '--noEmit']],
  ['generated types', 'npm', ['run', '--silent', 'generate:check']],
  ['build', 'npm', ['run', '--silent', 'build']],
  ['size budget', 'node', ['scripts/size-check.mjs']],
  ['unit tests', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${RESULTS}`]],
  ['api docs', 'npm', ['run', '--silent', 'docs']],
  ['consumers', 'npm', ['run', '--silent', 'consumers']],
  ['package lint', 'npm', ['run', '--silent', 'lint:pkg']],
  ['main example', 'node', ['--import', './scripts/ts-node-esm.mjs', 'examples/list-cases.ts']],
];

let passed = 0;
let failed = 0;
const summary = [];
for (const [name, command, args] of steps) {
  const started = Date.now();
  console.log(`\n=== ${name}: ${command} ${args.join(' ')}`);
  if (name === 'unit tests') rmSync(RESULTS, { force: true });
  // The example must run against the built-in stand-in whatever the caller's shell holds.
  const env = name === 'main example' ? { ...process.env, PRIMERO_URL: '' } : process.env;
  const run = spawnSync(command, args, { stdio: 'inherit', env });
  const ok = run.status === 0;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (name === 'unit tests' && existsSync(RESULTS)) {
    const report = JSON.parse(readFileSync(RESULTS, 'utf8'));
    passed += report.numPassedTests;
    // A suite that fails to load counts as a failure even though it ran no test.
    failed += report.numFailedTests + (ok || report.numFailedTests ? 0 : 1);
    summary.push(`${ok ? 'ok  ' : 'FAIL'} ${name}: ${report.numPassedTests} passed, ${report.numFailedTests} failed (${seconds} s)`);
  } else {
    ok ? passed++ : failed++;
    summary.push(`${ok ? 'ok  ' : 'FAIL'} ${name} (${seconds} s)`);
  }
}

console.log(`\n${summary.join('\n')}\n`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
