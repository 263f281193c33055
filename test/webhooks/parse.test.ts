/** parseWebhook: the fake's real deliveries parse; anything else is a WebhookPayloadError with paths, never values. */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { isPrimeroError, PrimeroClient } from '../../src/index.js';
import { FakePrimero } from '../../src/testing/fake.js';
import { CP_MODULE } from '../../src/testing/seed.js';
import { parseWebhook, WebhookPayloadError, type WebhookDelivery } from '../../src/webhooks/index.js';

/** Bodies the fake posts for a create, an update, a manual sync and an acknowledgement (primero-api.md 7.2-7.4). */
async function realBodies(): Promise<string[]> {
  const bodies: string[] = [];
  const fake = new FakePrimero({ cases: 3, seed: 11, webhookFetch: async (_url, init) => (bodies.push(String(init.body)), new Response(null)) });
  fake.store.webhooks.push({ url: 'https://partner.example/hook', events: ['case.create', 'case.update', 'case.post'], auth: { type: 'api_key', key: 'k' } });
  const client = new PrimeroClient({ baseUrl: fake.baseUrl, auth: fake.credentials, fetch: fake.fetch });
  const created = await client.cases.create({ module_id: CP_MODULE, name_first: 'Test', age: 9, sex: 'female' });
  await client.cases.update(created.id, { risk_level: 'high' });
  await client.cases.sync(created.id);
  await client.cases.markSynced(created.id, { status: 'synced', url: 'https://partner.example/hook' });
  await fake.settle();
  return bodies;
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('did not throw');
}

describe('parseWebhook', () => {
  test("the fake's deliveries parse, from text, bytes and parsed JSON alike", async () => {
    const bodies = await realBodies();
    expect(bodies).toHaveLength(4);
    for (const text of bodies) {
      const json = JSON.parse(text) as { data: Record<string, unknown> };
      const delivery = parseWebhook(text);
      expect(delivery).toMatchObject({ recordId: json.data.record_id, recordType: 'case', hostname: 'primero.fake', lastUpdatedAt: json.data.last_updated_at });
      expect(delivery.data).toEqual(json.data);
      expect(parseWebhook(new TextEncoder().encode(text))).toEqual(delivery);
      expect(parseWebhook(json)).toEqual(delivery);
    }
    const last = parseWebhook(bodies[3]);
    expect(last.data.sync_status).toBe('synced');
    expect(last.data.name_first).toBe('Test');
  });

  test('a body that is not JSON is invalid_json at the root', () => {
    for (const body of ['', 'not json', '{"data":', new Uint8Array([0xff, 0xfe, 0x7b])]) {
      const error = thrown(() => parseWebhook(body));
      expect(error).toBeInstanceOf(WebhookPayloadError);
      expect((error as WebhookPayloadError).issues).toEqual([{ path: [], code: 'invalid_json' }]);
    }
  });

  test('a wrong shape lists the paths and codes, never the values', () => {
    const secret = 'Amina Keo 2014-03-02';
    const error = thrown(() => parseWebhook({ data: { record_id: 42, record_type: secret.length ? 7 : '', hostname: null, name: secret } })) as WebhookPayloadError;
    expect(isPrimeroError(error, 'WebhookPayloadError')).toBe(true);
    expect(error.issues.map((i) => i.path.join('/')).sort()).toEqual(['data/hostname', 'data/last_updated_at', 'data/record_id', 'data/record_type']);
    expect(error.message).toMatch(/\/data\/record_id \(invalid_type\)/);
    const shown = `${error.message} ${JSON.stringify(error)} ${JSON.stringify(error.issues)}`;
    expect(shown).not.toContain('Amina');
    expect(shown).not.toContain('42');

    const notObject = thrown(() => parseWebhook({ data: [secret] })) as WebhookPayloadError;
    expect(notObject.issues).toEqual([{ path: ['data'], code: 'invalid_type', expected: 'object' }]);
    expect(JSON.stringify(notObject)).not.toContain('Amina');
    expect((thrown(() => parseWebhook(null)) as WebhookPayloadError).issues[0]?.path).toEqual([]);
  });

  test('property: arbitrary JSON, text or bytes never crash it: a delivery or a WebhookPayloadError', () => {
    const check = (body: unknown) => {
      let delivery: WebhookDelivery | undefined;
      try {
        delivery = parseWebhook(body);
      } catch (error) {
        expect(isPrimeroError(error, 'WebhookPayloadError')).toBe(true);
        return;
      }
      expect(typeof delivery.recordId).toBe('string');
    };
    fc.assert(fc.property(fc.jsonValue(), check), { numRuns: 500 });
    fc.assert(fc.property(fc.json(), check), { numRuns: 300 });
    fc.assert(fc.property(fc.string(), check), { numRuns: 300 });
    fc.assert(fc.property(fc.uint8Array(), check), { numRuns: 200 });
    // Deliveries with arbitrary extra fields, including odd keys.
    const envelope = fc.record({ record_id: fc.uuid(), record_type: fc.constantFrom('case', 'incident'), hostname: fc.domain(), last_updated_at: fc.option(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), { nil: null }) });
    fc.assert(
      fc.property(envelope, fc.dictionary(fc.string(), fc.jsonValue()), (head, extra) => {
        const delivery = parseWebhook(JSON.stringify({ data: { ...extra, ...head } }));
        expect(delivery.recordId).toBe(head.record_id);
      }),
      { numRuns: 200 },
    );
  });
});
