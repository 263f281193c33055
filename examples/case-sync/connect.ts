/**
 * The example's Primero, as `examples/support/connect.ts` finds it (a real server when PRIMERO_URL is set,
 * else the SDK's fake Primero over HTTP on this machine), but also handing back the fake itself: the demo
 * adds the link's form to its configuration and counts the writes it receives.
 */
import { PrimeroClient } from 'primero-sdk';
import { createFakePrimero, type FakePrimero } from 'primero-sdk/testing';

export interface SyncConnection {
  client: PrimeroClient;
  /** Where the example is talking to, for its first line of output. */
  target: string;
  /** The server's origin, which the sync's state is bound to (no credentials). */
  origin: string;
  /** The fake Primero, when no PRIMERO_URL is set. */
  fake?: FakePrimero;
  close: () => Promise<void>;
}

export async function connect(): Promise<SyncConnection> {
  const url = process.env.PRIMERO_URL?.trim();
  if (url) {
    const { PRIMERO_USERNAME: username, PRIMERO_PASSWORD: password } = process.env;
    if (!username || !password) throw new Error('PRIMERO_URL is set: set PRIMERO_USERNAME and PRIMERO_PASSWORD too');
    const client = new PrimeroClient({ baseUrl: url, auth: { username, password } });
    return { client, target: new URL(url).host, origin: new URL(url).origin, close: async () => undefined };
  }
  const fake = createFakePrimero({ cases: 240, seed: 2026 });
  const server = await fake.listen();
  const client = new PrimeroClient({ baseUrl: server.url, auth: fake.credentials });
  return { client, target: `the fake Primero at ${server.url} (set PRIMERO_URL to use a real server)`, origin: server.url, fake, close: server.close };
}
