/**
 * The msw server shared by the unit tests, and helpers to record what the SDK sent. Tests add handlers
 * with `server.use(...)`; anything unhandled fails the test (`onUnhandledRequest: 'error'`).
 */
import { setupServer } from 'msw/node';
import { PrimeroClient, type ClientOptions } from '../../src/index.js';

export const BASE = 'https://primero.test';
export const API = `${BASE}/api/v2`;

export const server = setupServer();

/** What the SDK sent, as seen by the server. */
export interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: string;
}

/** Collects every request msw sees (including unhandled ones) during a test. */
export function recordRequests(): Seen[] {
  const seen: Seen[] = [];
  server.events.on('request:start', ({ request }) => {
    const url = new URL(request.url);
    const clone = request.clone();
    const entry: Seen = { method: request.method, path: url.pathname, query: url.searchParams, headers: request.headers, body: '' };
    seen.push(entry);
    void clone.text().then((text) => {
      entry.body = text;
    });
  });
  return seen;
}

/** A client against the msw server with fast retries, so retry tests take milliseconds. */
export function testClient(options: Partial<ClientOptions> = {}): PrimeroClient {
  return new PrimeroClient({ baseUrl: BASE, retry: { baseDelayMs: 1, maxDelayMs: 5 }, ...options });
}

export const CREDENTIALS = { username: 'primero_api', password: 'S3cret-Passw0rd!' } as const;
