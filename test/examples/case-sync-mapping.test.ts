/**
 * examples/case-sync's mapping: pure functions between the external system's clients and Primero cases. The
 * property that makes the sync settle: writing a shared case into either system and reading it back gives
 * the same shared case, so a record the sync just wrote is recognised as unchanged.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { LINK_FIELDS, MODULE_ID, STATUS_OPTIONS } from '../../examples/case-sync/deployment.js';
import {
  cleanDate,
  fingerprint,
  fromExternal,
  fromPrimero,
  syncedKeys,
  takesPart,
  toExternal,
  toPrimero,
  type Mapping,
  type SharedCase,
} from '../../examples/case-sync/mapping.js';
import type { OscarClient } from '../../examples/case-sync/oscar.js';

const ALL_FIELDS = ['name_first', 'name_last', 'sex', 'date_of_birth', 'risk_level', ...Object.values(LINK_FIELDS)];
const mapping = (available: readonly string[] = ALL_FIELDS): Mapping => ({ moduleId: MODULE_ID, fields: LINK_FIELDS, statusOptions: STATUS_OPTIONS, available: new Set(available) });

function client(fields: Partial<OscarClient> = {}): OscarClient {
  return {
    id: 7,
    global_id: '01J0000000000000000000000A',
    slug: 'hfc-7',
    external_id: null,
    external_id_display: null,
    mosvy_number: null,
    given_name: 'Dara',
    family_name: 'Keo',
    gender: 'Male',
    date_of_birth: '2013-05-02',
    level_of_risk: 'medium',
    status: 'Active',
    organization_name: 'Hope for Children',
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-02T00:00:00.000Z',
    ...fields,
  };
}

describe('cleaning the external data', () => {
  test('dates: slashes and a doubled first year digit are repaired, impossible dates are unusable', () => {
    expect(cleanDate('2016/02/17')).toBe('2016-02-17');
    expect(cleanDate('22012-01-01')).toBe('2012-01-01');
    expect(cleanDate('2015-02-29')).toBeUndefined();
    expect(cleanDate('12/05/2014')).toBeUndefined();
    expect(cleanDate('')).toBeNull();
    expect(cleanDate(null)).toBeNull();
  });

  test('genders, statuses (typos included) and risk levels are reduced to what Primero holds; text is trimmed', () => {
    const shared = fromExternal(client({ gender: 'FEMALE', status: 'Accetped', level_of_risk: 'no action', mosvy_number: ' MV-9 ', family_name: '  ' }), mapping());
    expect(shared).toMatchObject({ sex: 'female', status: 'active', mosvyNumber: 'MV-9', familyName: null });
    expect(shared).not.toHaveProperty('riskLevel'); // `no action` has no Primero option: unusable, never written
    expect(fromExternal(client({ status: 'Exited', gender: 'other' }), mapping())).toMatchObject({ status: 'exited' });
    expect(fromExternal(client({ gender: 'other' }), mapping())).not.toHaveProperty('sex');
  });
});

describe('into Primero', () => {
  test('wire names as the deployment spells them: the hash-suffixed status field and option id, the external ids', () => {
    const data = toPrimero(fromExternal(client({ mosvy_number: 'MV-1' }), mapping()), mapping());
    expect(data).toEqual({
      oscar_number: '01J0000000000000000000000A',
      oscar_short_id: 'hfc-7',
      oscar_status_6b1d9e2: 'active_c2e407',
      name_first: 'Dara',
      name_last: 'Keo',
      sex: 'male',
      date_of_birth: '2013-05-02',
      risk_level: 'medium',
      mosvy_number: 'MV-1',
    });
  });

  test('never case_id or module_id; an unusable value is left out, an empty one clears the field', () => {
    const data = toPrimero(fromExternal(client({ external_id: 'case-1', external_id_display: 'abc1234', date_of_birth: '2014-13-01', given_name: '' }), mapping()), mapping());
    expect(data).not.toHaveProperty('case_id');
    expect(data).not.toHaveProperty('case_id_display');
    expect(data).not.toHaveProperty('module_id');
    expect(data).not.toHaveProperty('date_of_birth');
    expect(data.name_first).toBeNull();
  });

  test('only the external ids, for the write-back after a client was created', () => {
    expect(toPrimero(fromExternal(client(), mapping()), mapping(), ['external'])).toEqual({
      oscar_number: '01J0000000000000000000000A',
      oscar_short_id: 'hfc-7',
      oscar_status_6b1d9e2: 'active_c2e407',
    });
  });

  test("fields the deployment lacks are left out of the sync on both sides, so they cannot keep the sides apart", () => {
    const without = mapping(ALL_FIELDS.filter((name) => name !== LINK_FIELDS.mosvyNumber && name !== LINK_FIELDS.status));
    expect(syncedKeys(without)).not.toContain('mosvyNumber');
    const shared = fromExternal(client({ mosvy_number: 'MV-1' }), without);
    expect(shared).not.toHaveProperty('mosvyNumber');
    expect(shared).not.toHaveProperty('status');
    expect(toPrimero(shared, without)).not.toHaveProperty(LINK_FIELDS.mosvyNumber);
    expect(fromPrimero({ mosvy_number: 'MV-2', oscar_number: 'x' }, without)).not.toHaveProperty('mosvyNumber');
  });
});

describe('out to the external system', () => {
  test("Primero's ids become external_id and external_id_display; the external system's own fields are never sent", () => {
    const record = { id: 'r1', case_id: 'c-1', case_id_display: 'a1b2c3d', oscar_number: 'G1', oscar_short_id: 'hfc-1', oscar_status_6b1d9e2: 'exited_91fb6d', name_first: 'Dara', sex: 'male', risk_level: 'high' };
    expect(toExternal(fromPrimero(record, mapping()), mapping())).toEqual({
      global_id: 'G1',
      external_id: 'c-1',
      external_id_display: 'a1b2c3d',
      given_name: 'Dara',
      family_name: null,
      gender: 'male',
      date_of_birth: null,
      level_of_risk: 'high',
      mosvy_number: null,
    });
  });

  test('a case takes part when it is linked, or flagged by a caseworker', () => {
    expect(takesPart({ oscar_number: 'G1' }, mapping())).toBe(true);
    expect(takesPart({ [LINK_FIELDS.referToExternal]: true }, mapping())).toBe(true);
    expect(takesPart({ oscar_number: ' ', [LINK_FIELDS.referToExternal]: false }, mapping())).toBe(false);
    expect(takesPart({}, mapping())).toBe(false);
  });
});

describe('fingerprints', () => {
  test('depend on the content only: not on key order, but on null versus unusable', () => {
    const a: SharedCase = { globalId: 'G', givenName: 'A', sex: 'female' };
    const b: SharedCase = { sex: 'female', givenName: 'A', globalId: 'G' };
    expect(fingerprint(a)).toBe(fingerprint(b));
    expect(fingerprint(a)).not.toBe(fingerprint({ ...a, sex: 'male' }));
    expect(fingerprint(a)).not.toBe(fingerprint({ ...a, riskLevel: null }));
    expect(fingerprint(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprint(a)).not.toContain('A');
  });
});

describe('writing and reading back settle (the reason reruns write nothing)', () => {
  const text = fc.option(fc.stringMatching(/^[A-Za-z][A-Za-z -]{0,11}[a-z]$/), { nil: null });
  const day = fc.date({ min: new Date('1990-01-01'), max: new Date('2025-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
  const externalClient = fc.record({
    global_id: fc.stringMatching(/^[0-9A-Z]{26}$/),
    slug: fc.stringMatching(/^hfc-[1-9][0-9]{0,3}$/),
    external_id: fc.option(fc.uuid(), { nil: null }),
    external_id_display: fc.option(fc.stringMatching(/^[0-9a-f]{7}$/), { nil: null }),
    mosvy_number: text,
    given_name: text,
    family_name: text,
    gender: fc.constantFrom('female', 'Male', 'FEMALE', null),
    date_of_birth: fc.option(day, { nil: null }),
    level_of_risk: fc.constantFrom('low', 'Medium', 'high', null),
    status: fc.constantFrom('Referred', 'Accepted', 'Active', 'Exited', 'Accetped'),
  });

  test('an external client written into a Primero case reads back as the same shared content', () => {
    fc.assert(
      fc.property(externalClient, (fields) => {
        const shared = fromExternal(client(fields), mapping());
        // What Primero holds after the write: the written fields, plus the case's own ids.
        const record = { id: 'r', case_id: fields.external_id, case_id_display: fields.external_id_display, ...toPrimero(shared, mapping()) };
        expect(fromPrimero(record, mapping())).toEqual(shared);
        expect(fingerprint(fromPrimero(record, mapping()))).toBe(fingerprint(shared));
      }),
    );
  });

  test('a Primero case pushed to the external system reads back as the same shared content', () => {
    fc.assert(
      fc.property(externalClient, (fields) => {
        const shared = fromExternal(client(fields), mapping());
        const record = { id: 'r', case_id: fields.external_id, case_id_display: fields.external_id_display, ...toPrimero(shared, mapping()) };
        const fromCase = fromPrimero(record, mapping());
        // The external system applies the upsert's fields to the client it matched.
        const { global_id: _key, ...pushed } = toExternal(fromCase, mapping());
        expect(fromExternal({ ...client(fields), ...pushed }, mapping())).toEqual(fromCase);
      }),
    );
  });
});
