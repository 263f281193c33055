/**
 * A client typed by a deployment's forms (`client.withTypes(primeroTypes)`), with the modules `primero types`
 * generated into test/fixtures/types: what it returns and accepts, at compile time (these assertions are
 * checked by `tsc` in `npm test`) and at run time against the fake Primero.
 */
import { describe, expect, expectTypeOf, test } from 'vitest';
import { z } from 'zod';
import {
  ConfigurationError,
  PrimeroClient,
  RequestValidationError,
  ResponseValidationError,
  type CaseRecord,
  type RecordSchemas,
  type ValidationMode,
} from '../../src/index.js';
import { createFakePrimero, type FakePrimeroWithHandlers } from '../../src/testing/index.js';
import { captureLogs } from '../support/logs.js';
import { rejection } from '../support/async.js';
import { primeroTypes, type PrimeroTypes } from '../fixtures/types/fake-types.js';
import { primeroTypes as unusualTypes, CaseFields as UnusualCase, CaseFieldsInput as UnusualCaseInput } from '../fixtures/types/unusual-types.js';

function setup(options: { validate?: ValidationMode; auth?: 'session' } = {}) {
  const fake = createFakePrimero({ cases: 20, seed: 7, ...(options.auth ? { auth: [options.auth] } : {}) });
  const logs = captureLogs();
  const client = new PrimeroClient({
    baseUrl: fake.baseUrl,
    auth: fake.credentials,
    fetch: fake.fetch,
    logger: logs.logger,
    ...(options.validate ? { validate: options.validate } : {}),
  });
  return { fake, client, typed: client.withTypes(primeroTypes), logs };
}

function writes(fake: FakePrimeroWithHandlers): number {
  return fake.requests.filter((r) => r.method !== 'GET').length;
}

describe('types', () => {
  test('cases and incidents take the generated field types; the core fields and unknown fields stay', () => {
    const { typed, client } = setup();
    type Case = Awaited<ReturnType<typeof typed.cases.get>>;
    expectTypeOf<Case['sex']>().toEqualTypeOf<'female' | 'male' | null | undefined>();
    expectTypeOf<Case['protection_concerns']>().toEqualTypeOf<
      Array<'separated' | 'unaccompanied' | 'physical_violence' | 'sexual_violence' | 'psychosocial' | 'child_labour' | 'caafag' | 'trafficked'> | null | undefined
    >();
    expectTypeOf<NonNullable<Case['services_section']>[number]['service_implemented']>().toEqualTypeOf<'implemented' | 'not_implemented' | null | undefined>();
    expectTypeOf<NonNullable<Case['services_section']>[number]['unique_id']>().toEqualTypeOf<string>();
    expectTypeOf<Case['id']>().toEqualTypeOf<string>();
    expectTypeOf<Case['last_updated_at']>().toEqualTypeOf<string>();
    expectTypeOf<Case['case_id_display']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<Case['custom_field_2d79b49']>().toEqualTypeOf<unknown>();
    // Every way to a case is typed the same.
    expectTypeOf(typed.cases.list).returns.toEqualTypeOf<import('../../src/index.js').PagedIterable<Case>>();
    expectTypeOf(typed.cases.findByCaseId).returns.resolves.toEqualTypeOf<Case | undefined>();
    expectTypeOf(typed.cases.changes).returns.toEqualTypeOf<import('../../src/index.js').ChangeFeed<Case>>();
    // The untyped client keeps the built-in type.
    expectTypeOf(client.cases.get).returns.resolves.toEqualTypeOf<CaseRecord>();
    // The constructor's `types` option infers the same client.
    const constructed = new PrimeroClient({ baseUrl: 'https://primero.example.org', types: primeroTypes });
    expectTypeOf(constructed).toEqualTypeOf<PrimeroClient<PrimeroTypes>>();
    expectTypeOf(client.withTypes<PrimeroTypes>()).toEqualTypeOf<PrimeroClient<PrimeroTypes>>();
  });

  test('writes accept only the option ids and value types of the forms (compile time)', () => {
    const { typed } = setup();
    const update = (patch: Parameters<typeof typed.cases.update>[1]) => patch;
    update({ sex: 'female', risk_level: 'high', services_section: [{ service_type: 'education_service' }] });
    // @ts-expect-error not an option of lookup-gender
    update({ sex: 'unknown' });
    // @ts-expect-error a tick box takes true or false only
    update({ consent_for_services: null });
    // @ts-expect-error a multi-select is an array of option ids
    update({ protection_concerns: 'separated' });
    // @ts-expect-error not an option of lookup-service-type
    update({ services_section: [{ service_type: 'spa_day' }] });
  });

  test('an interface and a schema that disagree do not compile as RecordSchemas', () => {
    type Types = { case: { record: { sex?: 'female' | 'male' | undefined }; input: { sex?: 'female' | 'male' | undefined } } };
    const agreeing: RecordSchemas<Types> = {
      case: { record: z.looseObject({ sex: z.enum(['female', 'male']).optional() }), input: z.looseObject({ sex: z.enum(['female', 'male']).optional() }) },
    };
    const disagreeing: RecordSchemas<Types> = {
      // @ts-expect-error the schema lets any string through where the interface promises two options
      case: { record: z.looseObject({ sex: z.string().optional() }), input: z.looseObject({ sex: z.enum(['female', 'male']).optional() }) },
    };
    expect([agreeing, disagreeing]).toHaveLength(2);
  });
});

describe('withTypes at run time', () => {
  test('every case the fake serves matches the schemas generated from its own forms (strict validation)', async () => {
    const { client } = setup({ validate: 'strict' });
    const typed = client.withTypes(primeroTypes);
    const cases = await typed.cases.list({ per: 7 }).collect({ max: 100 });
    expect(cases).toHaveLength(20);
    const withServices = cases.find((c) => c.services_section?.length);
    expect(withServices?.services_section?.[0]?.unique_id).toMatch(/^[0-9a-f-]{36}$/);
    const one = await typed.cases.get(cases[0]!.id);
    expect(one.id).toBe(cases[0]!.id);
  });

  test('a write that does not match the forms is refused before anything is sent, naming the field, not the value', async () => {
    const { fake, typed } = setup();
    const [first] = (await typed.cases.list({ per: 1 }).firstPage()).data;
    const before = writes(fake);
    const attempts: Array<[unknown, (string | number)[]]> = [
      [{ sex: 'unknown' }, ['sex']],
      [{ consent_for_services: null }, ['consent_for_services']],
      [{ date_of_birth: '31/12/2012' }, ['date_of_birth']],
      [{ age: 12.5 }, ['age']],
      [{ protection_concerns: ['separated', 'lost'] }, ['protection_concerns', 1]],
      [{ services_section: [{ service_type: 'spa_day' }] }, ['services_section', 0, 'service_type']],
      [{ services_section: [{ unique_id: 'not-a-uuid', _destroy: true }] }, ['services_section', 0, 'unique_id']],
      [{ services_section: [{ service_response_day_time: '2024-05-01' }] }, ['services_section', 0, 'service_response_day_time']],
    ];
    for (const [patch, path] of attempts) {
      const error = await rejection(typed.cases.update(first!.id, patch as never));
      expect(error).toBeInstanceOf(RequestValidationError);
      expect((error as RequestValidationError).issues.map((i) => i.path)).toContainEqual(path);
      expect(String((error as Error).message) + JSON.stringify(error)).not.toMatch(/unknown'|31\/12|spa_day|lost|not-a-uuid/);
    }
    const create = await rejection(typed.cases.create({ module_id: 'primeromodule-cp', sex: 'x' } as never));
    expect(create).toBeInstanceOf(RequestValidationError);
    expect(writes(fake)).toBe(before);
  });

  test('a write that matches the forms goes through, and the fake (checking against the same forms) accepts it', async () => {
    const { fake, typed } = setup({ validate: 'strict' });
    const created = await typed.cases.create({
      module_id: 'primeromodule-cp',
      sex: 'female',
      age: 11,
      date_of_birth: '2014-03-02',
      consent_for_services: true,
      protection_concerns: ['separated'],
      services_section: [{ service_type: 'education_service', service_response_day_time: '2024-05-01T09:30:00Z', service_implemented: 'not_implemented' }],
    });
    expect(created).toMatchObject({ sex: 'female', age: 11, protection_concerns: ['separated'] });
    const entry = created.services_section?.[0];
    expect(entry?.service_type).toBe('education_service');
    // The server derives service_implemented from the day it was implemented (primero-api.md 6).
    await typed.cases.update(created.id, { services_section: [{ unique_id: entry!.unique_id, service_implemented_day_time: '2024-05-03T10:00:00Z' }] });
    const read = await typed.cases.get(created.id);
    expect(read.services_section).toEqual([expect.objectContaining({ unique_id: entry!.unique_id, service_implemented: 'implemented' })]);
    expect(fake.store.cases.get(created.id)?.services_section).toHaveLength(1);
  });

  test('a response outside the forms: strict throws ResponseValidationError, loose warns with the path only and returns it', async () => {
    for (const mode of ['strict', 'loose'] as const) {
      const { fake, typed, logs } = setup({ validate: mode });
      const [first] = [...fake.store.cases.values()];
      (first as Record<string, unknown>).sex = 'retired_option';
      const result = typed.cases.get(first!.id);
      if (mode === 'strict') {
        const error = await rejection(result);
        expect(error).toBeInstanceOf(ResponseValidationError);
        expect((error as ResponseValidationError).issues.map((i) => i.path)).toContainEqual(['data', 'sex']);
      } else {
        expect((await result).sex).toBe('retired_option');
        const warning = logs.logged.find((l) => l.level === 'warn');
        expect(warning?.event).toMatchObject({ type: 'validation', issues: [{ path: ['data', 'sex'], code: 'invalid_value' }] });
        expect(logs.lines().join('\n')).not.toContain('retired_option');
      }
    }
  });

  test('each schema keeps its own response envelope: the built-in and the typed client judge the same case their own way, every time', async () => {
    const { fake, client, typed } = setup({ validate: 'strict' });
    const [first] = [...fake.store.cases.values()];
    (first as Record<string, unknown>).sex = 'retired_option';
    for (let round = 0; round < 2; round++) {
      expect((await client.cases.get(first!.id)).sex).toBe('retired_option');
      expect(await rejection(typed.cases.get(first!.id))).toBeInstanceOf(ResponseValidationError);
      expect((await client.cases.get(first!.id)).sex).toBe('retired_option');
    }
  });

  test('the typed client shares the session and the concurrency limit of the client it came from', async () => {
    const { fake, client, typed } = setup({ auth: 'session' });
    await Promise.all([client.cases.list({ per: 5 }).firstPage(), typed.cases.list({ per: 5 }).firstPage(), typed.incidents.list().firstPage()]);
    expect(fake.requests.filter((r) => r.method === 'POST' && r.path === '/tokens')).toHaveLength(1);
  });

  test('withTypes<T>() changes only the static types: the server is the one to refuse a bad option', async () => {
    const { fake, client } = setup();
    const typesOnly = client.withTypes<PrimeroTypes>();
    const [first] = (await typesOnly.cases.list({ per: 1 }).firstPage()).data;
    const error = await rejection(typesOnly.cases.update(first!.id, { sex: 'unknown' } as never));
    expect(error).toMatchObject({ name: 'InvalidRecordError', status: 422 });
    expect(writes(fake)).toBe(1);
  });

  test('something other than generated schemas is a ConfigurationError, from withTypes and from the constructor', () => {
    const { client } = setup();
    for (const bad of [{ case: {} }, { case: { record: z.string(), input: z.object({}) } }, { person: { record: z.object({}), input: z.object({}) } }, []]) {
      expect(() => client.withTypes(bad as never)).toThrow(ConfigurationError);
      expect(() => new PrimeroClient({ baseUrl: 'https://primero.example.org', types: bad as never })).toThrow(ConfigurationError);
    }
  });
});

describe('the schemas generated from unusual forms', () => {
  test('quoted and reserved field names are ordinary fields; names every object inherits are left out, so nothing is added to a record', () => {
    const parsed = UnusualCase.parse(JSON.parse('{"2nd_visit_date": "2024-01-02", "name-with-dash": "d", "a.b": "e", "class": "f"}'));
    expect(parsed).toEqual({ '2nd_visit_date': '2024-01-02', 'name-with-dash': 'd', 'a.b': 'e', class: 'f' });
    expect(Object.keys(UnusualCase.shape)).not.toContain('constructor');
    // A record that has such a field keeps it, unchecked, and parsing adds no own key that would hide a method.
    const withConstructor = UnusualCase.parse({ constructor: 'c', sex: 'female' });
    expect(withConstructor).toEqual({ constructor: 'c', sex: 'female' });
    expect(Object.keys(UnusualCase.parse({ sex: 'female' }))).toEqual(['sex']);
    // A `__proto__` key from JSON never becomes the parsed object's prototype.
    const hostile = UnusualCase.parse(JSON.parse('{"__proto__": {"polluted": true}, "class": "x"}'));
    expect(Object.getPrototypeOf(hostile)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('options with spaces, quotes and markup; a yes/no radio also takes booleans; merged selects take either form\'s options', () => {
    expect(UnusualCase.safeParse({ weird_options: ['with space', "o'quote", 'back\\slash"dq', '</script>'] }).success).toBe(true);
    expect(UnusualCase.safeParse({ weird_options: ['with_space'] }).success).toBe(false);
    for (const value of [true, false, 'true', 'false', null]) expect(UnusualCase.safeParse({ has_disability: value }).success).toBe(true);
    expect(UnusualCase.safeParse({ has_disability: 'yes' }).success).toBe(false);
    for (const sex of ['female', 'male', 'non_binary']) expect(UnusualCaseInput.safeParse({ sex }).success).toBe(true);
    // `age` is a number on one form and text on another: typed as unknown rather than wrongly.
    for (const age of [3, 'three']) expect(UnusualCaseInput.safeParse({ age }).success).toBe(true);
  });

  test('subform entries: typed fields, unique_id on read, UUID unique_id and _destroy on write; a lost subform keeps unique_id only', () => {
    const entry = { unique_id: '7d1c0a5e-1f2b-4c3d-9e8f-0a1b2c3d4e5f', relation: 'mother', relation_languages: ['khmer'], relation_is_alive: true };
    expect(UnusualCase.safeParse({ family_details_section: [entry] }).success).toBe(true);
    expect(UnusualCase.safeParse({ family_details_section: [{ relation: 'mother' }] }).success).toBe(false);
    expect(UnusualCase.safeParse({ family_details_section: [{ ...entry, relation_languages: ['klingon'] }] }).success).toBe(false);
    expect(UnusualCaseInput.safeParse({ family_details_section: [{ relation: 'father' }, { unique_id: entry.unique_id, _destroy: true }] }).success).toBe(true);
    expect(UnusualCaseInput.safeParse({ family_details_section: [{ unique_id: 'ABC' }] }).success).toBe(false);
    expect(UnusualCaseInput.safeParse({ followup_subform_section: [{ followup_needed_by_date: '2024-01-01' }] }).success).toBe(false);
    expect(UnusualCase.safeParse({ lost_subform: [{ unique_id: 'x', anything: 1 }] }).success).toBe(true);
    expect(UnusualCase.safeParse({ 'family-details-section': [{ unique_id: 'x', note: 'n' }] }).success).toBe(true);
  });

  test('only case and incident are in primeroTypes; other record types are exported on their own', async () => {
    expect(Object.keys(unusualTypes)).toEqual(['case', 'incident']);
    const module = await import('../fixtures/types/unusual-types.js');
    expect(module.TracingRequestFields.safeParse({ relation_to_inquirer: 'aunt' }).success).toBe(true);
  });
});
