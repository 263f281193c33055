/**
 * Matching a request to a route, as Rails' router does for the routes the fake implements. Anything else
 * under `/api/v2` is a 404 in the server's envelope.
 *
 * @module
 */
import type { FakeUser } from './store.js';

/** @internal What a route handler gets. */
export interface RouteContext {
  request: Request;
  url: URL;
  /** The path from `/api/v2`, e.g. `/cases/0a1b.../referrals`. */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The signed-in user (undefined on routes that need none). */
  user: FakeUser;
  /** The parsed JSON body, or undefined when there is none. */
  body: unknown;
}

/** @internal */
export type RouteHandler = (ctx: RouteContext) => Response | Promise<Response>;

/** @internal */
export interface Route {
  method: string;
  /** `/cases/:id/referrals/:referral_id`: `:name` matches one segment. */
  pattern: string;
  handler: RouteHandler;
  /** False for the public routes (`GET /primero`) and the login itself. Default true. */
  auth?: boolean;
}

interface Compiled extends Route {
  regex: RegExp;
  names: string[];
}

/** @internal */
export class Router {
  readonly #routes: Compiled[] = [];

  add(...routes: Route[]): this {
    for (const route of routes) {
      const names: string[] = [];
      const source = route.pattern.replace(/:([a-z_]+)/g, (_, name: string) => {
        names.push(name);
        return '([^/]+)';
      });
      this.#routes.push({ ...route, regex: new RegExp(`^${source}/?$`), names });
    }
    return this;
  }

  /**
   * The route for a method and path, with its decoded parameters; PUT is routed like PATCH (Rails resources)
   * and HEAD like GET (Rails answers a HEAD with the GET route; the caller drops the body). A parameter with a
   * malformed percent-escape matches no route (undefined: the 404).
   */
  match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    const wanted = method === 'PUT' ? 'PATCH' : method === 'HEAD' ? 'GET' : method;
    for (const route of this.#routes) {
      if (route.method !== wanted) continue;
      const found = route.regex.exec(path);
      if (!found) continue;
      const params: Record<string, string> = {};
      for (const [i, name] of route.names.entries()) {
        const value = decode(found[i + 1] ?? '');
        if (value === undefined) return undefined;
        params[name] = value;
      }
      return { route, params };
    }
    return undefined;
  }
}

/** `decodeURIComponent`, or undefined for a malformed escape (`%E0%A4%A`, `%zz`). */
function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
