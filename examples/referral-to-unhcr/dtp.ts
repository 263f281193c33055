/**
 * UNHCR's side of the wire: the proGres DTP gateway (an Azure API Management front, research notes
 * peers.md 2.2). One referral is posted per service, under a key built from Primero's own ids, and the
 * gateway is asked later what UNHCR decided.
 *
 * The real gateway also wants a mutual-TLS client certificate; Node's fetch takes one through an undici
 * `Agent` passed as `dispatcher`, which this example leaves out.
 */

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
  /** The referring caseworker's user name, for UNHCR to contact. */
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

/** A client of the gateway. Errors name the status and route only: a body may quote the referral. */
export class DtpGateway {
  readonly #baseUrl: string;
  readonly #subscriptionKey: string;

  constructor(baseUrl: string, subscriptionKey: string) {
    const url = new URL(baseUrl);
    // The subscription key travels in a header: only over TLS, or on this machine.
    if (url.protocol !== 'https:' && !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) {
      throw new Error('UNHCR_DTP_URL must be https://');
    }
    this.#baseUrl = baseUrl.replace(/\/+$/, '');
    this.#subscriptionKey = subscriptionKey;
  }

  /** What the gateway holds for this referral, or undefined when it never received it. */
  async lookup(id: string): Promise<DtpReferralState | undefined> {
    const route = `/referrals/${encodeURIComponent(id)}`;
    const response = await this.#call('GET', route);
    if (response.status === 404) return undefined;
    if (!response.ok) throw new Error(`DTP gateway answered ${response.status} to GET /referrals/{id}`);
    return (await response.json()) as DtpReferralState;
  }

  /**
   * Posts a referral. A 409 means the gateway already holds this id (another run got there first):
   * reported as such rather than as a failure.
   */
  async send(referral: DtpReferral): Promise<'received' | 'already_held'> {
    const response = await this.#call('POST', '/ReceiveIncomingReferral', referral);
    if (response.status === 409) return 'already_held';
    if (!response.ok) throw new Error(`DTP gateway answered ${response.status} to POST /ReceiveIncomingReferral`);
    return 'received';
  }

  async #call(method: 'GET' | 'POST', route: string, body?: unknown): Promise<Response> {
    const response = await fetch(`${this.#baseUrl}${route}`, {
      method,
      headers: { 'Ocp-Apim-Subscription-Key': this.#subscriptionKey, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(15_000),
    });
    // Left unread, a body would hold the connection until garbage collection.
    if (!response.ok) await response.body?.cancel();
    return response;
  }
}
