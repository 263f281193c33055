/**
 * The small HTTP client every partner system's API is called through (the UNHCR DTP gateway, the OSCaR-like
 * case system): JSON in and out, a timeout, the credential in a header kept out of sight, and errors that
 * name the partner, the status and the route, never more.
 *
 * A partner's answer may quote a child's record, in an error body or in a page a proxy serves with a 200.
 * So a body is never put into an error: an error status is reported by status and route (its body is
 * cancelled unread), and a 2xx body that is not JSON is reported the same way, rather than as the
 * `SyntaxError` of `response.json()`, whose message quotes the body's first characters.
 *
 * @module
 */
import { ExampleError } from './errors.js';

/** A failed call to a partner: who, which route, what status. No body, no URL, no credential. */
export class PartnerHttpError extends ExampleError {
  override readonly name: string = 'PartnerHttpError';
  constructor(
    /** The partner as the messages name it, e.g. `The external system`. */
    readonly partner: string,
    /** The HTTP status, or undefined when no answer came. */
    readonly status: number | undefined,
    /** `METHOD /path` with placeholders for ids, e.g. `GET /referrals/{id}`. */
    readonly route: string,
    problem?: string,
  ) {
    super(`${partner} ${problem ?? `answered ${status}`} (${route})`);
  }
}

export interface PartnerHttpOptions {
  /** How errors name the partner, e.g. `DTP gateway`. */
  partner: string;
  /** The API's base URL: https, or http on this machine; no user name or password in it. */
  baseUrl: string;
  /** What the base URL is called where the user sets it, for the messages, e.g. `UNHCR_DTP_URL`. */
  baseUrlName?: string;
  /** Headers sent on every request: the credential. Kept in a closure, never a property. */
  headers: Readonly<Record<string, string>>;
  /** Default: the global fetch, looked up at each call. */
  fetch?: typeof fetch;
  /** Limit for one request, body included. Default 30 s. */
  timeoutMs?: number;
}

export interface PartnerRequest {
  /** `METHOD /path` with placeholders, for errors: a path may hold an id that names a child's case. */
  route: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Statuses besides 2xx that are answers rather than failures (404: not held, 409: held already). */
  accept?: readonly number[];
  /** `json` (default): the 2xx body is parsed; `none`: it is discarded unread. */
  read?: 'json' | 'none';
}

export interface PartnerResponse {
  status: number;
  /** The parsed JSON of a 2xx answer read as `json`; undefined otherwise. */
  body: unknown;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export class PartnerHttp {
  /** The base URL, without a trailing slash. */
  readonly baseUrl: string;
  /** host[:port], for a first line of output. */
  readonly host: string;
  readonly #partner: string;
  readonly #headers: () => Readonly<Record<string, string>>;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  /** @throws {@link ExampleError} for a base URL that is not one, holds credentials, or is plain http off this machine. */
  constructor(options: PartnerHttpOptions) {
    const name = options.baseUrlName ?? `${options.partner}'s URL`;
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      // Not the parser's error: it carries the URL as typed, credentials and all.
      throw new ExampleError(`${name} is not a valid URL`);
    }
    if (url.username || url.password) throw new ExampleError(`${name} must not hold a user name or password: the credential is set apart`);
    // The credential travels in a header: only over TLS, or on this machine.
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) throw new ExampleError(`${name} must be https://`);
    this.baseUrl = `${url.origin}${url.pathname}`.replace(/\/+$/, '');
    this.host = url.host;
    this.#partner = options.partner;
    const headers = { ...options.headers };
    this.#headers = () => headers;
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  /**
   * Sends one request. Resolves for a 2xx status or one in `accept`; anything else, no answer, a timeout or
   * a 2xx body that is not JSON rejects with a {@link PartnerHttpError}.
   */
  async request(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, request: PartnerRequest): Promise<PartnerResponse> {
    const fail = (status: number | undefined, problem?: string) => new PartnerHttpError(this.#partner, status, `${method} ${request.route}`, problem);
    const hasBody = request.body !== undefined;
    const signal = AbortSignal.timeout(this.#timeoutMs);
    let response: Response;
    try {
      response = await this.#fetch(`${this.baseUrl}${path}`, {
        method,
        headers: { ...this.#headers(), accept: 'application/json', ...(hasBody ? { 'content-type': 'application/json' } : {}) },
        ...(hasBody ? { body: JSON.stringify(request.body) } : {}),
        signal,
      });
    } catch {
      // fetch's own errors may name the URL; the cause's code (ECONNREFUSED...) is not worth the risk.
      throw fail(undefined, signal.aborted ? `did not answer within ${this.#timeoutMs} ms` : 'could not be reached');
    }
    const ok = response.status >= 200 && response.status < 300;
    if (!ok || request.read === 'none') {
      // Left unread, a body would hold the connection until garbage collection. Not awaited: cancelling
      // needs no answer, and some bodies (a mocked one) never settle it.
      void response.body?.cancel().catch(() => undefined);
      if (!ok && !request.accept?.includes(response.status)) throw fail(response.status);
      return { status: response.status, body: undefined };
    }
    let text: string;
    try {
      text = await response.text();
    } catch {
      throw fail(response.status, signal.aborted ? `did not send its answer within ${this.#timeoutMs} ms` : `answered ${response.status} but the body could not be read`);
    }
    try {
      return { status: response.status, body: JSON.parse(text) as unknown };
    } catch {
      // The parser's message quotes the body.
      throw fail(response.status, `answered ${response.status} with a body that is not JSON`);
    }
  }
}
