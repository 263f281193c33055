/**
 * The receiver itself: a Node HTTP server around `createWebhookHandler`. Each delivery is printed (where a
 * real receiver would save it) and acknowledged to Primero with `mark_synced`; the echo that the
 * acknowledgement causes is recognised and skipped by the SDK. It prints ids only: a delivery carries the
 * whole case, names included.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PrimeroClient } from 'primero-sdk';
import { createWebhookHandler, type AcknowledgeClient, type WebhookAuth } from 'primero-sdk/webhooks';
import { describeError } from '../support/errors.js';

export interface ReceiverOptions {
  client: PrimeroClient;
  /** What Primero's webhook sends (`x-api-key` or Basic). */
  auth: WebhookAuth;
  /**
   * The URL registered in Primero for this webhook, the `mark_synced_url` of every acknowledgement: the
   * public one when a proxy is in front. Default: where this server listens, plus {@link WEBHOOK_PATH}.
   */
  webhookUrl?: string | undefined;
  /** Default 0: any free port, see {@link Receiver.url}. */
  port?: number;
  host?: string;
  print: (line: string) => void;
}

/** What the receiver has done so far. */
export interface ReceiverCounts {
  received: number;
  echoesSkipped: number;
  acknowledged: number;
  failed: number;
}

/** Where deliveries are taken; anything else is a 404. */
export const WEBHOOK_PATH = '/primero';

export interface Receiver {
  /** Where this server takes deliveries, as bound (the port chosen when asked for port 0): `http://127.0.0.1:41234/primero`. */
  url: string;
  /** The URL acknowledgements name: the `webhookUrl` option, or {@link url}. */
  webhookUrl: string;
  counts: Readonly<ReceiverCounts>;
  close: () => Promise<void>;
}

export async function startReceiver(options: ReceiverOptions): Promise<Receiver> {
  const { print } = options;
  const counts: ReceiverCounts = { received: 0, echoesSkipped: 0, acknowledged: 0, failed: 0 };

  // The SDK acknowledges through this; wrapping it lets the example show each acknowledgement.
  const acknowledging: AcknowledgeClient = {
    cases: {
      markSynced: async (id, params) => {
        const acknowledged = await options.client.cases.markSynced(id, params);
        counts.acknowledged++;
        print(`  acknowledged case ${id}: mark_synced_status=${params.status}`);
        return acknowledged;
      },
    },
  };

  // The handler needs the webhook URL, which needs the port: listen first, then build the handler before
  // anyone can know where to send.
  let handler: ReturnType<typeof createWebhookHandler> | undefined;
  const server = createServer((req, res) => {
    if (handler && new URL(req.url ?? '/', 'http://receiver').pathname === WEBHOOK_PATH) return void handler(req, res);
    req.resume();
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}${WEBHOOK_PATH}`;
  const webhookUrl = options.webhookUrl ?? url;
  handler = createWebhookHandler({
    auth: options.auth,
    acknowledge: { client: acknowledging, url: webhookUrl },
    onDelivery: (delivery) => {
      counts.received++;
      print(`received ${delivery.recordType} ${delivery.recordId} (last_updated_at ${delivery.lastUpdatedAt ?? 'none'}, ${Object.keys(delivery.data).length} fields)`);
    },
    onSkip: (delivery) => {
      counts.echoesSkipped++;
      print(`skipped ${delivery.recordType} ${delivery.recordId}: the echo of our own acknowledgement`);
    },
    onError: (error, stage, delivery) => {
      counts.failed++;
      // SDK errors carry no record data; anything else is named by its class, not printed.
      print(`failed to ${stage === 'acknowledge' ? 'acknowledge' : 'process'} ${delivery.recordType} ${delivery.recordId}: ${describeError(error)}`);
    },
  });

  return {
    url,
    webhookUrl,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
