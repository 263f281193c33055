/**
 * The response shapes of the real server: `{data}` bodies, the `{errors: [...]}` envelope of
 * `ErrorService`, Devise's `{error}` 401s with `WWW-Authenticate`, Rack::Attack's plain-text 429
 * (primero-api.md sections 1.4, 2.1 and 3).
 *
 * @module
 */

/** @internal A JSON response. */
export function json(body: unknown, status = 200, headers: HeadersInit = {}): Response {
  const response = new Response(JSON.stringify(body), { status, headers });
  response.headers.set('content-type', 'application/json; charset=utf-8');
  return response;
}

/** @internal `{errors: [{status, resource, detail?, message}]}` in the server's key order. */
export function apiError(status: number, resource: string, message: string | string[], detail?: string | string[], headers: HeadersInit = {}): Response {
  return json({ errors: [{ status, resource, ...(detail === undefined ? {} : { detail }), message }] }, status, headers);
}

/** @internal Devise's failure app: `{"error": "..."}`, and the header Primero's middleware adds to every 401. */
export function devise401(message: string): Response {
  return json({ error: message }, 401, { 'WWW-Authenticate': 'Bearer realm="Primero" charset="UTF8"' });
}

/** @internal 404 with ActiveRecord's detail, as `ErrorService` renders it. */
export function notFound(resource: string, model = 'Child', id = ''): Response {
  return apiError(404, resource, 'Not Found', `Couldn't find ${model} with 'id'=${id}`);
}

/** @internal Rack::Attack's default throttled answer: plain text, no Retry-After. */
export function throttled(): Response {
  return new Response('Retry later\n', { status: 429, headers: { 'content-type': 'text/plain' } });
}

/** @internal Devise's English failure messages (primero-api.md 1.4). */
export const DEVISE = Object.freeze({
  unauthenticated: 'You need to sign in or sign up before continuing.',
  timeout: 'Your session expired. Please sign in again to continue.',
  invalid: 'Invalid User name or password.',
});
