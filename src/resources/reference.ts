/**
 * The reference data around records: forms, locations and users (primero-api.md section 8).
 *
 * @module
 */
import type { PagedIterable, PaginationOptions } from '../core/pagination.js';
import type { Requester } from '../core/requester.js';
import type { RequestOptions } from '../core/transport.js';
import { many } from '../models/common.js';
import { FormSection } from '../models/form.js';
import { Location } from '../models/location.js';
import { User } from '../models/user.js';

/** Forms. Reach it as `client.forms`. */
export class FormsResource {
  /** @internal */
  constructor(private readonly api: Requester) {}

  /**
   * `GET /api/v2/forms`: the form sections (not paginated), optionally of one record type and module.
   * @example
   * ```ts
   * const forms = await client.forms.list({ record_type: 'case', module_id: 'primeromodule-cp' });
   * ```
   */
  async list(params: { record_type?: string; module_id?: string } = {}, options: RequestOptions = {}): Promise<FormSection[]> {
    const query = { record_type: params.record_type, module_id: params.module_id };
    return (await this.api.call({ ...options, method: 'GET', path: '/forms', query }, many(FormSection))).data.data;
  }
}

/** Locations. Reach it as `client.locations`. */
export class LocationsResource {
  /** @internal */
  constructor(private readonly api: Requester) {}

  /**
   * `GET /api/v2/locations`: every location, page by page; `hierarchy: true` adds admin levels and parents.
   * @example
   * ```ts
   * for await (const location of client.locations.list({ hierarchy: true })) console.log(location.code);
   * ```
   */
  list(params: PaginationOptions & { hierarchy?: boolean } = {}, options: RequestOptions = {}): PagedIterable<Location> {
    const { hierarchy, ...paging } = params;
    return this.api.list({ ...paging, path: '/locations', query: { hierarchy }, schema: Location, sort: { by: 'code' } }, options);
  }
}

/** Users. Reach it as `client.users`. */
export class UsersResource {
  /** @internal */
  constructor(private readonly api: Requester) {}

  /**
   * `GET /api/v2/users`: the users this user may see, page by page.
   * @example
   * ```ts
   * for await (const user of client.users.list()) console.log(user.user_name);
   * ```
   */
  list(params: PaginationOptions = {}, options: RequestOptions = {}): PagedIterable<User> {
    return this.api.list({ ...params, path: '/users', schema: User }, options);
  }
}
