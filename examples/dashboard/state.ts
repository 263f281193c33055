/**
 * The dashboard's state between runs, in one directory: the change cursor (`cases.cursor.json`, the SDK's
 * FileCursorStore) and the facts of every case pulled so far (`cases.facts.json`). It holds record ids and
 * coded values, no names; it is still case-level data, so its files are written readable by their owner
 * only (0600, in a 0700 directory).
 *
 * Order of saves: facts first, then the cursor. A run killed between the two re-pulls the same changes
 * next time and replaces the same facts (idempotent by record id); the other order could move the cursor
 * past changes whose facts were never saved.
 *
 * @module
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FileCursorStore, type ChangeCursor } from 'primero-sdk';
import type { CaseFacts } from './facts.js';
import { ExampleError } from '../support/errors.js';
import { writeFileAtomic } from '../support/files.js';

/** Bump when {@link CaseFacts} changes shape: older state is then rebuilt by a full pull. */
const FACTS_VERSION = 1;

interface FactsFile {
  version: number;
  /** The server (and user) the facts came from: state from elsewhere must not be mixed in. */
  source: string;
  cases: Record<string, CaseFacts>;
}

/** What a run starts from. */
export interface LoadedState {
  facts: Map<string, CaseFacts>;
  /** Undefined: pull everything. */
  cursor: ChangeCursor | undefined;
  /** Why the run starts from scratch, when it does and had state. */
  reset?: string;
}

/** The state directory. */
export class StateDirectory {
  readonly dir: string;
  readonly cursors: FileCursorStore;
  readonly #factsPath: string;
  readonly #source: string;

  /** @param source identifies the server and user; state written for another one is refused. */
  constructor(dir: string, source: string) {
    this.dir = dir;
    this.#source = source;
    this.cursors = new FileCursorStore(join(dir, 'cases.cursor.json'));
    this.#factsPath = join(dir, 'cases.facts.json');
  }

  /**
   * Loads the facts and the cursor. Without facts (first run, deleted file, older format) the cursor is
   * ignored: a cursor alone would pull only recent changes and count only those cases.
   * @throws Error when the state belongs to another server or user (use another `--out`, or `--full`).
   */
  async load(): Promise<LoadedState> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    let text: string;
    try {
      text = await readFile(this.#factsPath, 'utf8');
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
      return { facts: new Map(), cursor: undefined };
    }
    let file: Partial<FactsFile>;
    try {
      file = JSON.parse(text) as Partial<FactsFile>;
    } catch {
      // Not rethrown: the parser's message quotes the file, which holds case data.
      return { facts: new Map(), cursor: undefined, reset: 'the saved facts could not be read' };
    }
    if (file === null || typeof file !== 'object' || file.version !== FACTS_VERSION || typeof file.cases !== 'object' || file.cases === null) {
      return { facts: new Map(), cursor: undefined, reset: 'the saved state is from another version of the dashboard' };
    }
    if (file.source !== this.#source) {
      throw new ExampleError('The state directory holds data pulled from another server or user: choose another --out, or rebuild it with --full');
    }
    return { facts: new Map(Object.entries(file.cases)), cursor: await this.cursors.load() };
  }

  /** Saves the facts (call before saving the cursor that covers them). */
  async saveFacts(facts: ReadonlyMap<string, CaseFacts>): Promise<void> {
    const file: FactsFile = { version: FACTS_VERSION, source: this.#source, cases: Object.fromEntries(facts) };
    await writeFileAtomic(this.#factsPath, `${JSON.stringify(file)}\n`);
  }

  /** Forgets everything (`--full`). */
  async clear(): Promise<void> {
    await rm(this.#factsPath, { force: true });
    await rm(this.cursors.path, { force: true });
  }
}
