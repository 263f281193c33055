/**
 * Cursor stores (issue 4): the file store writes atomically, reads back only what it wrote, and reports a
 * damaged file as a typed error that repeats nothing of its content.
 */
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { CursorStoreError, FileCursorStore, MemoryCursorStore, isPrimeroError, type ChangeCursor } from '../../src/index.js';

// A switch to make the rename fail, standing for a job killed after the temporary file was written.
const faults = vi.hoisted(() => ({ failRename: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  const rename: typeof actual.rename = async (from, to) => {
    if (faults.failRename) throw Object.assign(new Error(`EIO: rename ${String(from)}`), { code: 'EIO' });
    return actual.rename(from, to);
  };
  return { ...actual, rename, default: { ...actual, rename } };
});

const cursor = (since: string, seen: Record<string, string> = {}): ChangeCursor => ({ version: 1, collection: 'cases', since, seen });
const A = cursor('2025-06-01T10:00:00.123Z', { 'c0ffee00-0000-4000-8000-000000000001': '2025-06-01T09:59:30.000Z' });
const B = cursor('2025-06-01T11:00:00.456Z');

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'primero-cursor-'));
  file = join(dir, 'cases.cursor.json');
  faults.failRename = false;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('FileCursorStore', () => {
  test('a missing file loads as undefined; a saved cursor loads back equal, as JSON, mode 0600, no temporary file left', async () => {
    const store = new FileCursorStore(file);
    expect(await store.load()).toBeUndefined();
    await store.save(A);
    expect(await store.load()).toEqual(A);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(A);
    expect(await readdir(dir)).toEqual(['cases.cursor.json']);
    if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600);
    await new FileCursorStore(file).save(B);
    expect(await new FileCursorStore(file).load()).toEqual(B);
  });

  test('a save that fails before the rename (a crash mid-write) leaves the old cursor intact and no temporary file', async () => {
    const store = new FileCursorStore(file);
    await store.save(A);
    faults.failRename = true;
    const error = await store.save(B).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CursorStoreError);
    expect((error as CursorStoreError).reason).toBe('io');
    // The message names the error code, not the path.
    expect((error as Error).message).not.toContain(dir);
    faults.failRename = false;
    expect(await store.load()).toEqual(A);
    expect(await readdir(dir)).toEqual(['cases.cursor.json']);
    // The store keeps working after a failed save.
    await store.save(B);
    expect(await store.load()).toEqual(B);
  });

  test('a temporary file left by a killed job is never read', async () => {
    const store = new FileCursorStore(file);
    await store.save(A);
    await writeFile(join(dir, '.cases.cursor.json.999.dead.tmp'), '{"version":1,"collection":"cas');
    expect(await store.load()).toEqual(A);
    await store.save(B);
    expect(await new FileCursorStore(file).load()).toEqual(B);
  });

  test('concurrent saves never leave a mix: through one store the last call wins; across stores one whole cursor', async () => {
    const store = new FileCursorStore(file);
    const many = Array.from({ length: 20 }, (_, i) => cursor(`2025-06-01T10:00:${String(i).padStart(2, '0')}.000Z`, { [`id-${i}`]: '2025-06-01T10:00:00.000Z' }));
    await Promise.all(many.map((c) => store.save(c)));
    expect(await store.load()).toEqual(many.at(-1));
    await Promise.all(many.map((c) => new FileCursorStore(file).save(c)));
    expect(many).toContainEqual(await store.load());
    expect(await readdir(dir)).toEqual(['cases.cursor.json']);
  });

  test('a corrupt file is a typed CursorStoreError that does not repeat the content', async () => {
    const store = new FileCursorStore(file);
    for (const content of ['{"version":1,"since":"secret-ish', '[]', JSON.stringify({ ...A, version: 2 }), JSON.stringify({ ...A, seen: { x: 'not a date' } }), '']) {
      await writeFile(file, content);
      const error = await store.load().catch((e: unknown) => e);
      expect(error, content).toBeInstanceOf(CursorStoreError);
      expect(isPrimeroError(error)).toBe(true);
      expect((error as CursorStoreError).reason).toBe('corrupt');
      expect((error as Error).message).not.toContain('secret');
      expect((error as Error).message).not.toContain('not a date');
    }
  });

  test('an invalid cursor is refused before anything is written', async () => {
    const store = new FileCursorStore(file);
    await store.save(A);
    await expect(store.save({ ...A, since: 'yesterday' })).rejects.toBeInstanceOf(CursorStoreError);
    expect(await store.load()).toEqual(A);
  });

  test('a missing directory is an io error', async () => {
    const error = await new FileCursorStore(join(dir, 'absent', 'c.json')).save(A).catch((e: unknown) => e);
    expect((error as CursorStoreError).reason).toBe('io');
  });
});

describe('MemoryCursorStore', () => {
  test('keeps a checked copy', async () => {
    const store = new MemoryCursorStore();
    expect(await store.load()).toBeUndefined();
    const mutable = { ...A, seen: { ...A.seen } };
    await store.save(mutable);
    mutable.seen['other'] = '2025-06-01T10:00:00.000Z';
    expect(await store.load()).toEqual(A);
    await expect(store.save({ ...A, version: 3 } as unknown as ChangeCursor)).rejects.toBeInstanceOf(CursorStoreError);
  });
});
