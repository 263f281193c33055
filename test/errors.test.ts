/**
 * The error layer: which class each answer becomes, what every error carries, what it never shows, and
 * that reading an error body cannot crash whatever the server (or a proxy in front of it) sent.
 * Shapes follow primero-api.md section 3 (current server code), not the official docs where they differ.
 */
import { fileURLToPath } from 'node:url';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { http, HttpResponse } from 'msw';
import { describe, expect, test, vi } from 'vitest';
import {
  AuthenticationError,
  ConflictError,
  ForbiddenError,
  InvalidRecordError,
  NotFoundError,
  PrimeroApiError,
  PrimeroError,
  RateLimitError,
  ServerError,
  ValidationError,
  isPrimeroError,
  type HttpMethod,
  type PrimeroClient,
  type PrimeroErrorName,
} from '../src/index.js';
import { createApiError, parseErrorBody, type ApiErrorInit, type ServerErrorEntry } from '../src/core/errors.js';
import { parseRetryAfter } from '../src/core/retry.js';
import { rejection } from './support/async.js';
import { API, recordRequests, server, testClient } from './support/server.js';

// The official docs' JSON examples live beside the repository (../shared), not in it: they are Primero's,
// used as contract fixtures. PRIMERO_DOC_EXAMPLES points elsewhere.
const EXAMPLES = process.env.PRIMERO_DOC_EXAMPLES ?? fileURLToPath(new URL('../../shared/primero-doc-examples', import.meta.url));

/** The error a single-attempt call gets when the server answers `respond()`. */
async function errorFor(
  respond: () => Response,
  { method = 'GET', path = '/cases', client = testClient({ maxRetries: 0 }) }: { method?: HttpMethod; path?: string; client?: PrimeroClient } = {},
): Promise<unknown> {
  server.use(http.all(`${API}${path}`, respond));
  return rejection(client.request(method, path));
}

function envelope(...errors: Record<string, unknown>[]): Response {
  const status = typeof errors[0]?.status === 'number' ? errors[0].status : 500;
  return HttpResponse.json({ errors }, { status, headers: { 'X-Request-Id': 'req-1' } });
}

function init(status: number, errors: ServerErrorEntry[] = []): ApiErrorInit {
  return { status, method: 'GET', url: '/api/v2/cases', errors, bodyKind: errors.length ? 'json' : 'empty' };
}

describe('status to error class (primero-api.md 3.2)', () => {
  test('401 from Devise: {"error": "..."} becomes the message of an AuthenticationError', async () => {
    const e = await errorFor(() =>
      HttpResponse.json(
        { error: 'You need to sign in or sign up before continuing.' },
        { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="Primero" charset="UTF8"' } },
      ),
    );
    expect(e).toBeInstanceOf(AuthenticationError);
    const error = e as AuthenticationError;
    expect(error.status).toBe(401);
    expect(error.bodyKind).toBe('json');
    expect(error.errors).toEqual([{ message: 'You need to sign in or sign up before continuing.' }]);
    expect(error.message).toBe('401 You need to sign in or sign up before continuing. (GET /api/v2/cases)');
  });

  test('403 "Forbidden" is a ForbiddenError that is not a CSRF refusal', async () => {
    const e = await errorFor(() => envelope({ status: 403, resource: '/api/v2/cases', message: 'Forbidden' }));
    expect(e).toBeInstanceOf(ForbiddenError);
    expect((e as ForbiddenError).isCsrf).toBe(false);
    expect((e as ForbiddenError).status).toBe(403);
  });

  test('403 "Can\'t verify CSRF token authenticity." is a ForbiddenError with isCsrf', async () => {
    const e = await errorFor(() => envelope({ status: 403, resource: '/api/v2/cases', message: "Can't verify CSRF token authenticity." }), {
      method: 'POST',
    });
    expect(e).toBeInstanceOf(ForbiddenError);
    expect((e as ForbiddenError).isCsrf).toBe(true);
    expect((e as ForbiddenError).method).toBe('POST');
  });

  test('404 is a NotFoundError; the detail naming the record stays out of the message', async () => {
    const e = await errorFor(
      () => envelope({ status: 404, resource: '/api/v2/cases/abc', detail: "Couldn't find Child with 'id'=abc", message: 'Not Found' }),
      { path: '/cases/abc' },
    );
    expect(e).toBeInstanceOf(NotFoundError);
    expect((e as NotFoundError).message).toBe('404 Not Found (GET /api/v2/cases/abc)');
    expect((e as NotFoundError).errors[0]?.detail).toBe("Couldn't find Child with 'id'=abc");
  });

  test('409 is a ConflictError carrying the server message', async () => {
    const e = await errorFor(() => envelope({ status: 409, resource: '/api/v2/cases', message: 'Conflict: A record with this id already exists' }), {
      method: 'POST',
    });
    expect(e).toBeInstanceOf(ConflictError);
    expect((e as ConflictError).message).toBe('409 Conflict: A record with this id already exists (POST /api/v2/cases)');
  });

  test('422 "Invalid Record JSON" is an InvalidRecordError with the JSON pointers, and a ValidationError', async () => {
    const e = await errorFor(
      () =>
        envelope({
          status: 422,
          resource: '/api/v2/cases',
          detail: ['/age', '/services_section/0/service_type'],
          message: 'Invalid Record JSON',
        }),
      { method: 'POST' },
    );
    expect(e).toBeInstanceOf(InvalidRecordError);
    expect(e).toBeInstanceOf(ValidationError);
    const error = e as InvalidRecordError;
    expect(error.pointers).toEqual(['/age', '/services_section/0/service_type']);
    expect(error.messages).toEqual(['Invalid Record JSON']);
    expect(error.field).toBeUndefined();
    expect(error.message).toBe('422 Invalid Record JSON: /age, /services_section/0/service_type (POST /api/v2/cases)');
  });

  test('422 RecordInvalid (detail = attribute, message = i18n keys) is a ValidationError, not an InvalidRecordError', async () => {
    const e = await errorFor(
      () =>
        envelope({
          status: 422,
          resource: '/api/v2/cases/abc/referrals',
          detail: 'transitioned_to',
          message: ['transition.errors.to_user_can_receive'],
        }),
      { method: 'POST', path: '/cases/abc/referrals' },
    );
    expect(e).toBeInstanceOf(ValidationError);
    expect(e).not.toBeInstanceOf(InvalidRecordError);
    expect(isPrimeroError(e, 'InvalidRecordError')).toBe(false);
    const error = e as ValidationError;
    expect(error.field).toBe('transitioned_to');
    expect(error.messages).toEqual(['transition.errors.to_user_can_receive']);
    expect(error.message).toBe('422 transitioned_to: transition.errors.to_user_can_receive (POST /api/v2/cases/abc/referrals)');
  });

  test('422 from the identified-case check (detail is a pointer list, message an i18n key) is an InvalidRecordError', async () => {
    const e = await errorFor(() => envelope({ status: 422, resource: '/api/v2/cases', detail: ['identified_by'], message: 'errors.models.child.identified_by_exists' }), {
      method: 'PATCH',
    });
    expect(e).toBeInstanceOf(InvalidRecordError);
    expect((e as InvalidRecordError).pointers).toEqual(['identified_by']);
    expect((e as InvalidRecordError).messages).toEqual(['errors.models.child.identified_by_exists']);
  });

  test('429 from Rack::Attack (plain text) is a RateLimitError', async () => {
    const e = await errorFor(() => new HttpResponse('Retry later\n', { status: 429, headers: { 'Content-Type': 'text/plain' } }), { method: 'POST', path: '/tokens' });
    expect(e).toBeInstanceOf(RateLimitError);
    expect((e as RateLimitError).bodyKind).toBe('text');
    expect((e as RateLimitError).errors).toEqual([]);
    expect((e as RateLimitError).message).toBe('429 Too Many Requests (POST /api/v2/tokens)');
  });

  test('500 is a ServerError, not a configuration lock', async () => {
    const e = await errorFor(() => envelope({ status: 500, resource: '/api/v2/cases', message: 'undefined method `x` for nil' }));
    expect(e).toBeInstanceOf(ServerError);
    expect((e as ServerError).isConfigurationLock).toBe(false);
    expect((e as ServerError).retryAfterMs).toBeUndefined();
    expect((e as ServerError).message).toBe('500 Internal Server Error (GET /api/v2/cases)');
  });

  test('503 with Retry-After: 60 is the configuration lock (primero-api.md 1.5)', async () => {
    const e = await errorFor(() =>
      HttpResponse.json(
        { errors: [{ status: 503, resource: '/api/v2/cases', detail: 'Retry-After: 60', message: 'Service Unavailable' }] },
        { status: 503, headers: { 'Retry-After': '60' } },
      ),
    );
    expect(e).toBeInstanceOf(ServerError);
    const error = e as ServerError;
    expect(error.isConfigurationLock).toBe(true);
    expect(error.retryAfterMs).toBe(60_000);
    expect(error.message).toBe('503 Service Unavailable, retry after 60 s (GET /api/v2/cases)');
  });

  test('503 without Retry-After (captcha provider down) is a ServerError but not the lock', async () => {
    const e = await errorFor(() => envelope({ status: 503, message: 'errors.api.user.captcha_service_unavailable' }));
    expect(e).toBeInstanceOf(ServerError);
    expect((e as ServerError).isConfigurationLock).toBe(false);
  });

  test.each([
    ["a gateway's JSON saying the same words outside Primero's envelope", () => HttpResponse.json({ message: 'Service Unavailable' }, { status: 503, headers: { 'Retry-After': '30' } }), 'json'],
    [
      'an errors[] envelope with another message',
      () => HttpResponse.json({ errors: [{ status: 503, resource: '/api/v2/cases', message: 'upstream connect error' }] }, { status: 503, headers: { 'Retry-After': '30' } }),
      'json',
    ],
    ['plain text "Service Unavailable"', () => new HttpResponse('Service Unavailable', { status: 503, headers: { 'Content-Type': 'text/plain', 'Retry-After': '30' } }), 'text'],
  ])('503 with Retry-After but not Primero\'s lock body (%s) is a ServerError that is not the lock', async (_name, respond, bodyKind) => {
    const e = await errorFor(respond);
    expect(e).toBeInstanceOf(ServerError);
    const error = e as ServerError;
    expect(error.isConfigurationLock).toBe(false);
    expect(error.retryAfterMs).toBe(30_000);
    expect(error.bodyKind).toBe(bodyKind);
    expect(error.message).toBe('503 Service Unavailable, retry after 30 s (GET /api/v2/cases)');
  });

  test.each([400, 405, 413, 418])('other 4xx (%i) is a plain PrimeroApiError', async (status) => {
    const e = await errorFor(() => HttpResponse.json({ errors: [{ status, message: 'param is missing or the value is empty: data' }] }, { status }));
    expect(Object.getPrototypeOf(e)).toBe(PrimeroApiError.prototype);
    expect((e as PrimeroApiError).status).toBe(status);
    expect((e as PrimeroApiError).name).toBe('PrimeroApiError');
  });

  test.each([301, 302, 303, 307, 308])('%i is reported as a PrimeroApiError and never followed', async (status) => {
    const seen = recordRequests();
    const followed = vi.fn(() => HttpResponse.json({ data: [] }));
    server.use(
      http.get(`${API}/cases`, () => new HttpResponse(null, { status, headers: { Location: `${API}/elsewhere` } })),
      http.get(`${API}/elsewhere`, followed),
    );
    const e = await rejection(testClient().request('GET', '/cases'));
    expect(Object.getPrototypeOf(e)).toBe(PrimeroApiError.prototype);
    expect((e as PrimeroApiError).status).toBe(status);
    expect((e as PrimeroApiError).message).toContain('Redirect not followed');
    expect((e as PrimeroApiError).attempts).toBe(1);
    expect(followed).not.toHaveBeenCalled();
    expect(seen.map((s) => s.path)).toEqual(['/api/v2/cases']);
  });
});

describe('what every API error carries', () => {
  test('status, method, redacted url, requestId and attempts', async () => {
    server.use(
      http.get(`${API}/cases`, () =>
        HttpResponse.json({ errors: [{ status: 500, message: 'boom' }] }, { status: 500, headers: { 'X-Request-Id': 'f2c1-77' } }),
      ),
    );
    const e = await rejection(testClient().request('GET', '/cases', { query: { query: 'Amina Yusuf', case_id: 'CP-123', page: 2, per: 50 } }));
    expect(e).toBeInstanceOf(ServerError);
    const error = e as ServerError;
    expect(error.status).toBe(500);
    expect(error.method).toBe('GET');
    expect(error.url).toBe('/api/v2/cases?query=…&case_id=…&page=2&per=50');
    expect(error.requestId).toBe('f2c1-77');
    expect(error.attempts).toBe(3);
    expect(error.message).not.toContain('Amina');
    expect(error.message).not.toContain('CP-123');
  });

  test('requestId is undefined when the server sent no X-Request-Id', async () => {
    const e = await errorFor(() => new HttpResponse(null, { status: 404 }));
    expect((e as NotFoundError).requestId).toBeUndefined();
    expect((e as NotFoundError).attempts).toBe(1);
  });

  test('isPrimeroError: by class and ancestors, across module copies, never for look-alikes', async () => {
    const invalid = createApiError(init(422, [{ status: 422, detail: ['/age'], message: 'Invalid Record JSON' }]));
    expect(invalid).toBeInstanceOf(InvalidRecordError);
    for (const name of ['PrimeroError', 'PrimeroApiError', 'ValidationError', 'InvalidRecordError'] as const) expect(isPrimeroError(invalid, name)).toBe(true);
    expect(isPrimeroError(invalid)).toBe(true);
    for (const name of ['ServerError', 'NotFoundError', 'ConflictError', 'AuthenticationError', 'ConnectionError'] as const) {
      expect(isPrimeroError(invalid, name)).toBe(false);
    }

    const others = [404, 409, 401, 403, 429, 500, 400].map((status) => createApiError(init(status)));
    others.push(createApiError(init(422, [{ detail: 'transitioned_to', message: ['transition.errors.to_user_can_receive'] }])));
    for (const other of others) {
      expect(isPrimeroError(other)).toBe(true);
      expect(isPrimeroError(other, 'InvalidRecordError')).toBe(false);
      expect(isPrimeroError(other, 'ValidationError')).toBe(other.status === 422);
    }

    const lookAlike = Object.assign(new Error('x'), { name: 'ValidationError', kinds: ['ValidationError'] });
    for (const value of [lookAlike, new Error('x'), null, undefined, 'ValidationError', { kinds: ['ValidationError'] }]) {
      expect(isPrimeroError(value)).toBe(false);
      expect(isPrimeroError(value, 'ValidationError')).toBe(false);
    }

    // A second copy of the SDK (dual ESM/CJS install): instanceof fails, isPrimeroError does not.
    vi.resetModules();
    const copy = (await import('../src/core/errors.js')) as typeof import('../src/core/errors.js');
    const foreign = copy.createApiError(init(422, [{ detail: ['/age'], message: 'Invalid Record JSON' }]));
    expect(copy.InvalidRecordError).not.toBe(InvalidRecordError);
    expect(foreign).not.toBeInstanceOf(InvalidRecordError);
    expect(isPrimeroError(foreign, 'ValidationError')).toBe(true);
    expect(isPrimeroError(foreign, 'NotFoundError')).toBe(false);
  });

  test('name is the stable class name, not enumerable, and survives String(e)', () => {
    const expected: [number, PrimeroErrorName, ServerErrorEntry[]][] = [
      [401, 'AuthenticationError', []],
      [403, 'ForbiddenError', []],
      [404, 'NotFoundError', []],
      [409, 'ConflictError', []],
      [422, 'ValidationError', [{ detail: 'name', message: ['blank'] }]],
      [422, 'InvalidRecordError', [{ detail: ['/age'], message: 'Invalid Record JSON' }]],
      [429, 'RateLimitError', []],
      [502, 'ServerError', []],
      [418, 'PrimeroApiError', []],
    ];
    for (const [status, name, errors] of expected) {
      const e = createApiError(init(status, errors));
      expect(e.name).toBe(name);
      expect(e.kinds.at(-1)).toBe(name);
      expect(String(e).startsWith(`${name}: ${status} `)).toBe(true);
      expect(Object.keys(e)).not.toContain('name');
      expect(e).toBeInstanceOf(PrimeroError);
      expect(e).toBeInstanceOf(Error);
    }
  });

  test('a 500 message quoting a child is readable on errors but absent from message, JSON.stringify and util.inspect', async () => {
    const raw = 'PG::UniqueViolation: Key (name)=(Amina Yusuf, born 2014-03-02) already exists';
    const e = await errorFor(() =>
      HttpResponse.json({ errors: [{ status: 500, resource: '/api/v2/cases/abc', detail: 'Amina Yusuf', message: raw }] }, { status: 500 }),
    );
    expect(e).toBeInstanceOf(ServerError);
    const error = e as ServerError;
    expect(error.errors[0]?.message).toBe(raw);
    expect(Object.keys(error)).not.toContain('errors');
    const views = [error.message, String(error), JSON.stringify(error), inspect(error), inspect(error, { depth: 10, showHidden: false }), JSON.stringify({ ...error })];
    for (const view of views) {
      expect(view).not.toContain('Amina');
      expect(view).not.toContain('UniqueViolation');
    }
    const json = JSON.parse(JSON.stringify(error)) as Record<string, unknown>;
    expect(json).toMatchObject({ name: 'ServerError', status: 500, method: 'GET', url: '/api/v2/cases', bodyKind: 'json', attempts: 1, isConfigurationLock: false });
    expect(json).not.toHaveProperty('errors');
    expect(inspect(error)).toContain('ServerError: 500 Internal Server Error (GET /api/v2/cases)');
  });

  test('a 422 whose message and detail quote record data keeps them off message, JSON.stringify and util.inspect', async () => {
    const e = await errorFor(
      () =>
        HttpResponse.json(
          { errors: [{ status: 422, resource: '/api/v2/cases', detail: 'Amina Yusuf (CP-123)', message: ['Name Amina Yusuf is already registered'] }] },
          { status: 422 },
        ),
      { method: 'POST' },
    );
    expect(e).toBeInstanceOf(ValidationError);
    const error = e as ValidationError;
    expect(error.messages).toEqual(['Name Amina Yusuf is already registered']);
    expect(error.errors[0]?.detail).toBe('Amina Yusuf (CP-123)');
    expect(error.field).toBeUndefined();
    for (const view of [error.message, JSON.stringify(error), inspect(error), JSON.stringify({ ...error })]) {
      expect(view).not.toContain('Amina');
      expect(view).not.toContain('CP-123');
    }
    expect(error.message).toBe('422 Unprocessable Entity (POST /api/v2/cases)');
  });

  test('errors are frozen: a handler cannot rewrite what the server said', () => {
    const e = createApiError(init(409, [{ message: 'Conflict: A record with this id already exists' }]));
    expect(Object.isFrozen(e.errors)).toBe(true);
    expect(() => (e.errors as ServerErrorEntry[]).push({})).toThrow(TypeError);
  });
});

describe('error bodies that are not the envelope', () => {
  test('an HTML 502 page from a proxy is a ServerError with bodyKind html, never a crash', async () => {
    const page = '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>';
    const e = await errorFor(() => new HttpResponse(page, { status: 502, headers: { 'Content-Type': 'text/html' } }));
    expect(e).toBeInstanceOf(ServerError);
    expect((e as ServerError).bodyKind).toBe('html');
    expect((e as ServerError).errors).toEqual([]);
    expect((e as ServerError).message).toBe('502 Bad Gateway (GET /api/v2/cases)');
  });

  test('an HTML page without an HTML content type is still recognised', () => {
    expect(parseErrorBody('  <html><body>Service down</body></html>', 'text/plain').bodyKind).toBe('html');
    expect(parseErrorBody('{"errors": []}', 'text/html; charset=utf-8').bodyKind).toBe('html');
  });

  test('a truncated JSON error body is kept as text', async () => {
    const e = await errorFor(() => new HttpResponse('{"errors":[{"status":500,"resource":"/api/v2/ca', { status: 500, headers: { 'Content-Type': 'application/json' } }));
    expect(e).toBeInstanceOf(ServerError);
    expect((e as ServerError).bodyKind).toBe('text');
    expect((e as ServerError).errors).toEqual([]);
  });

  test('an empty body (unmatched route, primero-api.md 3.4) is bodyKind empty', async () => {
    const e = await errorFor(() => new HttpResponse(null, { status: 404 }), { path: '/no_such_route' });
    expect(e).toBeInstanceOf(NotFoundError);
    expect((e as NotFoundError).bodyKind).toBe('empty');
    expect(parseErrorBody(' \n\t', 'application/json')).toEqual({ errors: [], bodyKind: 'empty' });
  });

  test('JSON that is not an envelope parses to no entries', () => {
    for (const text of ['null', '42', '"Forbidden"', '[{"status":403}]', '{"errors":"nope"}', '{"message":"x"}']) {
      expect(parseErrorBody(text, 'application/json')).toEqual({ errors: [], bodyKind: 'json' });
    }
    expect(parseErrorBody('{"errors":[null, 3, "x", {"status":"403", "message": [1, "a"], "detail": {"k": 1}}]}', null)).toEqual({
      errors: [{ message: ['a'] }],
      bodyKind: 'json',
    });
  });

  test('current servers write "status"; the stale docs\' "code" is read the same way, "status" winning', () => {
    expect(parseErrorBody('{"errors":[{"status":403,"resource":"/api/v2/cases","message":"Forbidden"}]}', 'application/json').errors).toEqual([
      { status: 403, resource: '/api/v2/cases', message: 'Forbidden' },
    ]);
    expect(parseErrorBody('{"errors":[{"code":403,"resource":"/api/v2/cases","message":"Forbidden"}]}', 'application/json').errors).toEqual([
      { status: 403, resource: '/api/v2/cases', message: 'Forbidden' },
    ]);
    expect(parseErrorBody('{"errors":[{"status":422,"code":403}]}', null).errors).toEqual([{ status: 422 }]);
  });
});

describe('official doc examples (stale: they write "code" where the server writes "status", primero-api.md section 10)', () => {
  const files = readdirSync(EXAMPLES).filter((f) => /__response_(4|5)\d\d(_\d+)?\.json$/.test(f));
  const classFor: Record<number, abstract new (...args: never[]) => PrimeroApiError> = {
    401: AuthenticationError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    422: ValidationError,
  };

  test('every error example parses into the class of its status', async () => {
    expect(files.length).toBeGreaterThanOrEqual(100);
    const client = testClient({ maxRetries: 0 });
    let withCode = 0;
    let withStatus = 0;
    for (const file of files) {
      const status = Number(/_(\d{3})(?:_\d+)?\.json$/.exec(file)?.[1]);
      const text = readFileSync(join(EXAMPLES, file), 'utf8');
      const raw = JSON.parse(text) as { errors?: { code?: number; status?: number }[]; error?: string };
      withCode += raw.errors?.filter((e) => 'code' in e).length ?? 0;
      withStatus += raw.errors?.filter((e) => 'status' in e).length ?? 0;

      server.resetHandlers(http.get(`${API}/example`, () => new HttpResponse(text, { status, headers: { 'Content-Type': 'application/json' } })));
      const e = await rejection(client.request('GET', '/example'));
      const expected = classFor[status];
      expect(expected, file).toBeDefined();
      expect(e, file).toBeInstanceOf(expected as NonNullable<typeof expected>);
      const error = e as PrimeroApiError;
      expect(error.status, file).toBe(status);
      expect(error.bodyKind, file).toBe('json');
      expect(error.errors.length, file).toBeGreaterThan(0);
      for (const [i, entry] of (raw.errors ?? []).entries()) {
        // Both spellings land on `status`; entries with neither (forms export 422) have none.
        expect(error.errors[i]?.status, file).toBe(entry.status ?? entry.code);
      }
      if (error instanceof ForbiddenError) expect(error.isCsrf, file).toBe(false);
    }
    // Guards the fixtures themselves: both spellings are present, so both paths above really ran.
    expect(withCode).toBeGreaterThan(50);
    expect(withStatus).toBeGreaterThan(0);
  });

  test('cases POST 422 example (stale: string message, string detail) is a ValidationError on registration_date', () => {
    const { errors } = parseErrorBody(readFileSync(join(EXAMPLES, 'cases__post__response_422.json'), 'utf8'), 'application/json');
    const e = createApiError({ ...init(422, errors), method: 'POST' });
    expect(e).toBeInstanceOf(ValidationError);
    expect(e).not.toBeInstanceOf(InvalidRecordError);
    expect((e as ValidationError).field).toBe('registration_date');
    expect((e as ValidationError).messages).toEqual(['Please enter the date in a valid format (dd-mmm-yyyy)']);
    expect(errors[0]?.status).toBe(422);
  });

  test('cases POST 409 example (stale: "Conflict"; the server says "Conflict: A record with this id already exists")', () => {
    const { errors } = parseErrorBody(readFileSync(join(EXAMPLES, 'cases__post__response_409.json'), 'utf8'), 'application/json');
    const e = createApiError(init(409, errors));
    expect(e).toBeInstanceOf(ConflictError);
    expect(e.message).toBe('409 Conflict (GET /api/v2/cases)');
    expect(errors).toEqual([{ status: 409, resource: '/api/v2/cases', message: 'Conflict' }]);
  });

  test('alerts GET 401 example (stale devise-jwt relic {"error": "revoked token"}) is an AuthenticationError', () => {
    const parsed = parseErrorBody(readFileSync(join(EXAMPLES, 'alerts__get__response_401.json'), 'utf8'), 'application/json');
    expect(parsed).toEqual({ errors: [{ message: 'revoked token' }], bodyKind: 'json' });
    const e = createApiError(init(401, parsed.errors));
    expect(e).toBeInstanceOf(AuthenticationError);
    // Not one of the Devise texts the SDK repeats: readable on `errors`, not in the message.
    expect(e.message).toBe('401 Unauthorized (GET /api/v2/cases)');
    expect(e.errors[0]?.message).toBe('revoked token');
  });

  test('tokens POST 401 example (Devise "Invalid User name or password.") becomes the message', () => {
    const { errors } = parseErrorBody(readFileSync(join(EXAMPLES, 'tokens__post__response_401.json'), 'utf8'), 'application/json');
    const e = createApiError({ ...init(401, errors), method: 'POST', url: '/api/v2/tokens' });
    expect(e).toBeInstanceOf(AuthenticationError);
    expect(e.message).toBe('401 Invalid User name or password. (POST /api/v2/tokens)');
  });

  test('cases POST 403 example (stale "code" key) is a non-CSRF ForbiddenError', () => {
    const { errors } = parseErrorBody(readFileSync(join(EXAMPLES, 'cases__post__response_403.json'), 'utf8'), 'application/json');
    const e = createApiError(init(403, errors));
    expect(e).toBeInstanceOf(ForbiddenError);
    expect((e as ForbiddenError).isCsrf).toBe(false);
    expect(errors[0]?.status).toBe(403);
  });
});

describe('properties', () => {
  const KINDS = ['json', 'html', 'text', 'empty'];
  const contentType = fc.option(fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/html', 'text/plain', ''), { nil: null });

  function checkParsed(result: ReturnType<typeof parseErrorBody>): void {
    expect(Array.isArray(result.errors)).toBe(true);
    expect(KINDS).toContain(result.bodyKind);
    for (const entry of result.errors) {
      if (entry.status !== undefined) expect(typeof entry.status).toBe('number');
      for (const value of [entry.message, entry.detail]) {
        if (value === undefined || typeof value === 'string') continue;
        expect(Array.isArray(value) && value.every((v) => typeof v === 'string')).toBe(true);
      }
      if (entry.resource !== undefined) expect(typeof entry.resource).toBe('string');
    }
  }

  test('parseErrorBody never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' })), contentType, (text, type) => {
        checkParsed(parseErrorBody(text, type));
      }),
      { numRuns: 500 },
    );
  });

  test('parseErrorBody never throws on arbitrary JSON, envelope-shaped or not, whole or cut off', () => {
    const entry = fc.dictionary(fc.constantFrom('status', 'code', 'resource', 'detail', 'message', '__proto__', 'constructor', 'x'), fc.jsonValue());
    const body = fc.oneof(
      fc.jsonValue(),
      fc.record({ errors: fc.array(fc.oneof(entry, fc.jsonValue())) }),
      fc.record({ error: fc.jsonValue() }),
    );
    fc.assert(
      fc.property(body, contentType, fc.nat(), (value, type, cut) => {
        const text = JSON.stringify(value);
        const whole = parseErrorBody(text, type);
        checkParsed(whole);
        if (type !== 'text/html') expect(whole.bodyKind).toBe('json');
        checkParsed(parseErrorBody(text.slice(0, cut % (text.length + 1)), type));
      }),
      { numRuns: 500 },
    );
  });

  test('createApiError picks the class of any status 100-599 and never throws', () => {
    const entries = fc.array(
      fc.record(
        {
          status: fc.integer({ min: 100, max: 599 }),
          detail: fc.oneof(fc.string(), fc.array(fc.string())),
          message: fc.oneof(fc.string(), fc.array(fc.string())),
        },
        { requiredKeys: [] },
      ),
      { maxLength: 3 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 599 }), entries, fc.option(fc.nat(), { nil: undefined }), (status, errors, retryAfterMs) => {
        const e = createApiError({ ...init(status, errors), retryAfterMs });
        const expected: Partial<Record<number, PrimeroErrorName>> = {
          401: 'AuthenticationError',
          403: 'ForbiddenError',
          404: 'NotFoundError',
          409: 'ConflictError',
          429: 'RateLimitError',
        };
        const invalidJson = errors.some((x) => Array.isArray(x.detail) || x.message === 'Invalid Record JSON' || (Array.isArray(x.message) && x.message.includes('Invalid Record JSON')));
        const name: PrimeroErrorName =
          expected[status] ?? (status === 422 ? (invalidJson ? 'InvalidRecordError' : 'ValidationError') : status >= 500 ? 'ServerError' : 'PrimeroApiError');
        expect(e.name).toBe(name);
        expect(isPrimeroError(e, name)).toBe(true);
        expect(e).toBeInstanceOf(PrimeroApiError);
        expect(e.status).toBe(status);
        expect(e.attempts).toBe(1);
        expect(e.message.startsWith(`${status} `)).toBe(true);
        const lockBody = errors.some((x) => x.message === 'Service Unavailable' || (Array.isArray(x.message) && x.message.includes('Service Unavailable')));
        if (e instanceof ServerError) expect(e.isConfigurationLock).toBe(status === 503 && retryAfterMs !== undefined && lockBody);
        expect(() => JSON.stringify(e)).not.toThrow();
      }),
      { numRuns: 1000 },
    );
  });

  test('parseRetryAfter: integer seconds round-trip to milliseconds', () => {
    fc.assert(
      fc.property(fc.nat({ max: 10_000_000 }), fc.constantFrom('', ' ', '\t'), (seconds, pad) => {
        expect(parseRetryAfter(`${pad}${seconds}${pad}`)).toBe(seconds * 1000);
      }),
    );
    expect(parseRetryAfter('60')).toBe(60_000);
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  test('parseRetryAfter never returns a negative or non-finite delay', () => {
    const now = Date.UTC(2026, 10, 27, 12, 0, 0);
    const httpDate = fc.integer({ min: -1e11, max: 1e11 }).map((offset) => new Date(now + offset).toUTCString());
    fc.assert(
      fc.property(fc.oneof(fc.string(), httpDate, fc.integer().map(String), fc.double().map(String)), (value) => {
        const ms = parseRetryAfter(value, now);
        if (ms !== undefined) {
          expect(Number.isFinite(ms)).toBe(true);
          expect(ms).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 1000 },
    );
  });

  test('parseRetryAfter reads HTTP dates relative to now and rejects nonsense', () => {
    const now = Date.UTC(2026, 10, 27, 12, 0, 0);
    expect(parseRetryAfter(new Date(now + 30_000).toUTCString(), now)).toBe(30_000);
    expect(parseRetryAfter(new Date(now - 30_000).toUTCString(), now)).toBe(0);
    for (const value of ['-1', 'soon', '', '1e3', '12abc']) expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});
