/**
 * The fake's starting data, generated from a seed: realistic cases (identifiers derived as the server
 * derives them, primero-api.md 2.7), services, referrals in every status, users who can receive
 * referrals, the lookups and forms for the case fields used, and a small location tree.
 *
 * @module
 */
import type { Random } from './random.js';
import type { FakeField, FakeForm, FakeRecord, FakeStore, FakeTransition, FakeUser } from './store.js';

/** The module every seeded case belongs to. */
export const CP_MODULE = 'primeromodule-cp';

/** The password of every seeded user. Demo data only: printed by the fake server's CLI. */
export const DEMO_PASSWORD = 'primero-demo-1';

const SERVICE_TYPES = [
  'safehouse_service', 'health_medical_service', 'psychosocial_service', 'police_other_service',
  'legal_assistance_service', 'livelihoods_service', 'child_protection_service', 'family_mediation_service',
  'family_seunification_service', 'education_service', 'nfi_clothes_shoes_service', 'water_sanitation_service',
  'registration_service', 'food_service', 'other_service',
];
const CONCERNS = ['separated', 'unaccompanied', 'physical_violence', 'sexual_violence', 'psychosocial', 'child_labour', 'caafag', 'trafficked'];
const RISK_LEVELS = ['low', 'medium', 'high'];
const FIRST_NAMES = ['Amina', 'Sokha', 'Dara', 'Nimol', 'Fatou', 'Grace', 'Yusuf', 'Bopha', 'Hassan', 'Leila', 'Chenda', 'Omar', 'Mariam', 'Visal', 'Ayan', 'Srey'];
const LAST_NAMES = ['Keo', 'Mohamed', 'Chan', 'Diallo', 'Sok', 'Abdi', 'Heng', 'Mensah', 'Ly', 'Osman', 'Pich', 'Ahmed'];
const PROVINCES = ['KH01', 'KH02', 'KH03', 'KH04'];

const en = (text: string) => ({ en: text });
const title = (id: string) => id.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());

/**
 * Seeds a store with `caseCount` cases, owned and created by the first user, and referred only to enabled
 * users who receive referrals (no referral at all when there is none). `givenUsers` is deep-copied.
 */
export function seedStore(random: Random, caseCount: number, givenUsers?: FakeUser[]): FakeStore {
  const users = givenUsers?.map((user) => structuredClone(user)) ?? seedUsers();
  const locations = seedLocations();
  const store: FakeStore = {
    cases: new Map(),
    incidents: new Map(),
    referrals: new Map(),
    users,
    agencies: [
      { unique_id: 'agency-unicef', name: en('UNICEF'), services: ['child_protection_service', 'psychosocial_service'] },
      { unique_id: 'agency-unhcr', name: en('UNHCR'), services: ['legal_assistance_service', 'registration_service'] },
      { unique_id: 'agency-ngo-hope', name: en('Hope NGO'), services: ['education_service', 'health_medical_service'] },
    ],
    lookups: seedLookups(),
    forms: seedForms(),
    locations,
    webhooks: [],
    configurationLocked: false,
  };
  const start = Date.UTC(2025, 0, 1);
  for (let i = 0; i < caseCount; i++) {
    const record = seedCase(random, start + i * 3_600_000, users);
    store.cases.set(record.id, record);
    for (const referral of seedReferrals(random, record, users)) store.referrals.set(referral.id, referral);
  }
  return store;
}

function seedCase(random: Random, createdMs: number, users: FakeUser[]): FakeRecord {
  const owner = users[0];
  const id = random.uuid();
  const uniqueIdentifier = random.uuid();
  const shortId = uniqueIdentifier.slice(-7);
  const age = random.int(0, 17);
  const created = new Date(createdMs);
  const birth = new Date(Date.UTC(created.getUTCFullYear() - age, random.int(0, 11), random.int(1, 28)));
  const services = Array.from({ length: random.int(0, 2) }, () => seedService(random, created, users));
  const consent = random.chance(0.85);
  return {
    id,
    unique_identifier: uniqueIdentifier,
    short_id: shortId,
    // case_id defaults to unique_identifier and case_id_display to the short id (primero-api.md 2.7).
    case_id: uniqueIdentifier,
    case_id_display: shortId,
    module_id: CP_MODULE,
    record_state: true,
    status: random.chance(0.8) ? 'open' : 'closed',
    workflow: services.length ? 'service_provision' : 'new',
    name_first: random.pick(FIRST_NAMES),
    name_last: random.pick(LAST_NAMES),
    sex: random.chance(0.5) ? 'female' : 'male',
    age,
    date_of_birth: birth.toISOString().slice(0, 10),
    protection_concerns: [...new Set([random.pick(CONCERNS), ...(random.chance(0.3) ? [random.pick(CONCERNS)] : [])])],
    risk_level: random.pick(RISK_LEVELS),
    location_current: `${random.pick(PROVINCES)}0${random.int(1, 2)}`,
    consent_for_services: consent,
    disclosure_other_orgs: consent && random.chance(0.9),
    registration_date: created.toISOString().slice(0, 10),
    owned_by: owner?.user_name ?? 'demo_caseworker',
    owned_by_agency_id: owner?.agency ?? 'agency-unicef',
    assigned_user_names: [],
    created_by: owner?.user_name ?? 'demo_caseworker',
    created_at: created.toISOString(),
    last_updated_at: created.toISOString(),
    services_section: services,
  };
}

function seedService(random: Random, created: Date, users: FakeUser[]): Record<string, unknown> {
  const type = random.pick(SERVICE_TYPES);
  const provider = users.find((u) => canReceive(u) && u.services.includes(type));
  const implemented = random.chance(0.3);
  return {
    unique_id: random.uuid(),
    service_response_type: random.pick(['care_plan', 'action_plan', 'service_provision']),
    service_type: type,
    service_response_day_time: created.toISOString(),
    service_response_timeframe: random.pick(['1_hour', '3_hours', '1_day', '3_days']),
    service_implementing_agency: provider?.agency ?? null,
    service_implementing_agency_individual: provider?.user_name ?? null,
    service_status_referred: false,
    service_implemented: implemented ? 'implemented' : 'not_implemented',
    service_implemented_day_time: implemented ? new Date(created.getTime() + 86_400_000).toISOString() : null,
  };
}

/**
 * Who a seeded referral may go to: what the server's validation accepts (enabled, `receive_referral` for the
 * case's module), so that every seeded referral can be answered.
 */
function canReceive(user: FakeUser): boolean {
  return !user.disabled && user.receives_referrals && user.module_ids.includes(CP_MODULE);
}

/** About a third of the cases get a referral, spread over every status; none when nobody can receive one. */
function seedReferrals(random: Random, record: FakeRecord, users: FakeUser[]): FakeTransition[] {
  if (!random.chance(0.35)) return [];
  const recipients = users.filter((u) => canReceive(u) && u.user_name !== record.owned_by);
  const recipient = recipients.length ? random.pick(recipients) : undefined;
  if (!recipient) return [];
  const status = random.pick(['in_progress', 'accepted', 'rejected', 'done', 'revoked'] as const);
  const created = new Date(Date.parse(String(record.created_at)) + 3_600_000);
  const responded = status === 'in_progress' ? undefined : new Date(created.getTime() + random.int(1, 72) * 3_600_000).toISOString();
  if (status === 'in_progress' || status === 'accepted') (record.assigned_user_names as string[]).push(recipient.user_name);
  return [
    {
      id: random.uuid(),
      type: 'Referral',
      status,
      record_id: record.id,
      record_type: 'case',
      transitioned_to: recipient.user_name,
      transitioned_to_agency: recipient.agency,
      transitioned_by: record.owned_by,
      notes: 'Referred for follow-up',
      remote: false,
      // A case without consent can only have been referred with the override (primero-api.md 5.3), and every
      // later change of the referral is validated again.
      consent_overridden: !(record.consent_for_services && record.disclosure_other_orgs),
      created_at: created.toISOString(),
      ...(responded ? { responded_at: responded } : {}),
      ...(status === 'rejected' ? { rejected_reason: 'Outside our catchment area' } : {}),
    },
  ];
}

function seedUsers(): FakeUser[] {
  const user = (id: number, user_name: string, full_name: string, rest: Partial<FakeUser>): FakeUser => ({
    id,
    user_name,
    password: DEMO_PASSWORD,
    full_name,
    position: 'Caseworker',
    agency: 'agency-unicef',
    location: 'KH01',
    services: [],
    module_ids: [CP_MODULE],
    group_permission: 'all',
    receives_referrals: false,
    sync_external: false,
    disabled: false,
    ...rest,
  });
  return [
    user(1, 'demo_caseworker', 'Demo Caseworker', { sync_external: true }),
    user(2, 'cp_worker', 'Child Protection Worker', { receives_referrals: true, services: ['child_protection_service', 'psychosocial_service', 'family_mediation_service'], location: 'KH02' }),
    user(3, 'unhcr_focal', 'UNHCR Focal Point', { agency: 'agency-unhcr', position: 'Protection Officer', receives_referrals: true, services: ['legal_assistance_service', 'registration_service'] }),
    user(4, 'health_provider', 'Health Provider', { agency: 'agency-ngo-hope', position: 'Nurse', receives_referrals: true, services: ['health_medical_service', 'education_service'], location: 'KH03' }),
    user(5, 'former_staff', 'Former Staff', { receives_referrals: true, services: ['child_protection_service'], disabled: true }),
  ];
}

function seedLookups(): FakeStore['lookups'] {
  const lookup = (id: number, unique_id: string, name: string, values: string[]) => ({
    id,
    unique_id,
    name: en(name),
    values: values.map((value) => ({ id: value, display_text: en(title(value)) })),
  });
  return [
    lookup(1, 'lookup-service-type', 'Service Type', SERVICE_TYPES),
    lookup(2, 'lookup-protection-concerns', 'Protection Concerns', CONCERNS),
    lookup(3, 'lookup-gender', 'Sex', ['female', 'male']),
    lookup(4, 'lookup-risk-level', 'Risk Level', RISK_LEVELS),
    lookup(5, 'lookup-service-response-type', 'Service Response Type', ['care_plan', 'action_plan', 'service_provision']),
    lookup(6, 'lookup-service-implemented', 'Service Implemented', ['implemented', 'not_implemented']),
  ];
}

function seedForms(): FakeForm[] {
  const field = (name: string, type: FakeField['type'], extra: Partial<FakeField> = {}): FakeField => ({ name, type, display_name: en(title(name)), ...extra });
  return [
    {
      id: 1,
      unique_id: 'basic_identity',
      name: en('Basic Identity'),
      parent_form: 'case',
      is_nested: false,
      module_ids: [CP_MODULE],
      fields: [
        field('name_first', 'text_field'),
        field('name_last', 'text_field'),
        field('sex', 'select_box', { option_strings_source: 'lookup lookup-gender' }),
        field('age', 'numeric_field'),
        field('date_of_birth', 'date_field'),
        field('registration_date', 'date_field'),
        field('location_current', 'select_box', { option_strings_source: 'Location' }),
        field('protection_concerns', 'select_box', { multi_select: true, option_strings_source: 'lookup lookup-protection-concerns' }),
        field('risk_level', 'select_box', { option_strings_source: 'lookup lookup-risk-level' }),
        field('consent_for_services', 'tick_box'),
        field('disclosure_other_orgs', 'tick_box'),
        // Identifier fields: what an integration's upsert matches on (primero-api.md 2.5).
        field('national_id_no', 'text_field'),
        field('unhcr_individual_no', 'text_field'),
        field('oscar_number', 'text_field'),
      ],
    },
    {
      id: 2,
      unique_id: 'services',
      name: en('Services'),
      parent_form: 'case',
      is_nested: false,
      module_ids: [CP_MODULE],
      // The server sends the nested form's integer id (form_sections/_form_section.json.jbuilder renders the field's columns).
      fields: [field('services_section', 'subform', { subform_section_id: 3 })],
    },
    {
      id: 3,
      unique_id: 'services_section',
      name: en('Services'),
      parent_form: 'case',
      is_nested: true,
      module_ids: [CP_MODULE],
      fields: [
        field('service_response_type', 'select_box', { option_strings_source: 'lookup lookup-service-response-type' }),
        field('service_type', 'select_box', { option_strings_source: 'lookup lookup-service-type' }),
        field('service_response_day_time', 'date_field', { date_include_time: true }),
        field('service_response_timeframe', 'text_field'),
        field('service_appointment_date', 'date_field'),
        field('service_implementing_agency', 'select_box', { option_strings_source: 'Agency' }),
        field('service_implementing_agency_individual', 'select_box', { option_strings_source: 'User' }),
        field('service_provider', 'text_field'),
        field('service_status_referred', 'tick_box'),
        field('service_referral_notes', 'textarea'),
        field('service_implemented', 'select_box', { option_strings_source: 'lookup lookup-service-implemented' }),
        field('service_implemented_day_time', 'date_field', { date_include_time: true }),
        field('note_on_referral_from_provider', 'textarea'),
      ],
    },
    {
      id: 4,
      unique_id: 'incident_details',
      name: en('Incident Details'),
      parent_form: 'incident',
      is_nested: false,
      module_ids: [CP_MODULE],
      fields: [
        field('incident_date', 'date_field'),
        field('incident_location', 'select_box', { option_strings_source: 'Location' }),
        field('incident_description', 'textarea'),
      ],
    },
  ];
}

function seedLocations(): FakeStore['locations'] {
  const country = { id: 1, code: 'KH', type: 'country', admin_level: 0, name: en('Cambodia'), placename: en('Cambodia'), hierarchy: [] as string[] };
  const provinces = PROVINCES.map((code, i) => ({ id: 2 + i, code, type: 'province', admin_level: 1, name: en(`Cambodia::Province ${i + 1}`), placename: en(`Province ${i + 1}`), hierarchy: ['KH'] }));
  const districts = PROVINCES.flatMap((province, i) =>
    [1, 2].map((d) => ({
      id: 10 + i * 2 + d,
      code: `${province}0${d}`,
      type: 'district',
      admin_level: 2,
      name: en(`Cambodia::Province ${i + 1}::District ${d}`),
      placename: en(`District ${d}`),
      hierarchy: ['KH', province],
    })),
  );
  return [country, ...provinces, ...districts];
}
