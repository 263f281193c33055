/**
 * zod at the response boundary. Primero records carry instance-specific custom fields, so record schemas
 * are loose objects (unknown keys kept); what `validate` decides is what happens when a known field has
 * an unexpected shape.
 *
 * @module
 */
import type { z } from 'zod';
import { RequestValidationError, ResponseValidationError, type ValidationIssue } from './errors.js';
import type { LogSink } from './logger.js';

/**
 * How responses are checked against the SDK's schemas:
 * - `strict`: a mismatch throws {@link ResponseValidationError}; the result is the schema's output;
 * - `loose` (default): a mismatch is logged as a warning (paths only) and the body is returned as sent, so a
 *   server that differs in one field does not stop a job;
 * - `off`: bodies are trusted, not checked (fastest).
 */
export type ValidationMode = 'strict' | 'loose' | 'off';

/** @internal Checks `value` against `schema` under `mode`; never puts a value in an error or a log line. */
export function checkResponse<S extends z.ZodType>(
  schema: S,
  value: unknown,
  mode: ValidationMode,
  where: { method: string; url: () => string; log: LogSink },
): z.output<S> {
  if (mode === 'off') return value as z.output<S>;
  const result = schema.safeParse(value);
  // Only strict returns zod's output; the other modes return the body as sent, so what a caller gets never
  // depends on whether the body happened to match (a strict schema would drop a deployment's custom fields).
  if (result.success) return mode === 'strict' ? result.data : (value as z.output<S>);
  const issues = toIssues(result.error);
  // The redacted url, worked out only now: it goes into an error or a log line, never on success.
  const url = where.url();
  if (mode === 'strict') throw new ResponseValidationError(where.method, url, issues);
  where.log.emit('warn', `unexpected response shape (${where.method} ${url})`, {
    type: 'validation',
    method: where.method,
    path: url,
    issues: issues.map(({ path, code }) => ({ path, code })),
  });
  return value as z.output<S>;
}

/** @internal zod's issues without their messages and inputs: zod 4 can quote the offending value. */
export function toIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.filter((p): p is string | number => typeof p !== 'symbol'),
    code: issue.code,
    ...('expected' in issue && typeof issue.expected === 'string' ? { expected: issue.expected } : {}),
  }));
}

/**
 * @internal
 * Checks input before anything is sent. The error names the paths and what was wrong, never the values.
 * @throws {@link RequestValidationError}
 */
export function checkInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new RequestValidationError(`Invalid ${what}`, toIssues(result.error));
}
