/**
 * The reference routes around records (primero-api.md section 8): the public bootstrap, lookups, forms,
 * locations, users (filtered by `user_name`), the referral recipients (`/users/refer-to`, section 5.3) and the
 * contact information (`GET /contact_information`, with the server's `primero_version`).
 *
 * @module
 */
import type { FakeState } from '../fake.js';
import { json, notFound } from '../http.js';
import { pageOf } from '../paging.js';
import type { Route } from '../router.js';
import type { FakeUser } from '../store.js';

/** @internal */
export function referenceRoutes(state: FakeState): Route[] {
  const { store } = state;
  return [
    {
      method: 'GET',
      pattern: '/primero',
      auth: false,
      handler: () =>
        json({
          data: {
            sandbox_ui: false,
            config_ui: 'full',
            allow_self_registration: false,
            locales: ['en', 'fr', 'ar'],
            webpush_enabled: false,
            agencies: store.agencies.map(({ unique_id, name }) => ({ unique_id, name })),
          },
        }),
    },
    {
      method: 'GET',
      pattern: '/lookups',
      handler: ({ query }) => json(pageOf(store.lookups, query)),
    },
    {
      method: 'GET',
      pattern: '/lookups/:id',
      handler: ({ params, path }) => {
        const lookup = store.lookups.find((l) => String(l.id) === params.id);
        return lookup ? json({ data: lookup }) : notFound(`/api/v2${path}`, 'Lookup', params.id);
      },
    },
    {
      method: 'GET',
      pattern: '/forms',
      // Forms are not paginated (2.2).
      handler: ({ query }) => {
        const recordType = query.get('record_type');
        const moduleId = query.get('module_id');
        const forms = store.forms.filter((f) => (!recordType || f.parent_form === recordType) && (!moduleId || f.module_ids.includes(moduleId)));
        return json({ data: forms });
      },
    },
    {
      method: 'GET',
      pattern: '/locations',
      handler: ({ query }) => {
        const hierarchy = query.get('hierarchy') === 'true';
        const rows = store.locations.map(({ admin_level, placename, hierarchy: parents, ...rest }) => (hierarchy ? { ...rest, admin_level, placename, hierarchy: parents } : rest));
        // Locations default to 100 a page, with no cap (2.2).
        return json(pageOf(rows, query, { defaultPer: 100 }));
      },
    },
    {
      method: 'GET',
      pattern: '/users',
      handler: ({ query }) => {
        // `user_name` is one of the index's filters (section 8): an exact match, case-insensitive like logins.
        const userName = query.get('user_name')?.toLowerCase();
        const rows = store.users.filter((u) => !userName || u.user_name.toLowerCase() === userName).map(publicUser);
        const page = pageOf(rows, query);
        return json({ ...page, metadata: { ...page.metadata, total_enabled: store.users.filter((u) => !u.disabled).length } });
      },
    },
    {
      method: 'GET',
      pattern: '/contact_information',
      // The system's help-desk contact (section 8) and the running version, as a 2.x server sends them.
      handler: () =>
        json({
          data: {
            name: 'Fake Primero help desk',
            organization: 'Demo organization',
            phone: null,
            email: 'helpdesk@example.org',
            location: null,
            support_forum: null,
            other_information: null,
            primero_version: '2.15.2.1',
          },
        }),
    },
    {
      method: 'GET',
      pattern: '/users/refer-to',
      handler: ({ query, user }) => {
        // Without record_module_id the list is essentially empty; the filter is `service`, singular (5.3).
        const moduleId = query.get('record_module_id');
        const service = query.get('service');
        const agency = query.get('agency');
        const location = query.get('location');
        const eligible = store.users.filter(
          (u) =>
            u.user_name !== user.user_name &&
            !u.disabled &&
            u.receives_referrals &&
            moduleId !== null &&
            u.module_ids.includes(moduleId) &&
            (!service || u.services.includes(service)) &&
            (!agency || u.agency === agency) &&
            (!location || u.location === location),
        );
        return json({ data: eligible.map((u) => ({ id: u.id, user_name: u.user_name, code: null, position: u.position, location: u.location, agency: u.agency, disabled: u.disabled, services: u.services })) });
      },
    },
  ];
}

function publicUser(user: FakeUser): Record<string, unknown> {
  return {
    id: user.id,
    user_name: user.user_name,
    full_name: user.full_name,
    disabled: user.disabled,
    agency_id: null,
    role_unique_id: user.receives_referrals ? 'role-provider' : 'role-caseworker',
    module_unique_ids: user.module_ids,
    user_group_unique_ids: [],
    location: user.location,
    services: user.services,
  };
}
