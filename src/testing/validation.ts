/**
 * What a record create or update may write (primero-api.md 2.6 and 3.3): the schema
 * `RecordJsonValidatorService` builds from the writable form fields of the record's module plus the core
 * and action fields, applied in the server's three steps:
 *
 * 1. Rails' `deep_munge` (nulls removed from arrays) and strong parameters built from that schema: an
 *    unknown key, or a value of the wrong *shape* (an object for a scalar, a string for a list, `null` for
 *    a list or a subform), is dropped without a word;
 * 2. `ActiveSupport.parse_json_times`: every date-looking string becomes a Date or a Time, so a text field
 *    holding `"2020-01-01"` is no longer a string;
 * 3. json_schemer: a wrong *type*, enum or pattern is a 422 "Invalid Record JSON" whose `detail` lists
 *    the JSON pointers of the offending values.
 *
 * @module
 */
import { readServerTime } from './dates.js';
import type { RecordType } from './filters.js';
import { isObject } from './values.js';
import type { FakeField, FakeStore, FakeUser } from './store.js';

type Rule =
  | { type: 'text' | 'date' | 'datetime' | 'tick_box' | 'numeric' }
  | { type: 'select' | 'multi'; options: readonly string[] | undefined }
  | { type: 'radio'; options: readonly string[] | undefined }
  | { type: 'subform'; fields: Schema }
  // Core and action fields (`PERMITTED_CORE_FIELDS_SCHEMA`, `PERMITTED_FIELDS_FOR_ACTION_SCHEMA`): no null unless said.
  | { type: 'uuid' | 'boolean' | 'boolean_or_null' | 'string' | 'strict_date' | 'strict_datetime' }
  | { type: 'enum'; values: readonly string[] };

type Schema = Map<string, Rule>;

/** `PermittedFieldService::UUID_REGEX`: lowercase only. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const STATUSES = ['open', 'closed', 'transferred', 'identified'];
const WORKFLOWS = ['new', 'closed', 'reopened', 'service_provision', 'services_implemented', 'case_plan', 'assessment'];
const INT32 = { min: -2_147_483_648, max: 2_147_483_647 };
// json_schemer's `date-time` format (RFC 3339), for a string the JSON parser left alone (e.g. a lowercase `t`).
const RFC3339_DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Whose write this is. */
export interface WriteContext {
  store: FakeStore;
  recordType: RecordType;
  user: FakeUser;
  /** A create (`id`, `created_at` writable) or an update (they are not, primero-api.md 2.7). */
  create: boolean;
  /** The module whose forms are writable: `data.module_id` as sent on a create, the record's on an update. */
  moduleId: unknown;
}

/** The outcome of {@link checkRecordWrite}: the data to merge, or the pointers of a 422. */
export type WriteCheck = { ok: true; data: Record<string, unknown> } | { ok: false; pointers: string[] };

/**
 * The server's reading of a create's or update's `data`: what it keeps (unknown keys dropped, datetimes
 * in UTC with milliseconds as it stores them), or the JSON pointers it rejects.
 */
export function checkRecordWrite(data: Record<string, unknown>, ctx: WriteContext): WriteCheck {
  const schema = writableSchema(ctx);
  const kept = permit(deepMunge(data) as Record<string, unknown>, schema);
  const pointers: string[] = [];
  validateObject(kept, schema, '', pointers);
  if (pointers.length) return { ok: false, pointers };
  return { ok: true, data: normaliseTimes(kept) as Record<string, unknown> };
}

/** The modules that exist: what `module_id` is enum-checked against. */
export function existingModules(store: FakeStore): string[] {
  return [...new Set([...store.forms.flatMap((f) => f.module_ids), ...store.users.flatMap((u) => u.module_ids)])];
}

function writableSchema(ctx: WriteContext): Schema {
  const { store, recordType, user, create, moduleId } = ctx;
  const schema: Schema = new Map();
  // Form fields are writable only through a form of the record's module: a create without module_id writes
  // none of them (PermittedFormFieldsService#filter_writeable_fields).
  for (const form of store.forms) {
    if (form.parent_form !== recordType || form.is_nested || typeof moduleId !== 'string' || !form.module_ids.includes(moduleId)) continue;
    for (const field of form.fields) {
      if (!create && UPDATE_FORBIDDEN[recordType].includes(field.name)) continue;
      const rule = fieldRule(store, field);
      if (rule) schema.set(field.name, rule);
    }
  }
  // The core and action fields come after the form fields and never replace one (`reverse_merge`).
  const supplement: [string, Rule][] = [
    ...(create ? ([['id', { type: 'uuid' }]] as [string, Rule][]) : []),
    ['status', { type: 'enum', values: STATUSES }],
    ['state', { type: 'boolean' }],
    // The reopen action's schema (boolean) replaces the core one (boolean or null).
    ['case_status_reopened', { type: 'boolean' }],
    ['record_state', { type: 'boolean' }],
    ['incident_case_id', { type: 'uuid' }],
    ...(create ? ([['created_at', { type: 'strict_datetime' }]] as [string, Rule][]) : []),
    ['module_id', { type: 'enum', values: existingModules(store) }],
    ['date_closure', { type: 'strict_date' }],
    ['workflow', { type: 'enum', values: WORKFLOWS }],
    ['hidden_name', { type: 'boolean' }],
    ['reporting_location_hierarchy', { type: 'string' }],
    // Data-forwarding acknowledgements, for users with sync_external (primero-api.md 7.4).
    ...(user.sync_external
      ? ([['mark_synced', { type: 'boolean' }], ['mark_synced_url', { type: 'string' }], ['mark_synced_status', { type: 'string' }]] as [string, Rule][])
      : []),
  ];
  for (const [name, rule] of supplement) if (!schema.has(name)) schema.set(name, rule);
  return schema;
}

// PermittedFormFieldsService::UPDATE_FORBIDDEN and UPDATE_FORBIDDEN_BY_TYPE.
const UPDATE_FORBIDDEN: Record<RecordType, readonly string[]> = {
  case: ['id', 'unique_identifier', 'unique_id', 'short_id', 'created_at', 'created_by', 'case_id', 'case_id_display'],
  incident: ['id', 'unique_identifier', 'unique_id', 'short_id', 'created_at', 'created_by', 'incident_id', 'incident_id_display'],
};

function fieldRule(store: FakeStore, field: FakeField, depth = 0): Rule | undefined {
  switch (field.type) {
    case 'text_field':
    case 'textarea':
      return { type: 'text' };
    case 'date_field':
      return { type: field.date_include_time ? 'datetime' : 'date' };
    case 'tick_box':
      return { type: 'tick_box' };
    case 'numeric_field':
      return { type: 'numeric' };
    case 'select_box':
      return { type: field.multi_select ? 'multi' : 'select', options: optionIds(store, field) };
    case 'radio_button':
      return { type: 'radio', options: optionIds(store, field) };
    case 'subform': {
      const nested = store.forms.find((f) => f.id === field.subform_section_id);
      const fields: Schema = new Map();
      if (nested && depth < 4) {
        for (const sub of nested.fields) {
          const rule = fieldRule(store, sub, depth + 1);
          if (rule) fields.set(sub.name, rule);
        }
      }
      fields.set('_destroy', { type: 'boolean_or_null' });
      fields.set('unique_id', { type: 'uuid' });
      return { type: 'subform', fields };
    }
  }
}

/** The enum of a select: only `lookup …` sources have one (`Field#options?`); an unknown lookup allows nothing. */
function optionIds(store: FakeStore, field: FakeField): readonly string[] | undefined {
  const [kind, id] = (field.option_strings_source ?? '').split(/\s+/);
  if (kind !== 'lookup') return undefined;
  return store.lookups.find((l) => l.unique_id === id)?.values.map((v) => v.id) ?? [];
}

// ---------------------------------------------------------------------------------------------------------
// Step 1: deep_munge and strong parameters.

/** Rails' `deep_munge`: nulls are removed from arrays (`[null]` becomes `[]`). */
function deepMunge(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((item) => item !== null).map(deepMunge);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deepMunge(v)]));
  return value;
}

function isScalar(value: unknown): boolean {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

/** `params.require(:data).permit(strong_params)`: keeps what the schema declares, in the declared shape. */
function permit(data: Record<string, unknown>, schema: Schema): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [name, rule] of schema) {
    if (!Object.hasOwn(data, name)) continue;
    const value = data[name];
    if (rule.type === 'multi') {
      // `{ name: [] }`: a non-empty value that is an array of scalars; `null` and `false` are skipped.
      if (Array.isArray(value) && value.every(isScalar)) kept[name] = value;
    } else if (rule.type === 'subform') {
      // `{ name: [...fields] }`: the object entries of an array, each permitted in turn; a lone object is
      // kept (and then fails the type check); a scalar or null is dropped.
      if (Array.isArray(value)) kept[name] = value.filter(isObject).map((entry) => permit(entry, rule.fields));
      else if (isObject(value)) kept[name] = permit(value, rule.fields);
    } else if (isScalar(value)) {
      kept[name] = value;
    }
  }
  return kept;
}

// ---------------------------------------------------------------------------------------------------------
// Steps 2 and 3: the parsed types, then the schema.

type Parsed = 'null' | 'boolean' | 'number' | 'string' | 'date' | 'time' | 'array' | 'object';

function parsedType(value: unknown): Parsed {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'string') return readServerTime(value)?.kind ?? 'string';
  if (typeof value === 'object') return 'object';
  return typeof value as 'boolean' | 'number';
}

function validateObject(data: Record<string, unknown>, schema: Schema, prefix: string, pointers: string[]): void {
  // json_schemer walks `properties` in schema order.
  for (const [name, rule] of schema) {
    if (!Object.hasOwn(data, name)) continue;
    validateValue(data[name], rule, `${prefix}/${escapePointer(name)}`, pointers);
  }
}

function validateValue(value: unknown, rule: Rule, pointer: string, pointers: string[]): void {
  const type = parsedType(value);
  const fail = () => void pointers.push(pointer);
  switch (rule.type) {
    case 'text':
      return type === 'null' || type === 'string' ? undefined : fail();
    case 'date':
      // `["date", "string", "null"]` with format `date`: a string that is a real date has become a Date.
      return type === 'null' || type === 'date' ? undefined : fail();
    case 'datetime':
      // A bare date is a Date, not a Time: rejected (primero-api.md 2.6).
      return type === 'null' || type === 'time' || (type === 'string' && RFC3339_DATE_TIME.test(value as string)) ? undefined : fail();
    case 'tick_box':
    case 'boolean':
      return type === 'boolean' ? undefined : fail();
    case 'boolean_or_null':
      return type === 'boolean' || type === 'null' ? undefined : fail();
    case 'numeric':
      return type === 'null' || (type === 'number' && Number.isInteger(value) && (value as number) >= INT32.min && (value as number) <= INT32.max) ? undefined : fail();
    case 'select':
      return type === 'null' || (type === 'string' && allowed(rule.options, value)) ? undefined : fail();
    case 'radio':
      if (type === 'null' || (type === 'string' && allowed(rule.options, value))) return;
      // Booleans only when the options are just true and false (`lookup-yes-no`).
      if (type === 'boolean' && rule.options && rule.options.every((o) => o === 'true' || o === 'false')) return;
      return fail();
    case 'multi':
      if (type === 'null') return;
      if (type !== 'array') return fail();
      (value as unknown[]).forEach((item, i) => {
        if (parsedType(item) !== 'string' || !allowed(rule.options, item)) pointers.push(`${pointer}/${i}`);
      });
      return;
    case 'subform':
      if (type === 'null') return;
      if (type !== 'array') return fail();
      (value as unknown[]).forEach((entry, i) => {
        if (isObject(entry)) validateObject(entry, rule.fields, `${pointer}/${i}`, pointers);
        else pointers.push(`${pointer}/${i}`);
      });
      return;
    case 'uuid':
      return type === 'string' && UUID_PATTERN.test(value as string) ? undefined : fail();
    case 'string':
      return type === 'string' ? undefined : fail();
    case 'enum':
      return type === 'string' && rule.values.includes(value as string) ? undefined : fail();
    case 'strict_date':
      return type === 'date' ? undefined : fail();
    case 'strict_datetime':
      return type === 'time' ? undefined : fail();
  }
}

function allowed(options: readonly string[] | undefined, value: unknown): boolean {
  return options === undefined || options.includes(value as string);
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Times are stored as Rails renders them: ISO-8601 UTC with milliseconds; dates stay `YYYY-MM-DD`. */
function normaliseTimes(value: unknown): unknown {
  if (typeof value === 'string') {
    const time = readServerTime(value);
    return time?.kind === 'time' ? time.iso : value;
  }
  if (Array.isArray(value)) return value.map(normaliseTimes);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normaliseTimes(v)]));
  return value;
}
