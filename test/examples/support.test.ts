/**
 * What the examples share (examples/support) and what their tests share (run-example.ts): safe error lines,
 * atomic private files, a child environment that reaches no real system, the dist/ check.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { ExampleError, describeError, exitWithError } from '../../examples/support/errors.js';
import { writeFileAtomic } from '../../examples/support/files.js';
import { ConfigurationError } from '../../src/index.js';
import { assertBuilt, exampleEnv, ownStderr } from './run-example.js';

const dirs: string[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'examples-support-'));
  dirs.push(dir);
  return dir;
}

describe('describeError / exitWithError', () => {
  test("the SDK's errors and the examples' own by their message; anything else by its class, never its message", () => {
    expect(describeError(new ConfigurationError('baseUrl is required'))).toBe('ConfigurationError: baseUrl is required');
    expect(describeError(new ExampleError('OSCAR_URL is set: set OSCAR_TOKEN too'))).toBe('ExampleError: OSCAR_URL is set: set OSCAR_TOKEN too');

    let invalidUrl: unknown;
    try {
      new URL('https://api:s3cret@dtp example.org');
    } catch (error) {
      invalidUrl = error;
    }
    const line = describeError(invalidUrl);
    expect(line).toMatch(/^TypeError \(ERR_INVALID_URL\): unexpected error/);
    expect(line).not.toContain('s3cret');

    let parse: unknown;
    try {
      JSON.parse('Amina Yusuf, born 2014-02-03');
    } catch (error) {
      parse = error;
    }
    expect(describeError(parse)).not.toContain('Amina');
    expect(describeError({ password: 's3cret' })).not.toContain('s3cret');
  });

  test('exitWithError prints one line on stderr and sets the exit code', () => {
    const printed: unknown[][] = [];
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void printed.push(args));
    const before = process.exitCode;
    try {
      exitWithError(new TypeError('Request cannot be constructed from a URL that includes credentials: https://api:s3cret@x.example/'));
      expect(process.exitCode).toBe(1);
    } finally {
      process.exitCode = before;
    }
    expect(printed).toHaveLength(1);
    expect(printed[0]).toHaveLength(1);
    expect(String(printed[0]?.[0])).not.toContain('s3cret');
    expect(String(printed[0]?.[0])).not.toContain('\n');
  });
});

describe('writeFileAtomic', () => {
  test('replaces the file whole, owner-only by default, and leaves no temporary file', async () => {
    const dir = await tempDir();
    const path = join(dir, 'state.json');
    await writeFile(path, 'old', { mode: 0o644 });
    await writeFileAtomic(path, '{"links":[]}\n');
    expect(await readFile(path, 'utf8')).toBe('{"links":[]}\n');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    await writeFileAtomic(join(dir, 'page.html'), '<p>', { mode: 0o644 });
    expect((await stat(join(dir, 'page.html'))).mode & 0o077).toBe(0o044);
    expect((await readdir(dir)).sort()).toEqual(['page.html', 'state.json']);
  });

  test('a failed write leaves what was there and no temporary file', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'sub'));
    // A directory in the way of the rename: the write fails, the directory stays as it was.
    await expect(writeFileAtomic(join(dir, 'sub'), 'new')).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['sub']);
    expect((await stat(join(dir, 'sub'))).isDirectory()).toBe(true);
  });
});

describe('run-example', () => {
  test("the child's environment drops every variable that points at a real system, unless the test sets it", () => {
    const shell = {
      PATH: '/usr/bin',
      HOME: '/home/dev',
      PRIMERO_URL: 'https://primero.example.org',
      PRIMERO_USERNAME: 'me',
      PRIMERO_PASSWORD: 's3cret',
      PRIMERO_TOKEN: 'tok',
      PRIMERO_WEBHOOK_KEY: 'key',
      OSCAR_URL: 'https://oscar.example.org',
      OSCAR_TOKEN: 'tok',
      UNHCR_DTP_URL: 'https://dtp.example.org',
      UNHCR_DTP_KEY: 'key',
      UNHCR_AGENCY_ID: 'agency-unhcr',
      WEBHOOK_URL: 'https://partner.example.org/primero',
      WEBHOOK_PORT: '8080',
      WEBHOOK_HOST: '0.0.0.0',
    };
    expect(exampleEnv({}, shell)).toEqual({ PATH: '/usr/bin', HOME: '/home/dev' });
    expect(exampleEnv({ PRIMERO_URL: 'http://127.0.0.1:1', WEBHOOK_PORT: '0' }, shell)).toEqual({ PATH: '/usr/bin', HOME: '/home/dev', PRIMERO_URL: 'http://127.0.0.1:1', WEBHOOK_PORT: '0' });
  });

  test('ownStderr drops the warnings Node prints on its own, and keeps the rest', () => {
    const stderr = '(node:4242) ExperimentalWarning: `--experimental-loader` may be removed\n(Use `node --trace-warnings ...` to show where the warning was created)\nExampleError: refused\n';
    expect(ownStderr(stderr)).toBe('ExampleError: refused');
    expect(ownStderr('')).toBe('');
  });

  test('assertBuilt: a missing dist/, or one older than a file under src/, stops with "run npm run build first"', async () => {
    const root = await tempDir();
    await mkdir(join(root, 'src', 'core'), { recursive: true });
    await writeFile(join(root, 'src', 'core', 'client.ts'), '');
    expect(() => assertBuilt(root)).toThrow(/dist\/index\.js is missing.*run npm run build first/);

    await mkdir(join(root, 'dist'));
    await writeFile(join(root, 'dist', 'index.js'), '');
    const past = new Date(Date.now() - 60_000);
    await utimes(join(root, 'dist', 'index.js'), past, past);
    expect(() => assertBuilt(root)).toThrow(/dist\/ is older than src\/.*run npm run build first/);

    const earlier = new Date(Date.now() - 120_000);
    await utimes(join(root, 'src', 'core', 'client.ts'), earlier, earlier);
    expect(() => assertBuilt(root)).not.toThrow();
  });
});
