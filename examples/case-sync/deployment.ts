/**
 * What is specific to one Primero deployment: the names of the link's custom fields and of their options.
 * Form builders suffix custom field names and option ids with a hash (`oscar_status_6b1d9e2`,
 * `active_c2e407`), different on every instance: edit these to match yours (`GET /api/v2/forms`).
 *
 * Against the fake Primero, {@link addLinkForm} creates the same fields, as an administrator would with the
 * form builder.
 *
 * @module
 */
import type { PrimeroClient } from 'primero-sdk';
import type { FakeStore } from 'primero-sdk/testing';
import { ExampleError } from '../support/errors.js';
import { primeroField, syncedKeys, type Mapping, type PrimeroLinkFields, type SharedKey, type SharedStatus } from './mapping.js';

/** The module of the cases the sync creates. */
export const MODULE_ID = 'primeromodule-cp';

/** The link's fields. `oscar_number` is one of Primero's case identifier fields, which an upsert matches on. */
export const LINK_FIELDS: PrimeroLinkFields = {
  globalId: 'oscar_number',
  shortId: 'oscar_short_id',
  mosvyNumber: 'mosvy_number',
  status: 'oscar_status_6b1d9e2',
  referToExternal: 'refer_to_oscar_3c8a4f7',
};

/** The status select's option ids. */
export const STATUS_OPTIONS: Readonly<Record<SharedStatus, string>> = {
  referred: 'referred_5a81c3',
  active: 'active_c2e407',
  exited: 'exited_91fb6d',
};

const STATUS_LOOKUP = 'lookup-oscar-status-c41a07';

/**
 * The mapping for a deployment, from its case forms: mapped fields the deployment lacks are left out of the
 * sync (and named in `missing`), since Primero would drop them on write without a word.
 * @throws ExampleError when the deployment has no field for the external id: nothing could be linked.
 */
export async function deploymentMapping(client: PrimeroClient): Promise<{ mapping: Mapping; missing: string[] }> {
  const forms = await client.forms.list({ record_type: 'case', module_id: MODULE_ID });
  const available = new Set(forms.filter((form) => !form.is_nested).flatMap((form) => form.fields.map((field) => field.name)));
  const mapping: Mapping = { moduleId: MODULE_ID, fields: LINK_FIELDS, statusOptions: STATUS_OPTIONS, available };
  if (!available.has(LINK_FIELDS.globalId)) throw new ExampleError(`The deployment's case forms have no ${LINK_FIELDS.globalId} field: cases cannot be linked`);
  const synced = new Set(syncedKeys(mapping));
  const all: SharedKey[] = ['globalId', 'shortId', 'status', 'caseId', 'caseIdDisplay', 'givenName', 'familyName', 'sex', 'dateOfBirth', 'riskLevel', 'mosvyNumber'];
  const missing = all.filter((key) => !synced.has(key)).map((key) => primeroField(key, mapping));
  if (!available.has(LINK_FIELDS.referToExternal)) missing.push(LINK_FIELDS.referToExternal);
  return { mapping, missing };
}

/** Adds the link's form and its status lookup to the fake Primero's configuration. */
export function addLinkForm(store: FakeStore): void {
  const en = (text: string) => ({ en: text });
  const nextLookup = Math.max(0, ...store.lookups.map((lookup) => lookup.id)) + 1;
  store.lookups.push({
    id: nextLookup,
    unique_id: STATUS_LOOKUP,
    name: en('OSCaR status'),
    values: Object.entries(STATUS_OPTIONS).map(([status, id]) => ({ id, display_text: en(status) })),
  });
  store.forms.push({
    id: Math.max(0, ...store.forms.map((form) => form.id)) + 1,
    unique_id: 'oscar_link_9e0b3d4',
    name: en('OSCaR'),
    parent_form: 'case',
    is_nested: false,
    module_ids: [MODULE_ID],
    fields: [
      { name: LINK_FIELDS.shortId, type: 'text_field', display_name: en('OSCaR short id') },
      { name: LINK_FIELDS.mosvyNumber, type: 'text_field', display_name: en('MoSVY number') },
      { name: LINK_FIELDS.status, type: 'select_box', display_name: en('OSCaR status'), option_strings_source: `lookup ${STATUS_LOOKUP}` },
      { name: LINK_FIELDS.referToExternal, type: 'tick_box', display_name: en('Open this case in OSCaR') },
    ],
  });
}
