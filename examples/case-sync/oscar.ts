/**
 * The external case system's API as this example sees it: an OSCaR-like NGO case-management system
 * (peers.md 2.1), with its own ids (`global_id`, `slug`, a numeric row `id`) and its own field names
 * (`given_name`, `gender`, `level_of_risk`, `external_id` for Primero's `case_id`).
 *
 * Only two calls matter to a sync, and both exist on the real system: the clients changed since a date, and
 * an upsert that matches on `global_id`, else on `external_id`. Matching on `external_id` is what makes a
 * retried push of a Primero case safe: a second push finds the client the first one created.
 *
 * @module
 */
import { PartnerHttp, PartnerHttpError } from '../support/partner-http.js';

/** A client (a child's case) as the external system renders it. */
export interface OscarClient {
  /** The external system's own row id: meaningless outside it, never stored in Primero. */
  id: number;
  /** The cross-system id, stored in Primero's `oscar_number`. */
  global_id: string;
  /** The short human id, stored in Primero's `oscar_short_id`. */
  slug: string;
  /** Primero's `case_id`, once Primero knows the client. */
  external_id: string | null;
  /** Primero's `case_id_display`. */
  external_id_display: string | null;
  /** The ministry's number (MoSVY in Cambodia). */
  mosvy_number: string | null;
  given_name: string | null;
  family_name: string | null;
  /** Free text in old data: `Female`, `male`, `other`... */
  gender: string | null;
  /** `YYYY-MM-DD`, except in old data (`22012-01-01`, `2016/02/17`). */
  date_of_birth: string | null;
  /** `low`, `medium`, `high` or `no action`. */
  level_of_risk: string | null;
  /** The client's workflow status: `Referred`, `Accepted`, `Active`, `Exited` (and the odd typo). */
  status: string;
  organization_name: string;
  created_at: string;
  /** Changes on every write that changed something. */
  updated_at: string;
}

/**
 * The body of an upsert: the key (`global_id`, else `external_id`) and the fields Primero owns or shares.
 * `null` clears a field; a missing key leaves it as it is.
 */
export interface OscarUpsert {
  global_id?: string;
  external_id?: string | null;
  external_id_display?: string | null;
  mosvy_number?: string | null;
  given_name?: string | null;
  family_name?: string | null;
  gender?: string | null;
  date_of_birth?: string | null;
  level_of_risk?: string | null;
}

/** Where the external system is and how to sign in. */
export interface OscarApiOptions {
  /** https (or http on this machine), without credentials in it. */
  baseUrl: string;
  /** The API token. Kept in a closure: never a property, never logged. */
  token: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * A small typed client of the external system's API. A failed call is a `PartnerHttpError` that names the
 * status and the route only: an answer's body may quote a child's record (the Cambodia jobs conceal these
 * bodies for that reason), a 2xx body that is not JSON included.
 */
export class OscarApi {
  readonly #http: PartnerHttp;

  /** @throws ExampleError for a base URL that is invalid, holds credentials, or is plain http off this machine. */
  constructor(options: OscarApiOptions) {
    this.#http = new PartnerHttp({
      partner: 'The external system',
      baseUrl: options.baseUrl,
      baseUrlName: 'OSCAR_URL',
      headers: { authorization: `Bearer ${options.token}` },
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
  }

  /** The system's origin (no credentials), which the sync's state is bound to. */
  get origin(): string {
    return new URL(this.#http.baseUrl).origin;
  }

  /** host[:port], for output. */
  get host(): string {
    return this.#http.host;
  }

  /**
   * The clients changed on or after `sinceDate` (`YYYY-MM-DD`), oldest change first; every client without
   * a date. The system only accepts midnight (`since_date=YYYY-MM-DD 00:00:00`), so a cursor is a day, and
   * each run reads its cursor's whole day again: processing must be idempotent.
   */
  async listClients(sinceDate?: string): Promise<OscarClient[]> {
    const query = sinceDate ? `?${new URLSearchParams({ since_date: `${sinceDate} 00:00:00` })}` : '';
    const route = '/api/v1/organizations/clients';
    const { status, body } = await this.#http.request('GET', `${route}${query}`, { route });
    const data = (body as { data?: unknown } | null)?.data;
    if (!Array.isArray(data)) throw new PartnerHttpError('The external system', status, `GET ${route}`, `answered ${status} without a list of clients`);
    return data as OscarClient[];
  }

  /** Creates or updates a client (by `global_id`, else `external_id`) and returns it as stored. */
  async upsertClient(client: OscarUpsert): Promise<OscarClient> {
    const route = '/api/v1/organizations/clients/upsert';
    const { status, body } = await this.#http.request('POST', route, { route, body: { organization: client } });
    const data = (body as { data?: unknown } | null)?.data;
    if (typeof data !== 'object' || data === null || typeof (data as { global_id?: unknown }).global_id !== 'string') {
      throw new PartnerHttpError('The external system', status, `POST ${route}`, `answered ${status} without the client`);
    }
    return data as OscarClient;
  }
}
