/**
 * Property-based tests that complete the ones next to each module. Already covered elsewhere, and not
 * repeated here: the filter serialiser against an independent model of the server's parser, and invalid
 * filters always refused (test/filters.test.ts); `parseErrorBody`, `createApiError` and `parseRetryAfter` on
 * arbitrary input (test/errors.test.ts); `parseWebhook` on arbitrary JSON, text and bytes
 * (test/webhooks/parse.test.ts); an honest list of any size, page size and prefetch (test/pagination.test.ts).
 *
 * Added here, end to end:
 * - filters: serialised by the SDK, read and applied by the fake Primero, they select exactly the records
 *   the filter means (the semantics round trip, not only the query string's);
 * - errors: the fake's own error envelopes, through the whole transport, come back verbatim on
 *   `error.errors` and never in the message; any body under any status is a typed result, never a crash;
 * - webhooks: any record the fake forwards reaches `onDelivery` as it was stored; any request at all gets one
 *   of the handler's documented answers, never a 500 or an echo of the body;
 * - pagination stop rules against servers whose metadata lies: the scan always ends, within a bound, and
 *   never yields a record twice.
 */
import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  PagedIterable,
  PrimeroApiError,
  PrimeroClient,
  isPrimeroError,
  not,
  range,
  type FetchLike,
  type FilterValue,
  type Filters,
  type Page,
} from '../../src/index.js';
import { apiError } from '../../src/testing/http.js';
import { createFakePrimero } from '../../src/testing/index.js';
import { webhookPayload } from '../../src/testing/webhooks.js';
import { createWebhookHandler, type WebhookDelivery } from '../../src/webhooks/index.js';

// ---------------------------------------------------------------------------------------------------------
// Filters: what the SDK sends selects, on the fake, exactly the records the filter means.

const STATUSES = ['open', 'closed', 'transferred'] as const;
const SEXES = ['male', 'female', 'other'] as const;
const RISKS = ['low', 'medium', 'high'] as const;
const CONCERNS = ['trafficked', 'unaccompanied', 'separated', 'violence'] as const;
const DAY0 = Date.UTC(2024, 0, 1);
const day = (n: number) => new Date(DAY0 + n * 86_400_000).toISOString().slice(0, 10);

interface Fields {
  status: string;
  sex: string;
  age: number;
  registration_date: string;
  record_state: boolean;
  risk_level: string;
  protection_concerns: string[];
}

const fieldsArb: fc.Arbitrary<Fields> = fc.record({
  status: fc.constantFrom(...STATUSES),
  sex: fc.constantFrom(...SEXES),
  age: fc.integer({ min: 0, max: 20 }),
  registration_date: fc.integer({ min: 0, max: 30 }).map(day),
  record_state: fc.boolean(),
  risk_level: fc.constantFrom(...RISKS),
  protection_concerns: fc.subarray([...CONCERNS]),
});

/** A filter and what it means, as a predicate on one field's value. */
type Meant = { value: FilterValue; holds: (v: unknown) => boolean };

const has = (v: unknown, wanted: unknown) => (Array.isArray(v) ? v.includes(wanted) : v === wanted);
const oneOf = <T extends string>(values: readonly T[]) => fc.subarray([...values], { minLength: 1 });

function textFilter(values: readonly string[]): fc.Arbitrary<Meant> {
  return fc.oneof(
    fc.constantFrom(...values).map((s): Meant => ({ value: s, holds: (v) => has(v, s) })),
    oneOf(values).map((list): Meant => ({ value: list, holds: (v) => list.some((s) => has(v, s)) })),
  );
}

function negatedText(values: readonly string[]): fc.Arbitrary<Meant> {
  return fc.oneof(
    fc.constantFrom(...values).map((s): Meant => ({ value: not(s), holds: (v) => !has(v, s) })),
    oneOf(values).map((list): Meant => ({ value: not(list), holds: (v) => !list.some((s) => has(v, s)) })),
  );
}

const ageFilter: fc.Arbitrary<Meant> = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 22 }), fc.integer({ min: 0, max: 22 })).map(([a, b]): Meant => {
    const [from, to] = [Math.min(a, b), Math.max(a, b)];
    return { value: range(from, to), holds: (v) => (v as number) >= from && (v as number) <= to };
  }),
  fc.integer({ min: 0, max: 22 }).map((from): Meant => ({ value: range(from), holds: (v) => (v as number) >= from })),
  fc.integer({ min: 0, max: 20 }).map((n): Meant => ({ value: n, holds: (v) => v === n })),
);

const dateFilter: fc.Arbitrary<Meant> = fc
  .tuple(fc.integer({ min: -2, max: 32 }), fc.integer({ min: -2, max: 32 }), fc.boolean(), fc.boolean())
  .map(([a, b, asDate, open]): Meant => {
    const [from, to] = [day(Math.min(a, b)), day(Math.max(a, b))];
    const bound = (d: string) => (asDate ? new Date(`${d}T00:00:00Z`) : d);
    // Whole days, both ends included (a date bound is its midnight, and the field holds midnights).
    if (open) return { value: range(bound(from)), holds: (v) => (v as string) >= from };
    return { value: range(bound(from), bound(to)), holds: (v) => (v as string) >= from && (v as string) <= to };
  });

// At most one not(): the server applies only the first `not[...]` of a query (SearchFilterService#build_filter
// takes `value.keys.first`), which the SDK does not yet refuse; a second one would be silently dropped.
const negated = fc.oneof(
  fc.tuple(fc.constant('status'), negatedText(STATUSES)),
  fc.tuple(fc.constant('sex'), negatedText(SEXES)),
  fc.tuple(fc.constant('risk_level'), negatedText(RISKS)),
  fc.tuple(fc.constant('protection_concerns'), negatedText(CONCERNS)),
  fc.tuple(fc.constant('age'), fc.integer({ min: 0, max: 20 }).map((n): Meant => ({ value: not(n), holds: (v) => v !== n }))),
);

const PLAIN: Record<string, fc.Arbitrary<Meant>> = {
  status: textFilter(STATUSES),
  sex: textFilter(SEXES),
  risk_level: textFilter(RISKS),
  protection_concerns: textFilter(CONCERNS),
  age: ageFilter,
  registration_date: dateFilter,
  record_state: fc.boolean().map((b): Meant => ({ value: b, holds: (v) => v === b })),
};

/** One to three filters (more would select nothing from a few dozen records), one of them possibly a not(). */
const filtersArb: fc.Arbitrary<Record<string, Meant>> = fc
  .tuple(
    fc.uniqueArray(fc.constantFrom(...Object.keys(PLAIN)), { minLength: 1, maxLength: 3 }).chain((names) => fc.tuple(...names.map((name) => PLAIN[name]!.map((m) => [name, m] as const)))),
    fc.option(negated, { nil: undefined }),
  )
  .map(([plain, neg]) => Object.fromEntries(neg ? [...plain.slice(1), neg] : plain));

describe('filters: the SDK serialises, the fake Primero reads and applies, the meaning survives', () => {
  test('any combination of filters selects exactly the records it means', async () => {
    let selective = 0; // runs where the filters kept some records and dropped others
    await fc.assert(
      fc.asyncProperty(fc.array(fieldsArb, { minLength: 10, maxLength: 40 }), filtersArb, async (rows, meant) => {
        const fake = createFakePrimero({ cases: rows.length, seed: 2 });
        const records = [...fake.store.cases.values()];
        rows.forEach((fields, i) => Object.assign(records[i]!, fields));
        const client = new PrimeroClient({ baseUrl: fake.baseUrl, auth: fake.credentials, fetch: fake.fetch });

        const filters: Filters = Object.fromEntries(Object.entries(meant).map(([field, m]) => [field, m.value]));
        const got = (await client.cases.list({ filters, per: 10 }).collect({ max: 100 })).map((r) => r.id);
        const expected = records
          .filter((record) => Object.entries(meant).every(([field, m]) => m.holds(record[field])))
          .map((r) => r.id);
        expect(new Set(got)).toEqual(new Set(expected));
        expect(got).toHaveLength(expected.length);
        if (expected.length > 0 && expected.length < rows.length) selective++;
      }),
      { numRuns: 200 },
    );
    // The property is only as strong as its cases: most runs must have selected a strict, non-empty subset.
    expect(selective).toBeGreaterThan(100);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Error envelopes, through the transport.

const SECRET = 'Secret-9f3c';
/** Texts that can quote a record: marked, so a leak is found; never one of the fixed texts the SDK may repeat. */
const serverText = fc.string({ maxLength: 30 }).map((s) => `${SECRET}:${s}`);

function clientAnswering(respond: () => Response): PrimeroClient {
  const fetch: FetchLike = async () => respond();
  return new PrimeroClient({ baseUrl: 'https://primero.test', fetch, maxRetries: 0 });
}

function renderings(error: unknown): string {
  const e = error as Error;
  return [String(e), e.message, e.stack ?? '', JSON.stringify(e), inspect(e, { depth: 10 })].join('\n');
}

describe('errors: what the server said comes back verbatim, and only where it was asked for', () => {
  test("the fake's error envelope for any status, resource, detail and message round-trips onto error.errors", async () => {
    const status = fc.integer({ min: 400, max: 599 });
    const detail = fc.option(fc.oneof(fc.string({ maxLength: 20 }), fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 })), { nil: undefined });
    const message = fc.oneof(serverText, fc.array(serverText, { maxLength: 3 }));
    await fc.assert(
      fc.asyncProperty(status, fc.string({ maxLength: 30 }), message, detail, fc.uuid(), async (code, resource, text, det, requestId) => {
        const client = clientAnswering(() => apiError(code, resource, text, det, { 'X-Request-Id': requestId }));
        const error = await client.request('GET', '/cases').catch((e: unknown) => e);
        expect(error).toBeInstanceOf(PrimeroApiError);
        const api = error as PrimeroApiError;
        expect([api.status, api.requestId, api.attempts, api.bodyKind]).toEqual([code, requestId, 1, 'json']);
        expect(api.errors).toEqual([{ status: code, resource, ...(det === undefined ? {} : { detail: det }), message: text }]);
        // The server's words are on `errors` only: never in the message, the JSON or the inspected error.
        expect(renderings(api)).not.toContain(SECRET);
      }),
      { numRuns: 300 },
    );
  });

  test('any body under any status is a typed outcome: data for readable 2xx JSON, a PrimeroError otherwise, never a crash', async () => {
    const NULL_BODY = new Set([204, 205, 304]);
    const body = fc.oneof(
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.jsonValue().map((v) => JSON.stringify(v)).chain((t) => fc.nat({ max: t.length }).map((n) => t.slice(0, n))),
      fc.constant('<html><body>502 Bad Gateway</body></html>'),
      fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
    );
    const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/html', 'text/plain', '');
    const status = fc.oneof(fc.integer({ min: 200, max: 299 }), fc.integer({ min: 300, max: 599 }));
    await fc.assert(
      fc.asyncProperty(status, body, contentType, async (code, text, type) => {
        const client = clientAnswering(() => new Response(NULL_BODY.has(code) ? null : text, { status: code, headers: type ? { 'content-type': type } : {} }));
        let outcome: unknown;
        try {
          outcome = await client.requestWithResponse('GET', '/lookups');
        } catch (error) {
          expect(isPrimeroError(error)).toBe(true);
          if (code >= 300) expect(isPrimeroError(error, 'PrimeroApiError')).toBe(true);
          else expect(isPrimeroError(error, 'ConnectionError')).toBe(true); // a 2xx whose body cannot be read
          return;
        }
        expect(code).toBeLessThan(300);
        const data = (outcome as { data: unknown }).data;
        if (NULL_BODY.has(code) || !text.trim()) expect(data).toBeUndefined();
        else expect(data).toEqual(JSON.parse(text));
      }),
      { numRuns: 400 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------
// Webhooks: the fake's data forwarding into the receiver.

const API_KEY = 'hook-key-5521';
const ENVELOPE_KEYS = new Set(['record_id', 'record_type', 'hostname', 'last_updated_at']);
/** A field name as Primero forms make them (lowercase, digits, underscores), other than the envelope's. */
const fieldName = fc.stringMatching(/^[a-z][a-z0-9_]{0,20}$/).filter((name) => !ENVELOPE_KEYS.has(name));

describe('webhooks: any forwarded record arrives as stored; any request gets a documented answer', () => {
  test('the record the fake forwards reaches onDelivery field for field', async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fieldName, fc.jsonValue(), { maxKeys: 12 }), fc.uuid(), fc.constantFrom('case', 'incident'), async (fields, id, type) => {
        const record = { ...fields, id, last_updated_at: '2024-05-01T10:00:00.000Z' };
        const sent = JSON.stringify(webhookPayload(record, type, 'primero.example.org'));
        const received: WebhookDelivery[] = [];
        const handler = createWebhookHandler({ auth: { apiKey: API_KEY }, onDelivery: (delivery) => void received.push(delivery) });
        const response = await handler(new Request('https://receiver.example/hook', { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': API_KEY }, body: sent }));

        expect(response.status).toBe(200);
        expect(received).toHaveLength(1);
        const [delivery] = received as [WebhookDelivery];
        expect([delivery.recordId, delivery.recordType, delivery.hostname, delivery.lastUpdatedAt]).toEqual([id, type, 'primero.example.org', record.last_updated_at]);
        expect(delivery.data).toEqual(JSON.parse(sent).data);
      }),
      { numRuns: 300 },
    );
  });

  test('any method, key and body: 200, 400, 401, 405 or 413; onDelivery only on 200; nothing of the body echoed', async () => {
    const MARK = 'Amina-Echo-Check';
    const body = fc.oneof(
      fc.string().map((s) => `${MARK}${s}`),
      fc.jsonValue().map((v) => JSON.stringify({ data: v, note: MARK })),
      fc.record({ record_id: fc.oneof(fc.uuid(), fc.constant(''), fc.integer().map(String)), record_type: fc.constantFrom('case', ''), hostname: fc.string(), last_updated_at: fc.option(fc.string(), { nil: null }), name: fc.constant(MARK) }).map((data) => JSON.stringify({ data })),
      fc.uint8Array({ maxLength: 80 }).map((bytes) => Buffer.concat([Buffer.from(MARK), Buffer.from(bytes)])),
    );
    const key = fc.constantFrom<string | undefined>(API_KEY, undefined, 'wrong', `${API_KEY}x`, API_KEY.slice(1), API_KEY.toUpperCase());
    const method = fc.constantFrom('POST', 'POST', 'POST', 'PUT', 'GET', 'DELETE');
    await fc.assert(
      fc.asyncProperty(method, key, body, async (verb, apiKey, payload) => {
        let calls = 0;
        const handler = createWebhookHandler({ auth: { apiKey: API_KEY }, maxBodyBytes: 200, onDelivery: () => void calls++ });
        const headers: Record<string, string> = { 'content-type': 'application/json', ...(apiKey === undefined ? {} : { 'x-api-key': apiKey }) };
        const withBody = verb !== 'GET';
        const response = await handler(new Request('https://receiver.example/hook', { method: verb, headers, ...(withBody ? { body: payload } : {}) }));
        const text = await response.text();
        expect([200, 400, 401, 405, 413]).toContain(response.status);
        expect(calls).toBe(response.status === 200 ? 1 : 0);
        if (apiKey !== API_KEY) expect(response.status === 401 || response.status === 405).toBe(true);
        expect(text).not.toContain(MARK);
        expect(text).not.toContain(API_KEY);
      }),
      { numRuns: 400 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------
// Pagination stop rules against servers whose metadata lies.

interface Lie {
  /** Records in the table. */
  count: number;
  /** The page size the server really slices by (it may cap or ignore the one asked for). */
  slice: number;
  /** What metadata.total says, relative to the truth. */
  total: number;
  /** What metadata.per says. */
  per: number;
  prefetch: number;
  asked: number;
}

const lieArb: fc.Arbitrary<Lie> = fc
  .record({
    count: fc.integer({ min: 0, max: 400 }),
    slice: fc.integer({ min: 1, max: 60 }),
    asked: fc.integer({ min: 1, max: 60 }),
    prefetch: fc.integer({ min: 0, max: 4 }),
    totalLie: fc.oneof(fc.constant(0), fc.integer({ min: -400, max: 400 }), fc.constant(1_000_000)),
    perLie: fc.oneof(fc.constant<'true' | 'asked' | 'zero' | 'other'>('true'), fc.constantFrom('asked' as const, 'zero' as const, 'other' as const)),
    other: fc.integer({ min: 1, max: 1000 }),
  })
  .map(({ count, slice, asked, prefetch, totalLie, perLie, other }) => ({
    count,
    slice,
    asked,
    prefetch,
    total: Math.max(0, count + totalLie),
    per: perLie === 'true' ? slice : perLie === 'asked' ? asked : perLie === 'zero' ? 0 : other,
  }));

describe('pagination: the stop rules end every scan, whatever the metadata says', () => {
  test('bounded requests, no record twice, and every record when the metadata is honest or overstated', async () => {
    await fc.assert(
      fc.asyncProperty(lieArb, async (lie) => {
        const table = Array.from({ length: lie.count }, (_, i) => ({ id: `r${i}` }));
        const requested: number[] = [];
        const iterable = new PagedIterable<{ id: string }>(
          async (page): Promise<Page<{ id: string }>> => {
            requested.push(page);
            const data = table.slice((page - 1) * lie.slice, page * lie.slice);
            return { data, metadata: { total: lie.total, per: lie.per, page } };
          },
          { per: lie.asked, prefetch: lie.prefetch },
        );
        const ids: string[] = [];
        for await (const item of iterable) ids.push(item.id);

        // The scan ends: at most the pages that hold data, one empty page, and the prefetch window past them.
        const pagesWithData = Math.ceil(lie.count / lie.slice);
        expect(requested.length).toBeLessThanOrEqual(pagesWithData + 1 + lie.prefetch);
        expect(new Set(requested).size).toBe(requested.length);
        // Never twice, only real records, in table order.
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids).toEqual(table.slice(0, ids.length).map((r) => r.id));
        // Honest or overstated counts lose nothing.
        const honestPer = lie.per === lie.slice;
        if (honestPer && lie.total >= lie.count) expect(ids).toHaveLength(lie.count);
        // An understated total stops early, but never before the total it announced.
        if (honestPer) expect(ids.length).toBeGreaterThanOrEqual(Math.min(lie.count, lie.total));
      }),
      { numRuns: 500 },
    );
  });
});
