/**
 * Atomic file writes, for every file an example keeps: a state file read by the next run after a crash, a
 * dashboard open in a browser or published by a web server must never be half written.
 *
 * The text goes to a new temporary file beside the target, is flushed to disk, renamed over the target,
 * and the directory is flushed too, so that the rename itself survives a power cut. A reader sees the old
 * file or the new one, never a mix.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface WriteOptions {
  /**
   * The file's permissions. Default 0600, readable by its owner only: what the examples keep is about
   * children's cases, ids and digests included. A file meant to be published (the dashboard) passes 0644.
   */
  mode?: number;
}

/** Writes `text` (UTF-8) to `path` atomically: temporary file, fsync, rename, fsync of the directory. */
export async function writeFileAtomic(path: string, text: string, options: WriteOptions = {}): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomUUID()}.tmp`);
  try {
    const handle = await open(temp, 'wx', options.mode ?? 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncDirectory(dir);
}

/** Flushes a directory's entries (the rename). Some platforms cannot open a directory (Windows): skipped there. */
async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
  } catch (error) {
    if (isUnsupported(error)) return;
    throw error;
  }
  try {
    await handle.sync();
  } catch (error) {
    if (!isUnsupported(error)) throw error;
  } finally {
    await handle.close();
  }
}

function isUnsupported(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'EISDIR' || code === 'EPERM' || code === 'EINVAL' || code === 'ENOTSUP' || code === 'EACCES';
}
