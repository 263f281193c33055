/**
 * Fault injection: the failures a Primero behind a real network produces now and then (primero-api.md
 * 3.2 and 3.4; sdk-design.md 3.6), on demand, per route, and the same on every run with the same seed.
 *
 * Each rule has its own pseudo-random stream per method, seeded from the fake's seed and the rule's place in
 * the list: whether the n-th `GET` a rule matches fails does not depend on the paths' ids (which an SDK may
 * generate at random) nor on requests of other methods or to paths the rule does not match. A rule that
 * matches several routes shares its stream between them: give it a `path` when concurrent requests to
 * different routes must not shift each other's faults.
 *
 * @module
 */
import { apiError, devise401, throttled } from './http.js';
import { Random } from './random.js';

/** The kinds of fault the fake can inject. */
export type FaultKind = 'status' | 'reset' | 'truncate' | 'html502' | 'latency';

/** Which requests a {@link FaultRule} applies to, and how often. */
export interface FaultMatch {
  /** The HTTP method (any case). Default: every method. */
  method?: string;
  /**
   * The path from `/api/v2`, without the query: a string must match the whole path, `:name` standing for
   * one segment (`'/cases/:id'`); a RegExp is tested against the path (`/^\/cases/`). Default: every path
   * except the login (`/tokens`) and the bootstrap (`GET /primero`), which a rule only reaches by naming
   * them, so that a fault meant for the data never turns into a failed login.
   */
  path?: string | RegExp;
  /** Probability that a matching request gets the fault, from 0 to 1. Default 1 (every time). */
  rate?: number;
  /** How many times at most this rule fires. Default: no limit. */
  times?: number;
}

/**
 * One fault to inject, and where. Rules are tried in order for each request: every `latency` rule that
 * fires adds its delay, and the first other rule that fires decides the request's fate.
 *
 * - `status`: the server answers `status` without doing anything, in its own shape: the `errors[]`
 *   envelope (3.1), Devise's `{"error"}` for a 401, Rack::Attack's plain text for a 429. `message` and
 *   `headers` (e.g. `{ 'Retry-After': '1' }`) are optional.
 * - `reset`: the connection drops with no answer. `when: 'after'` (the default) lets the server handle the
 *   request first, so a write is done but its answer lost: the case an SDK must never paper over by
 *   repeating a POST. `when: 'before'` drops it before the server sees it.
 * - `truncate`: the server handles the request, and its body is cut in half (a 200 with broken JSON).
 * - `html502`: a reverse proxy's HTML "502 Bad Gateway" page; the server never sees the request.
 * - `latency`: waits `ms` milliseconds before the server handles the request.
 *
 * @example
 * ```ts
 * const fake = createFakePrimero({
 *   seed: 7,
 *   faults: [
 *     { method: 'GET', path: '/cases', rate: 0.1, kind: 'status', status: 500 },
 *     { method: 'POST', path: '/cases', kind: 'reset', times: 1 },
 *     { path: /^\/cases\/[^/]+$/, rate: 0.05, kind: 'truncate' },
 *     { kind: 'latency', ms: 20 },
 *   ],
 * });
 * fake.faults.push({ kind: 'html502', rate: 0.01 }); // rules can change mid-test
 * ```
 */
export type FaultRule = FaultMatch &
  (
    | { kind: 'status'; status: number; message?: string; headers?: Record<string, string> }
    | { kind: 'reset'; when?: 'before' | 'after' }
    | { kind: 'truncate' }
    | { kind: 'html502' }
    | { kind: 'latency'; ms: number }
  );

/** @internal What the draw decided for one request. */
export interface FaultPlan {
  /** Total injected delay. */
  latencyMs: number;
  /** The fault, when one fired. */
  fault?: Exclude<FaultRule, { kind: 'latency' }>;
  /** A rule that cannot be applied (checked at each draw: `fake.faults` is mutable). */
  invalid?: string;
}

// nginx's own page, as a proxy in front of Puma serves it when the app is down or restarting (3.4).
const BAD_GATEWAY_PAGE = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
</body>
</html>
`;

/** The statuses a response cannot have a body with (the fetch standard's null body statuses, from 200 up). */
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  409: 'Conflict',
  422: 'Unprocessable Entity',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/**
 * @internal
 * Checks a rule's shape.
 * @returns a description of what is wrong, or undefined.
 */
export function faultRuleProblem(rule: FaultRule): string | undefined {
  if (typeof rule !== 'object' || rule === null) return 'a rule must be an object';
  const { rate, times } = rule;
  if (rate !== undefined && !(typeof rate === 'number' && rate >= 0 && rate <= 1)) return 'rate must be a number from 0 to 1';
  if (times !== undefined && !(Number.isInteger(times) && times >= 0)) return 'times must be a whole number';
  if (rule.path !== undefined && typeof rule.path !== 'string' && !(rule.path instanceof RegExp)) return 'path must be a string or a RegExp';
  switch (rule.kind) {
    case 'status':
      return Number.isInteger(rule.status) && rule.status >= 200 && rule.status <= 599 ? undefined : 'status must be an HTTP status from 200 to 599';
    case 'latency':
      return Number.isFinite(rule.ms) && rule.ms >= 0 ? undefined : 'ms must be a non-negative number';
    case 'reset':
      return rule.when === undefined || rule.when === 'before' || rule.when === 'after' ? undefined : "when must be 'before' or 'after'";
    case 'truncate':
    case 'html502':
      return undefined;
    default:
      return `unknown kind ${JSON.stringify((rule as { kind?: unknown }).kind)}`;
  }
}

/** @internal Draws faults for requests from a list of rules the caller may change at any time. */
export class FaultInjector {
  readonly #seed: number;
  readonly #rules: readonly FaultRule[];
  // Per rule and method: bounded by the rules and the HTTP methods, however many paths are requested.
  readonly #streams = new WeakMap<FaultRule, Map<string, Random>>();
  readonly #fired = new WeakMap<FaultRule, number>();
  readonly #patterns = new Map<string, RegExp>();

  constructor(seed: number, rules: readonly FaultRule[]) {
    this.#seed = seed;
    this.#rules = rules;
  }

  /** Decides the faults of one request. */
  draw(method: string, path: string): FaultPlan {
    const plan: FaultPlan = { latencyMs: 0 };
    this.#rules.forEach((rule, index) => {
      if (plan.fault || plan.invalid) return;
      const problem = faultRuleProblem(rule);
      if (problem) {
        plan.invalid = `fault rule ${index}: ${problem}`;
        return;
      }
      if (!this.#matches(rule, method, path)) return;
      // One value per matching request, drawn even when `times` is spent, so a rule's stream never shifts.
      const value = this.#stream(rule, index, method).next();
      const fired = this.#fired.get(rule) ?? 0;
      if (value >= (rule.rate ?? 1) || (rule.times !== undefined && fired >= rule.times)) return;
      this.#fired.set(rule, fired + 1);
      if (rule.kind === 'latency') plan.latencyMs += rule.ms;
      else plan.fault = rule;
    });
    return plan;
  }

  #matches(rule: FaultRule, method: string, path: string): boolean {
    if (rule.method !== undefined && rule.method.toUpperCase() !== method.toUpperCase()) return false;
    if (rule.path === undefined) return !isAuthRoute(method, path);
    if (rule.path instanceof RegExp) {
      rule.path.lastIndex = 0; // a global or sticky RegExp keeps state between tests
      return rule.path.test(path);
    }
    return this.#pattern(rule.path).test(path);
  }

  #pattern(source: string): RegExp {
    let pattern = this.#patterns.get(source);
    if (!pattern) {
      const escaped = source
        .replace(/\/+$/, '')
        .split('/')
        .map((segment) => (/^:[A-Za-z_]\w*$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('/');
      pattern = new RegExp(`^${escaped}/?$`);
      this.#patterns.set(source, pattern);
    }
    return pattern;
  }

  #stream(rule: FaultRule, index: number, method: string): Random {
    let streams = this.#streams.get(rule);
    if (!streams) this.#streams.set(rule, (streams = new Map()));
    const key = method.toUpperCase();
    let stream = streams.get(key);
    if (!stream) streams.set(key, (stream = new Random(hash(`${this.#seed}|${index}|${key}`))));
    return stream;
  }
}

/** The login and the bootstrap GET: faults reach them only through a rule that names their path. */
function isAuthRoute(method: string, path: string): boolean {
  return path === '/tokens' || path === '/tokens/' || (method.toUpperCase() === 'GET' && (path === '/primero' || path === '/primero/'));
}

/** @internal The answer of a `status` fault, shaped as the real server shapes that status. */
export function statusFault(rule: Extract<FaultRule, { kind: 'status' }>, path: string): Response {
  let response: Response;
  // A null-body status cannot carry the envelope (the fetch standard throws): the status and headers only.
  if (NULL_BODY_STATUSES.has(rule.status)) response = new Response(null, { status: rule.status });
  else if (rule.status === 401) response = devise401(rule.message ?? 'You need to sign in or sign up before continuing.');
  else if (rule.status === 429) response = throttled();
  else response = apiError(rule.status, `/api/v2${path}`, rule.message ?? STATUS_TEXT[rule.status] ?? 'Error');
  for (const [name, value] of Object.entries(rule.headers ?? {})) response.headers.set(name, value);
  return response;
}

/** @internal The proxy's 502 page. */
export function badGateway(): Response {
  return new Response(BAD_GATEWAY_PAGE, { status: 502, headers: { 'content-type': 'text/html' } });
}

/** @internal `response` with the first half of its body only (the status and other headers kept). */
export async function truncated(response: Response): Promise<Response> {
  const bytes = new Uint8Array(await response.arrayBuffer());
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  return new Response(bytes.length ? bytes.slice(0, Math.floor(bytes.length / 2)) : null, { status: response.status, headers });
}

/**
 * @internal
 * What `fake.fetch` throws for a reset: what Node's fetch (undici) throws when the peer drops the
 * connection, so the SDK sees exactly what it would see on the wire.
 */
export function resetError(): TypeError {
  return new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
}

/** FNV-1a, 32 bits: a stable seed from a string. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
