/**
 * How every example finds its Primero: a real server when PRIMERO_URL is set (with PRIMERO_USERNAME and
 * PRIMERO_PASSWORD, or an identity provider's PRIMERO_TOKEN), otherwise the SDK's fake Primero, served over
 * HTTP on this machine and handed back as `fake`, so that a demo can configure it and count what it received.
 */
import { PrimeroClient, type Logger } from 'primero-sdk';
import { createFakePrimero, type FakePrimero, type FakePrimeroOptions } from 'primero-sdk/testing';
import { ExampleError } from './errors.js';

/** Where the client points and how it signs in, for code that makes its own client (an OpenFn step's `configuration`). */
export type PrimeroCredential = { url: string; username: string; password: string } | { url: string; token: string };

export interface Connection {
  client: PrimeroClient;
  /** Where the example is talking to (host, or the fake's address), for its first line of output. */
  target: string;
  /** The server's origin (no credentials, no path), what state files are bound to. */
  origin: string;
  /** The fake Primero, when PRIMERO_URL is not set; undefined against a real server. */
  fake: FakePrimero | undefined;
  /** The URL and credential the client was made with. A secret: never print it or write it down. */
  credential: PrimeroCredential;
  close: () => Promise<void>;
}

export interface ConnectOptions {
  logger?: Logger;
  /** The fake's data when PRIMERO_URL is not set. Default 240 cases, seed 2026. */
  fake?: FakePrimeroOptions;
}

/** True when PRIMERO_URL points the examples at a real server. */
export function realPrimeroUrl(): string | undefined {
  return process.env.PRIMERO_URL?.trim() || undefined;
}

/**
 * The example's Primero.
 * @throws {@link ExampleError} when PRIMERO_URL is set without a usable URL or credential.
 */
export async function connect(options: ConnectOptions = {}): Promise<Connection> {
  const logger = options.logger ? { logger: options.logger } : {};
  const url = realPrimeroUrl();
  if (url) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      // Not the parser's error: it quotes the URL as typed, credentials and all.
      throw new ExampleError('PRIMERO_URL is not a valid URL');
    }
    if (parsed.username || parsed.password) throw new ExampleError('PRIMERO_URL must not hold a user name or password: set PRIMERO_USERNAME and PRIMERO_PASSWORD');
    const { PRIMERO_USERNAME: username, PRIMERO_PASSWORD: password, PRIMERO_TOKEN: token } = process.env;
    let credential: PrimeroCredential;
    let client: PrimeroClient;
    if (token) {
      credential = { url, token };
      client = new PrimeroClient({ baseUrl: url, auth: { getToken: () => token }, ...logger });
    } else if (username && password) {
      credential = { url, username, password };
      client = new PrimeroClient({ baseUrl: url, auth: { username, password }, ...logger });
    } else {
      throw new ExampleError('PRIMERO_URL is set: set PRIMERO_USERNAME and PRIMERO_PASSWORD (or PRIMERO_TOKEN) too');
    }
    return { client, target: parsed.host, origin: parsed.origin, fake: undefined, credential, close: async () => undefined };
  }
  const fake = createFakePrimero(options.fake ?? { cases: 240, seed: 2026 });
  const server = await fake.listen();
  const client = new PrimeroClient({ baseUrl: server.url, auth: fake.credentials, ...logger });
  return {
    client,
    target: `the fake Primero at ${server.url} (set PRIMERO_URL to use a real server)`,
    origin: new URL(server.url).origin,
    fake,
    credential: { url: server.url, ...fake.credentials },
    close: server.close,
  };
}
