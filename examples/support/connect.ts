/**
 * How every example finds its Primero: a real server when PRIMERO_URL is set (with PRIMERO_USERNAME and
 * PRIMERO_PASSWORD), otherwise the SDK's fake Primero, served over HTTP on this machine.
 */
import { PrimeroClient, type Logger } from 'primero-sdk';
import { createFakePrimero } from 'primero-sdk/testing';

export interface Connection {
  client: PrimeroClient;
  /** Where the example is talking to, for its first line of output. */
  target: string;
  close: () => Promise<void>;
}

export async function connect(options: { logger?: Logger } = {}): Promise<Connection> {
  const url = process.env.PRIMERO_URL?.trim();
  if (url) {
    const { PRIMERO_USERNAME: username, PRIMERO_PASSWORD: password } = process.env;
    if (!username || !password) throw new Error('PRIMERO_URL is set: set PRIMERO_USERNAME and PRIMERO_PASSWORD too');
    const client = new PrimeroClient({ baseUrl: url, auth: { username, password }, ...options });
    return { client, target: new URL(url).host, close: async () => undefined };
  }
  const fake = createFakePrimero({ cases: 240, seed: 2026 });
  const server = await fake.listen();
  const client = new PrimeroClient({ baseUrl: server.url, auth: fake.credentials, ...options });
  return { client, target: `the fake Primero at ${server.url} (set PRIMERO_URL to use a real server)`, close: server.close };
}
