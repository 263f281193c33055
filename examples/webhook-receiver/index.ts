/**
 * A receiver for Primero's data forwarding (primero-api.md section 7) that acknowledges each delivery with
 * `mark_synced` and does not loop, although every acknowledgement is itself an update Primero forwards.
 *
 *   npm run example:webhook-receiver        # demo: a fake Primero forwards a few case changes to it
 *   PRIMERO_URL=https://primero.example.org PRIMERO_USERNAME=... PRIMERO_PASSWORD=... \
 *   PRIMERO_WEBHOOK_KEY=... WEBHOOK_URL=https://partner.example.org/primero npm run example:webhook-receiver
 */
import { isPrimeroError } from 'primero-sdk';
import { connect } from '../support/connect.js';
import { runDemo } from './demo.js';
import { startReceiver } from './receiver.js';

try {
  if (process.env.PRIMERO_URL?.trim()) await serve();
  else process.exitCode = (await runDemo()) ? 0 : 1;
} catch (error) {
  // SDK errors carry no secret and no record data: safe to print whole.
  console.error(isPrimeroError(error) ? `${error.name}: ${error.message}` : error);
  process.exitCode = 1;
}

/** Against a real Primero: receive until SIGINT or SIGTERM. It changes no case itself, apart from the acknowledgements. */
async function serve(): Promise<void> {
  const { PRIMERO_WEBHOOK_KEY: apiKey, WEBHOOK_URL: webhookUrl } = process.env;
  if (!apiKey) throw new Error('PRIMERO_URL is set: set PRIMERO_WEBHOOK_KEY to the x-api-key of the webhook configured in Primero');
  if (!webhookUrl) throw new Error('PRIMERO_URL is set: set WEBHOOK_URL to the URL of this receiver as registered in Primero (the mark_synced_url)');
  const port = Number(process.env.WEBHOOK_PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error('WEBHOOK_PORT must be a port number');
  const { client, target, close } = await connect();
  // Plain HTTP on this machine; put a TLS proxy in front: the webhook's key travels in a header.
  const receiver = await startReceiver({ client, auth: { apiKey }, webhookUrl, port, host: process.env.WEBHOOK_HOST ?? '127.0.0.1', print: console.log });
  console.log(`Listening for ${target} on port ${port}, acknowledging as ${receiver.webhookUrl}; Ctrl-C to stop`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await receiver.close();
  await close();
  const { received, acknowledged, echoesSkipped, failed } = receiver.counts;
  console.log(`Stopped: processed ${received}, acknowledged ${acknowledged}, skipped ${echoesSkipped} echoes, failed ${failed}`);
}
