/**
 * A receiver for Primero's data forwarding (primero-api.md section 7) that acknowledges each delivery with
 * `mark_synced` and does not loop, although every acknowledgement is itself an update Primero forwards.
 *
 *   npm run example:webhook-receiver        # demo: a fake Primero forwards a few case changes to it
 *   PRIMERO_URL=https://primero.example.org PRIMERO_USERNAME=... PRIMERO_PASSWORD=... \
 *   PRIMERO_WEBHOOK_KEY=... WEBHOOK_URL=https://partner.example.org/primero npm run example:webhook-receiver
 */
import { connect, realPrimeroUrl, type Connection } from '../support/connect.js';
import { ExampleError, exitWithError } from '../support/errors.js';
import { runDemo } from './demo.js';
import { startReceiver } from './receiver.js';

try {
  // Against a real Primero, the receiver's settings are checked before anything is started.
  const settings = realPrimeroUrl() ? serviceSettings() : undefined;
  const connection = await connect({ fake: { cases: 20, seed: 7 } });
  try {
    if (connection.fake) process.exitCode = (await runDemo(connection)) ? 0 : 1;
    else if (settings) await serve(connection, settings);
    else throw new Error('no receiver settings for a real Primero');
  } finally {
    await connection.close();
  }
} catch (error) {
  exitWithError(error);
}

interface ServiceSettings {
  apiKey: string;
  /** The mark_synced_url: WEBHOOK_URL, or with WEBHOOK_PORT=0 the URL the receiver is bound to. */
  webhookUrl: string | undefined;
  port: number;
  host: string;
}

function serviceSettings(): ServiceSettings {
  const { PRIMERO_WEBHOOK_KEY: apiKey } = process.env;
  const webhookUrl = process.env.WEBHOOK_URL?.trim() || undefined;
  if (!apiKey) throw new ExampleError('PRIMERO_URL is set: set PRIMERO_WEBHOOK_KEY to the x-api-key of the webhook configured in Primero');
  const portText = process.env.WEBHOOK_PORT?.trim() || '8080';
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port > 65_535) throw new ExampleError('WEBHOOK_PORT must be a port number (0: any free port)');
  // Port 0 (any free port, as tests use it): the URL is known once bound, and is then what is acknowledged.
  if (!webhookUrl && port !== 0) throw new ExampleError('PRIMERO_URL is set: set WEBHOOK_URL to the URL of this receiver as registered in Primero (the mark_synced_url)');
  return { apiKey, webhookUrl, port, host: process.env.WEBHOOK_HOST?.trim() || '127.0.0.1' };
}

/** Against a real Primero: receive until SIGINT or SIGTERM. It changes no case itself, apart from the acknowledgements. */
async function serve({ client, target }: Connection, settings: ServiceSettings): Promise<void> {
  // Plain HTTP on this machine; put a TLS proxy in front: the webhook's key travels in a header.
  const receiver = await startReceiver({ client, auth: { apiKey: settings.apiKey }, webhookUrl: settings.webhookUrl, port: settings.port, host: settings.host, print: console.log });
  console.log(`Listening for ${target} at ${receiver.url}, acknowledging as ${receiver.webhookUrl}; Ctrl-C to stop`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await receiver.close();
  const { received, acknowledged, echoesSkipped, failed } = receiver.counts;
  console.log(`Stopped: processed ${received}, acknowledged ${acknowledged}, skipped ${echoesSkipped} echoes, failed ${failed}`);
}
