/**
 * UNHCR's side of the wire: the proGres DTP gateway (an Azure API Management front, research notes
 * peers.md 2.2). One referral is posted per service, under a key built from Primero's own ids, and the
 * gateway is asked later what UNHCR decided.
 *
 * The real gateway also wants a mutual-TLS client certificate; Node's fetch takes one through an undici
 * `Agent` passed as `dispatcher`, which this example leaves out.
 */
import { PartnerHttp, PartnerHttpError } from '../support/partner-http.js';

/** `progres_reviewdecision` values (peers.md 2.2). */
export const REVIEW_ACCEPTED = 125080000;
export const REVIEW_REJECTED = 125080001;

/** The body of `POST /ReceiveIncomingReferral`. */
export interface DtpReferral {
  request_type: 'ReceiveIncomingReferral';
  /** {@link externalReferralId}: how both sides name this referral. */
  progres_orgreferralid: string;
  /** The proGres intervention type the Primero service maps to. */
  progres_interventiontype: string;
  primero_referral_id: string;
  primero_case_id_display: string | null;
  /** The user name of the case's caseworker (its `owned_by`), for UNHCR to contact. */
  primero_user: string | null;
  referral_date: string | null;
}

/** What the gateway answers to `GET /referrals/{id}` once it holds the referral. */
export interface DtpReferralState {
  progres_orgreferralid: string;
  /** Null until UNHCR has reviewed the referral. */
  progres_reviewdecision: number | null;
  /** A code, e.g. `individual_not_found`, when rejected. */
  progres_rejectionreason: string | null;
  /** `closed` once the intervention was delivered. */
  progres_interventionstatus: 'open' | 'closed';
  /** UNHCR's closing note; free text, never logged. */
  progres_closurenote: string | null;
}

/** UNHCR's decision, as the job acts on it. */
export type Decision =
  | { kind: 'pending' }
  | { kind: 'accepted' }
  | { kind: 'completed'; note: string | null }
  | { kind: 'rejected'; reasonCode: string };

/**
 * The key of a referral on both sides: `<case_id>#<last 12 characters of the service's unique_id>`, the
 * convention of the deployed proGres flows (peers.md 2.2). Built from Primero alone, so a rerun finds the
 * referral at UNHCR without any state of its own.
 */
export function externalReferralId(caseId: string, serviceUniqueId: string): string {
  return `${caseId}#${serviceUniqueId.slice(-12)}`;
}

export function decisionOf(state: DtpReferralState): Decision {
  if (state.progres_reviewdecision === REVIEW_REJECTED) return { kind: 'rejected', reasonCode: state.progres_rejectionreason ?? 'unspecified' };
  if (state.progres_reviewdecision !== REVIEW_ACCEPTED) return { kind: 'pending' };
  return state.progres_interventionstatus === 'closed' ? { kind: 'completed', note: state.progres_closurenote } : { kind: 'accepted' };
}

export interface DtpGatewayOptions {
  /** Default: the global fetch. The real gateway's mutual TLS goes through an undici `Agent` here. */
  fetch?: typeof fetch;
  /** Limit for one request. Default 15 s. */
  timeoutMs?: number;
}

/**
 * A client of the gateway. A failed call is a `PartnerHttpError` naming the status and the route only: a
 * body (an error's, or a 2xx page that is not JSON) may quote the referral.
 */
export class DtpGateway {
  readonly #http: PartnerHttp;

  /** @throws ExampleError for a URL that is invalid, holds credentials, or is plain http off this machine. */
  constructor(baseUrl: string, subscriptionKey: string, options: DtpGatewayOptions = {}) {
    this.#http = new PartnerHttp({
      partner: 'DTP gateway',
      baseUrl,
      baseUrlName: 'UNHCR_DTP_URL',
      headers: { 'Ocp-Apim-Subscription-Key': subscriptionKey },
      timeoutMs: options.timeoutMs ?? 15_000,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  }

  /** host[:port], for output. */
  get host(): string {
    return this.#http.host;
  }

  /** What the gateway holds for this referral, or undefined when it never received it. */
  async lookup(id: string): Promise<DtpReferralState | undefined> {
    const route = '/referrals/{id}';
    const { status, body } = await this.#http.request('GET', `/referrals/${encodeURIComponent(id)}`, { route, accept: [404] });
    if (status === 404) return undefined;
    if (typeof body !== 'object' || body === null) throw new PartnerHttpError('DTP gateway', status, `GET ${route}`, `answered ${status} without a referral`);
    return body as DtpReferralState;
  }

  /**
   * Posts a referral. A 409 means the gateway already holds this id (another run got there first):
   * reported as such rather than as a failure. The answer's body is not needed, and not read.
   */
  async send(referral: DtpReferral): Promise<'received' | 'already_held'> {
    const { status } = await this.#http.request('POST', '/ReceiveIncomingReferral', { route: '/ReceiveIncomingReferral', body: referral, accept: [409], read: 'none' });
    return status === 409 ? 'already_held' : 'received';
  }
}
