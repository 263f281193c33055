/**
 * The child-protection indicators, computed from the facts of every case (see facts.ts). Pure: the same
 * facts and catalog give the same indicators, which is what lets a rerun replace a changed case's facts and
 * recompute everything, instead of adding and subtracting counts that could drift.
 *
 * Who counts where (the README states the same):
 * - disabled cases count nowhere;
 * - the case breakdowns (sex, age band, protection concern, location) count **open** cases;
 * - services and referrals count those of every enabled case, open or closed: a service delivered before a
 *   case was closed was still delivered.
 *
 * Only aggregates come out, after small-cell suppression (suppression.ts).
 * @module
 */
import type { Catalog, Category } from './catalog.js';
import type { CaseFacts } from './facts.js';
import { suppress, type Cell, type Group } from './suppression.js';

export type { Cell } from './suppression.js';
export type { Category } from './catalog.js';

/** One breakdown, drawn as one bar chart with a data table. */
export interface ChartIndicator {
  id: string;
  title: string;
  /** One sentence on what is counted. */
  description: string;
  /** Bars run sideways (long category lists). */
  horizontal: boolean;
  /** Stacked series (the parts of one whole). */
  stacked: boolean;
  /** The column heading of the categories in the data table. */
  category_heading: string;
  categories: Category[];
  /** One series per dataset; `cells[i]` is the count of `categories[i]`. */
  series: { key: string; label: string; cells: Cell[] }[];
  /** Per-category totals across the series (stacked charts), else absent. */
  category_totals?: Cell[];
  /** What the chart's population adds up to, with its label; null when categories overlap (several concerns per case). */
  total: { label: string; cell: Cell } | null;
}

/** Everything the dashboard publishes. */
export interface IndicatorSet {
  /** The suppression threshold: counts from 1 to `min_cell - 1` are hidden. */
  min_cell: number;
  headline: {
    open_cases: Cell;
    services: Cell;
    services_implemented: Cell;
    referrals: Cell;
    referrals_pending: Cell;
    /** Median time to response in hours (1 decimal), null when fewer than `min_cell` timed answers (or none). */
    median_response_hours: number | null;
    /** The answered referrals with a usable time the median is computed over. */
    median_based_on: Cell;
  };
  charts: ChartIndicator[];
}

/** Options of {@link computeIndicators}. */
export interface IndicatorOptions {
  /** Suppression threshold (default 5); 1 or less publishes every count. */
  minCell?: number;
  catalog: Catalog;
}

/** The age bands, by upper bound. */
export const AGE_BANDS: readonly (Category & { max: number })[] = [
  { key: '0-5', label: '0–5', max: 5 },
  { key: '6-11', label: '6–11', max: 11 },
  { key: '12-17', label: '12–17', max: 17 },
  { key: '18+', label: '18 and over', max: Number.POSITIVE_INFINITY },
];

/** Referral statuses, in the order a referral moves through them. */
export const REFERRAL_STATUSES: readonly Category[] = [
  { key: 'in_progress', label: 'Pending' },
  { key: 'accepted', label: 'Accepted' },
  { key: 'done', label: 'Completed' },
  { key: 'rejected', label: 'Rejected' },
  { key: 'revoked', label: 'Revoked' },
];

/** Time-to-response bands, by upper bound in hours (exclusive). */
export const RESPONSE_BANDS: readonly (Category & { below: number })[] = [
  { key: 'under_1_day', label: 'Under 1 day', below: 24 },
  { key: '1_to_3_days', label: '1 to 3 days', below: 72 },
  { key: '3_to_7_days', label: '3 to 7 days', below: 168 },
  { key: '7_days_or_more', label: '7 days or more', below: Number.POSITIVE_INFINITY },
];

/** The category of a missing value. Keys starting with `_` are never option ids. */
export const NOT_RECORDED: Category = { key: '_not_recorded', label: 'Not recorded' };
/** The concern category of an open case without any protection concern. */
export const NO_CONCERN: Category = { key: '_none', label: 'None recorded' };

/** The age band key of an age (or of a missing one). */
export function ageBand(age: number | null): string {
  if (age === null) return NOT_RECORDED.key;
  return (AGE_BANDS.find((band) => age <= band.max) ?? NOT_RECORDED).key;
}

/** The response band key of a time to response in hours. */
export function responseBand(hours: number | null): string {
  if (hours === null) return NOT_RECORDED.key;
  return (RESPONSE_BANDS.find((band) => hours < band.below) ?? NOT_RECORDED).key;
}

/** Computes the indicators over the facts of every case the state holds. */
export function computeIndicators(cases: Iterable<CaseFacts>, options: IndicatorOptions): IndicatorSet {
  const minCell = options.minCell ?? 5;
  const { catalog } = options;
  const counts = new Map<string, number>();
  const add = (id: string) => counts.set(id, (counts.get(id) ?? 0) + 1);
  const groups: Group[] = [];

  // Observed codes outside the catalog (an option since removed, a label list that could not be read).
  const seen = { sex: new Set<string>(), concern: new Set<string>(), location: new Map<string, Category>(), service: new Set<string>() };
  const responseTimes: number[] = [];

  for (const facts of cases) {
    if (!facts.enabled) continue;
    if (facts.status === 'open') {
      add('open');
      const sex = facts.sex ?? NOT_RECORDED.key;
      seen.sex.add(sex);
      add(`sex:${sex}`);
      add(`age:${ageBand(facts.age)}`);
      const location = facts.location === null ? NOT_RECORDED : catalog.locationBucket(facts.location);
      seen.location.set(location.key, location);
      add(`location:${location.key}`);
      for (const concern of facts.concerns.length ? facts.concerns : [NO_CONCERN.key]) {
        seen.concern.add(concern);
        add(`concern:${concern}`);
      }
    }
    for (const service of facts.services) {
      const type = service.type ?? NOT_RECORDED.key;
      seen.service.add(type);
      const state = service.implemented ? 'implemented' : 'not_implemented';
      add('services');
      add(`services:${state}`);
      add(`service:${type}`);
      add(`service:${type}:${state}`);
    }
    for (const referral of facts.referrals) {
      add('referrals');
      add(`referral:${referral.status}`);
      if (referral.status === 'accepted' || referral.status === 'done' || referral.status === 'rejected') {
        add('responded');
        add(`response:${responseBand(referral.response_hours)}`);
        if (referral.response_hours !== null) {
          add('response_timed');
          responseTimes.push(referral.response_hours);
        }
      }
    }
  }

  // The categories of each breakdown: the catalog's, then codes seen outside it, then "not recorded".
  const withExtras = (known: readonly Category[], observed: Iterable<string>, last: Category[] = [NOT_RECORDED]): Category[] => {
    const keys = new Set([...known.map((c) => c.key), ...last.map((c) => c.key)]);
    const extras = [...observed].filter((key) => !keys.has(key)).sort().map((key) => ({ key, label: key }));
    return [...known, ...extras, ...last];
  };
  const sexes = withExtras(catalog.sexes, seen.sex);
  const ages = [...AGE_BANDS.map(({ key, label }) => ({ key, label })), NOT_RECORDED];
  const locationKeys = new Set([...catalog.locations.map((c) => c.key), NOT_RECORDED.key]);
  const extraLocations = [...seen.location.values()].filter((c) => !locationKeys.has(c.key)).sort((a, b) => a.key.localeCompare(b.key));
  const locations = [...catalog.locations, ...extraLocations, NOT_RECORDED];
  const concerns = withExtras(catalog.concerns, seen.concern, [NO_CONCERN]);
  const serviceTypes = withExtras(catalog.serviceTypes, seen.service);
  const statuses = [...REFERRAL_STATUSES];
  const bands = [...RESPONSE_BANDS.map(({ key, label }) => ({ key, label })), NOT_RECORDED];

  // Every published cell exists, zero or not, so suppression sees the whole of each breakdown.
  const ids = (prefix: string, categories: readonly Category[], suffix = '') => categories.map((c) => `${prefix}:${c.key}${suffix}`);
  const publish = (...list: string[][]) => list.flat().forEach((id) => counts.has(id) || counts.set(id, 0));
  const implementedStates = ['implemented', 'not_implemented'] as const;
  publish(['open', 'services', 'services:implemented', 'services:not_implemented', 'referrals', 'responded', 'response_timed'],
    ids('sex', sexes), ids('age', ages), ids('location', locations), ids('concern', concerns), ids('service', serviceTypes),
    ...implementedStates.map((state) => ids('service', serviceTypes, `:${state}`)), ids('referral', statuses), ids('response', bands));

  // The equations a reader could use to recover a hidden count. Concerns overlap (a case can have several),
  // so they add up to nothing.
  groups.push(
    { total: 'open', parts: ids('sex', sexes) },
    { total: 'open', parts: ids('age', ages) },
    { total: 'open', parts: ids('location', locations) },
    { total: 'services', parts: ids('service', serviceTypes) },
    { total: 'services', parts: ['services:implemented', 'services:not_implemented'] },
    ...implementedStates.map((state) => ({ total: `services:${state}`, parts: ids('service', serviceTypes, `:${state}`) })),
    ...serviceTypes.map((t) => ({ total: `service:${t.key}`, parts: implementedStates.map((state) => `service:${t.key}:${state}`) })),
    { total: 'referrals', parts: ids('referral', statuses) },
    { total: 'responded', parts: ['referral:accepted', 'referral:done', 'referral:rejected'] },
    { total: 'responded', parts: ids('response', bands) },
    // The median's base is published too: with the answered total it would reveal the untimed count.
    { total: 'responded', parts: ['response_timed', `response:${NOT_RECORDED.key}`] },
    { total: 'response_timed', parts: ids('response', RESPONSE_BANDS) },
  );
  const cells = suppress(counts, groups, minCell);
  const cell = (id: string): Cell => {
    const found = cells.get(id);
    if (!found) throw new Error(`no such indicator cell: ${id}`);
    return found;
  };

  const simple = (
    id: string, title: string, description: string, prefix: string, categories: Category[], seriesLabel: string,
    total: { label: string; id: string } | null, layout: { horizontal: boolean; category_heading: string },
  ): ChartIndicator => ({
    id, title, description, ...layout, stacked: false, categories,
    series: [{ key: 'count', label: seriesLabel, cells: ids(prefix, categories).map(cell) }],
    total: total && { label: total.label, cell: cell(total.id) },
  });

  const charts: ChartIndicator[] = [
    simple('cases_by_sex', 'Open cases by sex', 'Open cases, by the sex recorded on the case.', 'sex', sexes, 'Open cases',
      { label: 'Open cases', id: 'open' }, { horizontal: false, category_heading: 'Sex' }),
    simple('cases_by_age', 'Open cases by age band', 'Open cases, by the age recorded on the case (years).', 'age', ages, 'Open cases',
      { label: 'Open cases', id: 'open' }, { horizontal: false, category_heading: 'Age band' }),
    simple('cases_by_concern', 'Open cases by protection concern',
      'Open cases with each protection concern. A case can have several concerns, so the bars add up to more than the open cases.',
      'concern', concerns, 'Open cases', null, { horizontal: true, category_heading: 'Protection concern' }),
    simple('cases_by_location', 'Open cases by location', 'Open cases, by the current location of the child, grouped by area.', 'location', locations,
      'Open cases', { label: 'Open cases', id: 'open' }, { horizontal: true, category_heading: 'Location' }),
    {
      id: 'services_by_type',
      title: 'Services by type and implementation',
      description: 'Services recorded on open and closed cases, by type, split into implemented and not yet implemented.',
      horizontal: true,
      stacked: true,
      category_heading: 'Service type',
      categories: serviceTypes,
      series: [
        { key: 'implemented', label: 'Implemented', cells: ids('service', serviceTypes, ':implemented').map(cell) },
        { key: 'not_implemented', label: 'Not implemented', cells: ids('service', serviceTypes, ':not_implemented').map(cell) },
      ],
      category_totals: ids('service', serviceTypes).map(cell),
      total: { label: 'Services', cell: cell('services') },
    },
    simple('referrals_by_status', 'Referrals by status', 'Referrals of open and closed cases, by their current status.', 'referral', statuses,
      'Referrals', { label: 'Referrals', id: 'referrals' }, { horizontal: false, category_heading: 'Status' }),
    simple('referral_response_time', 'Time to response',
      'Answered referrals (accepted, completed or rejected), by the time from the referral to the answer.', 'response', bands,
      'Answered referrals', { label: 'Answered referrals', id: 'responded' }, { horizontal: false, category_heading: 'Time to response' }),
  ];

  const basedOn = cell('response_timed');
  return {
    min_cell: minCell,
    headline: {
      open_cases: cell('open'),
      services: cell('services'),
      services_implemented: cell('services:implemented'),
      referrals: cell('referrals'),
      referrals_pending: cell('referral:in_progress'),
      // A median over a handful of referrals would be one agency's answer times: held back like a small count.
      median_response_hours: responseTimes.length > 0 && responseTimes.length >= minCell ? Math.round(median(responseTimes) * 10) / 10 : null,
      median_based_on: basedOn,
    },
    charts,
  };
}

/** The median of a non-empty list (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length % 2) return sorted[middle] ?? Number.NaN;
  return ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}

/** Identifies the format of indicators.json. */
export const INDICATORS_FORMAT = 'primero-sdk-dashboard/1';

/** indicators.json: the indicators and where and when they come from. */
export interface IndicatorsDocument extends IndicatorSet {
  format: typeof INDICATORS_FORMAT;
  /** When this run wrote the files (this machine's clock). */
  generated_at: string;
  /** The newest change the indicators include (`last_updated_at`, the server's clock); null for an empty server. */
  data_as_of: string | null;
  /** The server's host name, or the fake's description. */
  source: string;
}
