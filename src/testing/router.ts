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

  /** The route for a method and path, with its decoded parameters; PUT is routed like PATCH (Rails resources). */
  match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    const wanted = method === 'PUT' ? 'PATCH' : method;
    for (const route of this.#routes) {
      if (route.method !== wanted) continue;
      const found = route.regex.exec(path);
      if (!found) continue;
      const params = Object.fromEntries(route.names.map((name, i) => [name, decodeURIComponent(found[i + 1] ?? '')]));
      return { route, params };
    }
    return undefined;
  }
}
