/**
 * The troubleshooting view of a case: what a support ticket needs (which record, its state, who owns it,
 * when it changed, how its services and referrals stand, which fields it holds) and nothing that
 * identifies the child. Values are printed only for the fields on an allow-list; every other field shows
 * up by name alone. An allow-list rather than a deny-list, because deployments add their own fields and a
 * new `mother_name` must stay hidden without anyone remembering to hide it.
 */
import type { CaseRecord, Referral, ServiceEntry } from 'primero-sdk';

/** Record metadata whose values say nothing about the child (primero-api.md 2.7, 4.7). */
const SHOWN = {
  identity: ['id', 'case_id', 'case_id_display', 'short_id', 'unique_identifier', 'module_id'],
  state: ['status', 'enabled', 'record_state', 'workflow'],
  ownership: ['owned_by', 'owned_by_agency_id', 'assigned_user_names', 'created_by', 'last_updated_by'],
  dates: ['created_at', 'registration_date', 'last_updated_at'],
  // Data forwarding's acknowledgement (primero-api.md 7.4): why a partner did or did not get the case.
  sync: ['sync_status', 'synced_at'],
} as const;

/** Per service: which one, who provides it, how far it got. Notes and free-text locations are left out. */
const SERVICE_FIELDS = ['service_type', 'service_implementing_agency', 'service_implementing_agency_individual', 'service_status_referred', 'service_implemented', 'service_implemented_day_time'] as const;

/** Per referral; `rejected_reason`, `notes` and `transitioned_to_remote` are free text and shown as "given" only. */
const REFERRAL_FIELDS = ['status', 'remote', 'transitioned_to', 'transitioned_to_agency', 'service', 'service_record_id', 'created_at', 'responded_at'] as const;
const REFERRAL_FREE_TEXT = ['notes', 'rejected_reason', 'rejection_note', 'transitioned_to_remote'] as const;

/** What could be read about the case's referrals: a 403 on them should not hide the rest of the summary. */
export type ReferralsRead = { referrals: Referral[] } | { unavailable: string };

export function summarize(record: CaseRecord, referrals: ReferralsRead): string[] {
  const lines: string[] = [];
  const shown = new Set<string>(['services_section']);
  for (const [group, names] of Object.entries(SHOWN)) {
    const parts = names.filter((name) => present(record[name])).map((name) => `${name}=${format(record[name])}`);
    for (const name of names) shown.add(name);
    lines.push(`${group.padEnd(10)} ${parts.join('  ') || '(none of these fields)'}`);
  }

  const services = Array.isArray(record.services_section) ? record.services_section : [];
  lines.push(`services   ${services.length}`);
  for (const service of services) lines.push(`  ${service.unique_id}  ${pick(service, SERVICE_FIELDS)}`);

  if ('unavailable' in referrals) {
    lines.push(`referrals  not readable: ${referrals.unavailable}`);
  } else {
    lines.push(`referrals  ${referrals.referrals.length}`);
    for (const referral of referrals.referrals) {
      const given = REFERRAL_FREE_TEXT.filter((name) => present(referral[name]));
      lines.push(`  ${referral.id}  ${pick(referral, REFERRAL_FIELDS)}${given.length ? `  (text given: ${given.join(', ')})` : ''}`);
    }
  }

  // Names only: enough to see that a form was filled in or a field is missing, without a single value.
  const others = Object.keys(record).filter((name) => !shown.has(name) && present(record[name])).sort();
  const empty = Object.keys(record).filter((name) => !shown.has(name) && !present(record[name])).sort();
  lines.push(`fields     ${others.length} other fields with a value (values hidden; --full-record prints them):`);
  lines.push(...wrap(others, '  '));
  if (empty.length) lines.push(`empty      ${empty.join(', ')}`);
  return lines;
}

function pick(entry: ServiceEntry | Referral, names: readonly string[]): string {
  return names.filter((name) => present(entry[name])).map((name) => `${name}=${format(entry[name])}`).join('  ');
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0);
}

function format(value: unknown): string {
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** Field names as comma-separated lines of at most ~100 characters. */
function wrap(names: readonly string[], indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const name of names) {
    if (line && line.length + name.length > 100) {
      lines.push(`${indent}${line},`);
      line = '';
    }
    line = line ? `${line}, ${name}` : name;
  }
  if (line) lines.push(`${indent}${line}`);
  return lines;
}
