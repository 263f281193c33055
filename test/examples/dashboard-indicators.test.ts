/**
 * The dashboard example's pure modules, on hand-built records: the facts kept of a case, the indicators
 * and who counts where, small-cell suppression, the catalog of labels, the page's escaping and its CSP,
 * and the options. The end-to-end run against the fake Primero is dashboard.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CaseRecord, FormSection, Location, Lookup, Referral } from '../../src/index.js';
import { parseDashboardArgs, UsageError } from '../../examples/dashboard/args.js';
import { inlineable, type PageAssets } from '../../examples/dashboard/assets.js';
import { buildCatalog, type Catalog } from '../../examples/dashboard/catalog.js';
import { caseFacts, responseHours, type CaseFacts } from '../../examples/dashboard/facts.js';
import { cspHash, escapeHtml, jsonForScript, renderDashboard } from '../../examples/dashboard/html.js';
import { ageBand, computeIndicators, INDICATORS_FORMAT, median, responseBand, type ChartIndicator, type IndicatorSet, type IndicatorsDocument } from '../../examples/dashboard/indicators.js';
import { suppress, type Group } from '../../examples/dashboard/suppression.js';

const en = (text: string) => ({ en: text });

/** A small deployment: two sexes, three concerns, two service types, a country with two provinces of two districts. */
const LOCATIONS: Location[] = [
  { id: 1, code: 'CC', name: en('Country'), admin_level: 0, placename: en('Country'), hierarchy: [] },
  { id: 2, code: 'CC01', name: en('Country::North'), admin_level: 1, placename: en('North'), hierarchy: ['CC'] },
  { id: 3, code: 'CC02', name: en('Country::South'), admin_level: 1, placename: en('South'), hierarchy: ['CC'] },
  { id: 4, code: 'CC0101', name: en('Country::North::Hill'), admin_level: 2, placename: en('Hill'), hierarchy: ['CC', 'CC01'] },
  { id: 5, code: 'CC0102', name: en('Country::North::Lake'), admin_level: 2, placename: en('Lake'), hierarchy: ['CC', 'CC01'] },
  { id: 6, code: 'CC0201', name: en('Country::South::Coast'), admin_level: 2, placename: en('Coast'), hierarchy: ['CC', 'CC02'] },
];
const LOOKUPS: Lookup[] = [
  { id: 1, unique_id: 'lookup-gender', name: en('Sex'), values: [{ id: 'female', display_text: { en: 'Female', fr: 'Féminin' } }, { id: 'male', display_text: { en: 'Male', fr: '' } }] },
  { id: 2, unique_id: 'lookup-service-type', name: en('Service type'), values: [{ id: 'health', display_text: en('Health') }, { id: 'legal', display_text: en('Legal') }] },
];
const FORMS: FormSection[] = [
  {
    id: 1, unique_id: 'basic', name: en('Basic'), parent_form: 'case',
    fields: [
      { name: 'sex', type: 'select_box', option_strings_source: 'lookup lookup-gender' },
      {
        name: 'protection_concerns', type: 'select_box', multi_select: true,
        option_strings_text: [{ id: 'separated', display_text: en('Separated') }, { id: 'labour', display_text: en('Child labour') }, { id: 'violence', display_text: en('Violence') }],
      },
      { name: 'location_current', type: 'select_box', option_strings_source: 'Location' },
    ],
  },
  { id: 2, unique_id: 'services_section', name: en('Services'), parent_form: 'case', is_nested: true, fields: [{ name: 'service_type', type: 'select_box', option_strings_source: 'lookup lookup-service-type' }] },
];
const CATALOG: Catalog = buildCatalog({ forms: FORMS, lookups: LOOKUPS, locations: LOCATIONS }, { locale: 'en', locationLevel: 1 });

function facts(overrides: Partial<CaseFacts> = {}): CaseFacts {
  return { enabled: true, status: 'open', sex: 'female', age: 10, concerns: ['separated'], location: 'CC0101', services: [], referrals: [], ...overrides };
}

function chart(set: IndicatorSet, id: string): ChartIndicator {
  const found = set.charts.find((c) => c.id === id);
  if (!found) throw new Error(`no chart ${id}`);
  return found;
}

/** A chart's values by category key (first series, or the one named). */
function values(set: IndicatorSet, id: string, series = 0): Record<string, number | null> {
  const c = chart(set, id);
  return Object.fromEntries(c.categories.map((category, i) => [category.key, c.series[series]?.cells[i]?.value ?? null]));
}

describe('facts kept of a case', () => {
  const record = {
    id: '0b7f1c52-1111-4e0a-9a55-000000000001', enabled: true, last_updated_at: '2025-03-01T10:00:00.000Z',
    status: 'open', sex: 'female', age: 9, name_first: 'Amina', name_last: 'Keo', case_id_display: 'abc1234', date_of_birth: '2016-01-01',
    protection_concerns: ['separated', 'separated', 'labour'], location_current: 'CC0102',
    services_section: [
      { unique_id: 's1', service_type: 'health', service_implemented: 'implemented' },
      { unique_id: 's2', service_type: 'legal', service_implemented: 'not_implemented', service_implemented_day_time: '2025-03-02T10:00:00Z' },
      { unique_id: 's3', service_type: null },
    ],
  } as unknown as CaseRecord;
  const referral = (status: Referral['status'], created: string | undefined, responded: string | undefined): Referral =>
    ({ id: 'r', type: 'Referral', status, record_id: record.id, record_type: 'case', created_at: created, responded_at: responded, notes: 'free text' }) as Referral;

  it('keeps coded values only: no name, date of birth, case number or free text', () => {
    const kept = caseFacts(record, [referral('accepted', '2025-03-01T10:00:00Z', '2025-03-02T16:00:00Z')]);
    expect(kept).toEqual({
      enabled: true, status: 'open', sex: 'female', age: 9, concerns: ['separated', 'labour'], location: 'CC0102',
      services: [{ type: 'health', implemented: true }, { type: 'legal', implemented: true }, { type: null, implemented: false }],
      referrals: [{ status: 'accepted', response_hours: 30 }],
    });
    const text = JSON.stringify(kept);
    for (const secret of ['Amina', 'Keo', 'abc1234', '2016-01-01', 'free text', record.id]) expect(text).not.toContain(secret);
  });

  it('keeps nothing but "disabled" of a disabled case', () => {
    expect(caseFacts({ ...record, enabled: false }, [])).toEqual({ enabled: false, status: null, sex: null, age: null, concerns: [], location: null, services: [], referrals: [] });
    expect(caseFacts({ ...record, record_state: false }, []).enabled).toBe(false);
  });

  it('times a response from creation to answer, for answered referrals only', () => {
    const created = '2025-03-01T10:00:00.000Z';
    expect(responseHours(referral('accepted', created, '2025-03-01T16:00:00.000Z'))).toBe(6);
    expect(responseHours(referral('rejected', created, '2025-03-03T10:00:00.000Z'))).toBe(48);
    // done keeps the acceptance time as responded_at (primero-api.md 5.5)
    expect(responseHours(referral('done', created, '2025-03-01T12:00:00.000Z'))).toBe(2);
    expect(responseHours(referral('in_progress', created, undefined))).toBeNull();
    expect(responseHours(referral('revoked', created, '2025-03-01T12:00:00.000Z'))).toBeNull();
    expect(responseHours(referral('accepted', created, undefined))).toBeNull();
    expect(responseHours(referral('accepted', created, '2025-02-28T10:00:00.000Z'))).toBeNull(); // out of order
    expect(responseHours(referral('accepted', 'not a date', '2025-03-01T12:00:00.000Z'))).toBeNull();
  });
});

describe('indicators', () => {
  it('counts open enabled cases in the case breakdowns, and services and referrals of every enabled case', () => {
    const set = computeIndicators(
      [
        facts({ sex: 'female', age: 3, concerns: ['separated', 'labour'], location: 'CC0101', services: [{ type: 'health', implemented: true }] }),
        facts({ sex: 'male', age: 15, concerns: [], location: 'CC0201', referrals: [{ status: 'in_progress', response_hours: null }] }),
        // closed: out of the case breakdowns, but its service and referral count
        facts({ status: 'closed', sex: 'male', services: [{ type: 'legal', implemented: false }], referrals: [{ status: 'done', response_hours: 5 }] }),
        // disabled: nowhere
        facts({ enabled: false, services: [{ type: 'health', implemented: true }], referrals: [{ status: 'accepted', response_hours: 1 }] }),
      ],
      { minCell: 1, catalog: CATALOG },
    );
    expect(set.headline.open_cases.value).toBe(2);
    expect(values(set, 'cases_by_sex')).toEqual({ female: 1, male: 1, _not_recorded: 0 });
    expect(values(set, 'cases_by_age')).toEqual({ '0-5': 1, '6-11': 0, '12-17': 1, '18+': 0, _not_recorded: 0 });
    expect(values(set, 'cases_by_concern')).toEqual({ separated: 1, labour: 1, violence: 0, _none: 1 });
    expect(values(set, 'cases_by_location')).toEqual({ CC01: 1, CC02: 1, _not_recorded: 0 });
    expect(values(set, 'services_by_type', 0)).toEqual({ health: 1, legal: 0, _not_recorded: 0 });
    expect(values(set, 'services_by_type', 1)).toEqual({ health: 0, legal: 1, _not_recorded: 0 });
    expect(chart(set, 'services_by_type').category_totals?.map((c) => c.value)).toEqual([1, 1, 0]);
    expect(set.headline.services.value).toBe(2);
    expect(set.headline.services_implemented.value).toBe(1);
    expect(values(set, 'referrals_by_status')).toEqual({ in_progress: 1, accepted: 0, done: 1, rejected: 0, revoked: 0 });
    expect(set.headline.referrals_pending.value).toBe(1);
  });

  it('moves a changed case to its new buckets: the facts replace the old ones', () => {
    const before = new Map([['a', facts({ sex: 'female', location: 'CC0101', age: 4 })], ['b', facts({ sex: 'female', location: 'CC0101' })]]);
    const after = new Map(before).set('a', facts({ sex: 'male', location: 'CC0201', age: 4 }));
    const first = computeIndicators(before.values(), { minCell: 1, catalog: CATALOG });
    const second = computeIndicators(after.values(), { minCell: 1, catalog: CATALOG });
    expect(values(first, 'cases_by_sex')).toMatchObject({ female: 2, male: 0 });
    expect(values(second, 'cases_by_sex')).toMatchObject({ female: 1, male: 1 });
    expect(values(second, 'cases_by_location')).toMatchObject({ CC01: 1, CC02: 1 });
    expect(second.headline.open_cases.value).toBe(2);
  });

  it('bands ages at 5, 11 and 17, and keeps unknown codes and missing values visible', () => {
    expect([0, 5, 6, 11, 12, 17, 18, 40, null].map(ageBand)).toEqual(['0-5', '0-5', '6-11', '6-11', '12-17', '12-17', '18+', '18+', '_not_recorded']);
    const set = computeIndicators([facts({ sex: 'intersex' }), facts({ sex: null }), facts({ location: 'ZZ99' }), facts({ location: null })], { minCell: 1, catalog: CATALOG });
    const sexes = chart(set, 'cases_by_sex').categories;
    expect(sexes.map((c) => c.key)).toEqual(['female', 'male', 'intersex', '_not_recorded']);
    expect(sexes.map((c) => c.label)).toEqual(['Female', 'Male', 'intersex', 'Not recorded']);
    expect(values(set, 'cases_by_sex')).toEqual({ female: 2, male: 0, intersex: 1, _not_recorded: 1 });
    expect(values(set, 'cases_by_location')).toEqual({ CC01: 2, CC02: 0, ZZ99: 1, _not_recorded: 1 });
  });

  it('times responses: bands at 1, 3 and 7 days, the median, revoked and pending left out', () => {
    expect([0, 23.9, 24, 71.9, 72, 167.9, 168, null].map(responseBand)).toEqual(
      ['under_1_day', 'under_1_day', '1_to_3_days', '1_to_3_days', '3_to_7_days', '3_to_7_days', '7_days_or_more', '_not_recorded'],
    );
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    const referrals = [
      { status: 'accepted', response_hours: 2 }, { status: 'done', response_hours: 30 }, { status: 'rejected', response_hours: 100 },
      { status: 'accepted', response_hours: 200 }, { status: 'rejected', response_hours: null },
      { status: 'revoked', response_hours: null }, { status: 'in_progress', response_hours: null },
    ] as const;
    const set = computeIndicators([facts({ referrals: referrals.map((r) => ({ ...r })) })], { minCell: 1, catalog: CATALOG });
    expect(values(set, 'referral_response_time')).toEqual({ under_1_day: 1, '1_to_3_days': 1, '3_to_7_days': 1, '7_days_or_more': 1, _not_recorded: 1 });
    expect(chart(set, 'referral_response_time').total?.cell.value).toBe(5);
    expect(set.headline.median_response_hours).toBe(65); // (30 + 100) / 2
    expect(set.headline.median_based_on.value).toBe(4);
  });

  it('suppresses small counts, and a second cell where a total would reveal the first', () => {
    const open = [
      ...Array.from({ length: 12 }, () => facts({ sex: 'female', age: 8, location: 'CC0101' })),
      ...Array.from({ length: 3 }, () => facts({ sex: 'male', age: 8, location: 'CC0101' })),
    ];
    const set = computeIndicators(open, { catalog: CATALOG });
    expect(set.min_cell).toBe(5);
    const sex = chart(set, 'cases_by_sex').series[0]?.cells;
    // male 3 is small; female 12 would give it away (15 - 12), so it goes too; "not recorded" 0 stays.
    expect(sex).toEqual([{ value: null, display: 'x', suppressed: 'complementary' }, { value: null, display: '<5', suppressed: 'small' }, { value: 0, display: '0' }]);
    expect(set.headline.open_cases).toEqual({ value: 15, display: '15' });
    // One age band and one location hold every case: nothing small, nothing hidden.
    expect(values(set, 'cases_by_age')['6-11']).toBe(15);
    // Concerns overlap, so they have no total to protect: only the small count is hidden.
    const concerns = computeIndicators([...open, facts({ concerns: ['labour'] })], { catalog: CATALOG });
    expect(chart(concerns, 'cases_by_concern').series[0]?.cells.map((c) => c.display)).toEqual(['15', '<5', '0', '0']);
  });

  it('holds back the median when fewer than min_cell answers were timed', () => {
    const few = computeIndicators([facts({ referrals: [{ status: 'accepted', response_hours: 3 }, { status: 'rejected', response_hours: 9 }] })], { catalog: CATALOG });
    expect(few.headline.median_response_hours).toBeNull();
    expect(few.headline.median_based_on).toMatchObject({ value: null, display: '<5' });
    const none = computeIndicators([facts()], { catalog: CATALOG });
    expect(none.headline.median_response_hours).toBeNull();
    expect(none.headline.median_based_on.value).toBe(0);
    const shown = computeIndicators([facts({ referrals: [{ status: 'accepted', response_hours: 3 }, { status: 'rejected', response_hours: 9 }] })], { minCell: 1, catalog: CATALOG });
    expect(shown.headline.median_response_hours).toBe(6);
  });
});

describe('small-cell suppression', () => {
  it('hides 1 to 4, shows 0 and 5, and is off at 1', () => {
    const counts = new Map([['a', 0], ['b', 1], ['c', 4], ['d', 5]]);
    expect([...suppress(counts, [], 5).values()].map((c) => c.display)).toEqual(['0', '<5', '<5', '5']);
    expect([...suppress(counts, [], 1).values()].map((c) => c.display)).toEqual(['0', '1', '4', '5']);
  });

  it('picks the smallest visible non-zero part as the complementary cell', () => {
    const counts = new Map([['t', 40], ['a', 2], ['b', 0], ['c', 8], ['d', 30]]);
    const cells = suppress(counts, [{ total: 't', parts: ['a', 'b', 'c', 'd'] }], 5);
    expect(Object.fromEntries([...cells].map(([id, c]) => [id, c.display]))).toEqual({ t: '40', a: '<5', b: '0', c: 'x', d: '30' });
  });

  it('cascades through tables whose rows and columns share cells', () => {
    // A 2x2 table with row, column and grand totals: hiding 3 hides a second cell in its row and in its column,
    // and those in turn need partners in theirs.
    const counts = new Map([['r1', 13], ['r2', 27], ['c1', 10], ['c2', 30], ['all', 40], ['a', 3], ['b', 10], ['c', 7], ['d', 20]]);
    const groups: Group[] = [
      { total: 'r1', parts: ['a', 'b'] }, { total: 'r2', parts: ['c', 'd'] },
      { total: 'c1', parts: ['a', 'c'] }, { total: 'c2', parts: ['b', 'd'] },
      { total: 'all', parts: ['r1', 'r2'] }, { total: 'all', parts: ['c1', 'c2'] },
    ];
    const cells = suppress(counts, groups, 5);
    expect(['a', 'b', 'c', 'd'].every((id) => cells.get(id)?.value === null)).toBe(true);
    expect(cells.get('all')?.value).toBe(40);
  });

  it('never leaves a published equation with exactly one hidden member, and never changes a shown count', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.nat(12), { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 6 }), (rows, minCell) => {
        // rows of a table: each row sums to its row total, the row totals to the grand total.
        const counts = new Map<string, number>();
        const groups: Group[] = [];
        rows.forEach((row, r) => {
          row.forEach((value, c) => counts.set(`${r}:${c}`, value));
          counts.set(`row${r}`, row.reduce((a, b) => a + b, 0));
          groups.push({ total: `row${r}`, parts: row.map((_, c) => `${r}:${c}`) });
        });
        counts.set('all', [...counts].filter(([id]) => id.startsWith('row')).reduce((sum, [, v]) => sum + v, 0));
        groups.push({ total: 'all', parts: rows.map((_, r) => `row${r}`) });
        const cells = suppress(counts, groups, minCell);
        for (const group of groups) expect([group.total, ...group.parts].filter((id) => cells.get(id)?.value === null).length).not.toBe(1);
        for (const [id, value] of counts) {
          const cell = cells.get(id);
          if (value > 0 && value < minCell) expect(cell?.suppressed).toBe('small');
          if (cell?.value !== null) expect(cell?.value).toBe(value);
        }
      }),
    );
  });
});

describe('catalog', () => {
  it('labels options from option_strings_text and from lookups, in the locale with English as fallback', () => {
    expect(CATALOG.sexes).toEqual([{ key: 'female', label: 'Female' }, { key: 'male', label: 'Male' }]);
    expect(CATALOG.concerns.map((c) => c.label)).toEqual(['Separated', 'Child labour', 'Violence']);
    expect(CATALOG.serviceTypes.map((c) => c.key)).toEqual(['health', 'legal']); // from the nested form
    const fr = buildCatalog({ forms: FORMS, lookups: LOOKUPS, locations: LOCATIONS }, { locale: 'fr', locationLevel: 1 });
    expect(fr.sexes.map((c) => c.label)).toEqual(['Féminin', 'Male']);
  });

  it('rolls locations up to the chosen admin level', () => {
    expect(CATALOG.locations).toEqual([{ key: 'CC01', label: 'North' }, { key: 'CC02', label: 'South' }]);
    expect(CATALOG.locationBucket('CC0102')).toEqual({ key: 'CC01', label: 'North' });
    expect(CATALOG.locationBucket('CC02')).toEqual({ key: 'CC02', label: 'South' });
    expect(CATALOG.locationBucket('CC')).toEqual({ key: 'CC', label: 'Country' }); // coarser than the level: itself
    expect(CATALOG.locationBucket('XX01')).toEqual({ key: 'XX01', label: 'XX01' });
    const districts = buildCatalog({ forms: FORMS, lookups: LOOKUPS, locations: LOCATIONS }, { locale: 'en', locationLevel: 2 });
    expect(districts.locationBucket('CC0102')).toEqual({ key: 'CC0102', label: 'Lake' });
  });

  it('falls back to codes when the server gave no forms or locations', () => {
    const bare = buildCatalog({ forms: [], lookups: [], locations: [] }, { locale: 'en', locationLevel: 1 });
    const set = computeIndicators([facts()], { minCell: 1, catalog: bare });
    expect(chart(set, 'cases_by_sex').categories).toEqual([{ key: 'female', label: 'female' }, { key: '_not_recorded', label: 'Not recorded' }]);
    expect(chart(set, 'cases_by_location').categories[0]).toEqual({ key: 'CC0101', label: 'CC0101' });
  });
});

describe('the page', () => {
  const hostile = '</script><script>window.injected = 1</script><!-- & "quoted" \u2028';
  const catalog: Catalog = { ...CATALOG, concerns: [{ key: 'separated', label: hostile }] };
  const doc: IndicatorsDocument = {
    format: INDICATORS_FORMAT,
    generated_at: '2026-01-02T03:04:05.000Z',
    data_as_of: '2026-01-01T00:00:00.000Z',
    source: 'primero.example.org',
    ...computeIndicators([facts()], { minCell: 1, catalog }),
  };
  const assets: PageAssets = { chartJs: 'window.Chart = function Chart() {};\n', pageScript: '(() => {})();\n' };
  const html = renderDashboard(doc, assets);

  it('embeds the indicators as JSON that no label can break out of', () => {
    expect(html.match(/<script/gi)).toHaveLength(3);
    expect(html.match(/<\/script/gi)).toHaveLength(3);
    expect(html).not.toContain('<!--');
    const json = /<script type="application\/json" id="indicators">(.*?)<\/script>/s.exec(html)?.[1] ?? '';
    expect(JSON.parse(json)).toEqual(doc);
    expect(jsonForScript({ a: '<\u2028>' })).toBe('{"a":"\\u003c\\u2028\\u003e"}');
  });

  it('escapes labels in the tables', () => {
    expect(html).toContain(`<th scope="row">${escapeHtml(hostile)}</th>`);
    expect(escapeHtml('<a href="x">&\'')).toBe('&#60;a href=&#34;x&#34;&#62;&#38;&#39;');
  });

  it('allows its two inline scripts and style by hash, and nothing from the network', () => {
    const csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1]?.replace(/&#39;/g, "'") ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`script-src ${cspHash(assets.chartJs)} ${cspHash(assets.pageScript)};`);
    const style = /<style>(.*?)<\/style>/s.exec(html)?.[1] ?? '';
    expect(csp).toContain(`style-src ${cspHash(style)};`);
    expect(html).not.toMatch(/\s(src|href)=/i);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('has a title, a labelled canvas and a data table for every chart', () => {
    for (const c of doc.charts) {
      expect(html).toContain(`<h2 id="title-${c.id}">${escapeHtml(c.title)}</h2>`);
      expect(html).toMatch(new RegExp(`<canvas id="chart-${c.id}" data-chart="${c.id}" role="img" aria-label="Bar chart: [^"]+"`));
      expect(html).toContain(`<caption>${escapeHtml(c.title)}: the numbers</caption>`);
    }
  });

  it('refuses to inline a script that would end its element, and drops source-map comments', () => {
    expect(() => inlineable('var a = "</script>";', 'x.js')).toThrow(/cannot be inlined/);
    expect(() => inlineable('var a = "<!--";', 'x.js')).toThrow(/cannot be inlined/);
    expect(inlineable('var a = 1;\n//# sourceMappingURL=a.js.map\n', 'a.js')).toBe('var a = 1;\n');
  });
});

describe('options', () => {
  it('defaults, and refuses what it cannot read', () => {
    expect(parseDashboardArgs([], '/tmp/out')).toEqual({ out: '/tmp/out', minCell: 5, locationLevel: 1, locale: 'en', full: false, help: false });
    expect(parseDashboardArgs(['--out', '/x', '--min-cell', '10', '--location-level', '2', '--locale', 'fr', '--full'], '/tmp/out'))
      .toEqual({ out: '/x', minCell: 10, locationLevel: 2, locale: 'fr', full: true, help: false });
    expect(() => parseDashboardArgs(['--min-cell', '-1'], '/tmp')).toThrow(UsageError);
    expect(() => parseDashboardArgs(['--min-cell', 'five'], '/tmp')).toThrow(UsageError);
    expect(() => parseDashboardArgs(['--bogus'], '/tmp')).toThrow(UsageError);
    expect(() => parseDashboardArgs(['extra'], '/tmp')).toThrow(UsageError);
    expect(() => parseDashboardArgs(['--locale', '../x'], '/tmp')).toThrow(UsageError);
  });
});
