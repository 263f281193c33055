/**
 * The receiver: one handler for Node's `http` server, Express (and other Connect-style frameworks), and
 * fetch-style runtimes. It answers Primero with a fixed, value-free body: Primero stores the receiver's
 * answer in its audit log (primero-api.md 7.3), and the user's error or the delivery must not end up there.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConfigurationError, isPrimeroError } from '../core/errors.js';
import { AcknowledgementTracker, type AcknowledgeClient, type AcknowledgeStatus } from './echo.js';
import { parseWebhook, type WebhookDelivery } from './parse.js';
import { checkWebhookAuth, verifyWebhook, wantsBasic, type WebhookAuth } from './verify.js';

/** Where a reported error happened. */
export type WebhookErrorStage = 'delivery' | 'acknowledge';

/** Options of {@link createWebhookHandler}. */
export interface WebhookHandlerOptions {
  /** The credential(s) Primero's webhook sends; several are all accepted (secret rotation). */
  auth: WebhookAuth | readonly WebhookAuth[];
  /**
   * Called once per delivery that passed auth, parsed, and is not the echo of an acknowledgement. Throw to
   * answer 500 (the error is not sent back). Return `'not_found'` or `'failed'` to acknowledge with that
   * status instead of `'synced'` (with {@link WebhookHandlerOptions.acknowledge}).
   */
  onDelivery: (delivery: WebhookDelivery) => void | AcknowledgeStatus | Promise<void | AcknowledgeStatus>;
  /** Largest body accepted, in bytes; beyond it the answer is 413 and no more is buffered. Default 5 MiB. */
  maxBodyBytes?: number;
  /**
   * Acknowledge each processed case with `client.cases.markSynced(id, { status, url })` (7.4) before
   * answering Primero: `'synced'` when `onDelivery` returned, `'failed'` when it threw. The echo that
   * acknowledgement causes is recognised and skipped. Deliveries of other record types are not acknowledged
   * (Primero only has `mark_synced` on cases).
   */
  acknowledge?: {
    /** A `PrimeroClient` whose user has the `sync_external` permission. */
    client: AcknowledgeClient;
    /** This webhook's URL as registered in Primero (`mark_synced_url`). */
    url: string;
  };
  /**
   * Remembers acknowledgements to skip their echoes. Pass one you share with code that acknowledges on its
   * own; with `acknowledge` and no tracker, the handler makes one. Without both, nothing is skipped.
   */
  tracker?: AcknowledgementTracker;
  /** Called for each delivery skipped as an echo (answered 200, `onDelivery` not called). */
  onSkip?: (delivery: WebhookDelivery) => void;
  /**
   * Called with the error `onDelivery` threw (`'delivery'`) or the acknowledgement failed with
   * (`'acknowledge'`; Primero still gets 200, the delivery was processed). The SDK logs nothing itself.
   */
  onError?: (error: unknown, stage: WebhookErrorStage, delivery: WebhookDelivery) => void;
}

/** A Node request as Express or Connect hand it over: `body` is set when a body parser already ran. */
export type NodeWebhookRequest = IncomingMessage & { body?: unknown };

/** The receiver, callable in three ways. */
export interface WebhookHandler {
  /** Fetch style (Deno, Bun, Cloudflare Workers, Next.js route handlers, Hono): `(Request) => Response`. */
  (request: Request): Promise<Response>;
  /** Node `http.createServer(handler)`, or Express `app.post('/primero', handler)`. Never rejects. */
  (req: NodeWebhookRequest, res: ServerResponse, next?: (error?: unknown) => void): Promise<void>;
  /** The fetch-style form alone. */
  readonly fetch: (request: Request) => Promise<Response>;
  /** The Node/Express form alone. */
  readonly node: (req: NodeWebhookRequest, res: ServerResponse, next?: (error?: unknown) => void) => Promise<void>;
  /** The tracker echoes are checked against, if any. */
  readonly tracker: AcknowledgementTracker | undefined;
}

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string>;
}

const DEFAULT_MAX_BODY = 5 * 1024 * 1024;
const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

function answer(status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): Answer {
  return { status, body: JSON.stringify(body), headers: { ...JSON_TYPE, ...headers } };
}

class TooLarge extends Error {}

/**
 * Creates a data-forwarding receiver. Answers 405 to anything but POST, 401 on bad auth, 413 past
 * `maxBodyBytes`, 400 on a body that is not a delivery, 500 if `onDelivery` throws, 200 otherwise (an
 * echo skipped included).
 * @throws {@link ConfigurationError} for unusable options (empty auth, a non-positive size limit).
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { createWebhookHandler } from 'primero-sdk/webhooks';
 *
 * const handler = createWebhookHandler({
 *   auth: { apiKey: process.env.PRIMERO_WEBHOOK_KEY! },
 *   acknowledge: { client, url: 'https://partner.example/primero' },
 *   onDelivery: async (delivery) => { await upsertIntoMySystem(delivery.data) },
 * });
 * createServer(handler).listen(8080);          // Node
 * app.post('/primero', handler);               // Express (mount before any body parser)
 * export default { fetch: handler.fetch };     // fetch-style runtimes
 * ```
 */
export function createWebhookHandler(options: WebhookHandlerOptions): WebhookHandler {
  const accepted = checkWebhookAuth(options.auth);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1) {
    throw new ConfigurationError('maxBodyBytes must be a positive integer');
  }
  const tracker = options.tracker ?? (options.acknowledge ? new AcknowledgementTracker() : undefined);
  const unauthorized = answer(401, { error: 'unauthorized' }, wantsBasic(accepted) ? { 'www-authenticate': 'Basic realm="primero-webhook", charset="UTF-8"' } : {});

  /** Everything after the body was read. */
  async function handle(body: unknown): Promise<Answer> {
    let delivery: WebhookDelivery;
    try {
      delivery = parseWebhook(body);
    } catch (error) {
      if (isPrimeroError(error, 'WebhookPayloadError')) return answer(400, { error: 'invalid_delivery' });
      throw error;
    }
    if (tracker && (await isEchoSafe(tracker, delivery))) {
      safeCall(() => options.onSkip?.(delivery));
      return answer(200, { ok: true, skipped: 'echo' });
    }
    let status: AcknowledgeStatus = 'synced';
    let failed = false;
    try {
      const returned = await options.onDelivery(delivery);
      if (returned === 'failed' || returned === 'not_found') status = returned;
    } catch (error) {
      failed = true;
      status = 'failed';
      safeCall(() => options.onError?.(error, 'delivery', delivery));
    }
    if (options.acknowledge && tracker && delivery.recordType === 'case') {
      try {
        await tracker.acknowledge(options.acknowledge.client, delivery, { status, url: options.acknowledge.url });
      } catch (error) {
        safeCall(() => options.onError?.(error, 'acknowledge', delivery));
      }
    }
    return failed ? answer(500, { error: 'delivery_failed' }) : answer(200, { ok: true });
  }

  async function viaFetch(request: Request): Promise<Response> {
    const result = await guard(async () => {
      if (request.method !== 'POST') return answer(405, { error: 'method_not_allowed' }, { allow: 'POST' });
      if (!verifyWebhook(request, accepted)) return unauthorized;
      if (declaredTooLarge(request.headers.get('content-length'), maxBodyBytes)) return answer(413, { error: 'payload_too_large' });
      let bytes: Uint8Array;
      try {
        bytes = await readStream(request.body, maxBodyBytes);
      } catch (error) {
        if (error instanceof TooLarge) return answer(413, { error: 'payload_too_large' });
        return answer(400, { error: 'invalid_delivery' });
      }
      return handle(bytes);
    });
    return new Response(result.body, { status: result.status, headers: result.headers });
  }

  async function viaNode(req: NodeWebhookRequest, res: ServerResponse): Promise<void> {
    let closeAfter = false;
    const result = await guard(async () => {
      if (req.method !== 'POST') return answer(405, { error: 'method_not_allowed' }, { allow: 'POST' });
      if (!verifyWebhook(req, accepted)) return unauthorized;
      // A body parser (express.json(), express.raw(), …) may have read the stream already.
      if (req.body !== undefined && (req.readableEnded || !req.readable)) {
        const parsed = req.body;
        if (typeof parsed === 'string' || parsed instanceof Uint8Array) {
          if (Buffer.byteLength(parsed) > maxBodyBytes) return answer(413, { error: 'payload_too_large' });
        }
        return handle(parsed);
      }
      if (declaredTooLarge(single(req.headers['content-length']), maxBodyBytes)) {
        closeAfter = true;
        return answer(413, { error: 'payload_too_large' });
      }
      let bytes: Uint8Array;
      try {
        bytes = await readNode(req, maxBodyBytes);
      } catch (error) {
        closeAfter = true;
        if (error instanceof TooLarge) return answer(413, { error: 'payload_too_large' });
        return answer(400, { error: 'invalid_delivery' });
      }
      return handle(bytes);
    });
    if (res.headersSent || res.writableEnded) return;
    // Whatever is left of an oversized body is discarded unread, and the connection is not reused.
    if (closeAfter) {
      res.setHeader('connection', 'close');
      req.resume();
    }
    res.statusCode = result.status;
    for (const [name, value] of Object.entries(result.headers)) res.setHeader(name, value);
    res.setHeader('content-length', Buffer.byteLength(result.body));
    res.end(result.body);
  }

  const handler = ((first: Request | NodeWebhookRequest, res?: ServerResponse) =>
    res === undefined ? viaFetch(first as Request) : viaNode(first as NodeWebhookRequest, res)) as WebhookHandler;
  Object.defineProperties(handler, {
    fetch: { value: viaFetch, enumerable: true },
    node: { value: (req: NodeWebhookRequest, res: ServerResponse) => viaNode(req, res), enumerable: true },
    tracker: { value: tracker, enumerable: true },
  });
  return handler;
}

/** Runs the pipeline; anything unexpected is a bare 500 (the error is neither echoed nor logged). */
async function guard(run: () => Promise<Answer>): Promise<Answer> {
  try {
    return await run();
  } catch {
    return answer(500, { error: 'internal_error' });
  }
}

async function isEchoSafe(tracker: AcknowledgementTracker, delivery: WebhookDelivery): Promise<boolean> {
  try {
    return await tracker.isEcho(delivery);
  } catch {
    return false;
  }
}

function safeCall(fn: () => void): void {
  try {
    fn();
  } catch {
    // A failing callback of the user's must not change the answer to Primero.
  }
}

function single(value: string | string[] | undefined): string | null {
  return typeof value === 'string' ? value : null;
}

function declaredTooLarge(contentLength: string | null, max: number): boolean {
  if (contentLength === null || !/^\d+$/.test(contentLength.trim())) return false;
  return Number(contentLength.trim()) > max;
}

/** Reads a fetch body, never holding more than `max` bytes: one byte more and the stream is cancelled. */
async function readStream(body: ReadableStream<Uint8Array> | null, max: number): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw new TooLarge();
    }
    chunks.push(value);
  }
  return concat(chunks, total);
}

/** Reads a Node request the same way; past `max`, it stops keeping data and rejects at once. */
function readNode(req: IncomingMessage, max: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let total = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onError);
    };
    const onData = (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      total += bytes.byteLength;
      if (total > max) {
        cleanup();
        chunks.length = 0;
        reject(new TooLarge());
        return;
      }
      chunks.push(bytes);
    };
    const onEnd = () => {
      cleanup();
      resolve(concat(chunks, total));
    };
    const onError = () => {
      cleanup();
      reject(new Error('request stream failed'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onError);
  });
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
