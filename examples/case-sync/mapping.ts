/**
 * Field mapping between the external system's clients and Primero cases: pure functions, no I/O.
 *
 * Both sides are first translated into one neutral shape, {@link SharedCase}. The sync compares these, never
 * the raw records: a record whose shared content equals what the sync last wrote or pushed is not written
 * again, which is what makes reruns idempotent and breaks the echo loop (a write on one side shows up as a
 * change on that side at the next run).
 *
 * For that comparison to settle, writing a shared case into one system and reading it back must give the
 * same shared case. So every value is cleaned the same way on both sides, and a field Primero does not have
 * (deployments differ) is left out of the shared case on both sides.
 *
 * Each field has an owner, and is only ever written into the other system:
 *
 * | shared key | owner | external system | Primero |
 * | --- | --- | --- | --- |
 * | `globalId`, `shortId`, `status` | external | `global_id`, `slug`, `status` | `oscar_number`, `oscar_short_id`, a hash-suffixed status select |
 * | `caseId`, `caseIdDisplay` | Primero | `external_id`, `external_id_display` | `case_id`, `case_id_display` (never writable) |
 * | names, sex, date of birth, risk level, MoSVY number | both | `given_name`, `gender`... | `name_first`, `sex`... |
 *
 * In a shared case, `null` means "known to be empty" (and clears the field in the other system), while a
 * missing key means "no usable value" (an impossible date, an unknown gender): it is never written, so bad
 * data in one system does not wipe good data in the other.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { OscarClient, OscarUpsert } from './oscar.js';

/** The external system's workflow status, reduced to what Primero mirrors. */
export type SharedStatus = 'referred' | 'active' | 'exited';
export type SharedSex = 'female' | 'male';
export type SharedRisk = 'low' | 'medium' | 'high';

/** The content both systems hold about one child, in neutral names. See the module comment for `null`. */
export interface SharedCase {
  globalId?: string | null;
  shortId?: string | null;
  status?: SharedStatus | null;
  caseId?: string | null;
  caseIdDisplay?: string | null;
  givenName?: string | null;
  familyName?: string | null;
  sex?: SharedSex | null;
  dateOfBirth?: string | null;
  riskLevel?: SharedRisk | null;
  mosvyNumber?: string | null;
}

export type SharedKey = keyof SharedCase;

/**
 * The Primero fields of the link. Custom fields are instance-specific: a form builder suffixes their names
 * (and their option ids) with a hash, so they are configuration, never hard-coded in the mapping.
 */
export interface PrimeroLinkFields {
  /** The external `global_id`: must be a case identifier field, since the upsert matches on it. */
  globalId: string;
  shortId: string;
  mosvyNumber: string;
  /** A select mirroring the external status, e.g. `oscar_status_6b1d9e2`. */
  status: string;
  /** A tick box a caseworker sets to open the case in the external system, e.g. `refer_to_oscar_3c8a4f7`. */
  referToExternal: string;
}

/** How one deployment's Primero holds the link. */
export interface Mapping {
  /** The module of the cases the sync creates: without it the server would store an empty record. */
  moduleId: string;
  fields: PrimeroLinkFields;
  /** The option id of each status in the deployment's status select, e.g. `{ active: 'active_c2e407', ... }`. */
  statusOptions: Readonly<Record<SharedStatus, string>>;
  /**
   * The Primero fields the deployment has (from its forms). A mapped field outside it is left out of the
   * sync in both directions: Primero would silently drop it on write, and the sides would never agree.
   */
  available: ReadonlySet<string>;
}

/** Who writes each shared key. */
const OWNER: Readonly<Record<SharedKey, 'external' | 'primero' | 'both'>> = {
  globalId: 'external',
  shortId: 'external',
  status: 'external',
  caseId: 'primero',
  caseIdDisplay: 'primero',
  givenName: 'both',
  familyName: 'both',
  sex: 'both',
  dateOfBirth: 'both',
  riskLevel: 'both',
  mosvyNumber: 'both',
};
const KEYS = Object.keys(OWNER) as SharedKey[];

/** Fields every case has, whatever the forms say (primero-api.md 2.7). */
const SYSTEM_FIELDS = new Set(['case_id', 'case_id_display']);

/** The Primero field holding a shared key. */
export function primeroField(key: SharedKey, mapping: Mapping): string {
  const { fields } = mapping;
  const names: Record<SharedKey, string> = {
    globalId: fields.globalId,
    shortId: fields.shortId,
    status: fields.status,
    caseId: 'case_id',
    caseIdDisplay: 'case_id_display',
    givenName: 'name_first',
    familyName: 'name_last',
    sex: 'sex',
    dateOfBirth: 'date_of_birth',
    riskLevel: 'risk_level',
    mosvyNumber: fields.mosvyNumber,
  };
  return names[key];
}

/** The shared keys this deployment can hold, hence the ones synced. */
export function syncedKeys(mapping: Mapping): SharedKey[] {
  return KEYS.filter((key) => {
    const field = primeroField(key, mapping);
    return SYSTEM_FIELDS.has(field) || mapping.available.has(field);
  });
}

// ---------------------------------------------------------------------------------------------------------
// Cleaning: the same rules for both sides.

/** Text: trimmed; empty is null; anything but a string is unusable. */
function text(value: unknown): string | null | undefined {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

function sex(value: unknown): SharedSex | null | undefined {
  const raw = text(value);
  if (raw === null || raw === undefined) return raw;
  const lower = raw.toLowerCase();
  return lower === 'female' || lower === 'male' ? lower : undefined;
}

function risk(value: unknown): SharedRisk | null | undefined {
  const raw = text(value);
  if (raw === null || raw === undefined) return raw;
  const lower = raw.toLowerCase();
  // `no action` has no counterpart in the deployment's risk lookup: not written either way.
  return lower === 'low' || lower === 'medium' || lower === 'high' ? lower : undefined;
}

/**
 * A calendar date `YYYY-MM-DD`. Repairs the two shapes old external data has: slashes (`2016/02/17`) and
 * a doubled first digit of the year (`22012-01-01`). Anything else is unusable.
 */
export function cleanDate(value: unknown): string | null | undefined {
  const raw = text(value);
  if (raw === null || raw === undefined) return raw;
  let candidate = raw.replace(/\//g, '-');
  const doubled = /^(\d)(\1\d{3})-(\d{2})-(\d{2})$/.exec(candidate);
  if (doubled) candidate = `${doubled[2]}-${doubled[3]}-${doubled[4]}`;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(candidate);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  const real = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return real && year >= 1900 && year <= 2100 ? candidate : undefined;
}

/** The external status, typos of the wild included. */
function externalStatus(value: unknown): SharedStatus | null | undefined {
  const raw = text(value);
  if (raw === null || raw === undefined) return raw;
  switch (raw.toLowerCase()) {
    case 'referred':
      return 'referred';
    case 'accepted':
    case 'accetped':
    case 'active':
      return 'active';
    case 'exited':
    case 'rejected':
      return 'exited';
    default:
      return undefined;
  }
}

/** A shared case being built: every key present, unusable values as undefined. */
type Draft = { [K in SharedKey]-?: SharedCase[K] | undefined };

/** Drops the keys the deployment cannot hold, and the unusable (undefined) values. */
function restrict(shared: Draft, mapping: Mapping): SharedCase {
  const out: Record<string, unknown> = {};
  for (const key of syncedKeys(mapping)) if (shared[key] !== undefined) out[key] = shared[key];
  return out as SharedCase;
}

// ---------------------------------------------------------------------------------------------------------
// Into the shared shape.

/** The shared content of an external client. */
export function fromExternal(client: OscarClient, mapping: Mapping): SharedCase {
  return restrict(
    {
      globalId: text(client.global_id),
      shortId: text(client.slug),
      status: externalStatus(client.status),
      caseId: text(client.external_id),
      caseIdDisplay: text(client.external_id_display),
      givenName: text(client.given_name),
      familyName: text(client.family_name),
      sex: sex(client.gender),
      dateOfBirth: cleanDate(client.date_of_birth),
      riskLevel: risk(client.level_of_risk),
      mosvyNumber: text(client.mosvy_number),
    },
    mapping,
  );
}

/** The shared content of a Primero case (a full record, as `changes()` and `get()` return it). */
export function fromPrimero(record: Readonly<Record<string, unknown>>, mapping: Mapping): SharedCase {
  const value = (key: SharedKey) => record[primeroField(key, mapping)];
  const statusId = text(value('status'));
  const status = statusId === null || statusId === undefined
    ? statusId
    : (Object.entries(mapping.statusOptions).find(([, id]) => id === statusId)?.[0] as SharedStatus | undefined);
  return restrict(
    {
      globalId: text(value('globalId')),
      shortId: text(value('shortId')),
      status,
      caseId: text(value('caseId')),
      caseIdDisplay: text(value('caseIdDisplay')),
      givenName: text(value('givenName')),
      familyName: text(value('familyName')),
      sex: sex(value('sex')),
      dateOfBirth: cleanDate(value('dateOfBirth')),
      riskLevel: risk(value('riskLevel')),
      mosvyNumber: text(value('mosvyNumber')),
    },
    mapping,
  );
}

// ---------------------------------------------------------------------------------------------------------
// Out of the shared shape.

/**
 * The Primero fields to write for a shared case: the keys the external system owns or shares, with wire
 * names and option ids as the deployment spells them. Never `case_id` (Primero's own), never `module_id`
 * (a create adds it; an update must not move a case to another module). Keys may be restricted to some
 * owners, e.g. only the external ids after a client was created.
 */
export function toPrimero(shared: SharedCase, mapping: Mapping, owners: ReadonlyArray<'external' | 'both'> = ['external', 'both']): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const key of syncedKeys(mapping)) {
    const owner = OWNER[key];
    const value = shared[key];
    if (owner === 'primero' || !owners.includes(owner) || value === undefined) continue;
    data[primeroField(key, mapping)] = key === 'status' && value !== null ? mapping.statusOptions[value as SharedStatus] : value;
  }
  return data;
}

/**
 * The upsert to send to the external system for a shared case: its key (`global_id` once known; else the
 * system matches on `external_id`) and the keys Primero owns or shares. Never the external system's own
 * fields (slug, status).
 */
export function toExternal(shared: SharedCase, mapping: Mapping): OscarUpsert {
  const keys = new Set(syncedKeys(mapping));
  const body: OscarUpsert = {};
  const put = <K extends keyof OscarUpsert>(name: K, key: SharedKey, value: OscarUpsert[K] | undefined) => {
    if (keys.has(key) && value !== undefined) body[name] = value;
  };
  if (shared.globalId) body.global_id = shared.globalId;
  put('external_id', 'caseId', shared.caseId);
  put('external_id_display', 'caseIdDisplay', shared.caseIdDisplay);
  put('given_name', 'givenName', shared.givenName);
  put('family_name', 'familyName', shared.familyName);
  put('gender', 'sex', shared.sex);
  put('date_of_birth', 'dateOfBirth', shared.dateOfBirth);
  put('level_of_risk', 'riskLevel', shared.riskLevel);
  put('mosvy_number', 'mosvyNumber', shared.mosvyNumber);
  return body;
}

/** Whether a Primero case takes part: linked to a client already, or flagged by a caseworker to be. */
export function takesPart(record: Readonly<Record<string, unknown>>, mapping: Mapping): boolean {
  const linked = text(record[mapping.fields.globalId]);
  return (typeof linked === 'string' && linked !== '') || record[mapping.fields.referToExternal] === true;
}

/**
 * A fingerprint of shared content: SHA-256 over the keys in a fixed order, `null` and missing kept apart.
 * The sync stores it instead of the content itself, so its state directory holds ids and digests, never a
 * child's details.
 */
export function fingerprint(shared: SharedCase): string {
  const canonical = KEYS.filter((key) => shared[key] !== undefined).map((key) => [key, shared[key]]);
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}
