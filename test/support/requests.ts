/** Reading what the SDK sent, and building the server's answers, for the resource tests. */
import { HttpResponse, type JsonBodyType } from 'msw';
import type { Seen } from './server.js';

/** msw records bodies asynchronously: let the clones' text() settle before reading them. */
export async function settled(seen: Seen[]): Promise<Seen[]> {
  await new Promise((resolve) => setTimeout(resolve, 0));
  return seen;
}

/** `GET /cases`-style lines of what the server saw, in order (paths from /api/v2). */
export function trail(seen: readonly Seen[]): string[] {
  return seen.map((s) => `${s.method} ${s.path.replace('/api/v2', '')}`);
}

/** The parsed JSON body of a request, or undefined when it had none. */
export function body(seen: Seen | undefined): unknown {
  if (!seen) throw new Error('no such request');
  return seen.body === '' ? undefined : JSON.parse(seen.body);
}

/** The query of a request as a plain object. */
export function query(seen: Seen | undefined): Record<string, string> {
  if (!seen) throw new Error('no such request');
  return Object.fromEntries(seen.query);
}

/** One page of a list, as the server renders it (primero-api.md 2.2). */
export function page(data: unknown[], metadata: Partial<{ total: number; per: number; page: number }> = {}): JsonBodyType {
  return { data, metadata: { total: data.length, per: 100, page: 1, ...metadata } } as JsonBodyType;
}

/** Primero's error envelope (primero-api.md 3.1). */
export function apiError(status: number, message: string | string[], detail?: string | string[], resource = '/api/v2/cases'): Response {
  return HttpResponse.json({ errors: [{ status, resource, ...(detail === undefined ? {} : { detail }), message }] }, { status });
}
