/**
 * What the sync remembers between runs, in its state directory (`--state dir`):
 *
 * - `primero-cases.cursor.json`: the Primero pull's cursor, in the SDK's own `FileCursorStore`;
 * - `sync-state.json`: the external system's cursor (a day), the links (external `global_id` <-> Primero
 *   record id, with the fingerprint of the shared content last written or pushed), and the Primero cases
 *   whose push failed, to be tried again.
 *
 * Ids and SHA-256 fingerprints only: no field of a child's record is stored here. Files are written
 * atomically (temporary file, fsync, rename, fsync of the directory; `examples/support/files.ts`), readable
 * by their owner only, so a run killed at any point leaves the old state or the new.
 *
 * The state is bound to one Primero and one external system: a cursor from one server used against
 * another would skip its records, so a mismatch is refused.
 *
 * @module
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileCursorStore, type CursorStore } from 'primero-sdk';
import { ExampleError } from '../support/errors.js';
import { writeFileAtomic } from '../support/files.js';

/** One client of the external system linked to one Primero case. */
export interface Link {
  globalId: string;
  primeroId: string;
  /** {@link fingerprint} of the shared content both sides held after the sync's last write or push. */
  fingerprint: string;
}

/** The systems a state directory belongs to (their origins: no credentials, no paths). */
export interface SyncTarget {
  primero: string;
  external: string;
}

interface StateFile extends SyncTarget {
  version: 1;
  /** The external system's cursor: a day, `YYYY-MM-DD`. */
  externalSince?: string;
  links: Link[];
  /** Primero record ids whose push failed: fetched and pushed again at the next run. */
  retry: string[];
}

/** The state directory belongs to other systems than the ones the run talks to. */
export class StateMismatchError extends ExampleError {
  override readonly name = 'StateMismatchError';
}

export class SyncState {
  /** The Primero pull's cursor. */
  readonly primeroCursor: CursorStore;
  /** The external system's cursor (`YYYY-MM-DD`), or undefined before the first run. */
  externalSince: string | undefined;
  /** Primero record ids to push again. */
  readonly retry: Set<string>;
  readonly #file: string;
  readonly #target: SyncTarget;
  readonly #byGlobalId = new Map<string, Link>();
  readonly #byPrimeroId = new Map<string, Link>();

  private constructor(dir: string, target: SyncTarget, file: StateFile | undefined) {
    this.#file = join(dir, 'sync-state.json');
    this.#target = target;
    this.primeroCursor = new FileCursorStore(join(dir, 'primero-cases.cursor.json'));
    this.externalSince = file?.externalSince;
    this.retry = new Set(file?.retry ?? []);
    for (const link of file?.links ?? []) this.setLink(link);
  }

  /**
   * Opens (or creates) a state directory for these systems.
   * @throws {@link StateMismatchError} when the directory was written for other systems.
   */
  static async open(dir: string, target: SyncTarget): Promise<SyncState> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    let file: StateFile | undefined;
    try {
      file = JSON.parse(await readFile(join(dir, 'sync-state.json'), 'utf8')) as StateFile;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ENOENT') throw new ExampleError('The sync state file cannot be read: remove it to start over');
    }
    if (file && (file.version !== 1 || file.primero !== target.primero || file.external !== target.external)) {
      throw new StateMismatchError(
        `The state directory belongs to Primero ${file.primero} and ${file.external}, not ${target.primero} and ${target.external}: ` +
          'give each pair of systems its own --state directory',
      );
    }
    return new SyncState(dir, target, file);
  }

  linkByGlobalId(globalId: string): Link | undefined {
    return this.#byGlobalId.get(globalId);
  }

  linkByPrimeroId(primeroId: string): Link | undefined {
    return this.#byPrimeroId.get(primeroId);
  }

  /** Records a link (replacing what either of its ids was linked to). Call {@link save} after. */
  setLink(link: Link): void {
    const previous = [this.#byGlobalId.get(link.globalId), this.#byPrimeroId.get(link.primeroId)];
    for (const old of previous) {
      if (!old) continue;
      this.#byGlobalId.delete(old.globalId);
      this.#byPrimeroId.delete(old.primeroId);
    }
    this.#byGlobalId.set(link.globalId, link);
    this.#byPrimeroId.set(link.primeroId, link);
  }

  /** How many links there are. */
  get linkCount(): number {
    return this.#byGlobalId.size;
  }

  /** Writes the state file atomically. */
  async save(): Promise<void> {
    const content: StateFile = {
      version: 1,
      ...this.#target,
      ...(this.externalSince ? { externalSince: this.externalSince } : {}),
      links: [...this.#byGlobalId.values()],
      retry: [...this.retry],
    };
    await writeFileAtomic(this.#file, `${JSON.stringify(content)}\n`);
  }
}
