/**
 * createWebhookHandler's answers (405/401/413/400/500/200) in its three forms: a real node:http server, an
 * Express-style call after a body parser, and fetch-style. The user's error and the body are never echoed.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { http, passthrough } from 'msw';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { AcknowledgementTracker, createWebhookHandler, type NodeWebhookRequest, type WebhookDelivery, type WebhookHandlerOptions } from '../../src/webhooks/index.js';
import { server as msw } from '../support/server.js';

const KEY = 'k-7f3a9c';
const SECRET_ERROR = 'db failed for Amina Keo';
const body = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ data: { record_id: '3f2a9c1e-0000-4000-8000-000000000001', record_type: 'case', hostname: 'primero.example', name: 'Amina Keo', ...extra, last_updated_at: '2025-05-01T12:00:00.000Z' } });

function options(overrides: Partial<WebhookHandlerOptions> = {}): WebhookHandlerOptions {
  return { auth: { apiKey: KEY }, maxBodyBytes: 1024, onDelivery: () => undefined, ...overrides };
}

/** What one form answers for a request. */
type Send = (init: { method?: string; headers?: Record<string, string>; body?: string }, handlerOptions: WebhookHandlerOptions) => Promise<{ status: number; text: string }>;

const servers: Server[] = [];
beforeEach(() => msw.use(http.all(/^http:\/\/127\.0\.0\.1:\d+\//, () => passthrough())));
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => (s.closeAllConnections(), s.close(() => resolve())))));
});

const viaNodeServer: Send = async (init, handlerOptions) => {
  const server = createServer(createWebhookHandler(handlerOptions));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const response = await fetch(url, { method: init.method ?? 'POST', headers: { 'content-type': 'application/json', ...init.headers }, ...(init.body === undefined ? {} : { body: init.body }) });
  return { status: response.status, text: await response.text() };
};

const viaFetch: Send = async (init, handlerOptions) => {
  const handler = createWebhookHandler(handlerOptions);
  const response = await handler(new Request('https://receiver.example/hook', { method: init.method ?? 'POST', headers: init.headers ?? {}, ...(init.body === undefined ? {} : { body: init.body }) }));
  return { status: response.status, text: await response.text() };
};

/** Express after `express.json()`: the stream is consumed, `req.body` holds the parsed JSON; `(req, res, next)`. */
const viaExpress: Send = async (init, handlerOptions) => {
  const handler = createWebhookHandler(handlerOptions);
  const stream = new PassThrough();
  const req = Object.assign(stream, { method: init.method ?? 'POST', headers: Object.fromEntries(Object.entries(init.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])), body: undefined as unknown });
  stream.end();
  stream.resume();
  await new Promise((resolve) => stream.on('end', resolve));
  try {
    req.body = init.body === undefined ? {} : JSON.parse(init.body);
  } catch {
    // express.json() would have answered 400 itself; hand the text over as express.text() would.
    req.body = init.body;
  }
  let status = 0;
  let text = '';
  const headers = new Map<string, unknown>();
  const res = {
    headersSent: false,
    writableEnded: false,
    set statusCode(value: number) {
      status = value;
    },
    setHeader: (name: string, value: unknown) => headers.set(name, value),
    end: (chunk: string) => {
      text = chunk;
      res.writableEnded = true;
    },
  };
  const next = vi.fn();
  await handler(req as unknown as NodeWebhookRequest, res as never, next);
  expect(next).not.toHaveBeenCalled();
  expect(headers.get('content-type')).toMatch(/^application\/json/);
  return { status, text };
};

describe.each([
  ['node:http server', viaNodeServer],
  ['Express-style (req, res, next) after a body parser', viaExpress],
  ['fetch-style (Request) => Response', viaFetch],
] as const)('createWebhookHandler as %s', (_name, send) => {
  test('200 and onDelivery called once with the parsed delivery', async () => {
    const onDelivery = vi.fn();
    const { status, text } = await send({ headers: { 'x-api-key': KEY }, body: body() }, options({ onDelivery }));
    expect(status).toBe(200);
    expect(JSON.parse(text)).toEqual({ ok: true });
    expect(onDelivery).toHaveBeenCalledTimes(1);
    const delivery = onDelivery.mock.calls[0]?.[0] as WebhookDelivery;
    expect(delivery.recordId).toBe('3f2a9c1e-0000-4000-8000-000000000001');
    expect(delivery.data.name).toBe('Amina Keo');
  });

  test('401 on a wrong or missing key, before onDelivery; the body is not echoed', async () => {
    const onDelivery = vi.fn();
    for (const headers of [{ 'x-api-key': 'wrong' }, {}, { authorization: `Basic ${btoa('u:' + KEY)}` }]) {
      const { status, text } = await send({ headers, body: body() }, options({ onDelivery }));
      expect(status).toBe(401);
      expect(text).not.toContain('Amina');
    }
    expect(onDelivery).not.toHaveBeenCalled();
  });

  test('401 with WWW-Authenticate semantics for Basic; the right pair passes', async () => {
    const auth = { basic: { username: 'openfn', password: 'pw:1' } };
    expect((await send({ headers: { authorization: `Basic ${btoa('openfn:pw:2')}` }, body: body() }, options({ auth }))).status).toBe(401);
    expect((await send({ headers: { authorization: 'Basic %%%' }, body: body() }, options({ auth }))).status).toBe(401);
    expect((await send({ headers: { authorization: `Basic ${btoa('openfn:pw:1')}` }, body: body() }, options({ auth }))).status).toBe(200);
  });

  test('400 on a body that is not a delivery; onDelivery not called; nothing of the body echoed', async () => {
    const onDelivery = vi.fn();
    for (const bad of ['not json', '{"data": []}', JSON.stringify({ data: { record_id: 'Amina Keo' } })]) {
      const { status, text } = await send({ headers: { 'x-api-key': KEY }, body: bad }, options({ onDelivery }));
      expect(status).toBe(400);
      expect(JSON.parse(text)).toEqual({ error: 'invalid_delivery' });
    }
    expect(onDelivery).not.toHaveBeenCalled();
  });

  test('500 when onDelivery throws, without echoing the error; onError gets it', async () => {
    const onError = vi.fn();
    const { status, text } = await send(
      { headers: { 'x-api-key': KEY }, body: body() },
      options({ onDelivery: () => Promise.reject(new Error(SECRET_ERROR)), onError }),
    );
    expect(status).toBe(500);
    expect(JSON.parse(text)).toEqual({ error: 'delivery_failed' });
    expect(text).not.toContain('Amina');
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: SECRET_ERROR }), 'delivery', expect.anything());
  });

  test('a throwing onError or onSkip does not change the answer', async () => {
    const { status } = await send(
      { headers: { 'x-api-key': KEY }, body: body() },
      options({ onDelivery: () => { throw new Error(SECRET_ERROR) }, onError: () => { throw new Error('again') } }),
    );
    expect(status).toBe(500);
  });
});

describe('size limit (413) and method (405)', () => {
  test.each([['node:http server', viaNodeServer], ['fetch-style', viaFetch]] as const)('%s: 413 past maxBodyBytes, 200 at exactly the limit', async (_name, send) => {
    const onDelivery = vi.fn();
    const exact = body({ pad: '' });
    const padded = body({ pad: 'x'.repeat(1024 - exact.length) });
    expect(Buffer.byteLength(padded)).toBe(1024);
    expect((await send({ headers: { 'x-api-key': KEY }, body: padded }, options({ onDelivery }))).status).toBe(200);
    const over = body({ pad: 'x'.repeat(1025 - exact.length) });
    const { status, text } = await send({ headers: { 'x-api-key': KEY }, body: over }, options({ onDelivery }));
    expect(status).toBe(413);
    expect(text).not.toContain('Amina');
    expect(onDelivery).toHaveBeenCalledTimes(1);
  });

  test('fetch-style: a streamed body without Content-Length is cut off after maxBodyBytes + 1 bytes', async () => {
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 100;
        controller.enqueue(new Uint8Array(100).fill(32));
        if (pulled > 100_000) controller.close();
      },
    });
    const handler = createWebhookHandler(options({ maxBodyBytes: 250 }));
    const response = await handler(new Request('https://r.example/', { method: 'POST', headers: { 'x-api-key': KEY }, body: stream, duplex: 'half' } as RequestInit));
    expect(response.status).toBe(413);
    expect(pulled).toBeLessThan(1000);
  });

  test('node: a chunked body past the limit is refused while streaming; nothing past the limit is kept', async () => {
    const handler = createWebhookHandler(options({ maxBodyBytes: 250 }));
    const req = Object.assign(new PassThrough(), { method: 'POST', headers: { 'x-api-key': KEY } });
    let status = 0;
    const res = { headersSent: false, writableEnded: false, set statusCode(v: number) { status = v }, setHeader: () => undefined, end: () => undefined };
    const done = handler(req as unknown as NodeWebhookRequest, res as never);
    req.write(Buffer.alloc(200, 32));
    req.write(Buffer.alloc(200, 32));
    await done;
    expect(status).toBe(413);
    req.destroy();
  });

  test('Express-style: a text body already read past the limit is 413', async () => {
    const handler = createWebhookHandler(options({ maxBodyBytes: 10 }));
    const req = Object.assign(new PassThrough(), { method: 'POST', headers: { 'x-api-key': KEY }, body: body() });
    req.end();
    req.resume();
    await new Promise((resolve) => req.on('end', resolve));
    let status = 0;
    const res = { headersSent: false, writableEnded: false, set statusCode(v: number) { status = v }, setHeader: () => undefined, end: () => undefined };
    await handler(req as unknown as NodeWebhookRequest, res as never);
    expect(status).toBe(413);
  });

  test('405 to anything but POST', async () => {
    expect((await viaFetch({ method: 'GET', headers: { 'x-api-key': KEY } }, options())).status).toBe(405);
    expect((await viaNodeServer({ method: 'PUT', headers: { 'x-api-key': KEY }, body: body() }, options())).status).toBe(405);
  });

  test('unusable options throw a ConfigurationError at creation', () => {
    expect(() => createWebhookHandler(options({ maxBodyBytes: 0 }))).toThrow(/maxBodyBytes/);
    expect(() => createWebhookHandler(options({ auth: { apiKey: '' } }))).toThrow(/webhook auth/);
  });
});

describe('echo skipping with a tracker', () => {
  test('a delivery remembered as acknowledged is answered 200, reported to onSkip, not passed to onDelivery', async () => {
    const tracker = new AcknowledgementTracker();
    const onDelivery = vi.fn();
    const onSkip = vi.fn();
    const handler = createWebhookHandler(options({ tracker, onDelivery, onSkip }));
    const post = (text: string) => handler(new Request('https://r.example/', { method: 'POST', headers: { 'x-api-key': KEY }, body: text }));
    const first = await post(body());
    expect(first.status).toBe(200);
    const delivery = onDelivery.mock.calls[0]?.[0] as WebhookDelivery;
    tracker.remember(delivery, { last_updated_at: '2025-05-01T12:00:00.000Z' });
    const echo = await post(body({ sync_status: 'synced', synced_at: '2025-05-01T12:00:00.000Z', last_updated_by: 'api' }));
    expect(echo.status).toBe(200);
    expect(JSON.parse(await echo.text())).toEqual({ ok: true, skipped: 'echo' });
    expect(onDelivery).toHaveBeenCalledTimes(1);
    expect(onSkip).toHaveBeenCalledTimes(1);
    // A real change is never skipped.
    expect((await post(body({ risk_level: 'high' }))).status).toBe(200);
    expect(onDelivery).toHaveBeenCalledTimes(2);
  });
});
