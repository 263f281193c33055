/**
 * The record routes: `/cases` and `/incidents` (primero-api.md sections 2, 4 and 8), one implementation
 * for both as on the server (`Api::V2::Concerns::Record`), plus the case routes around them: a case's
 * incidents (4.6) and the manual sync (7.2).
 *
 * @module
 */
import { serverToday } from '../dates.js';
import type { FakeState } from '../fake.js';
import {
  buildFilters,
  columnValue,
  field,
  matches,
  matchesIdentifierSearch,
  normalizeUuid,
  readableFieldNames,
  searchableColumn,
  StatementInvalid,
  SYNC_FIELDS,
  type RecordType,
} from '../filters.js';
import { apiError, json, notFound } from '../http.js';
import { mergeData, populateSubformIds } from '../merge.js';
import { pageOf } from '../paging.js';
import { renderedEnabled } from '../record-view.js';
import type { Route, RouteContext } from '../router.js';
import { inScope } from '../scope.js';
import type { FakeRecord, FakeStore, FakeUser } from '../store.js';
import { checkRecordWrite } from '../validation.js';
import { isObject, present, sameJson } from '../values.js';

interface Collection {
  recordType: RecordType;
  /** The collection's path, `/cases`. */
  path: string;
  /** The model name in a 404's detail (`Couldn't find Child with 'id'=...`). */
  model: string;
  records(store: FakeStore): Map<string, FakeRecord>;
  /** `summary_field_names`, what `fields=short` selects (primero-api.md 2.5). */
  summary: readonly string[];
}

const COMMON_SUMMARY = ['created_at', 'owned_by', 'owned_by_agency_id', 'photos', 'flag_count', 'status', 'record_in_scope', 'short_id', 'alert_count'];

const CASES: Collection = {
  recordType: 'case',
  path: '/cases',
  model: 'Child',
  records: (store) => store.cases,
  summary: [
    ...COMMON_SUMMARY, 'case_id_display', 'name', 'survivor_code_no', 'age', 'sex', 'registration_date', 'hidden_name', 'workflow',
    'case_status_reopened', 'module_id', 'registry_record_id', 'client_code', 'gender', 'reporting_location_hierarchy', 'location_current',
  ],
};

const INCIDENTS: Collection = {
  recordType: 'incident',
  path: '/incidents',
  model: 'Incident',
  records: (store) => store.incidents,
  summary: [
    ...COMMON_SUMMARY, 'date_of_interview', 'date_of_incident', 'violence_type', 'incident_location', 'violations', 'social_worker',
    'date_of_first_report', 'cp_incident_violence_type', 'reporting_location_hierarchy', 'gbv_sexual_violence_type', 'incident_date',
    'survivor_code', 'violation_category', 'incident_date_derived',
  ],
};

// The record actions (`record_action`, primero-api.md 2.9) and, for those that have one, the only fields an
// update with that action answers with (`permitted_field_names_from_action_name`).
const ACTION_FIELDS: Record<string, readonly string[] | undefined> = {
  close: ['status', 'date_closure'],
  reopen: ['status', 'workflow', 'case_status_reopened'],
  enable_disable_record: ['record_state'],
  incident_from_case: ['incident_case_id'],
  add_registry_record: ['registry_record_id'],
  case_from_family: ['family_id', 'family_member_id'],
  link_family_record: ['family_id', 'family_member_id'],
  attribute: ['identified_by'],
  add_note: undefined,
  incident_details_from_case: undefined,
  services_section_from_case: undefined,
};

// Kept out of the "changed fields" of an answer: the server renders these from elsewhere (audit logs,
// `RecordDataService` computed fields) or leaves them out of `saved_changes_to_record`.
const NOT_CHANGES = new Set(['id', 'last_updated_at', 'last_updated_by', 'sync_status', 'synced_at']);

/** @internal */
export function recordRoutes(state: FakeState): Route[] {
  const collection = (c: Collection): Route[] => [
    { method: 'GET', pattern: c.path, handler: (ctx) => index(state, c, ctx) },
    { method: 'POST', pattern: c.path, handler: (ctx) => create(state, c, ctx) },
    { method: 'GET', pattern: `${c.path}/:id`, handler: (ctx) => show(state, c, ctx) },
    { method: 'PATCH', pattern: `${c.path}/:id`, handler: (ctx) => update(state, c, ctx) },
    { method: 'DELETE', pattern: `${c.path}/:id`, handler: (ctx) => disable(state, c, ctx) },
  ];
  return [
    ...collection(CASES),
    ...collection(INCIDENTS),
    { method: 'GET', pattern: '/cases/:id/incidents', handler: (ctx) => caseIncidents(state, ctx) },
    { method: 'POST', pattern: '/cases/:id/incidents', handler: (ctx) => linkIncidents(state, ctx) },
    // Only cases have the sync route (config/routes.rb: `resources :webhook_syncs` under `children`).
    { method: 'POST', pattern: '/cases/:id/sync', handler: (ctx) => sync(state, ctx) },
  ];
}

// ---------------------------------------------------------------------------------------------------------
// Handlers.

function index(state: FakeState, c: Collection, { query, user }: RouteContext): Response {
  const { store } = state;
  const text = query.get('query')?.trim() ?? '';
  // id_search, phonetic or phone_number with a query is a "record search": the short field set (2.5).
  const recordSearch = text !== '' && ['id_search', 'phonetic', 'phone_number'].some((k) => query.get(k) === 'true');
  const readable = readableFieldNames(store, c.recordType, user, { idSearch: (query.get('id_search') ?? '').trim() !== '' });
  const ctx = { recordType: c.recordType, store };
  let found: FakeRecord[];
  try {
    const filters = buildFilters(query, readable);
    // The user's scope, then the filters, then the identifier search; there is no implicit status or
    // enabled filter (2.4).
    found = [...c.records(store).values()].filter(
      (record) => inScope(user, record, store) && filters.every((f) => matches(f, record, ctx)) && (text === '' || matchesIdentifierSearch(record, c.recordType, text)),
    );
  } catch (error) {
    if (!(error instanceof StatementInvalid)) throw error;
    // search_records swallows the SQL error: an empty list with total 0 (2.2).
    found = [];
  }
  const page = pageOf(sortRecords(found, query, c.recordType), query);
  const names = selected(c, recordSearch ? 'short' : query.get('fields'));
  return json({ data: page.data.map((record) => render(store, c, user, record, names, readable)), metadata: page.metadata });
}

function show(state: FakeState, c: Collection, { params, query, user, path }: RouteContext): Response {
  const record = find(state.store, c, params.id ?? '');
  if (!record) return missing(c, path, params.id ?? '');
  if (!inScope(user, record, state.store)) return forbidden(path);
  return json({ data: render(state.store, c, user, record, selected(c, query.get('fields'))) });
}

function create(state: FakeState, c: Collection, { body, user, path }: RouteContext): Response {
  const { store } = state;
  const raw = dataParam(body);
  const check = checkRecordWrite(raw, { store, recordType: c.recordType, user, create: true, moduleId: raw.module_id });
  if (!check.ok) return apiError(422, `/api/v2${path}`, 'Invalid Record JSON', check.pointers);
  const { id: givenId, ...data } = check.data;
  const records = c.records(store);
  const id = typeof givenId === 'string' ? givenId : state.random.uuid();
  const now = new Date(state.now()).toISOString();

  // Record#defaults (+ Child#defaults, Incident#defaults), then the sent data merged over them (new_with_user).
  const defaults: Record<string, unknown> =
    c.recordType === 'case'
      ? { record_state: true, status: 'open', registration_date: serverToday(state.now()), notes_section: [] }
      : { record_state: true, status: 'open', date_of_first_report: serverToday(state.now()) };
  const record = { ...(mergeData(defaults, data) as Record<string, unknown>), id } as FakeRecord;

  // Creation and ownership (Historical#creation_fields_for, Ownable#owner_fields_for).
  record.created_by = user.user_name;
  record.created_by_full_name = user.full_name;
  record.created_organization = user.agency;
  record.owned_by = user.user_name;
  record.owned_by_full_name = user.full_name;
  record.owned_by_agency_id = user.agency;
  record.owned_by_location = user.location;
  record.associated_user_names = [user.user_name];

  // The identifiers (Record#create_identification, Child/Incident#set_instance_id, primero-api.md 2.7).
  const uniqueIdentifier = state.random.uuid();
  record.unique_identifier = uniqueIdentifier;
  record.short_id = uniqueIdentifier.slice(-7);
  if (c.recordType === 'case') {
    record.case_id ??= uniqueIdentifier;
    record.case_id_display ??= record.short_id;
    record.workflow ??= 'new';
  } else {
    record.incident_id ??= uniqueIdentifier;
    record.incident_code ??= String(record.incident_id).slice(-7);
  }
  beforeSave(state, c, record, {});
  record.created_at ??= now;
  record.last_updated_at = now;

  // The primary key, and for cases the unique index on data->>'case_id' (db/schema.rb): 409 (3.2).
  const taken = records.has(id) || (c.recordType === 'case' && [...records.values()].some((other) => other.case_id === record.case_id));
  if (taken) return apiError(409, `/api/v2${path}`, 'Conflict: A record with this id already exists');
  records.set(id, record);
  state.recordChanged('create', c.recordType, record);

  // With a client-generated id the answer is 204 and no body (4.3).
  if (present(raw.id)) return new Response(null, { status: 204 });
  const changed = new Set(Object.keys(record).filter((key) => !NOT_CHANGES.has(key)));
  return json({ data: render(store, c, user, record, changed) });
}

function update(state: FakeState, c: Collection, { params, body, query, user, path }: RouteContext): Response {
  const { store } = state;
  const record = find(store, c, params.id ?? '');
  if (!record) return missing(c, path, params.id ?? '');
  // `record_action` is a top-level parameter (body or query string): it needs its permission and read access.
  const action = isObject(body) && typeof body.record_action === 'string' ? body.record_action : (query.get('record_action') ?? '');
  if (action.trim() !== '' && !Object.hasOwn(ACTION_FIELDS, action)) return forbidden(path);
  if (!inScope(user, record, store)) return forbidden(path);

  const raw = dataParam(body);
  const check = checkRecordWrite(raw, { store, recordType: c.recordType, user, create: false, moduleId: record.module_id });
  if (!check.ok) return apiError(422, `/api/v2${path}`, 'Invalid Record JSON', check.pointers);

  const before = structuredClone(record);
  const next = mergeData(before, check.data) as FakeRecord;
  next.last_updated_by = user.user_name;
  beforeSave(state, c, next, before);
  acknowledgeSync(state, next);
  next.last_updated_at = new Date(state.now()).toISOString();
  const changed = new Set(Object.keys(next).filter((key) => !NOT_CHANGES.has(key) && !sameJson(next[key], before[key])));

  // Saved in place, so anyone holding the record (a referral, a test) sees the new state.
  for (const key of Object.keys(record)) if (!Object.hasOwn(next, key)) delete record[key];
  Object.assign(record, next);
  state.recordChanged('update', c.recordType, record);

  const actionFields = Object.hasOwn(ACTION_FIELDS, action) ? ACTION_FIELDS[action] : undefined;
  const answered = actionFields ? new Set([...changed].filter((key) => actionFields.includes(key))) : changed;
  return json({ data: render(store, c, user, record, answered) });
}

function disable(state: FakeState, c: Collection, { params, user, path }: RouteContext): Response {
  const record = find(state.store, c, params.id ?? '');
  if (!record) return missing(c, path, params.id ?? '');
  if (!inScope(user, record, state.store)) return forbidden(path);
  // A soft delete: record_state false, saved like any update (and forwarded as one, 4.5, 7.2).
  record.record_state = false;
  record.last_updated_by = user.user_name;
  record.last_updated_at = new Date(state.now()).toISOString();
  state.recordChanged('update', c.recordType, record);
  return json({ data: { id: record.id } });
}

function caseIncidents(state: FakeState, { params, query, user, path }: RouteContext): Response {
  const { store } = state;
  const record = find(store, CASES, params.id ?? '');
  if (!record) return missing(CASES, path, params.id ?? '');
  if (!inScope(user, record, store)) return forbidden(path);
  // Every incident of the case, no paging and no metadata (4.6).
  const incidents = [...store.incidents.values()].filter((incident) => incident.incident_case_id === record.id);
  const names = selected(INCIDENTS, query.get('fields'));
  const readable = readableFieldNames(store, 'incident', user);
  return json({ data: incidents.map((incident) => render(store, INCIDENTS, user, incident, names, readable)) });
}

function linkIncidents(state: FakeState, { params, body, path }: RouteContext): Response {
  const { store } = state;
  const record = find(store, CASES, params.id ?? '');
  if (!record) return missing(CASES, path, params.id ?? '');
  const ids = isObject(body) && isObject(body.data) ? body.data.incident_ids : undefined;
  // Incident.find(ids): one missing id fails the whole request.
  if (ids === undefined || ids === null) return apiError(404, `/api/v2${path}`, 'Not Found', "Couldn't find Incident without an ID");
  const wanted = (Array.isArray(ids) ? ids : [ids]).map(String);
  const incidents = wanted.map((id) => find(store, INCIDENTS, id));
  const found = incidents.filter(Boolean).length;
  if (found < wanted.length) {
    const detail = wanted.length === 1 ? `Couldn't find Incident with 'id'=${wanted[0]}` : `Couldn't find all Incidents with 'id': (${wanted.join(', ')}) (found ${found} results, but was looking for ${wanted.length}).`;
    return apiError(404, `/api/v2${path}`, 'Not Found', detail);
  }
  for (const incident of incidents as FakeRecord[]) {
    incident.incident_case_id = record.id;
    incident.last_updated_at = new Date(state.now()).toISOString();
    state.recordChanged('update', 'incident', incident);
  }
  // No template to render: 204 and no body (children_incidents_controller_spec.rb; the docs' 200 is stale, primero-api.md 4.6, 10).
  return new Response(null, { status: 204 });
}

function sync(state: FakeState, { params, user, path }: RouteContext): Response {
  const record = find(state.store, CASES, params.id ?? '');
  if (!record) return missing(CASES, path, params.id ?? '');
  // `authorize! :sync_external`, and no read check on the record (WebhookSyncsController).
  if (!user.sync_external) return forbidden(path);
  // The audit log row `sending` is now the latest status; synced_at stays the last successful sync (7.2).
  record.sync_status = 'sending';
  state.recordChanged('post', 'case', record);
  return json({ data: { record_id: record.id, record_type: 'case', synced_at: record.synced_at ?? null, sync_status: 'sending' } });
}

// ---------------------------------------------------------------------------------------------------------
// Saving.

/**
 * The `before_save` callbacks that shape what is stored: subform ids, services' `service_implemented`
 * (Serviceable#update_implement_field, primero-api.md 6) and the case workflow (Workflow#calculate_workflow).
 */
function beforeSave(state: FakeState, c: Collection, record: FakeRecord, before: Record<string, unknown>): void {
  populateSubformIds(record, () => state.random.uuid());
  if (c.recordType !== 'case') return;
  const services = Array.isArray(record.services_section) ? (record.services_section as Record<string, unknown>[]) : [];
  for (const service of services) {
    if (!isObject(service)) continue;
    if (present(service.service_implemented_day_time) && service.service_implemented !== 'implemented') service.service_implemented = 'implemented';
    else if (present(service.service_type) && !present(service.service_implemented_day_time)) service.service_implemented = 'not_implemented';
  }
  const changed = (key: string) => !sameJson(record[key], before[key]);
  if (record.status === 'closed') record.workflow = 'closed';
  else if (record.status === 'open') {
    if ((changed('case_status_reopened') || changed('status')) && record.case_status_reopened) record.workflow = 'reopened';
    else if (changed('services_section') && services.length) {
      // The response type of the latest service not yet implemented becomes the workflow.
      const pending = services.filter((s) => isObject(s) && present(s.service_response_type) && s.service_implemented === 'not_implemented');
      const latest = pending.reduce<Record<string, unknown> | undefined>(
        (best, s) => (!best || String(s.service_response_day_time ?? '') > String(best.service_response_day_time ?? '') ? s : best),
        undefined,
      );
      if (latest) record.workflow = latest.service_response_type;
    }
  }
}

/**
 * `mark_synced` / `mark_synced_url` / `mark_synced_status` in an update (Webhookable, primero-api.md 7.4):
 * the status is logged, the keys are not stored, and the case shows `sync_status` and `synced_at`.
 */
function acknowledgeSync(state: FakeState, record: FakeRecord): void {
  if (!present(record.mark_synced_status) && !present(record.mark_synced)) return;
  const status = present(record.mark_synced_status) ? String(record.mark_synced_status) : record.mark_synced ? 'synced' : 'failed';
  record.sync_status = status;
  if (status === 'synced') record.synced_at = new Date(state.now()).toISOString();
  delete record.mark_synced;
  delete record.mark_synced_url;
  delete record.mark_synced_status;
}

// ---------------------------------------------------------------------------------------------------------
// Reading.

/** `Model.find(params[:id])`: the id as ActiveRecord casts a uuid (any case, braces), else not found. */
function find(store: FakeStore, c: Collection, id: string): FakeRecord | undefined {
  const uuid = normalizeUuid(id);
  return uuid === undefined ? undefined : c.records(store).get(uuid);
}

/** The field names a `fields` parameter selects (FieldSelectionService): `short`, a list, or all (undefined). */
function selected(c: Collection, fields: string | null): Set<string> | undefined {
  if (fields === 'short') return new Set(c.summary);
  if (fields === null || fields.trim() === '') return undefined;
  return new Set(fields.split(','));
}

/**
 * A record as `_record.json.jbuilder` renders it: `id`, `enabled`, the selected readable fields, the
 * embedded computed ones, and always `last_updated_at` (2.7). `names` undefined selects every readable field.
 */
function render(
  store: FakeStore,
  c: Collection,
  user: FakeUser,
  record: FakeRecord,
  names: Set<string> | undefined,
  base: ReadonlySet<string> = readableFieldNames(store, c.recordType, user),
): Record<string, unknown> {
  const readable = new Set(base);
  // The fake's roles read every field a record holds; the sync status only with sync_external (7.4).
  for (const key of Object.keys(record)) if (user.sync_external || !SYNC_FIELDS.includes(key)) readable.add(key);
  const show = (name: string) => readable.has(name) && (names === undefined || names.has(name));
  const out: Record<string, unknown> = { id: record.id, enabled: renderedEnabled(record) };
  for (const [key, value] of Object.entries(record)) if (key !== 'id' && show(key)) out[key] = value;
  if (c.recordType === 'case' && show('name')) out.name = record.hidden_name ? '*******' : (record.name ?? null);
  if (c.recordType === 'incident' && typeof record.incident_case_id === 'string' && show('case_id_display')) {
    out.case_id_display = store.cases.get(record.incident_case_id)?.case_id_display ?? null;
  }
  if (show('record_in_scope')) out.record_in_scope = inScope(user, record, store);
  if (show('flag_count')) out.flag_count = record.flag_count ?? 0;
  if (show('alert_count')) out.alert_count = record.alert_count ?? 0;
  out.last_updated_at = record.last_updated_at ?? null;
  return out;
}

/** `order_by` (default `created_at`) and `order` (default `desc`; anything unknown is `asc`), 2.3. */
function sortRecords(records: FakeRecord[], query: URLSearchParams, recordType: RecordType): FakeRecord[] {
  const orderBy = query.get('order_by') ?? 'created_at';
  const order = query.get('order') ?? 'desc';
  const descending = order === 'desc' || order === 'DESC';
  const column = searchableColumn(recordType, orderBy);
  // On the srch_ column when there is one, else on `data->'field'` (jsonb ordering); SQL NULL (a missing
  // value) comes last ascending and first descending, as PostgreSQL puts it.
  const key = (record: FakeRecord): unknown => {
    const raw = field(record, orderBy);
    if (column) return columnValue(column, raw) ?? NULL;
    return raw === undefined ? NULL : raw;
  };
  const keyed = records.map((record) => ({ record, key: key(record) }));
  keyed.sort((a, b) => {
    if (a.key === NULL || b.key === NULL) return a.key === b.key ? 0 : (a.key === NULL ? 1 : -1) * (descending ? -1 : 1);
    const diff = compareJsonb(a.key, b.key);
    return descending ? -diff : diff;
  });
  return keyed.map(({ record }) => record);
}

const NULL = Symbol('SQL NULL');
const collator = new Intl.Collator('en');

/** jsonb's ordering: Object > Array > Boolean > Number > String > null; arrays by length, then items. */
function compareJsonb(a: unknown, b: unknown): number {
  const rank = (v: unknown) => (v === null ? 0 : typeof v === 'string' ? 1 : typeof v === 'number' ? 2 : typeof v === 'boolean' ? 3 : Array.isArray(v) ? 4 : 5);
  const [ra, rb] = [rank(a), rank(b)];
  if (ra !== rb) return ra - rb;
  if (typeof a === 'string') return collator.compare(a, b as string);
  if (typeof a === 'number' || typeof a === 'boolean') return Number(a) - Number(b);
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return a.length - b.length;
    for (let i = 0; i < a.length; i++) {
      const diff = compareJsonb(a[i] ?? null, b[i] ?? null);
      if (diff) return diff;
    }
    return 0;
  }
  return collator.compare(JSON.stringify(a), JSON.stringify(b));
}

// ---------------------------------------------------------------------------------------------------------
// Small readings of Rails semantics.

/**
 * `record_params`: `data` when present, `{}` when missing or blank (the records controller does not
 * `require` it, so a create without `data` makes a record of defaults); a present non-object fails `permit`.
 */
function dataParam(body: unknown): Record<string, unknown> {
  const data = isObject(body) ? body.data : undefined;
  if (!present(data)) return {};
  if (!isObject(data)) throw new Error(`undefined method 'permit' for an instance of ${rubyClass(data)}`);
  return data;
}

function rubyClass(value: unknown): string {
  if (Array.isArray(value)) return 'Array';
  if (typeof value === 'string') return 'String';
  if (typeof value === 'number') return Number.isInteger(value) ? 'Integer' : 'Float';
  return 'TrueClass';
}

/** ActiveRecord::RecordNotFound as ErrorService renders it, with the id as sent. */
function missing(c: Collection, path: string, id: string): Response {
  return notFound(`/api/v2${path}`, c.model, id);
}

function forbidden(path: string): Response {
  return apiError(403, `/api/v2${path}`, 'Forbidden');
}
