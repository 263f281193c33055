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
export type { AuthOption, ClientOptions, PaginateOptions, RequestCallOptions } from './client.js';
export type { SortOrder } from './core/requester.js';

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
  AmbiguousMatchError,
  AuthenticationError,
  CollectLimitError,
  ConfigurationError,
  ConflictError,
  ConnectionError,
  ForbiddenError,
  IllegalTransitionError,
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
  WebhookPayloadError,
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

export { not, range, within } from './core/filters.js';
export type { FilterNot, FilterRange, FilterScalar, FilterValue, FilterWithin, Filters } from './core/filters.js';

export { CASE_ID_FIELDS, CasesResource } from './resources/cases.js';
export type { CaseListParams, MarkSyncedParams, UpsertParams, UpsertResult } from './resources/cases.js';
export { IncidentsResource } from './resources/incidents.js';
export { LookupsResource } from './resources/lookups.js';
export { FormsResource, LocationsResource, UsersResource } from './resources/reference.js';
export { ReferralsResource } from './resources/referrals.js';
export type { RecipientParams } from './resources/referrals.js';
export type { CreateOptions, RecordListParams, UpdateOptions } from './resources/records.js';
export { ServicesResource } from './resources/services.js';
export { TokensResource } from './resources/tokens.js';

// zod schemas and their types: usable on their own, e.g. to check data before a write.
export { CaseRecord, CaseStatus, CaseWrite, SyncResult } from './models/case.js';
export type { CaseInput } from './models/case.js';
export { DateOnly, DateTime, DeletedRecord, Localized, PageMetadataSchema, RecordBase, Uuid } from './models/common.js';
export { FormField, FormSection } from './models/form.js';
export { IncidentRecord, IncidentWrite } from './models/incident.js';
export type { IncidentInput } from './models/incident.js';
export { Location } from './models/location.js';
export { Lookup, LookupValue } from './models/lookup.js';
export { PrimeroInfo } from './models/primero.js';
export type {
  AnyZodObject,
  CaseInputOf,
  CaseOf,
  IncidentInputOf,
  IncidentOf,
  Override,
  RecordCore,
  RecordFields,
  RecordSchemas,
  RecordTypes,
  SchemasOf,
  TypedRecordName,
} from './models/record-types.js';
export { Referral, ReferralInput, ReferralRecipient, TransitionRecordType, TransitionStatus } from './models/referral.js';
export { ServiceEntry, ServiceImplemented, ServiceWrite } from './models/service.js';
export type { ServiceInput } from './models/service.js';
export { TokenInfo } from './models/token.js';
export { User } from './models/user.js';
export type { components, operations, paths } from './generated/primero.js';

// ---------------------------------------------------------------------------------------------------------
// Incremental pull: `client.cases.changes()` / `client.incidents.changes()` and the cursor stores.
export { ChangeFeed } from './sync/changes.js';
export type { ChangedRecord, ChangesParams } from './sync/changes.js';
export type { ChangeCollection, ChangeCursor } from './sync/cursor.js';
export { CursorStoreError, FileCursorStore, MemoryCursorStore } from './sync/cursor-store.js';
export type { CursorStore } from './sync/cursor-store.js';
