/**
 * Record-list filters as the server reads and applies them (primero-api.md 2.4 and 2.5): Rack's nested
 * query parameters, the permitted-name check that silently drops unknown filters, `DestringifyService`
 * (lists before `..` ranges, digit strings to integers, booleans, dates and times), `SearchFilterService`
 * (which filter class a value becomes; a range's class from its `from`), and the SQL each filter runs,
 * on the indexed `srch_*` column when the field has one and as a JSONB path query otherwise. The two
 * differ, and the differences are kept: an open numeric end matches nothing on `srch_age`, dates compare
 * at full precision on `srch_created_at` but at one second on `last_updated_at`, and a value of the wrong
 * type for a column is a SQL error, which the server swallows into an empty list.
 *
 * Source: app/services/{search_filter_service,destringify_service}.rb, app/models/search_filters/*.rb,
 * app/controllers/api/v2/concerns/record.rb and db/schema.rb at HEAD 4b95bf9.
 *
 * @module
 */
import { hasServerTimeShape, readServerTime } from './dates.js';
import type { FakeRecord, FakeStore, FakeUser } from './store.js';
import { castBoolean, RAILS_FALSE_VALUES } from './values.js';

/** The record types the fake serves. */
export type RecordType = 'case' | 'incident';

/**
 * A SQL error while searching. The server catches `ActiveRecord::StatementInvalid` in `search_records`
 * and answers `total: 0, data: []` (primero-api.md 2.2).
 */
export class StatementInvalid extends Error {}

// ---------------------------------------------------------------------------------------------------------
// Field names.

/** `Child.filterable_id_fields` (app/models/child.rb): exact-match filters and the `query` search. */
export const CASE_ID_FIELDS: readonly string[] = [
  'unique_identifier', 'short_id', 'case_id_display', 'case_id', 'client_code', 'ration_card_no', 'icrc_ref_no',
  'rc_id_no', 'unhcr_id_no', 'unhcr_individual_no', 'un_no', 'other_agency_id', 'survivor_code_no', 'national_id_no',
  'other_id_no', 'biometrics_id', 'family_count_no', 'dss_id', 'camp_id', 'tent_number', 'nfi_distribution_id',
  'oscar_number', 'registry_no', 'family_number',
];

/** `Incident.filterable_id_fields` (app/models/incident.rb). */
export const INCIDENT_ID_FIELDS: readonly string[] = ['incident_id', 'incident_code', 'monitor_number', 'survivor_code', 'incidentid_ir', 'short_id'];

/** The identifier fields of a record type. */
export function idFields(recordType: RecordType): readonly string[] {
  return recordType === 'case' ? CASE_ID_FIELDS : INCIDENT_ID_FIELDS;
}

// SearchFilterService#select_id_params takes the identifier fields of every filterable model (cases,
// incidents, tracing requests, registry records, families), whatever the list: they are matched as sent.
const ANY_ID_FIELD = new Set([...CASE_ID_FIELDS, ...INCIDENT_ID_FIELDS, 'tracing_request_id', 'registry_id', 'family_id']);

// SearchFilterService::EXCLUDED plus the list parameters `index_params` lets through that no field is named after.
const NOT_FILTERS = new Set(['format', 'controller', 'action', 'page', 'per', 'order', 'order_by', 'fields', 'id_search', 'query', 'total', 'query_scope', 'phonetic', 'phone_number']);

// PermittedFieldService (app/services/permitted_field_service.rb).
const CORE_FIELDS = ['id', 'status', 'state', 'case_status_reopened', 'record_state', 'incident_case_id', 'family_id', 'created_at', 'source_case_display_id', 'owned_by', 'module_id'];
const FILTER_FIELDS = [
  'or', 'not', 'cases_by_date', 'record_in_scope', 'associated_user_names', 'not_edited_by_owner', 'has_photo', 'survivor_code',
  'survivor_code_no', 'case_id_display', 'created_at', 'has_incidents', 'short_id', 'record_state', 'sex', 'age', 'registration_date',
  'date_closure', 'reassigned_transferred_on', 'current_alert_types', 'location_current', 'reporting_location_hierarchy',
  'followup_dates', 'reunification_dates', 'tracing_dates', 'service_implemented_day_times',
];
const RECORD_INFORMATION_FIELDS = [
  'alert_count', 'assigned_user_names', 'created_at', 'created_by', 'created_by_agency', 'owned_by', 'owned_by_agency_id',
  'owned_by_text', 'owned_by_agency_office', 'previous_agency', 'previously_owned_by', 'reassigned_tranferred_on', 'reopened_logs',
  'last_updated_at', 'last_updated_by', 'owned_by_groups', 'previously_owned_by_agency', 'created_organization',
  'consent_for_services', 'disclosure_other_orgs', 'case_type', 'assign', 'identified_by',
];
/** The acknowledgement keys of data forwarding (`SYNC_FIELDS_SCHEMA`, primero-api.md 7.4). */
export const SYNC_FIELDS = ['synced_at', 'sync_status', 'mark_synced', 'mark_synced_url', 'mark_synced_status'];
const ID_SEARCH_FIELDS = ['age', 'date_of_birth', 'estimated', 'name', 'sex'];

/**
 * The field names a user may read on a record type (`PermittedFieldService#permitted_field_names`, for a
 * role with every form and action): what a filter name must be to be applied, and what `fields` can select.
 * The fake's roles read every form of the record type; the identifier fields count as form fields.
 */
export function readableFieldNames(store: FakeStore, recordType: RecordType, user: FakeUser, options: { idSearch?: boolean } = {}): Set<string> {
  const names = new Set([...CORE_FIELDS, ...FILTER_FIELDS, ...RECORD_INFORMATION_FIELDS, ...idFields(recordType), 'hidden_name', 'flag_count', 'flagged']);
  for (const form of store.forms) {
    if (form.parent_form === recordType && !form.is_nested) for (const field of form.fields) names.add(field.name);
  }
  if (recordType === 'case') for (const name of ['workflow', 'status', 'case_status_reopened']) names.add(name);
  else for (const name of ['incident_date_derived', 'incident_case_id', 'case_id_display']) names.add(name);
  if (user.sync_external) for (const name of SYNC_FIELDS) names.add(name);
  if (options.idSearch) for (const name of ID_SEARCH_FIELDS) names.add(name);
  return names;
}

// ---------------------------------------------------------------------------------------------------------
// Reading the query string.

/** A query parameter after Rack's nesting: `a=1`, `a[]=1`, `a[b]=1`, `a[0]=1`. */
export type RackValue = string | RackValue[] | { [key: string]: RackValue };

/** Rack's `parse_nested_query`, for the shapes filters use. A repeated plain key keeps its last value. */
export function parseRackQuery(query: URLSearchParams): Map<string, RackValue> {
  const root = new Map<string, RackValue>();
  for (const [name, value] of query) {
    const open = name.indexOf('[', 1);
    const base = open > 0 ? name.slice(0, open) : name;
    const path = open > 0 ? [...name.slice(open).matchAll(/\[([^\]]*)\]/g)].map((m) => m[1] ?? '') : [];
    root.set(base, nest(root.get(base), path, value));
  }
  return root;
}

function nest(current: RackValue | undefined, path: string[], value: string): RackValue {
  if (!path.length) return value;
  const [head, ...rest] = path as [string, ...string[]];
  if (head === '') {
    const list = Array.isArray(current) ? current : [];
    return [...list, nest(undefined, rest, value)];
  }
  const hash: { [key: string]: RackValue } = typeof current === 'object' && !Array.isArray(current) ? current : {};
  return { ...hash, [head]: nest(hash[head], rest, value) };
}

/** A value as `DestringifyService.destringify(value, true)` leaves it. A range is a hash `{from, to}`. */
export type Read =
  | null
  | { t: 'int'; v: number }
  | { t: 'bool'; v: boolean }
  | { t: 'date'; v: string; ms: number }
  | { t: 'time'; v: string; ms: number }
  | { t: 'str'; v: string }
  | { t: 'list'; v: Read[] }
  | { t: 'hash'; v: Record<string, Read> };

/** `DestringifyService#destringify(value, true)`, Ruby's line-anchored `^...$` included. */
export function destringify(value: RackValue | undefined): Read {
  if (value === undefined) return null;
  if (Array.isArray(value)) return { t: 'list', v: value.map(destringify) };
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    // A hash whose keys are all numbers (`status[0]=open&status[1]=closed`, what the SPA sends) is a list.
    if (keys.length && keys.every((k) => /^\d+$/.test(k))) return { t: 'list', v: keys.sort((a, b) => Number(a) - Number(b)).map((k) => destringify(value[k])) };
    return { t: 'hash', v: Object.fromEntries(keys.map((k) => [k, destringify(value[k])])) };
  }
  if (value === '') return null;
  const time = readServerTime(value);
  if (time) return time.kind === 'date' ? { t: 'date', v: time.iso, ms: time.ms } : { t: 'time', v: time.iso, ms: time.ms };
  // An ISO-looking string Ruby cannot parse (2024-02-30) stays a string, before the other rules.
  if (hasServerTimeShape(value)) return { t: 'str', v: value };
  if (anyLine(value, /^(true|false)$/)) return { t: 'bool', v: !RAILS_FALSE_VALUES.includes(value) };
  if (anyLine(value, /^\d+$/)) return { t: 'int', v: rubyToI(value) };
  // The comma is looked for before `..`: `1..5,7` is a list of the string "1..5" and 7 (primero-api.md 2.4).
  if (value.includes(',')) return { t: 'list', v: rubySplit(value, ',').map((part) => destringify(part)) };
  if (value.includes('..')) {
    const [from, to] = rubySplit(value, '..');
    return { t: 'hash', v: { from: destringify(from), to: destringify(to) } };
  }
  return { t: 'str', v: value };
}

/** Ruby's `value =~ /^re$/`: `^` and `$` match at every line. */
function anyLine(value: string, re: RegExp): boolean {
  return value.split('\n').some((line) => re.test(line));
}

/** Ruby's `String#to_i`. */
function rubyToI(value: string): number {
  const match = /^\s*([+-]?\d+)/.exec(value);
  return match ? Number(match[1]) : 0;
}

/** Ruby's `String#split(sep)`: trailing empty strings are dropped. */
function rubySplit(value: string, sep: string): string[] {
  const parts = value.split(sep);
  while (parts.length && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** Ruby's `to_s` of a read value, as interpolated into SQL and location codes. */
function rubyToS(read: Read): string {
  if (read === null) return '';
  if (read.t === 'time') return `${read.v.slice(0, 10)} ${read.v.slice(11, 19)} UTC`;
  if (read.t === 'list' || read.t === 'hash') return JSON.stringify(read.v);
  return String(read.v);
}

// ---------------------------------------------------------------------------------------------------------
// Building filters.

/** One filter, as `SearchFilterService#build_filter` makes it. */
export type Filter =
  | { kind: 'text'; field: string; value: string }
  | { kind: 'textList'; field: string; values: Read[] }
  | { kind: 'bool'; field: string; value: boolean }
  | { kind: 'boolList'; field: string; values: Read[] }
  | { kind: 'value'; field: string; value: Read }
  | { kind: 'valueList'; field: string; values: Read[] }
  | { kind: 'numericRange'; field: string; from: number; to: Read }
  | { kind: 'dateRange'; field: string; from: Extract<Read, { t: 'date' | 'time' }>; to: Read }
  | { kind: 'location'; field: string; adminLevel: number; codes: Read[] }
  | { kind: 'id'; values: Read[] }
  | { kind: 'not'; filter: Filter }
  | { kind: 'or'; filters: Filter[] };

/**
 * The filters of a list request. Parameters that are not permitted field names are dropped without a
 * word, as are bracket lists (`status[]=a`: `permit` takes the name as a scalar); identifier fields are
 * matched exactly as sent, without destringifying (`select_id_params`).
 */
export function buildFilters(query: URLSearchParams, readable: ReadonlySet<string>): Filter[] {
  const filters: Filter[] = [];
  const idParams: [string, RackValue][] = [];
  for (const [key, value] of parseRackQuery(query)) {
    if (NOT_FILTERS.has(key)) continue;
    // `index_params` permits a name as a scalar unless its value is nested: an array is not a scalar.
    if (Array.isArray(value)) continue;
    const name = key.startsWith('loc:') ? key.slice(4).replace(/[0-5]$/, '') : key;
    if (ANY_ID_FIELD.has(key)) {
      // Only when permitted (index_params), then exempt from the destringifying of the other filters.
      if (readable.has(key)) idParams.push([key, value]);
      continue;
    }
    if (!readable.has(name)) continue;
    const filter = buildFilter(key, destringify(value));
    if (filter) filters.push(filter);
  }
  for (const [key, value] of idParams) {
    // A raw hash (`case_id[0]=x`) is taken for a range and dropped: its `from` is neither a number nor a date.
    if (typeof value === 'string') filters.push({ kind: 'text', field: key, value });
  }
  return filters;
}

function buildFilter(key: string, value: Read): Filter | undefined {
  if (key === 'id') return { kind: 'id', values: value?.t === 'list' ? value.v : [value] };
  if (key === 'or') {
    if (value?.t === 'hash') return { kind: 'or', filters: compact(Object.entries(value.v).map(([k, v]) => buildFilter(k, v))) };
    if (value?.t === 'list') return { kind: 'or', filters: compact(value.v.map((v) => (v?.t === 'hash' ? compact(Object.entries(v.v).map(([k, x]) => buildFilter(k, x)))[0] : undefined))) };
    return undefined;
  }
  if (key === 'not') {
    // Only the first negated field counts: `Not.new(filter: build_filter(value.keys.first, value.values.first))`.
    const first = value?.t === 'hash' ? Object.entries(value.v)[0] : undefined;
    if (!first) throw new Error(`undefined method 'keys' for ${value === null ? 'nil' : 'a value'}`);
    const inner = buildFilter(first[0], first[1]);
    if (!inner) throw new Error("undefined method 'query' for nil");
    return { kind: 'not', filter: inner };
  }
  if (key.startsWith('loc:')) {
    const last = key.at(-1) ?? '';
    const adminLevel = /[0-5]/.test(last) ? Number(last) : 0;
    return { kind: 'location', field: key.slice(4).replace(/[0-5]$/, ''), adminLevel, codes: value?.t === 'list' ? value.v : [value] };
  }
  if (value?.t === 'hash') return rangeFilter(key, value);
  if (value?.t === 'list') {
    const first = value.v[0] ?? null;
    if (first?.t === 'hash') {
      // A list of ranges is an OR of ranges, all of the class of the first (SearchFilters::RangeList).
      const kind = rangeFilter(key, first)?.kind;
      if (!kind) throw new Error("undefined method 'new' for nil");
      return { kind: 'or', filters: value.v.map((v) => rangeOfKind(key, v, kind)) };
    }
    if (first?.t === 'bool') return { kind: 'boolList', field: key, values: value.v };
    if (first?.t === 'str') return { kind: 'textList', field: key, values: value.v };
    return { kind: 'valueList', field: key, values: value.v };
  }
  if (value?.t === 'bool') return { kind: 'bool', field: key, value: value.v };
  if (value?.t === 'str') return { kind: 'text', field: key, value: value.v };
  return { kind: 'value', field: key, value };
}

/** `SearchFilterService.range_class`: numeric from an integer `from`, dates from a date or time; otherwise dropped. */
function rangeFilter(field: string, range: Extract<Read, { t: 'hash' }>): Extract<Filter, { kind: 'numericRange' | 'dateRange' }> | undefined {
  const from = range.v.from ?? null;
  const to = range.v.to ?? null;
  if (from?.t === 'int') return { kind: 'numericRange', field, from: from.v, to };
  if (from?.t === 'date' || from?.t === 'time') return { kind: 'dateRange', field, from, to };
  return undefined;
}

function rangeOfKind(field: string, value: Read, kind: 'numericRange' | 'dateRange'): Filter {
  if (value?.t !== 'hash') throw new Error("undefined method '[]' for a value that is not a range");
  const from = value.v.from ?? null;
  const to = value.v.to ?? null;
  // The class of the first range applies to all: a `from` of another type is a SQL type error.
  if (kind === 'numericRange') {
    if (from?.t !== 'int') throw new StatementInvalid('invalid input syntax for type integer');
    return { kind, field, from: from.v, to };
  }
  if (from?.t !== 'date' && from?.t !== 'time') throw new StatementInvalid('invalid input syntax for type timestamp');
  return { kind, field, from, to };
}

function compact<T>(items: (T | undefined)[]): T[] {
  return items.filter((item): item is T => item !== undefined);
}

// ---------------------------------------------------------------------------------------------------------
// The indexed columns (db/schema.rb): where a field has one, the filter runs on it.

type ColumnType = 'integer' | 'string' | 'boolean' | 'datetime';
interface Column {
  type: ColumnType;
  array: boolean;
}

function columns(spec: Partial<Record<`${ColumnType}` | `${ColumnType}[]`, string>>): ReadonlyMap<string, Column> {
  const map = new Map<string, Column>();
  for (const [kind, names] of Object.entries(spec)) {
    for (const name of names.split(/\s+/).filter(Boolean)) map.set(name, { type: kind.replace('[]', '') as ColumnType, array: kind.endsWith('[]') });
  }
  return map;
}

const SEARCHABLE: Record<RecordType, ReadonlyMap<string, Column>> = {
  case: columns({
    integer: 'age client_summary_worries_severity_int closure_problems_severity_int psychsocial_assessment_score_initial psychsocial_assessment_score_most_recent',
    string: `approval_status_action_plan approval_status_assessment approval_status_case_plan approval_status_closure approval_status_gbv_closure
      client_code disability_status_yes_no gender identified_by identified_by_full_name last_updated_by location_current module_id name owned_by
      owned_by_agency_id owned_by_location risk_level sex status transfer_status workflow`,
    boolean: `begin_safety_plan_prompt consent_reporting flagged has_incidents not_edited_by_owner record_state referred_users_accepted_present
      referred_users_pending_present referred_users_present`,
    datetime: 'created_at date_closure identified_at last_referral_done_at last_referral_rejected_at reassigned_transferred_on registration_date',
    'string[]': `assigned_user_names associated_user_agencies associated_user_groups associated_user_names current_alert_types next_steps owned_by_groups
      protection_concerns protection_risks referred_users referred_users_accepted referred_users_pending transferred_to_user_groups transferred_to_users`,
    'datetime[]': 'assessment_due_dates case_plan_due_dates followup_due_dates service_due_dates',
  }),
  incident: columns({
    integer: 'age',
    string: `cp_sexual_violence_type gbv_sexual_violence_type incident_location module_id owned_by owned_by_agency_id owned_by_agency_office status
      unaccompanied_separated_status`,
    boolean: 'flagged not_edited_by_owner record_state referred_users_accepted_present referred_users_pending_present',
    datetime: 'created_at incident_date incident_date_derived last_referral_done_at last_referral_rejected_at',
    'string[]': `armed_force_group_party_names assigned_user_names associated_user_agencies associated_user_groups associated_user_names owned_by_groups
      referred_users_accepted referred_users_pending transferred_to_user_groups transferred_to_users violation_with_verification_status`,
  }),
};

/** The `srch_*` column of a field, if it has one. */
export function searchableColumn(recordType: RecordType, field: string): Column | undefined {
  return SEARCHABLE[recordType].get(field);
}

/** A field's value as its column holds it (Rails' type cast on `save_searchable_fields`); null for NULL. */
export function columnValue(column: Column, raw: unknown): unknown {
  if (column.array) return raw === undefined || raw === null ? null : (Array.isArray(raw) ? raw : [raw]).map((item) => cast(column.type, item));
  return cast(column.type, raw);
}

function cast(type: ColumnType, raw: unknown): unknown {
  if (raw === undefined || raw === null) return null;
  switch (type) {
    case 'integer':
      if (typeof raw === 'number') return Math.trunc(raw);
      if (typeof raw === 'boolean') return raw ? 1 : 0;
      return typeof raw === 'string' && /^\s*[+-]?\d/.test(raw) ? Math.trunc(Number.parseFloat(raw)) : null;
    case 'boolean':
      return castBoolean(raw);
    case 'datetime':
      return typeof raw === 'string' ? (readServerTime(raw)?.ms ?? null) : null;
    case 'string':
      return typeof raw === 'boolean' ? (raw ? 't' : 'f') : typeof raw === 'object' ? JSON.stringify(raw) : String(raw);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Matching.

/** What matching needs besides the record. */
export interface MatchContext {
  recordType: RecordType;
  store: FakeStore;
}

/**
 * Whether a record passes a filter.
 * @throws {@link StatementInvalid} where the server's SQL would fail (the whole list is then empty).
 */
export function matches(filter: Filter, record: FakeRecord, ctx: MatchContext): boolean {
  switch (filter.kind) {
    case 'not':
      return !matches(filter.filter, record, ctx);
    case 'or':
      return filter.filters.some((f) => matches(f, record, ctx));
    case 'id':
      return filter.values.some((value) => {
        // `id = 'x'` on a uuid column: anything PostgreSQL cannot read as a uuid is an error.
        const id = value?.t === 'str' ? normalizeUuid(value.v) : undefined;
        if (!id) throw new StatementInvalid('invalid input syntax for type uuid');
        return record.id === id;
      });
    case 'location':
      return matchesLocation(filter, field(record, filter.field), ctx.store);
    default: {
      const column = searchableColumn(ctx.recordType, filter.field);
      const raw = field(record, filter.field);
      return column ? matchesColumn(filter, column, columnValue(column, raw)) : matchesJson(filter, raw);
    }
  }
}

/** A record's own field (never an inherited property); `associated_user_names` is derived when not stored. */
export function field(record: FakeRecord, name: string): unknown {
  if (Object.hasOwn(record, name)) return record[name];
  if (name === 'associated_user_names') {
    const assigned = Array.isArray(record.assigned_user_names) ? record.assigned_user_names : [];
    return [...new Set([record.owned_by, ...assigned].filter((n) => typeof n === 'string'))];
  }
  return undefined;
}

/** A uuid as PostgreSQL reads it (any case, optional braces and hyphens), lowercased; undefined when it is not one. */
export function normalizeUuid(value: string): string | undefined {
  const match = /^\{?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})\}?$/i.exec(value);
  return match ? match.slice(1).join('-').toLowerCase() : undefined;
}

type Simple = Exclude<Filter, { kind: 'not' | 'or' | 'id' | 'location' }>;

/** The `srch_*` column query (`searchable_query`): typed, NULL never matches, a type mismatch is an error. */
function matchesColumn(filter: Simple, column: Column, held: unknown): boolean {
  const values = held === null ? [] : column.array ? (held as unknown[]) : [held];
  const mismatch = (): never => {
    throw new StatementInvalid(`operator does not exist or invalid input for a ${column.type} column`);
  };
  switch (filter.kind) {
    case 'text':
    case 'textList': {
      const wanted = filter.kind === 'text' ? [filter.value] : filter.values;
      if (column.type === 'string') {
        // Array columns compare as VARCHAR[]; a scalar column's IN list with a non-string is a type error.
        if (!column.array && wanted.some((w) => typeof w !== 'string' && w?.t !== 'str')) mismatch();
        const strings = wanted.map((w) => (typeof w === 'string' ? w : rubyToS(w)));
        return values.some((v) => strings.includes(v as string));
      }
      if (column.type === 'boolean') {
        const bools = wanted.map((w) => pgBoolean(typeof w === 'string' ? w : rubyToS(w)) ?? mismatch());
        return values.some((v) => bools.includes(v as boolean));
      }
      return mismatch();
    }
    case 'bool':
      if (column.type !== 'boolean') mismatch();
      return values.some((v) => v === filter.value);
    case 'boolList':
      if (column.type !== 'boolean' || filter.values.some((w) => w?.t !== 'bool')) mismatch();
      return values.some((v) => filter.values.some((w) => w?.t === 'bool' && w.v === v));
    case 'value':
    case 'valueList': {
      const wanted = filter.kind === 'value' ? [filter.value] : filter.values;
      // `= NULL` is never true.
      if (filter.kind === 'value' && filter.value === null) return false;
      if (column.type === 'integer' && wanted.every((w) => w?.t === 'int')) return values.some((v) => wanted.some((w) => w?.t === 'int' && w.v === v));
      if (column.type === 'datetime' && wanted.every((w) => w?.t === 'date' || w?.t === 'time')) {
        return values.some((v) => wanted.some((w) => (w?.t === 'date' || w?.t === 'time') && w.ms === v));
      }
      return mismatch();
    }
    case 'numericRange': {
      if (column.type !== 'integer') mismatch();
      // `srch_x <= NULL` for an open end: a scalar column matches nothing, an array's INT4RANGE is unbounded.
      if (filter.to === null) return column.array ? values.some((v) => (v as number) >= filter.from) : false;
      if (filter.to.t !== 'int') mismatch();
      const to = (filter.to as { v: number }).v;
      return values.some((v) => v !== null && (v as number) >= filter.from && (v as number) <= to);
    }
    case 'dateRange': {
      if (column.type !== 'datetime') mismatch();
      // Timestamps at full precision; a date bound is its midnight.
      const from = filter.from.ms;
      if (filter.to === null) return values.some((v) => v !== null && (v as number) >= from);
      if (filter.to.t !== 'date' && filter.to.t !== 'time') mismatch();
      const to = (filter.to as { ms: number }).ms;
      return values.some((v) => v !== null && (v as number) >= from && (v as number) <= to);
    }
  }
}

/** PostgreSQL's boolean input: undefined when it is not one (an error). */
function pgBoolean(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  if (['t', 'true', 'y', 'yes', 'on', '1'].includes(t)) return true;
  if (['f', 'false', 'n', 'no', 'off', '0'].includes(t)) return false;
  return undefined;
}

/** The JSONB path query on `data` (`json_path_query`): lax mode, so an array matches when one element does. */
function matchesJson(filter: Simple, raw: unknown): boolean {
  const items = raw === undefined || raw === null ? [] : Array.isArray(raw) ? raw : [raw];
  const missing = raw === undefined || raw === null;
  switch (filter.kind) {
    case 'text':
      return items.some((item) => item === filter.value);
    case 'textList': {
      // Each value interpolated into `@ == "%s"`: a double quote or a backslash breaks the path syntax.
      const strings = filter.values.map(rubyToS);
      if (strings.some((s) => /["\\]/.test(s))) throw new StatementInvalid('syntax error in jsonpath');
      return items.some((item) => typeof item === 'string' && strings.includes(item));
    }
    case 'bool':
      // `@ == false || @ == "false"`, and for false also a missing or null field.
      return items.some((item) => item === filter.value || item === String(filter.value)) || (!filter.value && missing);
    case 'boolList': {
      if (filter.values.some((w) => w?.t !== 'bool')) throw new StatementInvalid('syntax error in jsonpath');
      const bools = filter.values.map((w) => (w as { v: boolean }).v);
      return items.some((item) => bools.includes(item as boolean) || bools.map(String).includes(item as string)) || (missing && bools.every((b) => !b));
    }
    case 'value':
    case 'valueList': {
      const wanted = filter.kind === 'value' ? [filter.value] : filter.values;
      // Only integers survive `@ == %s`; a quoted date, a string or NULL is a jsonpath syntax error.
      if (!wanted.every((w) => w?.t === 'int')) throw new StatementInvalid('syntax error in jsonpath');
      return items.some((item) => typeof item === 'number' && wanted.some((w) => w?.t === 'int' && w.v === item));
    }
    case 'numericRange': {
      if (filter.to !== null && filter.to.t !== 'int') throw new StatementInvalid('syntax error in jsonpath');
      const to = filter.to?.t === 'int' ? filter.to.v : Number.POSITIVE_INFINITY;
      return items.some((item) => typeof item === 'number' && item >= filter.from && item <= to);
    }
    case 'dateRange': {
      if (filter.to !== null && filter.to.t !== 'date' && filter.to.t !== 'time') throw new StatementInvalid('invalid value for TO_TIMESTAMP');
      // TO_TIMESTAMP with the format of `from`: a date compares days, a time whole seconds (primero-api.md 2.8).
      const withTime = filter.from.t === 'time';
      const bound = (read: { v: string; ms: number }) => (withTime ? Math.floor(read.ms / 1000) : read.v.slice(0, 10));
      const from = bound(filter.from);
      const to = filter.to === null ? undefined : bound(filter.to as { v: string; ms: number });
      return items.some((item) => {
        if (item === null) return false;
        const value = toTimestamp(typeof item === 'string' ? item : JSON.stringify(item), withTime);
        return value >= from && (to === undefined || value <= to);
      });
    }
  }
}

/** `TO_TIMESTAMP(text, 'YYYY-MM-DD')` as a day, or with `"T"HH24:MI:SS` as whole seconds; trailing text ignored. */
function toTimestamp(text: string, withTime: boolean): string | number {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2}))?/.exec(text);
  if (!match) throw new StatementInvalid('invalid value for TO_TIMESTAMP');
  if (!withTime) return text.slice(0, 10);
  const [y, mo, d, h, mi, s] = match.slice(1, 7).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, 0);
  return date.getTime() / 1000;
}

/** `loc:field`: the record's location is the code or below it, both at or below the admin level (LocationValue/List). */
function matchesLocation(filter: Extract<Filter, { kind: 'location' }>, raw: unknown, store: FakeStore): boolean {
  const codes = filter.codes.map((code) => rubyToS(code).toUpperCase());
  const targets = store.locations.filter((l) => l.admin_level >= filter.adminLevel && codes.includes(l.code)).map((l) => l.code);
  const items = raw === undefined || raw === null ? [] : Array.isArray(raw) ? raw : [raw];
  return items.some((item) => {
    const location = store.locations.find((l) => l.code === item && l.admin_level >= filter.adminLevel);
    return location !== undefined && targets.some((target) => location.code === target || location.hierarchy.includes(target));
  });
}

/** `query=text`: ILIKE `%text%` over the record type's identifier fields (primero-api.md 2.5). */
export function matchesIdentifierSearch(record: FakeRecord, recordType: RecordType, text: string): boolean {
  const needle = text.trim().toLowerCase();
  return idFields(recordType).some((name) => {
    const value = field(record, name);
    return typeof value === 'string' && value.trim() !== '' && value.trim().toLowerCase().includes(needle);
  });
}
