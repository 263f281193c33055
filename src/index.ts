/**
 * primero-sdk: a typed client for the Primero v2 API.
 *
 * @example
 * ```ts
 * import { PrimeroClient, isPrimeroError } from 'primero-sdk';
 *
 * const client = new PrimeroClient({ baseUrl: 'https://primero.example.org', auth: { username, password } });
 * ```
 *
 * @packageDocumentation
 */
export { PrimeroClient } from './client.js';
export type { AuthOption, ClientOptions, PaginateOptions, RequestCallOptions, SortOrder } from './client.js';

export { autoAuth } from './auth/auto.js';
export { basicAuth } from './auth/basic.js';
export { bearerAuth } from './auth/bearer.js';
export type { BearerAuthOptions } from './auth/bearer.js';
export type { PasswordCredentials } from './auth/credentials.js';
export type { RefreshWindow } from './auth/jwt.js';
export { sessionAuth } from './auth/session.js';
export { tokenAuth } from './auth/token.js';
export type { TokenAuthOptions } from './auth/token.js';
export type {
  AuthAttempt,
  AuthCall,
  AuthCallResult,
  AuthContext,
  AuthRejection,
  AuthStamp,
  AuthStrategy,
} from './auth/strategy.js';

export {
  AbortError,
  AuthenticationError,
  CollectLimitError,
  ConfigurationError,
  ConflictError,
  ConnectionError,
  ForbiddenError,
  InvalidRecordError,
  NotFoundError,
  PrimeroApiError,
  PrimeroError,
  RateLimitError,
  RequestValidationError,
  ResponseValidationError,
  ServerError,
  TimeoutError,
  ValidationError,
  isPrimeroError,
} from './core/errors.js';
export type { ApiErrorInit, ErrorBodyKind, ErrorByName, PrimeroErrorName, ServerErrorEntry, ValidationIssue } from './core/errors.js';
export type {
  AuthLogEvent,
  HttpLogFields,
  LogEvent,
  LogLevel,
  Logger,
  RequestLogEvent,
  ResponseLogEvent,
  RetryLogEvent,
  ValidationLogEvent,
} from './core/logger.js';
export { PagedIterable } from './core/pagination.js';
export type { Page, PageMetadata, PaginationOptions } from './core/pagination.js';
export { path } from './core/path.js';
export type { QueryParams, QueryValue } from './core/query.js';
export type { RetryTuning } from './core/retry.js';
export type { ApiResponse, FetchLike, HttpMethod, RequestOptions } from './core/transport.js';
export type { ValidationMode } from './core/validate.js';
