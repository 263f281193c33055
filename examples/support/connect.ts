/**
 * How every example finds its Primero: a real server when PRIMERO_URL is set (with PRIMERO_USERNAME and
 * PRIMERO_PASSWORD), otherwise the built-in stand-in.
 */
import { PrimeroClient, type Logger } from 'primero-sdk';
import { STAND_IN_URL, STAND_IN_USER, startStandIn } from './stand-in-primero.js';

export interface Connection {
  client: PrimeroClient;
  /** Where the example is talking to, for its first line of output. */
  target: string;
  close: () => void;
}

export function connect(options: { logger?: Logger } = {}): Connection {
  const url = process.env.PRIMERO_URL?.trim();
  if (url) {
    const { PRIMERO_USERNAME: username, PRIMERO_PASSWORD: password } = process.env;
    if (!username || !password) throw new Error('PRIMERO_URL is set: set PRIMERO_USERNAME and PRIMERO_PASSWORD too');
    const client = new PrimeroClient({ baseUrl: url, auth: { username, password }, ...options });
    return { client, target: new URL(url).host, close: () => undefined };
  }
  const standIn = startStandIn();
  const client = new PrimeroClient({ baseUrl: STAND_IN_URL, auth: STAND_IN_USER, ...options });
  return { client, target: 'the built-in stand-in Primero (set PRIMERO_URL to use a real server)', close: standIn.close };
}
