/**
 * A stand-in for the proGres DTP gateway, on loopback: it takes referrals as `POST /ReceiveIncomingReferral`
 * (with the `Ocp-Apim-Subscription-Key` header, peers.md 2.2), answers `GET /referrals/{id}` with UNHCR's
 * decision so far, and lets the demo (or a test) play the UNHCR caseworker who decides. It remembers every
 * POST it was sent, duplicates included, so that "received exactly once" can be checked rather than assumed.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { REVIEW_ACCEPTED, REVIEW_REJECTED, type DtpReferral, type DtpReferralState } from './dtp.js';

export interface DtpStandIn {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Every POST of a referral, in order: the referral ids sent, a duplicate appearing twice. */
  readonly posts: readonly string[];
  /** The referrals held, by id. */
  readonly referrals: ReadonlyMap<string, { referral: DtpReferral; state: DtpReferralState }>;
  /** UNHCR reviews a referral. */
  accept(id: string): void;
  reject(id: string, reasonCode: string): void;
  /** UNHCR delivered the intervention of an accepted referral. */
  complete(id: string, note: string): void;
  close(): Promise<void>;
}

export async function startDtpStandIn(options: { subscriptionKey: string }): Promise<DtpStandIn> {
  const posts: string[] = [];
  const referrals = new Map<string, { referral: DtpReferral; state: DtpReferralState }>();

  const held = (id: string) => {
    const entry = referrals.get(id);
    if (!entry) throw new Error(`the stand-in holds no referral ${id}`);
    return entry.state;
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => reply(res, 500, { error: 'internal_error' }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.headers['ocp-apim-subscription-key'] !== options.subscriptionKey) {
      req.resume();
      return reply(res, 401, { statusCode: 401, message: 'Access denied due to invalid subscription key.' });
    }
    const url = new URL(req.url ?? '/', 'http://stand-in');
    if (req.method === 'POST' && url.pathname === '/ReceiveIncomingReferral') {
      const referral = (await readJson(req)) as Partial<DtpReferral> | undefined;
      const id = referral?.progres_orgreferralid;
      if (typeof id !== 'string' || !id || typeof referral?.progres_interventiontype !== 'string') return reply(res, 400, { error: 'invalid_referral' });
      posts.push(id);
      if (referrals.has(id)) return reply(res, 409, { error: 'duplicate_referral' });
      referrals.set(id, {
        referral: referral as DtpReferral,
        state: { progres_orgreferralid: id, progres_reviewdecision: null, progres_rejectionreason: null, progres_interventionstatus: 'open', progres_closurenote: null },
      });
      return reply(res, 202, { status: 'Pending Acknowledgement' });
    }
    const match = /^\/referrals\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && match?.[1]) {
      const entry = referrals.get(decodeURIComponent(match[1]));
      return entry ? reply(res, 200, entry.state) : reply(res, 404, { error: 'not_found' });
    }
    req.resume();
    return reply(res, 404, { error: 'not_found' });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    posts,
    referrals,
    accept: (id) => {
      held(id).progres_reviewdecision = REVIEW_ACCEPTED;
    },
    reject: (id, reasonCode) => {
      Object.assign(held(id), { progres_reviewdecision: REVIEW_REJECTED, progres_rejectionreason: reasonCode });
    },
    complete: (id, note) => {
      const state = held(id);
      if (state.progres_reviewdecision !== REVIEW_ACCEPTED) throw new Error('only an accepted referral can be completed');
      Object.assign(state, { progres_interventionstatus: 'closed', progres_closurenote: note });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}
