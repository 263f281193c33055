/**
 * primero-sdk/testing: a faithful fake Primero for tests, examples and your own integration tests.
 *
 * @example
 * ```ts
 * import { createFakePrimero } from 'primero-sdk/testing';
 * import { PrimeroClient } from 'primero-sdk';
 *
 * const fake = createFakePrimero({ cases: 20, seed: 7 });
 * const client = new PrimeroClient({ baseUrl: fake.baseUrl, auth: fake.credentials, fetch: fake.fetch });
 * ```
 *
 * @packageDocumentation
 */
// msw is an optional peer dependency: only this entry (`primero-sdk/testing`) imports it, never the main one.
import { HttpResponse, http, type HttpHandler } from 'msw';
import { FakePrimero, type FakePrimeroOptions } from './fake.js';

/** A {@link FakePrimero} with msw handlers. */
export interface FakePrimeroWithHandlers extends FakePrimero {
  /**
   * msw handlers answering from the fake at `fake.baseUrl`: `server.use(...fake.handlers)`. An injected
   * connection reset becomes msw's network error (`HttpResponse.error()`). The fake answers with plain
   * `Response`s, so msw's own cookie store keeps none of its `Set-Cookie`s: the client's jar is the only one.
   */
  readonly handlers: readonly HttpHandler[];
}

/**
 * Creates a fake Primero seeded with generated data.
 * @example
 * ```ts
 * const fake = createFakePrimero({ cases: 500, auth: 'session', seed: 1 });
 * const { url, close } = await fake.listen();
 * ```
 */
export function createFakePrimero(options: FakePrimeroOptions = {}): FakePrimeroWithHandlers {
  const fake = new FakePrimero(options);
  const handlers = [
    http.all(`${fake.baseUrl}/*`, async ({ request }) => {
      const response = await fake.handle(request);
      return response.type === 'error' ? HttpResponse.error() : response;
    }),
  ];
  return Object.assign(fake, { handlers }) as FakePrimeroWithHandlers;
}

export { FakePrimero } from './fake.js';
export type { FakePrimeroOptions, FakeServer, RecordedRequest } from './fake.js';
export type { FakeAuthMode } from './auth.js';
export type { FaultKind, FaultMatch, FaultRule } from './faults.js';
export type { RecordChangeEvent, WebhookDelivery, WebhookFetch } from './webhooks.js';
export { CP_MODULE, DEMO_PASSWORD } from './seed.js';
export type { FakeField, FakeForm, FakeLocalized, FakeRecord, FakeStore, FakeTransition, FakeUser, FakeWebhook } from './store.js';
