/**
 * Incremental pull (issue 4) on the fake Primero: `client.cases.changes()` / `client.incidents.changes()`.
 * Timestamps are set on the fake's store directly, so every scenario is exact; the fake compares
 * `last_updated_at` at one-second precision and pages by OFFSET, as Primero does (primero-api.md 2.2, 2.8).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { FileCursorStore, MemoryCursorStore, PrimeroClient, RequestValidationError, type ChangeCursor } from '../../src/index.js';
import { createFakePrimero, type FakePrimeroWithHandlers, type FakeRecord } from '../../src/testing/index.js';

const NOW = Date.parse('2025-06-01T12:00:00.000Z');

interface Setup {
  fake: FakePrimeroWithHandlers;
  client: PrimeroClient;
  clock: { now: number };
  /** Runs before each request reaches the fake: the place to change records "during the scan". */
  before: { hook?: ((url: URL) => void) | undefined };
  /** The ordered cases (by the timestamps `setup` gave them). */
  cases: FakeRecord[];
}

/** `count` cases stamped `stepMs` apart, ending `endsBeforeNowMs` before the fake's clock. */
function setup(options: { count?: number; stepMs?: number; now?: number; endsBeforeNowMs?: number } = {}): Setup {
  const { count = 30, stepMs = 10_000, now = NOW, endsBeforeNowMs = 3_600_000 } = options;
  const clock = { now };
  const fake = createFakePrimero({ cases: count, seed: 11, now: () => clock.now });
  const before: Setup['before'] = {};
  const fetch = async (request: Request): Promise<Response> => {
    before.hook?.(new URL(request.url));
    return fake.fetch(request);
  };
  const client = new PrimeroClient({ baseUrl: fake.baseUrl, auth: fake.credentials, fetch, retry: { baseDelayMs: 1, maxDelayMs: 5 } });
  const cases = [...fake.store.cases.values()];
  const first = now - endsBeforeNowMs - (count - 1) * stepMs;
  cases.forEach((record, index) => {
    record.last_updated_at = new Date(first + index * stepMs + 123).toISOString();
  });
  return { fake, client, clock, before, cases };
}

/** A stored record's `last_updated_at`. */
const stamp = (record: FakeRecord): string => String(record.last_updated_at);

/** Stamps a record as the server would on a save at `ms`. */
function touch(record: FakeRecord, ms: number): void {
  record.last_updated_at = new Date(ms).toISOString();
}

const listRequests = (fake: FakePrimeroWithHandlers, path = '/cases') => fake.requests.filter((r) => r.method === 'GET' && r.path === path);
const versions = (records: { id: string; last_updated_at: string }[]) => records.map((r) => `${r.id}@${r.last_updated_at}`);

async function drain<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('changes(): the query and the order', () => {
  test('from the beginning: every case once, oldest change first, by keyset pages on last_updated_at asc', async () => {
    const { fake, client, cases } = setup();
    const feed = client.cases.changes({ per: 10 });
    const got = await drain(feed);
    expect(got.map((r) => r.id)).toEqual(cases.map((r) => r.id));
    const requests = listRequests(fake);
    expect(requests[0]?.query.get('last_updated_at')).toBe('1970-01-01T00:00:00Z..');
    for (const r of requests) {
      expect([r.query.get('order_by'), r.query.get('order'), r.query.get('per'), r.query.get('page')]).toEqual(['last_updated_at', 'asc', '10', '1']);
    }
    // Each next page starts at the second of the newest record read, not at an offset.
    expect(requests[1]?.query.get('last_updated_at')).toBe(`${stamp(cases[9]!).slice(0, 19)}Z..`);
    const cursor = feed.nextCursor();
    expect(cursor.since).toBe(stamp(cases[29]!));
    // The window to skip next time: the versions within 60 s of the high-water mark (10 s apart: 7 of them).
    expect(Object.keys(cursor.seen).sort()).toEqual(cases.slice(23).map((r) => r.id).sort());
    expect(JSON.parse(JSON.stringify(cursor))).toEqual(cursor);
  });

  test('disabled records are included: a disable is a change', async () => {
    const { client, cases, clock } = setup();
    const first = client.cases.changes();
    await drain(first);
    clock.now += 1000;
    await client.cases.disable(cases[4]!.id);
    const second = await drain(client.cases.changes({ since: first.nextCursor() }));
    expect(second.map((r) => [r.id, r.enabled])).toEqual([[cases[4]!.id, false]]);
  });

  test('filters are passed on; a last_updated_at filter and bad parameters are refused before any request', async () => {
    const { fake, client, cases } = setup();
    for (const record of cases) record.status = 'open';
    cases[3]!.status = 'closed';
    cases[17]!.status = 'closed';
    expect((await drain(client.cases.changes({ filters: { status: 'closed' } }))).map((r) => r.id)).toEqual([cases[3]!.id, cases[17]!.id]);
    const sent = fake.requests.length;
    const bad: Parameters<typeof client.cases.changes>[0][] = [
      { filters: { last_updated_at: '2024-01-01' } },
      { overlapSeconds: -1 },
      { overlapSeconds: 1.5 },
      { per: 0 },
      { per: 1001 },
      { since: 'yesterday' },
      { since: new Date(Number.NaN) },
      { since: { version: 2, collection: 'cases', since: '2024-01-01T00:00:00Z', seen: {} } as unknown as ChangeCursor },
      { since: { version: 1, collection: 'cases', since: 'not a date', seen: {} } as unknown as ChangeCursor },
      { fields: [] },
      { fields: ['sex', 'age,name'] },
    ];
    for (const params of bad) expect(() => client.cases.changes(params), JSON.stringify(params)).toThrow(RequestValidationError);
    expect(fake.requests.length).toBe(sent);
  });

  test('fields: only the fields asked for come (with id, enabled, last_updated_at), so no name is downloaded', async () => {
    const { fake, client } = setup({ count: 5 });
    const records = await drain(client.cases.changes({ fields: ['sex', 'age'] }));
    expect(records).toHaveLength(5);
    for (const record of records) expect(Object.keys(record).sort()).toEqual(expect.arrayContaining(['age', 'enabled', 'id', 'last_updated_at', 'sex']));
    expect(records.some((r) => 'name_first' in r || 'name' in r)).toBe(false);
    expect(listRequests(fake).every((r) => r.query.get('fields') === 'sex,age')).toBe(true);
  });

  test('a feed is iterated once', async () => {
    const { client } = setup({ count: 2 });
    const feed = client.cases.changes();
    await drain(feed);
    await expect(drain(feed)).rejects.toThrow(RequestValidationError);
  });
});

describe('changes(): records updated during the scan', () => {
  test('a record not yet read that is updated is delivered once, in its newest version; one already read comes again, newer; none is lost', async () => {
    const { client, cases, clock, before } = setup();
    const already = cases[0]!;
    const ahead = cases[24]!;
    const original = already.last_updated_at;
    let pages = 0;
    before.hook = () => {
      // After page 1 was read: the first case (read) and the 25th (not read yet) are saved again. With
      // OFFSET paging, the first case moving to the end shifts page 2 back by one and the 11th case is lost.
      if (++pages === 2) {
        clock.now += 1000;
        touch(already, clock.now);
        touch(ahead, clock.now + 5);
      }
    };
    const got = await drain(client.cases.changes({ per: 10 }));
    expect(new Set(got.map((r) => r.id))).toEqual(new Set(cases.map((r) => r.id)));
    expect(got.filter((r) => r.id === ahead.id).map((r) => r.last_updated_at)).toEqual([ahead.last_updated_at]);
    expect(got.filter((r) => r.id === already.id).map((r) => r.last_updated_at)).toEqual([original, already.last_updated_at]);
    expect(got).toHaveLength(31);
    expect(new Set(versions(got)).size).toBe(31);
  });

  test('a record updated twice during the scan is delivered for each version read, never twice the same version', async () => {
    const { client, cases, clock, before } = setup({ count: 40 });
    const busy = cases[2]!;
    let pages = 0;
    before.hook = () => {
      pages++;
      if (pages === 2 || pages === 3) touch(busy, (clock.now += 1000));
    };
    const got = await drain(client.cases.changes({ per: 10 }));
    const mine = got.filter((r) => r.id === busy.id).map((r) => r.last_updated_at);
    expect(new Set(mine).size).toBe(mine.length);
    expect(mine.at(-1)).toBe(busy.last_updated_at);
    expect(new Set(got.map((r) => r.id)).size).toBe(40);
  });
});

describe('changes(): one-second precision', () => {
  test('25 records within one second across page boundaries: none lost, none repeated', async () => {
    const { fake, client, cases } = setup({ count: 35 });
    const second = Date.parse('2025-06-01T10:00:00.000Z');
    // 5 before, 25 sharing one second (in scrambled ms order), 5 after.
    cases.slice(5, 30).forEach((record, index) => touch(record, second + ((index * 37) % 1000)));
    cases.slice(30).forEach((record, index) => touch(record, second + 1000 + index * 1000));
    const got = await drain(client.cases.changes({ per: 10 }));
    expect(got).toHaveLength(35);
    expect(new Set(got.map((r) => r.id)).size).toBe(35);
    const stamps = got.map((r) => r.last_updated_at);
    expect(stamps).toEqual([...stamps].sort());
    expect(listRequests(fake).some((r) => r.query.get('last_updated_at') === '2025-06-01T10:00:00Z..2025-06-01T10:00:00Z')).toBe(true);
  });

  test('a crowded second that shrinks while it is paged is read again: the record shifted across the page boundary is not lost', async () => {
    const { client, cases, clock, before } = setup({ count: 25 });
    const second = Date.parse('2025-06-01T10:00:00.000Z');
    cases.forEach((record, index) => touch(record, second + index * 10));
    before.hook = (url) => {
      // Before page 2 of that second: a case on page 1 is saved again and leaves it, so every later case
      // moves back one place and the one at the boundary would be skipped by page 2.
      if (url.searchParams.get('last_updated_at')?.endsWith('..2025-06-01T10:00:00Z') && url.searchParams.get('page') === '2') {
        touch(cases[3]!, (clock.now += 1000));
      }
    };
    const got = await drain(client.cases.changes({ per: 10 }));
    expect(new Set(got.map((r) => r.id))).toEqual(new Set(cases.map((r) => r.id)));
    expect(got.filter((r) => r.id === cases[3]!.id)).toHaveLength(2);
    expect(got).toHaveLength(26);
  });

  test('the range starts at the floored second; a version at the boundary second not delivered yet comes, a delivered one does not', async () => {
    const { fake, client, cases } = setup({ count: 3 });
    touch(cases[0]!, Date.parse('2025-06-01T10:00:04.500Z'));
    touch(cases[1]!, Date.parse('2025-06-01T10:00:05.900Z'));
    touch(cases[2]!, Date.parse('2025-06-01T10:00:05.100Z')); // committed late: older than the mark
    const cursor: ChangeCursor = { version: 1, collection: 'cases', since: stamp(cases[1]!), seen: { [cases[1]!.id]: stamp(cases[1]!) } };
    const got = await drain(client.cases.changes({ since: cursor, overlapSeconds: 0 }));
    expect(got.map((r) => r.id)).toEqual([cases[2]!.id]);
    expect(listRequests(fake)[0]?.query.get('last_updated_at')).toBe('2025-06-01T10:00:05Z..');
  });

  test('the overlap catches a record committed late, up to overlapSeconds before the mark', async () => {
    const { client, cases, clock } = setup();
    const first = client.cases.changes();
    await drain(first);
    const mark = Date.parse(first.nextCursor().since);
    touch(cases[1]!, mark - 30_000); // saved "before" the mark, seen only now
    touch(cases[2]!, mark - 120_000); // beyond the overlap: the documented limit
    clock.now += 1000;
    const got = await drain(client.cases.changes({ since: first.nextCursor() }));
    expect(got.map((r) => r.id)).toEqual([cases[1]!.id]);
  });
});

describe('changes(): crashes and resumption', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  test('a crash between pages: rerun from the saved cursor loses nothing and repeats only what was not saved', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'primero-sync-'));
    dirs.push(dir);
    const store = new FileCursorStore(join(dir, 'cases.cursor.json'));
    const { client, cases } = setup();
    const processed: string[] = [];
    const run = async (crashAfter?: number) => {
      const feed = client.cases.changes({ since: await store.load(), per: 10 });
      for await (const page of feed.byPage()) {
        for (const record of page) {
          if (processed.length === crashAfter) throw new Error('killed');
          processed.push(record.id);
        }
        await store.save(feed.nextCursor());
      }
    };
    await expect(run(15)).rejects.toThrow('killed');
    const saved = await store.load();
    expect(saved?.since).toBe(stamp(cases[9]!));
    await run();
    expect(new Set(processed)).toEqual(new Set(cases.map((r) => r.id)));
    // Repeated: only cases 11-15, processed before the crash but after the saved cursor.
    const repeated = processed.filter((id, index) => processed.indexOf(id) !== index);
    expect(repeated).toEqual(cases.slice(10, 15).map((r) => r.id));
    expect(processed).toHaveLength(35);
  });

  test('stopping mid-page: the cursor covers exactly the records delivered, so the rerun delivers the rest once', async () => {
    const { client, cases } = setup();
    const store = new MemoryCursorStore();
    const first = client.cases.changes({ per: 10 });
    const seen: string[] = [];
    for await (const record of first) {
      seen.push(record.id);
      if (seen.length === 15) break;
    }
    await store.save(first.nextCursor());
    const rest = await drain(client.cases.changes({ since: await store.load(), per: 10 }));
    expect(rest.map((r) => r.id)).toEqual(cases.slice(15).map((r) => r.id));
  });

  test('a rerun with nothing new delivers nothing and keeps the cursor', async () => {
    const { client } = setup();
    const first = client.cases.changes();
    await drain(first);
    const second = client.cases.changes({ since: first.nextCursor() });
    expect(await drain(second)).toEqual([]);
    expect(second.nextCursor()).toEqual(first.nextCursor());
  });
});

describe('changes(): clock skew', () => {
  test.each([
    ['ahead of', 3 * 3_600_000],
    ['behind', -3 * 3_600_000],
  ])('server clock %s the client: the cursor follows server timestamps, so the next run gets exactly the new changes', async (_label, skew) => {
    const { client, cases, clock } = setup({ now: Date.now() + skew, endsBeforeNowMs: 10_000 });
    const first = client.cases.changes();
    expect(await drain(first)).toHaveLength(30);
    clock.now += 2000;
    await client.cases.disable(cases[7]!.id);
    touch(cases[12]!, clock.now + 10);
    const second = client.cases.changes({ since: first.nextCursor() });
    expect((await drain(second)).map((r) => r.id)).toEqual([cases[7]!.id, cases[12]!.id]);
    expect(second.nextCursor().since).toBe(stamp(cases[12]!));
  });

  test('a local Date as since is server time: records stamped after it by the server come', async () => {
    const { client, cases } = setup({ now: NOW });
    const since = new Date(Date.parse(stamp(cases[20]!)) + 61_000);
    const got = await drain(client.cases.changes({ since }));
    // The range starts 60 s before since, floored to the second: just after case 20, so cases 21 onward.
    expect(got.map((r) => r.id)).toEqual(cases.slice(21).map((r) => r.id));
  });
});

describe('incidents.changes()', () => {
  test('incidents work the same way; a case cursor is refused', async () => {
    const { client, clock } = setup({ count: 2 });
    const made: string[] = [];
    for (let i = 0; i < 3; i++) {
      clock.now += 1500;
      made.push((await client.incidents.create({ module_id: 'primeromodule-cp', incident_date: '2024-05-01' })).id);
    }
    const feed = client.incidents.changes({ per: 2 });
    expect((await drain(feed)).map((r) => r.id)).toEqual(made);
    expect(feed.nextCursor().collection).toBe('incidents');
    clock.now += 1500;
    await client.incidents.disable(made[0]!);
    const next = await drain(client.incidents.changes({ since: feed.nextCursor() }));
    expect(next.map((r) => [r.id, r.enabled])).toEqual([[made[0], false]]);
    const caseFeed = client.cases.changes();
    await drain(caseFeed);
    expect(() => client.incidents.changes({ since: caseFeed.nextCursor() })).toThrow(RequestValidationError);
  });
});
