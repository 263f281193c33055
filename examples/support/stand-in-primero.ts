/**
 * A small stand-in Primero for the examples, so they run with no server and no credentials. It answers
 * through msw inside this process: Basic auth, `GET /api/v2/cases` with page/per/order and a `status`
 * filter, and `GET /api/v2/cases/:id`, shaped as primero-api.md sections 2 and 4 describe. The faithful,
 * stateful fake Primero (issue [3]) replaces it.
 */
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';

export const STAND_IN_URL = 'https://stand-in.primero.invalid';
export const STAND_IN_USER = { username: 'demo_caseworker', password: 'demo-password' } as const;

const SEXES = ['female', 'male'] as const;
const CONCERNS = ['separated', 'unaccompanied', 'physical_violence', 'psychosocial', 'child_labour', 'caafag'] as const;
const LOCATIONS = ['KH01', 'KH02', 'KH03', 'KH04'] as const;
const NAMES = ['Amina', 'Sokha', 'Dara', 'Nimol', 'Fatou', 'Grace', 'Yusuf', 'Bopha'] as const;

/** A deterministic pseudo-random generator (mulberry32), so every run shows the same demo data. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function demoCases(count: number): Record<string, unknown>[] {
  const next = random(2026);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const start = Date.UTC(2026, 0, 1);
  return Array.from({ length: count }, (_, i) => {
    const id = `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`;
    const created = new Date(start + i * 3_600_000).toISOString();
    return {
      id,
      case_id_display: `CP-${id.slice(-7)}`,
      short_id: id.slice(-7),
      enabled: true,
      status: next() < 0.8 ? 'open' : 'closed',
      name: `${pick(NAMES)} ${String.fromCharCode(65 + Math.floor(next() * 26))}.`,
      sex: pick(SEXES),
      age: Math.floor(next() * 18),
      protection_concerns: [pick(CONCERNS)],
      location_current: pick(LOCATIONS),
      module_id: 'primeromodule-cp',
      created_at: created,
      last_updated_at: created,
    };
  });
}

/** Starts the stand-in; `close()` stops intercepting. */
export function startStandIn(options: { cases?: number } = {}): { close: () => void } {
  const cases = demoCases(options.cases ?? 240);
  const expected = `Basic ${btoa(`${STAND_IN_USER.username}:${STAND_IN_USER.password}`)}`;
  const unauthorized = () =>
    HttpResponse.json({ error: 'You need to sign in or sign up before continuing.' }, { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="Primero" charset="UTF8"' } });
  const server = setupServer(
    http.all(`${STAND_IN_URL}/api/v2/*`, ({ request }) => {
      if (request.headers.get('authorization') !== expected) return unauthorized();
      return undefined; // authenticated: fall through to the routes below
    }),
    http.get(`${STAND_IN_URL}/api/v2/cases`, ({ request }) => {
      const query = new URL(request.url).searchParams;
      const page = Number(query.get('page') ?? 1);
      const per = Math.min(Number(query.get('per') ?? 20), 1000);
      const statuses = query.get('status')?.split(',');
      const descending = query.get('order') === 'desc';
      let rows = statuses ? cases.filter((c) => statuses.includes(String(c.status))) : cases;
      if (descending) rows = [...rows].reverse();
      return HttpResponse.json({ data: rows.slice((page - 1) * per, page * per), metadata: { total: rows.length, per, page } });
    }),
    http.get(`${STAND_IN_URL}/api/v2/cases/:id`, ({ params, request }) => {
      const found = cases.find((c) => c.id === params.id);
      if (!found) {
        return HttpResponse.json({ errors: [{ status: 404, resource: new URL(request.url).pathname, message: 'Not Found' }] }, { status: 404 });
      }
      return HttpResponse.json({ data: found });
    }),
  );
  server.listen({ onUnhandledRequest: 'bypass' });
  return { close: () => server.close() };
}
