/**
 * The fake Primero: a stateful, in-memory server behind a fetch-style handler `(Request) => Response`.
 * Adapters put it behind msw (`fake.handlers`) or a real HTTP server on loopback (`fake.listen()`).
 *
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { FakeAuth, configurationLock, type FakeAuthMode } from './auth.js';
import { FaultInjector, badGateway, faultRuleProblem, resetError, statusFault, truncated, type FaultKind, type FaultRule } from './faults.js';
import { apiError } from './http.js';
import { Random } from './random.js';
import { Router, type Route } from './router.js';
import { recordRoutes } from './routes/records.js';
import { referenceRoutes } from './routes/reference.js';
import { referralRoutes } from './routes/referrals.js';
import { seedStore } from './seed.js';
import type { FakeRecord, FakeStore, FakeUser } from './store.js';
import { DataForwarding, type RecordChangeEvent, type WebhookDelivery, type WebhookFetch } from './webhooks.js';

/** Options of {@link createFakePrimero}. Every one is optional. */
export interface FakePrimeroOptions {
  /** Seed of the generated data (and of fault injection): the same seed gives the same data. Default 1. */
  seed?: number;
  /** How many cases to generate. Default 50. */
  cases?: number;
  /**
   * Users in place of the seeded ones (copied, so the array given is never changed). The seeded users are a
   * demo caseworker (`demo_caseworker`, who may also sync), three referral recipients (`cp_worker`,
   * `unhcr_focal`, `health_provider`) and a disabled one (`former_staff`), all with the password
   * `DEMO_PASSWORD`. The first user's credentials are `fake.credentials`, and the seeded cases are owned and
   * created by the first user; they are referred only to enabled users who receive referrals (none when no
   * user does).
   */
  users?: FakeUser[];
  /** Which credentials the server accepts. Default `['basic', 'session']`, like a current Primero. */
  auth?: FakeAuthMode | readonly FakeAuthMode[];
  /** CSRF protection for cookie sessions (`PRIMERO_USE_CSRF_PROTECTION`). Default true. */
  csrf?: boolean;
  /** Idle timeout of a cookie session. Default 3600 (60 minutes). */
  sessionIdleSeconds?: number;
  /** Lifetime of a legacy JWT or an identity-provider token. Default 3600. */
  tokenTtlSeconds?: number;
  /** Delay before every answer, in milliseconds. Default 0. */
  latencyMs?: number;
  /** Where the msw handlers answer. Default `https://primero.fake`. */
  baseUrl?: string;
  /** The fake's clock, in epoch milliseconds (move it to expire sessions and tokens). Default `Date.now`. */
  now?: () => number;
  /**
   * Faults to inject: error statuses, connection resets, truncated bodies, a proxy's HTML 502, latency; per
   * method and path, at a rate, reproducible under `seed`. They become `fake.faults`, which a test may change
   * at any time. See {@link FaultRule}. Default none.
   * @example
   * ```ts
   * createFakePrimero({ seed: 3, faults: [{ method: 'GET', path: '/cases', rate: 0.1, kind: 'status', status: 500 }] });
   * ```
   */
  faults?: readonly FaultRule[];
  /**
   * Whether to keep every request in `fake.requests`. Default true; false leaves `fake.requests` empty, for a
   * long-running fake (the `fake-server` command) whose memory must not grow with its traffic.
   */
  recordRequests?: boolean;
  /** How long a webhook receiver may take to answer before the delivery counts as failed, in milliseconds. Default 10000. */
  webhookTimeoutMs?: number;
  /** The `fetch` data forwarding posts to `store.webhooks` with. Default `globalThis.fetch`, looked up at each delivery. */
  webhookFetch?: WebhookFetch;
}

/** A fake Primero served over HTTP on loopback. */
export interface FakeServer {
  /** `http://127.0.0.1:<port>`: the client's `baseUrl`. */
  url: string;
  /** Stops the server and closes its connections. */
  close: () => Promise<void>;
}

/** One request the fake received, for assertions. */
export interface RecordedRequest {
  method: string;
  /** Path from `/api/v2`, e.g. `/cases`. */
  path: string;
  query: URLSearchParams;
  headers: Headers;
  /** The parsed JSON body, or undefined. */
  body: unknown;
  /** The fault injected into this request's answer, if any (`latency` is not listed). */
  fault?: Exclude<FaultKind, 'latency'>;
}

/** @internal What the route modules share. */
export interface FakeState {
  store: FakeStore;
  random: Random;
  now: () => number;
  auth: FakeAuth;
  /** Tells data forwarding that a record changed (`create`, `update`, or a manual sync: `post`). */
  recordChanged(event: RecordChangeEvent, recordType: 'case' | 'incident', record: FakeRecord): void;
}

/** @internal A module of routes, given the shared state. */
export type RouteModule = (state: FakeState) => Route[];

// Imported, not self-registered: the package is side-effect free, and a bundler may drop unused modules.
const ROUTE_MODULES: RouteModule[] = [recordRoutes, referralRoutes, referenceRoutes];

/**
 * A stateful in-memory Primero. Use it through `fetch` (pass `fake.fetch` as the client's `fetch`),
 * msw (`server.use(...fake.handlers)`), or a real server (`await fake.listen()`).
 *
 * @example
 * ```ts
 * const fake = createFakePrimero({ cases: 20 });
 * const client = new PrimeroClient({ baseUrl: fake.baseUrl, auth: fake.credentials, fetch: fake.fetch });
 * ```
 */
export class FakePrimero {
  /** The data: seed it before a run, inspect it after. */
  readonly store: FakeStore;
  /** Every request received, in order; empty when the fake was created with `recordRequests: false`. */
  readonly requests: RecordedRequest[] = [];
  /** Where the fake answers through msw and `fetch` (a real server has its own URL). */
  readonly baseUrl: string;
  /** A demo caseworker's credentials, accepted by Basic and by the login. */
  readonly credentials: { username: string; password: string };
  /**
   * The fault rules in force, tried in order for every request (see {@link FaultRule}). Push, splice or
   * empty it mid-test; faults are drawn from per-rule streams seeded from the fake's `seed`, so the same
   * seed and the same requests give the same faults.
   * @example
   * ```ts
   * fake.faults.push({ method: 'POST', path: '/cases', kind: 'reset', times: 1 });
   * await expect(client.cases.create({ name: 'x' }, { idempotent: false })).rejects.toBeInstanceOf(ConnectionError);
   * fake.faults.length = 0;
   * ```
   */
  readonly faults: FaultRule[];
  /** @internal */
  readonly state: FakeState;
  readonly #router = new Router();
  readonly #latencyMs: number;
  readonly #recordRequests: boolean;
  readonly #faults: FaultInjector;
  readonly #listeners: Array<(event: RecordChangeEvent, recordType: 'case' | 'incident', record: FakeRecord) => void> = [];
  readonly #forwarding: DataForwarding;

  constructor(options: FakePrimeroOptions = {}) {
    const random = new Random(options.seed ?? 1);
    const now = options.now ?? Date.now;
    this.store = seedStore(random, options.cases ?? 50, options.users);
    this.baseUrl = (options.baseUrl ?? 'https://primero.fake').replace(/\/+$/, '');
    this.#latencyMs = options.latencyMs ?? 0;
    this.#recordRequests = options.recordRequests ?? true;
    this.faults = [...(options.faults ?? [])];
    for (const rule of this.faults) {
      const problem = faultRuleProblem(rule);
      if (problem) throw new TypeError(`createFakePrimero: invalid fault rule: ${problem}`);
    }
    this.#faults = new FaultInjector(options.seed ?? 1, this.faults);
    const modes = options.auth === undefined ? (['basic', 'session'] as const) : [options.auth].flat();
    const auth = new FakeAuth(
      this.store,
      { modes, csrf: options.csrf ?? true, sessionIdleSeconds: options.sessionIdleSeconds ?? 3600, tokenTtlSeconds: options.tokenTtlSeconds ?? 3600, now },
      random,
    );
    const demo = this.store.users[0];
    this.credentials = { username: demo?.user_name ?? 'demo_caseworker', password: demo?.password ?? '' };
    this.state = {
      store: this.store,
      random,
      now,
      auth,
      recordChanged: (event, recordType, record) => {
        for (const listener of this.#listeners) listener(event, recordType, record);
      },
    };
    for (const module of ROUTE_MODULES) this.#router.add(...module(this.state));
    // Data forwarding (primero-api.md 7): every change is posted to the subscribed `store.webhooks`.
    this.#forwarding = new DataForwarding({ store: this.store, hostname: new URL(this.baseUrl).host, now,
      fetch: options.webhookFetch,
      ...(options.webhookTimeoutMs === undefined ? {} : { timeoutMs: options.webhookTimeoutMs }),
    });
    this.onRecordChanged((event, recordType, record) => this.#forwarding.enqueue(event, recordType, record));
  }

  /** Every data-forwarding POST that has ended (status or error), in order. Wait for them with {@link settle}. */
  get deliveries(): readonly WebhookDelivery[] {
    return this.#forwarding.deliveries;
  }

  /**
   * Waits until no data-forwarding delivery is queued or in flight. A receiver that acknowledges every
   * `case.update` with `markSynced` triggers another one (primero-api.md 7.4): then this never resolves.
   * @example
   * ```ts
   * await client.cases.update(id, { risk_level: 'high' });
   * await fake.settle();
   * expect(fake.deliveries).toHaveLength(1);
   * ```
   */
  settle(): Promise<void> {
    return this.#forwarding.settle();
  }

  /** @internal Subscribes to record changes (data forwarding). */
  onRecordChanged(listener: (event: RecordChangeEvent, recordType: 'case' | 'incident', record: FakeRecord) => void): void {
    this.#listeners.push(listener);
  }

  /** Mints an identity-provider token for a user, for servers in `bearer` mode. */
  issueIdpToken(userName: string, ttlSeconds?: number): string {
    return this.state.auth.issueIdpToken(userName, ttlSeconds);
  }

  /** Expires every cookie session, as an idle timeout would. */
  expireSessions(): void {
    this.state.auth.expireSessions();
  }

  /**
   * The user names of the signed-in cookie sessions: a login ends the user's other sessions (primero-api.md
   * 1.2a), so a name appears at most once.
   * @example
   * ```ts
   * expect(fake.activeSessions()).toEqual(['demo_caseworker']);
   * ```
   */
  activeSessions(): string[] {
    return this.state.auth.activeSessions();
  }

  /**
   * A `fetch` that answers from the fake: pass it as the client's `fetch` option. An injected connection
   * reset rejects as Node's own fetch does: `TypeError('fetch failed')` with an `ECONNRESET` cause.
   */
  readonly fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const response = await this.handle(new Request(input, init));
    if (response.type === 'error') throw resetError();
    return response;
  };

  /**
   * Answers one request, as the server would: the fetch-style core every adapter wraps. A failure inside the
   * fake is a 500 in the server's envelope (primero-api.md 3.2). An injected connection reset resolves to
   * `Response.error()`, the fetch standard's network error (`type: 'error'`, status 0): `fake.fetch` throws
   * Node's `TypeError('fetch failed')` for it, msw turns it into a network error, and `listen()` destroys the
   * socket. Rejects only with the request's abort reason, when its signal fires during injected latency.
   * A HEAD is answered as its GET, with the status and headers and no body (as Rails does).
   */
  readonly handle = async (request: Request): Promise<Response> => {
    const response = await this.#answer(request);
    if (request.method !== 'HEAD' || response.type === 'error') return response;
    await response.body?.cancel();
    return new Response(null, { status: response.status, headers: response.headers });
  };

  async #answer(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname.replace(/^.*?\/api\/v2(?=\/|$)/, '') || '/';
    if (!/\/api\/v2(\/|$)/.test(url.pathname)) return new Response('Not Found', { status: 404, headers: { 'content-type': 'text/plain' } });
    const text = request.method === 'GET' || request.method === 'HEAD' ? '' : await request.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // Rails answers a body it cannot parse as JSON with a 400 before any controller runs.
      return new Response('Bad Request', { status: 400, headers: { 'content-type': 'text/plain' } });
    }
    const recorded: RecordedRequest = { method: request.method, path, query: url.searchParams, headers: request.headers, body };
    if (this.#recordRequests) this.requests.push(recorded);
    // Faults stand for the network and the proxy in front of the app: they are decided before the app runs.
    const plan = this.#faults.draw(request.method, path);
    if (plan.invalid) return apiError(500, `/api/v2${path}`, `Invalid fault rule: ${plan.invalid}`);
    const delayMs = this.#latencyMs + plan.latencyMs;
    if (delayMs) await delay(delayMs, request.signal);
    const fault = plan.fault;
    if (fault) recorded.fault = fault.kind;
    if (fault?.kind === 'status') return statusFault(fault, path);
    if (fault?.kind === 'html502') return badGateway();
    if (fault?.kind === 'reset' && fault.when === 'before') return Response.error();
    const cookies = new Headers();
    let response: Response;
    try {
      response = withCookies(await this.#route(request, path, url, body, cookies), cookies);
    } catch (error) {
      // ErrorService renders anything unexpected as a 500 with the exception's message (primero-api.md 3.2).
      response = apiError(500, `/api/v2${path}`, error instanceof Error ? error.message : String(error));
    }
    // The server did the work; its answer is lost, or arrives cut off.
    if (fault?.kind === 'reset') return Response.error();
    if (fault?.kind === 'truncate') return truncated(response);
    return response;
  }

  /**
   * Serves the fake over real HTTP on loopback.
   * @example
   * ```ts
   * const { url, close } = await fake.listen({ port: 0 });
   * ```
   */
  async listen(options: { port?: number; host?: string } = {}): Promise<FakeServer> {
    const server = createServer((req, res) => void this.#serve(req, res));
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    return {
      url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
      close: () => new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    };
  }

  async #route(request: Request, path: string, url: URL, body: unknown, cookies: Headers): Promise<Response> {
    const auth = this.state.auth;
    if (path === '/tokens' && request.method === 'POST') return auth.login(request, body, cookies);
    if (path === '/tokens' && request.method === 'DELETE') return auth.logout(request, cookies);
    const found = this.#router.match(request.method, path);
    if (!found) return apiError(404, `/api/v2${path}`, 'Not Found', `No route matches [${request.method}] "/api/v2${path}"`);
    if (found.route.auth === false) {
      // Public routes skip authenticate_user! only: the lock and set_csrf_cookie still run (primero-api.md 1.5).
      const locked = configurationLock(this.store, path);
      if (locked) return locked;
      auth.bootstrap(request, cookies);
      return found.route.handler({ request, url, path, params: found.params, query: url.searchParams, user: undefined as never, body });
    }
    // ApplicationApiController's filters, in their order: authenticate_user!, check_config_update_lock!,
    // set_csrf_cookie, protect_from_forgery. So a bad credential gets its 401 even while the server is locked.
    const outcome = auth.authenticate(request);
    if ('response' in outcome) return outcome.response;
    const locked = configurationLock(this.store, path);
    if (locked) return locked;
    const refused = auth.admit(request, outcome, path, cookies);
    if (refused) return refused;
    return found.route.handler({ request, url, path, params: found.params, query: url.searchParams, user: outcome.user, body });
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let response: Response;
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (Array.isArray(value)) for (const v of value) headers.append(name, v);
        else if (value !== undefined) headers.set(name, value);
      }
      // A client that gives up (its timeout) closes the connection: that ends any injected latency.
      const gone = new AbortController();
      res.on('close', () => {
        if (!res.writableFinished) gone.abort();
      });
      const request = new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
        method: req.method ?? 'GET',
        headers,
        signal: gone.signal,
        ...(chunks.length && req.method !== 'GET' && req.method !== 'HEAD' ? { body: Buffer.concat(chunks) } : {}),
      });
      response = await this.handle(request);
    } catch {
      req.socket.destroy();
      return;
    }
    // An injected reset: drop the connection without a byte of answer, as a crashed worker or a proxy would.
    if (response.type === 'error') {
      req.socket.destroy();
      return;
    }
    const out: Record<string, string | string[]> = {};
    response.headers.forEach((value, name) => {
      if (name !== 'set-cookie') out[name] = value;
    });
    const setCookies = response.headers.getSetCookie();
    if (setCookies.length) out['set-cookie'] = setCookies;
    res.writeHead(response.status, out);
    res.end(Buffer.from(await response.arrayBuffer()));
  }
}

/** Waits `ms`, or rejects with the signal's reason as fetch does when the request is aborted meanwhile. */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function withCookies(response: Response, cookies: Headers): Response {
  const lines = cookies.getSetCookie();
  if (!lines.length) return response;
  const headers = new Headers(response.headers);
  for (const line of lines) headers.append('set-cookie', line);
  return new Response(response.body, { status: response.status, headers });
}
