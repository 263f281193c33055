/**
 * What the fake Primero holds: records, referrals, users and the configuration that shapes them. Tests
 * seed it before a run and inspect it after (`fake.store`).
 *
 * @module
 */

/** A stored record (case or incident): the fields as the server keeps them in `data`. */
export type FakeRecord = Record<string, unknown> & { id: string };

/** A stored referral (a row of Primero's `transitions` table). */
export type FakeTransition = Record<string, unknown> & {
  id: string;
  type: 'Referral';
  status: 'in_progress' | 'accepted' | 'rejected' | 'done' | 'revoked';
  record_id: string;
  record_type: 'case';
};

/** A user of the fake. `password` is what Basic auth and the login check. */
export interface FakeUser {
  id: number;
  user_name: string;
  password: string;
  full_name: string;
  position: string;
  agency: string;
  location: string;
  services: string[];
  module_ids: string[];
  /** The role's record scope (primero-api.md 1.2a). */
  group_permission: 'self' | 'group' | 'agency' | 'all';
  /** Whether the role has `receive_referral` (primero-api.md 5.3). */
  receives_referrals: boolean;
  /** Whether the role has `sync_external` (primero-api.md 7.2, 7.4). */
  sync_external: boolean;
  disabled: boolean;
}

/** A data-forwarding subscription (primero-api.md 7.1): where Primero posts, for which events, with what auth. */
export interface FakeWebhook {
  url: string;
  /** `case.create`, `case.update`, `case.post`. */
  events: string[];
  auth: { type: 'api_key'; key: string } | { type: 'basic'; username: string; password: string };
}

/** A translated text, as Primero renders it. */
export type FakeLocalized = Record<string, string>;

/** Everything the fake holds. Mutate it to set up a scenario; read it to assert on what a job did. */
export interface FakeStore {
  cases: Map<string, FakeRecord>;
  incidents: Map<string, FakeRecord>;
  referrals: Map<string, FakeTransition>;
  users: FakeUser[];
  agencies: { unique_id: string; name: FakeLocalized; services: string[] }[];
  lookups: { id: number; unique_id: string; name: FakeLocalized; values: { id: string; display_text: FakeLocalized }[] }[];
  forms: FakeForm[];
  locations: { id: number; code: string; type: string; admin_level: number; name: FakeLocalized; placename: FakeLocalized; hierarchy: string[] }[];
  webhooks: FakeWebhook[];
  /** While true, every API call gets the 503 configuration lock with `Retry-After: 60` (primero-api.md 1.5). */
  configurationLocked: boolean;
}

/** A form section and its fields, as `GET /api/v2/forms` renders them. */
export interface FakeForm {
  id: number;
  unique_id: string;
  name: FakeLocalized;
  parent_form: 'case' | 'incident';
  is_nested: boolean;
  module_ids: string[];
  fields: FakeField[];
}

/** One form field: its `type` decides what a write may hold (primero-api.md 2.6). */
export interface FakeField {
  name: string;
  type: 'text_field' | 'textarea' | 'date_field' | 'numeric_field' | 'tick_box' | 'select_box' | 'radio_button' | 'subform';
  display_name: FakeLocalized;
  multi_select?: boolean;
  date_include_time?: boolean;
  option_strings_source?: string;
  /** For subforms: the nested form's integer `id`, as the server renders it. */
  subform_section_id?: number;
}
