/**
 * Who may read which record: the role's record scope (`Search::SearchScope` for lists, `can?(:read, record)`
 * for one record, primero-api.md 1.2a and 2.4). The record routes and the referral routes use this one rule.
 *
 * What the fake approximates: its roles have every read permission, so reading a record reduces to its
 * scope; and it has no user groups (`associated_user_groups` is never set), so a `group` scope reaches what
 * a `self` scope reaches, as if every user were alone in their group.
 *
 * @module
 */
import { field } from './filters.js';
import type { FakeRecord, FakeStore, FakeUser } from './store.js';

/**
 * Whether `user` may read `record`:
 * - `all`: every record;
 * - `agency`: the records whose owner's agency (`owned_by_agency_id`) or one of whose associated users'
 *   agencies (`associated_user_agencies`) is the user's;
 * - `self` and `group`: the records the user is associated with (`associated_user_names`: the owner and the
 *   assigned users; a referral adds its recipient to `assigned_user_names`, primero-api.md 5.3).
 */
export function inScope(user: FakeUser, record: FakeRecord, store: FakeStore): boolean {
  if (user.group_permission === 'all') return true;
  // The stored list and what it derives from: a record created through the API stores it, and a referral
  // made since then added its recipient to `assigned_user_names` only.
  const assigned = Array.isArray(record.assigned_user_names) ? record.assigned_user_names : [];
  const stored = field(record, 'associated_user_names');
  const associated = [...new Set([...(Array.isArray(stored) ? stored : []), record.owned_by, ...assigned])].filter((name): name is string => typeof name === 'string');
  if (associated.includes(user.user_name)) return true;
  if (user.group_permission !== 'agency') return false;
  const agencies = [record.owned_by_agency_id, ...associated.map((name) => store.users.find((u) => u.user_name === name)?.agency)];
  return agencies.includes(user.agency);
}
