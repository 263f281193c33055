/**
 * The `primero` command, run from source (no build) as a child process: `fake-server` serves the fake
 * over real HTTP, prints its URL and the demo credentials only, answers the SDK, and stops cleanly on
 * SIGTERM; usage errors are one line and a non-zero exit.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { http, passthrough } from 'msw';
import { beforeEach, describe, expect, test } from 'vitest';
import { PrimeroClient } from '../../src/index.js';
import { FakePrimero } from '../../src/testing/fake.js';
import { DEMO_PASSWORD } from '../../src/testing/seed.js';
import { startCli, stopCli, type CliRun } from '../support/cli.js';
import { server } from '../support/server.js';

const ROOT = new URL('../../', import.meta.url);
/** Generous for ts-node's start on a slow machine, still well inside the test timeout. */
const START_MS = 12_000;

type Run = CliRun;

function cli(...args: string[]): Run {
  return startCli(args);
}

/** Waits until stdout matches `pattern`; fails with what was printed if the process ends or time runs out first. */
async function waitFor(run: Run, pattern: RegExp, ms = START_MS): Promise<RegExpExecArray> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const found = pattern.exec(run.stdout());
    if (found) return found;
    if (run.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no ${String(pattern)} in the output (exit ${String(run.child.exitCode)}): ${run.stdout()} ${run.stderr()}`);
}

const kill = stopCli;

// The unit tests' msw server intercepts fetch: let the SDK reach the child's server on loopback.
beforeEach(() => {
  server.use(http.all(/^http:\/\/127\.0\.0\.1:\d+\//, () => passthrough()));
});

describe('primero fake-server', () => {
  test('serves the fake over HTTP: the SDK reads its cases with the printed credentials; SIGTERM exits 0', async () => {
    const run = cli('fake-server', '--port', '0', '--cases', '10');
    try {
      const [, url = ''] = await waitFor(run, /listening on (http:\/\/127\.0\.0\.1:\d+)\n/);
      const [, username = ''] = await waitFor(run, /username\s+(\S+)/);
      const [, password = ''] = await waitFor(run, /password\s+(\S+)/);
      expect(password).toBe(DEMO_PASSWORD);

      const client = new PrimeroClient({ baseUrl: url, auth: { username, password }, allowInsecureHttp: true, validate: 'strict' });
      const cases = await client.cases.list({ per: 100 }).collect({ max: 100 });
      expect(cases).toHaveLength(10);
      // The same data as the fake seeded in-process with the CLI's defaults (seed 1).
      const expected = new FakePrimero({ seed: 1, cases: 10 }).store;
      expect(new Set(cases.map((c) => c.id))).toEqual(new Set(expected.cases.keys()));

      // Only the URL and the demo credentials: no generated record reaches the terminal.
      const printed = run.stdout() + run.stderr();
      for (const record of expected.cases.values()) {
        for (const value of [record.id, record.case_id, record.short_id, record.name_first, record.name_last]) expect(printed).not.toContain(String(value));
      }

      run.child.kill('SIGTERM');
      expect(await run.exited).toEqual({ code: 0, signal: null });
      expect(run.stdout()).toContain('Stopped (SIGTERM).');
      expect(run.stderr()).toBe('');
      // The port is closed once it has stopped.
      await expect(fetch(`${url}/api/v2/primero`)).rejects.toThrow();
    } finally {
      kill(run);
    }
  });

  test('Ctrl+C (SIGINT) stops it with exit code 0; the printed options are the ones given', async () => {
    const run = cli('fake-server', '--port', '0', '--cases', '3', '--seed', '9', '--auth', 'session', '--no-csrf');
    try {
      const [, url = ''] = await waitFor(run, /listening on (http:\/\/127\.0\.0\.1:\d+)\n/);
      await waitFor(run, /Stop with Ctrl\+C/);
      expect(run.stdout()).toContain('auth      session (CSRF off)');
      expect(run.stdout()).toContain('data      3 generated cases, seed 9');
      const answer = await fetch(`${url}/api/v2/primero`);
      expect(answer.status).toBe(200);
      run.child.kill('SIGINT');
      expect(await run.exited).toEqual({ code: 0, signal: null });
      expect(run.stdout()).toContain('Stopped (SIGINT).');
    } finally {
      kill(run);
    }
  });

  test('--auth bearer only: prints the demo token, never the password that mode refuses', async () => {
    const run = cli('fake-server', '--port', '0', '--cases', '2', '--auth', 'bearer');
    try {
      const [, url = ''] = await waitFor(run, /listening on (http:\/\/127\.0\.0\.1:\d+)\n/);
      const [, token = ''] = await waitFor(run, /token\s+(\S+)/);
      await waitFor(run, /Stop with Ctrl\+C/);
      expect(run.stdout()).not.toContain(DEMO_PASSWORD);
      expect(run.stdout()).not.toMatch(/username|password/);
      const answer = await fetch(`${url}/api/v2/cases`, { headers: { authorization: `Bearer ${token}` } });
      expect(answer.status).toBe(200);
      run.child.kill('SIGTERM');
      expect((await run.exited).code).toBe(0);
    } finally {
      kill(run);
    }
  });

  test('--help prints the usage and exits 0, without starting a server', async () => {
    const run = cli('fake-server', '--help');
    try {
      expect((await run.exited).code).toBe(0);
      const out = run.stdout();
      expect(out).toMatch(/^Usage: primero fake-server \[options\]/);
      for (const flag of ['--port <number>', '--cases <number>', '--auth <modes>', '--seed <number>', '--host <address>', '--latency-ms <number>', '--no-csrf']) expect(out).toContain(flag);
      expect(out).not.toContain('listening');
    } finally {
      kill(run);
    }
  });

  test('the program\'s --help lists fake-server', async () => {
    const run = cli('--help');
    try {
      expect((await run.exited).code).toBe(0);
      expect(run.stdout()).toMatch(/^Usage: primero \[options\] \[command\]/);
      expect(run.stdout()).toMatch(/\n {2}fake-server \[options\] +Serve a fake Primero/);
    } finally {
      kill(run);
    }
  });

  test.each([
    [['fake-server', '--bogus'], /^primero fake-server: unknown option '--bogus'/],
    [['fake-server', '--port', '70000'], /^primero fake-server: option '--port <number>' argument '70000' is invalid/],
    [['fake-server', '--auth', 'basic,magic'], /^primero fake-server: option '--auth <modes>' argument 'basic,magic' is invalid/],
  ])('a bad flag (%j) exits non-zero with one line on stderr', async (args, message) => {
    const run = cli(...args);
    try {
      expect((await run.exited).code).not.toBe(0);
      expect(run.stderr()).toMatch(message);
      expect(run.stderr().trimEnd().split('\n')).toHaveLength(1);
      expect(run.stdout()).toBe('');
    } finally {
      kill(run);
    }
  });

  test('a port in use is one clear line and a non-zero exit', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    const run = cli('fake-server', '--port', String(port));
    try {
      expect((await run.exited).code).toBe(1);
      expect(run.stderr()).toBe(`primero: port ${port} on 127.0.0.1 is already in use; pick another with --port (0 picks a free one)\n`);
      expect(run.stdout()).toBe('');
    } finally {
      kill(run);
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });
});

test('the CLI imports only runtime dependencies and Node built-ins: never msw, never src/testing/index.ts', () => {
  const pkg = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as { dependencies: Record<string, string> };
  const seen = new Set<string>();
  const bare = new Set<string>();
  const visit = (file: URL) => {
    if (seen.has(file.href)) return;
    seen.add(file.href);
    const source = readFileSync(file, 'utf8');
    for (const [, specifier = ''] of source.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm)) {
      if (specifier.startsWith('.')) visit(new URL(specifier.replace(/\.js$/, '.ts'), file));
      else bare.add(specifier);
    }
  };
  visit(new URL('src/cli/main.ts', ROOT));
  const files = [...seen].map((href) => href.slice(ROOT.href.length));
  expect(files).toContain('src/testing/fake.ts');
  expect(files).not.toContain('src/testing/index.ts');
  for (const specifier of bare) expect(specifier.startsWith('node:') || specifier in pkg.dependencies, specifier).toBe(true);
  expect(bare).toContain('commander');
});
