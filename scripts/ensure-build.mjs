#!/usr/bin/env node
// Builds dist/ only when it is missing or older than a source file, so `npm run example:<name>` starts fast
// and two examples started together do not delete dist/ under each other. The build's log goes to stderr:
// an example's stdout stays its own (`npm run -s example:fetch-case -- --full-record > case.json`).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const BUILT = 'dist/index.js';
const INPUTS = ['src', 'package.json', 'tsup.config.ts', 'tsconfig.json'];

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

function builtAt() {
  try {
    return statSync(BUILT).mtimeMs;
  } catch {
    return -1;
  }
}

if (builtAt() < Math.max(...INPUTS.map(newest))) {
  process.stderr.write('primero-sdk: building dist/ (the examples run the built package)\n');
  const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: ['ignore', process.stderr, 'inherit'] });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
