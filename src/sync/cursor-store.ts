/**
 * Where an incremental pull keeps its {@link ChangeCursor} between runs: the {@link CursorStore} interface,
 * an in-memory store and a file store that writes atomically.
 *
 * The file store is Node-only by nature, but it loads `node:fs` lazily inside its methods, so importing the
 * SDK's main entry stays possible in runtimes without it.
 *
 * @module
 */
import { PrimeroError, type PrimeroErrorName } from '../core/errors.js';
import { ChangeCursorSchema, type ChangeCursor } from './cursor.js';

/**
 * Persists a pull's cursor. Save only after the records the cursor covers were processed.
 *
 * @example
 * ```ts
 * const store: CursorStore = new FileCursorStore('./state/cases.cursor.json');
 * const feed = client.cases.changes({ since: await store.load() });
 * ```
 */
export interface CursorStore {
  /** The saved cursor, or undefined when none was saved yet. */
  load(): Promise<ChangeCursor | undefined>;
  /** Replaces the saved cursor. */
  save(cursor: ChangeCursor): Promise<void>;
}

/**
 * A saved cursor cannot be read back (not JSON, or not a cursor), or the store could not write it. The
 * message names the problem, never the file's content.
 */
export class CursorStoreError extends PrimeroError {
  /** @internal */
  static override readonly errorName: PrimeroErrorName = 'CursorStoreError';
  /** What went wrong: `corrupt` (unreadable content) or `io` (the file system refused). */
  readonly reason: 'corrupt' | 'io';
  /** @internal */
  constructor(message: string, reason: 'corrupt' | 'io', options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

/**
 * A {@link CursorStore} in memory, for tests and for jobs that keep the cursor elsewhere.
 * @example
 * ```ts
 * const store = new MemoryCursorStore();
 * ```
 */
export class MemoryCursorStore implements CursorStore {
  #cursor: ChangeCursor | undefined;

  /** Optionally starts with a cursor. */
  constructor(initial?: ChangeCursor) {
    this.#cursor = initial;
  }

  /** The saved cursor, or undefined. */
  async load(): Promise<ChangeCursor | undefined> {
    return this.#cursor;
  }

  /** Replaces the saved cursor (a checked copy). */
  async save(cursor: ChangeCursor): Promise<void> {
    this.#cursor = parseCursor(JSON.parse(JSON.stringify(cursor)), 'The cursor to save');
  }
}

/**
 * A {@link CursorStore} in one JSON file, written atomically: the cursor goes to a temporary file in the same
 * directory, is flushed to disk (`fsync`), then renamed over the file, and the directory is flushed. A job
 * killed at any point leaves either the old cursor or the new one, never a mix; a temporary file left behind
 * by a crash is never read. Saves through one store are applied in call order. The file is created with
 * mode 0600. Node only (`node:fs`, loaded when first used).
 *
 * @example
 * ```ts
 * const store = new FileCursorStore('/var/lib/sync/cases.cursor.json');
 * const feed = client.cases.changes({ since: await store.load() });
 * for await (const page of feed.byPage()) {
 *   await forward(page);
 *   await store.save(feed.nextCursor());
 * }
 * ```
 */
export class FileCursorStore implements CursorStore {
  /** The file's path. */
  readonly path: string;
  #queue: Promise<unknown> = Promise.resolve();

  /** @param path The file holding the cursor; its directory must exist. */
  constructor(path: string) {
    if (typeof path !== 'string' || !path) throw new CursorStoreError('FileCursorStore needs a file path', 'io');
    this.path = path;
  }

  /**
   * The saved cursor, or undefined when the file does not exist.
   * @throws {@link CursorStoreError} when the file is not a cursor (`corrupt`) or cannot be read (`io`).
   */
  async load(): Promise<ChangeCursor | undefined> {
    const fs = await nodeModule<typeof import('node:fs/promises')>('node:fs/promises');
    let text: string;
    try {
      text = await fs.readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
      throw new CursorStoreError(`The cursor file could not be read (${errorCode(error)})`, 'io', { cause: error });
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new CursorStoreError('The cursor file is not JSON: it was not written by FileCursorStore, or was damaged', 'corrupt');
    }
    return parseCursor(value, 'The cursor file');
  }

  /**
   * Writes the cursor atomically (temporary file, fsync, rename).
   * @throws {@link CursorStoreError} when the cursor is not valid (`corrupt`, nothing written) or the file
   *   system refuses (`io`; the previous cursor stays in place).
   */
  save(cursor: ChangeCursor): Promise<void> {
    const run = this.#queue.then(() => this.#write(cursor));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #write(cursor: ChangeCursor): Promise<void> {
    const checked = parseCursor(cursor, 'The cursor to save');
    const text = `${JSON.stringify(checked)}\n`;
    const fs = await nodeModule<typeof import('node:fs/promises')>('node:fs/promises');
    const { dirname, basename, join } = await nodeModule<typeof import('node:path')>('node:path');
    const dir = dirname(this.path);
    const temp = join(dir, `.${basename(this.path)}.${process.pid}.${globalThis.crypto.randomUUID()}.tmp`);
    try {
      const handle = await fs.open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(text, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(temp, this.path);
    } catch (error) {
      await fs.rm(temp, { force: true }).catch(() => undefined);
      throw new CursorStoreError(`The cursor file could not be written (${errorCode(error)})`, 'io', { cause: error });
    }
    // Makes the rename itself durable; not every platform can open a directory (Windows), hence best effort.
    try {
      const handle = await fs.open(dir, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch {
      // best effort
    }
  }
}

/**
 * Loads a Node built-in when a file store is first used. The specifier is not a literal so that bundlers
 * (the SDK's own build is platform-neutral) neither try to resolve it nor pull it into the main entry.
 */
function nodeModule<T>(specifier: string): Promise<T> {
  return import(/* webpackIgnore: true */ /* @vite-ignore */ specifier) as Promise<T>;
}

/** A Node error's code (`EACCES`...), never its message, which holds the path. */
function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z0-9_]+$/.test(code) ? code : 'unknown error';
}

function parseCursor(value: unknown, what: string): ChangeCursor {
  const parsed = ChangeCursorSchema.safeParse(value);
  if (!parsed.success) {
    const where = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0] ?? '(root)')))].slice(0, 5).join(', ');
    throw new CursorStoreError(`${what} is not a change cursor (at ${where})`, 'corrupt');
  }
  return parsed.data;
}
