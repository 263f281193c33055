/**
 * The fake's generated data: the same seed gives the same store, and what it generates looks like what a
 * Primero server holds (identifiers derived as primero-api.md 2.7 says, values of the types 2.6 accepts,
 * services and referrals as sections 5 and 6 describe them, and the configuration that explains them).
 */
import { describe, expect, test } from 'vitest';
import { PrimeroClient } from '../../src/index.js';
import { CaseRecord } from '../../src/models/case.js';
import { DateOnly, DateTime, Uuid } from '../../src/models/common.js';
import { ServiceEntry } from '../../src/models/service.js';
import { FakePrimero } from '../../src/testing/fake.js';
import { Random } from '../../src/testing/random.js';
import { CP_MODULE, DEMO_PASSWORD, seedStore } from '../../src/testing/seed.js';
import type { FakeField, FakeRecord, FakeStore, FakeUser } from '../../src/testing/store.js';

const STATUSES = ['in_progress', 'accepted', 'rejected', 'done', 'revoked'] as const;
/** Core and audit fields the server maintains itself: they are on no form (2.7). */
const SYSTEM_FIELDS = new Set([
  'id', 'unique_identifier', 'short_id', 'case_id', 'case_id_display', 'module_id', 'record_state', 'status', 'workflow',
  'owned_by', 'owned_by_agency_id', 'assigned_user_names', 'created_by', 'created_at', 'last_updated_at',
]);

const cases = (store: FakeStore): FakeRecord[] => [...store.cases.values()];
const services = (store: FakeStore): Array<Record<string, unknown>> => cases(store).flatMap((r) => (r.services_section as Array<Record<string, unknown>>) ?? []);
const lookupValues = (store: FakeStore, id: string): string[] => store.lookups.find((l) => l.unique_id === id)?.values.map((v) => v.id) ?? [];
const seeded = (seed: number, count = 50): FakeStore => seedStore(new Random(seed), count);

describe('determinism', () => {
  test('the same seed gives an identical store, through seedStore and through the fake', () => {
    expect(seeded(7, 40)).toEqual(seeded(7, 40));
    const a = new FakePrimero({ seed: 3, cases: 25 }).store;
    const b = new FakePrimero({ seed: 3, cases: 25 }).store;
    expect(a).toEqual(b);
    expect([...a.cases.keys()]).toEqual([...b.cases.keys()]);
    expect([...a.referrals.keys()]).toEqual([...b.referrals.keys()]);
  });

  test('a different seed gives different data; the count is what was asked', () => {
    const one = seeded(1, 30);
    const two = seeded(2, 30);
    expect(one.cases.size).toBe(30);
    expect(two.cases.size).toBe(30);
    expect([...one.cases.keys()]).not.toEqual([...two.cases.keys()]);
    expect(cases(one).map((r) => [r.name_first, r.age, r.risk_level])).not.toEqual(cases(two).map((r) => [r.name_first, r.age, r.risk_level]));
  });

  test('the fake defaults to seed 1 and 50 cases', () => {
    const store = new FakePrimero().store;
    expect(store.cases.size).toBe(50);
    expect(store).toEqual(seeded(1, 50));
  });
});

describe.each([1, 2, 3])('seed %i: realistic shapes', (seed) => {
  const store = seeded(seed);

  test('2.7: id and unique_identifier are distinct lowercase UUIDs; short_id is the last 7 of unique_identifier; case_id is unique_identifier', () => {
    for (const record of cases(store)) {
      expect(Uuid.safeParse(record.id).success).toBe(true);
      expect(Uuid.safeParse(record.unique_identifier).success).toBe(true);
      expect(record.unique_identifier).not.toBe(record.id);
      expect(record.short_id).toBe(String(record.unique_identifier).slice(-7));
      expect(record.case_id).toBe(record.unique_identifier);
      // No case_id_code is configured, so the display id is the short id alone.
      expect(record.case_id_display).toBe(record.short_id);
      expect(record.module_id).toBe(CP_MODULE);
    }
    const all = cases(store);
    expect(new Set(all.map((r) => r.id)).size).toBe(all.length);
    expect(new Set(all.map((r) => r.case_id)).size).toBe(all.length);
  });

  test('every case, as the server renders it (record_state exposed as enabled), passes the SDK\'s CaseRecord in strict validation', () => {
    for (const record of cases(store)) {
      const rendered = { ...record, enabled: record.record_state };
      const result = CaseRecord.safeParse(rendered);
      expect(result.success, JSON.stringify(result.error?.issues.map((i) => i.path))).toBe(true);
      for (const service of (record.services_section as unknown[]) ?? []) expect(ServiceEntry.safeParse(service).success).toBe(true);
      expect(['open', 'closed']).toContain(record.status);
      expect(DateTime.safeParse(record.created_at).success).toBe(true);
      expect(DateTime.safeParse(record.last_updated_at).success).toBe(true);
      expect(Date.parse(String(record.last_updated_at))).toBeGreaterThanOrEqual(Date.parse(String(record.created_at)));
    }
  });

  test('every case, as the fake serves it, passes the SDK in strict validation (list and get)', async () => {
    const fake = new FakePrimero({ seed });
    const client = new PrimeroClient({ baseUrl: fake.baseUrl, auth: fake.credentials, fetch: fake.fetch, validate: 'strict' });
    const listed = await client.cases.list({ per: 100 }).collect({ max: 100 });
    expect(listed).toHaveLength(50);
    for (const record of fake.store.cases.values()) {
      const got = await client.cases.get(record.id);
      expect(got).toMatchObject({ id: record.id, enabled: true, case_id: record.case_id, short_id: record.short_id });
    }
  });

  test('6: services have lowercase UUID unique_ids, seeded types, and implemented exactly when they have an implemented time', () => {
    const all = services(store);
    expect(all.length).toBeGreaterThan(0);
    const types = lookupValues(store, 'lookup-service-type');
    for (const service of all) {
      expect(service.unique_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(types).toContain(service.service_type);
      // serviceable.rb: implemented is derived from service_implemented_day_time.
      expect(service.service_implemented).toBe(service.service_implemented_day_time ? 'implemented' : 'not_implemented');
      const provider = service.service_implementing_agency_individual;
      if (provider !== null) {
        const user = store.users.find((u) => u.user_name === provider);
        expect(user?.receives_referrals).toBe(true);
        expect(user?.services).toContain(service.service_type);
        expect(service.service_implementing_agency).toBe(user?.agency);
      }
    }
    expect(new Set(all.map((s) => s.unique_id)).size).toBe(all.length);
  });

  test('5: referrals point at seeded cases and at users who receive referrals, with the fields each status implies', () => {
    const referrals = [...store.referrals.values()];
    expect(referrals.length).toBeGreaterThan(0);
    for (const referral of referrals) {
      const record = store.cases.get(referral.record_id);
      expect(record).toBeDefined();
      expect(Uuid.safeParse(referral.id).success).toBe(true);
      const recipient = store.users.find((u) => u.user_name === referral.transitioned_to);
      expect(recipient?.receives_referrals).toBe(true);
      expect(referral.transitioned_to_agency).toBe(recipient?.agency);
      expect(Date.parse(String(referral.created_at))).toBeGreaterThan(Date.parse(String(record?.created_at)));
      expect('responded_at' in referral).toBe(referral.status !== 'in_progress');
      expect('rejected_reason' in referral).toBe(referral.status === 'rejected');
      // An open referral or an accepted one gives the recipient access to the case.
      if (referral.status === 'in_progress' || referral.status === 'accepted') expect(record?.assigned_user_names).toContain(referral.transitioned_to);
    }
  });

  test('5.3: users able to receive referrals exist, enabled, with services; the demo user logs in with the demo password', () => {
    const receivers = store.users.filter((u) => u.receives_referrals && !u.disabled);
    expect(receivers.length).toBeGreaterThanOrEqual(2);
    for (const user of receivers) expect(user.services.length).toBeGreaterThan(0);
    expect(store.users[0]).toMatchObject({ user_name: 'demo_caseworker', password: DEMO_PASSWORD, disabled: false });
    expect(new Set(store.users.map((u) => u.user_name)).size).toBe(store.users.length);
  });

  test('6: lookups cover every service_type used by cases, agencies and users; agencies exist for every agency used', () => {
    const types = new Set(lookupValues(store, 'lookup-service-type'));
    const used = [
      ...services(store).map((s) => s.service_type),
      ...store.agencies.flatMap((a) => a.services),
      ...store.users.flatMap((u) => u.services),
    ];
    for (const type of used) expect(types).toContain(type);
    const agencies = new Set(store.agencies.map((a) => a.unique_id));
    for (const agency of [...store.users.map((u) => u.agency), ...cases(store).map((r) => r.owned_by_agency_id)]) expect(agencies).toContain(agency);
  });

  test('2.6: forms describe every case field used, and every value has the type its field accepts', () => {
    const forms = store.forms.filter((f) => f.parent_form === 'case' && f.module_ids.includes(CP_MODULE));
    const topFields = new Map(forms.filter((f) => !f.is_nested).flatMap((f) => f.fields.map((field) => [field.name, field] as const)));
    const subform = topFields.get('services_section');
    expect(subform?.type).toBe('subform');
    const nested = forms.find((f) => f.is_nested && f.id === subform?.subform_section_id);
    const serviceFields = new Map(nested?.fields.map((field) => [field.name, field] as const) ?? []);
    const locations = new Set(store.locations.map((l) => l.code));
    const users = new Set(store.users.map((u) => u.user_name));
    const agencies = new Set(store.agencies.map((a) => a.unique_id));

    const check = (field: FakeField | undefined, name: string, value: unknown) => {
      expect(field, `no form field for ${name}`).toBeDefined();
      if (!field || value === null) return;
      switch (field.type) {
        case 'tick_box':
          expect(typeof value).toBe('boolean');
          break;
        case 'numeric_field':
          expect(Number.isInteger(value)).toBe(true);
          break;
        case 'date_field':
          expect((field.date_include_time ? DateTime : DateOnly).safeParse(value).success, `${name}: ${String(value)}`).toBe(true);
          break;
        case 'text_field':
        case 'textarea':
          expect(typeof value).toBe('string');
          break;
        case 'subform':
          expect(Array.isArray(value)).toBe(true);
          break;
        case 'select_box':
        case 'radio_button': {
          const values = field.multi_select ? (value as unknown[]) : [value];
          if (field.multi_select) expect(Array.isArray(value)).toBe(true);
          const source = field.option_strings_source ?? '';
          const options = source.startsWith('lookup ')
            ? new Set(lookupValues(store, source.slice('lookup '.length)))
            : source === 'Location' ? locations : source === 'User' ? users : source === 'Agency' ? agencies : undefined;
          expect(options, `${name}: unknown option source ${source}`).toBeDefined();
          for (const option of values) expect(options?.has(option as string), `${name}: ${String(option)}`).toBe(true);
          break;
        }
      }
    };
    for (const record of cases(store)) {
      for (const [name, value] of Object.entries(record)) if (!SYSTEM_FIELDS.has(name)) check(topFields.get(name), name, value);
      for (const service of (record.services_section as Array<Record<string, unknown>>) ?? []) {
        for (const [name, value] of Object.entries(service)) if (name !== 'unique_id') check(serviceFields.get(name), `services_section.${name}`, value);
      }
    }
  });
});

test('5: with the default 50 cases, referrals are seeded in every status, for every seed tried', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const statuses = new Set([...seeded(seed).referrals.values()].map((r) => r.status));
    expect([...statuses].sort(), `seed ${seed}`).toEqual([...STATUSES].sort());
  }
});

describe('custom users', () => {
  const user = (user_name: string, extra: Partial<FakeUser> = {}): FakeUser => ({
    id: 1, user_name, password: DEMO_PASSWORD, full_name: user_name, position: 'Caseworker', agency: 'agency-x', location: 'KH01',
    services: [], module_ids: [CP_MODULE], group_permission: 'self', receives_referrals: false, sync_external: false, disabled: false, ...extra,
  });

  test('no user who can receive a referral (or no user at all): the cases are seeded without referrals', () => {
    for (const users of [[user('solo')], [], [user('solo'), user('gone', { receives_referrals: true, disabled: true })]]) {
      const fake = new FakePrimero({ seed: 4, cases: 30, users });
      expect(fake.store.cases.size).toBe(30);
      expect(fake.store.referrals.size).toBe(0);
    }
  });

  test("the seeded cases belong to the first user, so a self-scoped custom user sees them", async () => {
    const fake = new FakePrimero({ seed: 4, cases: 10, users: [user('worker_a'), user('worker_b', { id: 2, receives_referrals: true })] });
    for (const record of fake.store.cases.values()) expect(record).toMatchObject({ owned_by: 'worker_a', created_by: 'worker_a', owned_by_agency_id: 'agency-x' });
    for (const referral of fake.store.referrals.values()) expect(referral).toMatchObject({ transitioned_by: 'worker_a', transitioned_to: 'worker_b' });
    const client = new PrimeroClient({ baseUrl: fake.baseUrl, auth: fake.credentials, fetch: fake.fetch });
    expect((await client.cases.list().firstPage()).metadata.total).toBe(10);
  });

  test('custom users are deep-copied: the store never shares their arrays with the caller', () => {
    const given = [user('worker_a', { services: ['health_medical_service'] })];
    const fake = new FakePrimero({ seed: 4, cases: 0, users: given });
    fake.store.users[0]!.services.push('education_service');
    expect(given[0]!.services).toEqual(['health_medical_service']);
  });

  test('the seeded referrals go to enabled users only, so every one of them can be answered', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const store = seeded(seed, 80);
      for (const referral of store.referrals.values()) {
        const recipient = store.users.find((u) => u.user_name === referral.transitioned_to);
        expect(recipient).toMatchObject({ disabled: false, receives_referrals: true });
      }
    }
  });
});
