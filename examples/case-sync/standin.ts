/**
 * A stand-in for the external case system: a small HTTP API on this machine (node:http) serving the two
 * calls of {@link OscarApi}, with its own ids, field names and quirks (a `since_date` that must be midnight,
 * free-text genders, malformed old dates). It counts what it is asked, so a test can prove that a rerun
 * wrote nothing.
 *
 * It keeps its clients in memory only, and is used only with the fake Primero: it holds the clients'
 * details, so it must never meet a real Primero's children (neither by creating invented children there,
 * nor by keeping copies of real ones).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { OscarClient, OscarUpsert } from './oscar.js';

/** What the stand-in was asked; `staff edits` made through {@link OscarStandIn.edit} are not counted. */
export interface StandInStats {
  listRequests: number;
  upsertRequests: number;
  created: number;
  updated: number;
  refused: number;
}

/** A client to seed: everything but the ids and timestamps the system assigns. */
export type SeedClient = Partial<Omit<OscarClient, 'id' | 'global_id' | 'slug' | 'created_at' | 'updated_at'>> & { updated_at?: string };

export interface StandInOptions {
  /** The API token it accepts. */
  token: string;
  /** Its clock (epoch ms). Default `Date.now`. */
  now?: () => number;
}

const UPSERT_FIELDS = ['external_id', 'external_id_display', 'mosvy_number', 'given_name', 'family_name', 'gender', 'date_of_birth', 'level_of_risk'] as const;
const ORGANIZATION = 'Hope for Children';
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export class OscarStandIn {
  readonly stats: StandInStats = { listRequests: 0, upsertRequests: 0, created: 0, updated: 0, refused: 0 };
  readonly #token: () => string;
  readonly #now: () => number;
  #clients: OscarClient[] = [];

  constructor(options: StandInOptions) {
    const { token } = options;
    this.#token = () => token;
    this.#now = options.now ?? Date.now;
  }

  /** How many clients it holds. */
  get size(): number {
    return this.#clients.length;
  }

  /** A copy of one client, by `global_id`. */
  find(globalId: string): OscarClient | undefined {
    const found = this.#clients.find((client) => client.global_id === globalId);
    return found && { ...found };
  }

  /** Copies of every client. */
  all(): OscarClient[] {
    return this.#clients.map((client) => ({ ...client }));
  }

  /** Adds clients as the system's staff would have entered them; returns their `global_id`s. */
  seed(clients: readonly SeedClient[]): string[] {
    const made = clients.map((seed) => {
      const client = this.#newClient();
      Object.assign(client, seed);
      client.created_at = seed.updated_at ?? client.created_at;
      client.updated_at = seed.updated_at ?? client.updated_at;
      return client;
    });
    this.#clients.push(...made);
    return made.map((client) => client.global_id);
  }

  /** A change made by the system's staff (not through the API): bumps `updated_at`, is not counted. */
  edit(globalId: string, patch: Partial<Omit<OscarClient, 'id' | 'global_id' | 'slug'>>): void {
    const client = this.#clients.find((c) => c.global_id === globalId);
    if (!client) throw new Error('edit: no such client');
    Object.assign(client, patch, { updated_at: this.#stamp() });
  }

  /** Answers one request: the fetch-style core behind {@link listen}. */
  async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (request.headers.get('authorization') !== `Bearer ${this.#token()}`) {
      this.stats.refused++;
      return json(401, { errors: ['You need to sign in or sign up before continuing.'] });
    }
    if (request.method === 'GET' && url.pathname === '/api/v1/organizations/clients') return this.#list(url);
    if (request.method === 'POST' && url.pathname === '/api/v1/organizations/clients/upsert') {
      let body: unknown;
      try {
        body = await request.json();
      } catch {
        return json(400, { errors: ['Malformed JSON'] });
      }
      return this.#upsert(body);
    }
    return json(404, { errors: ['Not found'] });
  }

  /** Serves the API over HTTP on loopback. */
  async listen(): Promise<{ url: string; close: () => Promise<void> }> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
        const hasBody = req.method !== 'GET' && req.method !== 'HEAD' && chunks.length > 0;
        const request = new Request(`http://localhost${req.url ?? '/'}`, { method: req.method ?? 'GET', headers, ...(hasBody ? { body: Buffer.concat(chunks) } : {}) });
        void this.handle(request).then(async (response) => {
          res.writeHead(response.status, { 'content-type': 'application/json' });
          res.end(Buffer.from(await response.arrayBuffer()));
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    return {
      url: `http://127.0.0.1:${port}`,
      close: () => new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    };
  }

  #list(url: URL): Response {
    this.stats.listRequests++;
    const since = url.searchParams.get('since_date');
    let from = '';
    if (since !== null) {
      // The real system's quirk: a since_date at any other time than midnight is refused.
      const day = /^(\d{4}-\d{2}-\d{2}) 00:00:00$/.exec(since);
      if (!day) return json(422, { errors: ['since_date must be a date at midnight: YYYY-MM-DD 00:00:00'] });
      from = `${day[1]}T00:00:00.000Z`;
    }
    const data = this.#clients.filter((client) => client.updated_at >= from).sort((a, b) => a.updated_at.localeCompare(b.updated_at));
    return json(200, { data });
  }

  #upsert(body: unknown): Response {
    this.stats.upsertRequests++;
    const input = (body as { organization?: unknown } | null)?.organization;
    if (typeof input !== 'object' || input === null) return json(422, { errors: ['organization is required'] });
    const fields = input as OscarUpsert & Record<string, unknown>;
    for (const name of UPSERT_FIELDS) {
      const value = fields[name];
      if (value !== undefined && value !== null && typeof value !== 'string') return json(422, { errors: [`${name} must be text`] });
    }
    let client: OscarClient | undefined;
    if (fields.global_id !== undefined) {
      client = this.#clients.find((c) => c.global_id === fields.global_id);
      if (!client) return json(404, { errors: ['Client not found'] });
    } else if (typeof fields.external_id === 'string' && fields.external_id) {
      client = this.#clients.find((c) => c.external_id === fields.external_id);
    }
    const created = !client;
    if (!client) {
      client = this.#newClient();
      client.status = 'Referred';
      this.#clients.push(client);
    }
    let changed = created;
    for (const name of UPSERT_FIELDS) {
      const value = fields[name];
      if (value === undefined || client[name] === value) continue;
      client[name] = value;
      changed = true;
    }
    if (changed) {
      client.updated_at = this.#stamp();
      if (created) this.stats.created++;
      else this.stats.updated++;
    }
    return json(created ? 201 : 200, { data: client });
  }

  #newClient(): OscarClient {
    const id = this.#clients.reduce((max, client) => Math.max(max, client.id), 0) + 1;
    const at = this.#stamp();
    return {
      id,
      global_id: ulid(this.#now()),
      slug: `hfc-${id}`,
      external_id: null,
      external_id_display: null,
      mosvy_number: null,
      given_name: null,
      family_name: null,
      gender: null,
      date_of_birth: null,
      level_of_risk: null,
      status: 'Active',
      organization_name: ORGANIZATION,
      created_at: at,
      updated_at: at,
    };
  }

  #stamp(): string {
    return new Date(this.#now()).toISOString();
  }
}

/** A ULID-shaped id (time, then randomness, in Crockford base 32), as the real system's `global_id`s look. */
function ulid(ms: number): string {
  let time = '';
  for (let i = 0, t = ms; i < 10; i++, t = Math.floor(t / 32)) time = CROCKFORD.charAt(t % 32) + time;
  const random = [...randomBytes(16)].map((byte) => CROCKFORD.charAt(byte % 32)).join('');
  return time + random;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}
