/**
 * Compile-time proof that the zod models and the OpenAPI spec describe the same shapes: for every component
 * of `schemas/primero.openapi.yaml`, the type zod infers and the type openapi-typescript generates must be
 * the same. Nothing here runs; `tsc --noEmit` (the typecheck step) fails when a pair differs, naming it.
 *
 * Why not plain mutual assignability of the two types:
 * - under `exactOptionalPropertyTypes` zod infers optional keys as `k?: T | undefined` and openapi-typescript
 *   as `k?: T`, which are not mutually assignable although they mean the same on the wire (JSON has no
 *   `undefined`);
 * - loose objects (`z.looseObject`, `additionalProperties: true`) carry `[k: string]: unknown`, and against
 *   that index signature a key typed on one side only, or typed differently, can still be assignable.
 * So both sides are first normalised, recursively: for every known key, whether it is optional and its value
 * type without `undefined`; the index signature's value type (or its absence); arrays by their item type.
 * The normal forms must then be equal, which catches a missing or extra key, a changed optionality, a
 * nullable on one side only, a different enum, an open object that should be closed, at any depth.
 */
import type { z } from 'zod';
import type { components } from '../../src/generated/primero.js';
import type { PageMetadata as CorePageMetadata } from '../../src/core/pagination.js';
import type { CaseRecord, CaseStatus, CaseWrite, SyncResult } from '../../src/models/case.js';
import type { DeletedRecord, Localized, PageMetadataSchema, RecordBase } from '../../src/models/common.js';
import type { FormField, FormSection } from '../../src/models/form.js';
import type { IncidentRecord, IncidentWrite } from '../../src/models/incident.js';
import type { Location } from '../../src/models/location.js';
import type { Lookup, LookupValue } from '../../src/models/lookup.js';
import type { PrimeroInfo } from '../../src/models/primero.js';
import type { Referral, ReferralInput, ReferralRecipient, TransitionRecordType, TransitionStatus } from '../../src/models/referral.js';
import type { ServiceEntry, ServiceImplemented, ServiceWrite } from '../../src/models/service.js';
import type { TokenInfo } from '../../src/models/token.js';
import type { User } from '../../src/models/user.js';
import type {
  BulkReferralInput,
  CaseCreateBody,
  CaseUpdateBody,
  DeviseError,
  EmptyObject,
  ErrorEntry,
  ErrorEnvelope,
  IncidentCreateBody,
  IncidentUpdateBody,
  LoginRequest,
  RecordAction,
  ReferralUpdate,
  RevokedReferral,
  UserPageMetadata,
} from '../support/contract-schemas.js';

type S = components['schemas'];
/** What a response schema parses to. */
type Out<T extends z.ZodType> = z.output<T>;
/** What a request schema accepts. */
type In<T extends z.ZodType> = z.input<T>;

// ----- the comparison ---------------------------------------------------------------------------------------

type KnownKeys<T> = keyof { [K in keyof T as string extends K ? never : number extends K ? never : K]: 0 };
type Literal<T> = T extends string
  ? string extends T ? 'string' : `"${T}"`
  : T extends number
    ? number extends T ? 'number' : `${T}`
    : T extends boolean ? `${T}` : T extends null ? 'null' : 'other';
/**
 * The normal form described at the top of the file, as a union of strings, one per fact: `.a?` (key `a`,
 * optional), `.a: string`, `.a: null`, `.b[]: "open"` (an array item), `.c.d: number` (nested), `[*]: unknown`
 * (the index signature) or `[*] closed`. Strings rather than nested types because TypeScript compares deeply
 * nested instantiations of one generic type only approximately; a union of strings is compared exactly, and
 * the difference of two unions names the facts that differ.
 */
export type Shape<T, P extends string = ''> = unknown extends T
  ? `${P}: unknown`
  : T extends readonly (infer E)[]
    ? Shape<E, `${P}[]`>
    : T extends object
      ? ObjectShape<T, P>
      : `${P}: ${Literal<T>}`;
type ObjectShape<T, P extends string> =
  | `${P}: object`
  | (string extends keyof T
      ? [T[string & keyof T]] extends [never] ? `${P}[*] closed` : Shape<T[string & keyof T], `${P}[*]`>
      : `${P}[*] closed`)
  | { [K in KnownKeys<T> & keyof T & string]-?: ({} extends Pick<T, K> ? `${P}.${K}?` : `${P}.${K}`) | Shape<Exclude<T[K], undefined>, `${P}.${K}`> }[KnownKeys<T> & keyof T & string];
/** The facts true of one side only; `never` when the two shapes agree. */
export type Difference<A, B> = Exclude<Shape<A>, Shape<B>> | Exclude<Shape<B>, Shape<A>>;
/** True when zod's type and the spec's type have the same normal form. */
export type Same<A, B> = [Difference<A, B>] extends [never] ? true : false;

type Equal<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** Compiles only when `T` is `never`: the error shows what `T` still holds. */
function expectNone<T extends never>(): void {}
/** Compiles only when `T` is `true`. */
function expectTrue<T extends true>(): void {}

// ----- zod model (left) against spec component (right) ------------------------------------------------------

type Pairs = {
  // src/models
  Localized: [Out<typeof Localized>, S['Localized']];
  PageMetadata: [Out<typeof PageMetadataSchema>, S['PageMetadata']];
  RecordBase: [Out<typeof RecordBase>, S['RecordBase']];
  DeletedRecord: [Out<typeof DeletedRecord>, S['DeletedRecord']];
  TokenInfo: [Out<typeof TokenInfo>, S['TokenInfo']];
  CaseStatus: [Out<typeof CaseStatus>, S['CaseStatus']];
  ServiceImplemented: [Out<typeof ServiceImplemented>, S['ServiceImplemented']];
  ServiceEntry: [Out<typeof ServiceEntry>, S['ServiceEntry']];
  CaseRecord: [Out<typeof CaseRecord>, S['CaseRecord']];
  CaseWrite: [In<typeof CaseWrite>, S['CaseWrite']];
  ServiceWrite: [In<typeof ServiceWrite>, S['ServiceWrite']];
  SyncResult: [Out<typeof SyncResult>, S['SyncResult']];
  IncidentRecord: [Out<typeof IncidentRecord>, S['IncidentRecord']];
  IncidentWrite: [In<typeof IncidentWrite>, S['IncidentWrite']];
  TransitionStatus: [Out<typeof TransitionStatus>, S['TransitionStatus']];
  TransitionRecordType: [Out<typeof TransitionRecordType>, S['TransitionRecordType']];
  Referral: [Out<typeof Referral>, S['Referral']];
  ReferralInput: [In<typeof ReferralInput>, S['ReferralInput']];
  ReferralRecipient: [Out<typeof ReferralRecipient>, S['ReferralRecipient']];
  User: [Out<typeof User>, S['User']];
  LookupValue: [Out<typeof LookupValue>, S['LookupValue']];
  Lookup: [Out<typeof Lookup>, S['Lookup']];
  FormField: [Out<typeof FormField>, S['FormField']];
  FormSection: [Out<typeof FormSection>, S['FormSection']];
  Location: [Out<typeof Location>, S['Location']];
  PrimeroInfo: [Out<typeof PrimeroInfo>, S['PrimeroInfo']];
  // test/support/contract-schemas.ts (shapes the SDK does not parse with zod)
  ErrorEntry: [Out<typeof ErrorEntry>, S['ErrorEntry']];
  ErrorEnvelope: [Out<typeof ErrorEnvelope>, S['ErrorEnvelope']];
  DeviseError: [Out<typeof DeviseError>, S['DeviseError']];
  LoginRequest: [In<typeof LoginRequest>, S['LoginRequest']];
  EmptyObject: [Out<typeof EmptyObject>, S['EmptyObject']];
  RevokedReferral: [Out<typeof RevokedReferral>, S['RevokedReferral']];
  BulkReferralInput: [In<typeof BulkReferralInput>, S['BulkReferralInput']];
  ReferralUpdate: [In<typeof ReferralUpdate>, S['ReferralUpdate']];
  RecordAction: [In<typeof RecordAction>, S['RecordAction']];
  UserPageMetadata: [Out<typeof UserPageMetadata>, S['UserPageMetadata']];
  CaseCreateBody: [In<typeof CaseCreateBody>, S['CaseCreateBody']];
  CaseUpdateBody: [In<typeof CaseUpdateBody>, S['CaseUpdateBody']];
  IncidentCreateBody: [In<typeof IncidentCreateBody>, S['IncidentCreateBody']];
  IncidentUpdateBody: [In<typeof IncidentUpdateBody>, S['IncidentUpdateBody']];
  ReferralCreateBody: [{ data: In<typeof ReferralInput> }, S['ReferralCreateBody']];
  BulkReferralBody: [{ data: In<typeof BulkReferralInput> }, S['BulkReferralBody']];
  ReferralUpdateBody: [{ data: In<typeof ReferralUpdate> }, S['ReferralUpdateBody']];
  // envelopes (`single`, `many` and page envelopes around the models)
  DeletedRecordResponse: [{ data: DeletedRecord }, S['DeletedRecordResponse']];
  CaseResponse: [{ data: CaseRecord }, S['CaseResponse']];
  CasePage: [{ data: CaseRecord[]; metadata: CorePageMetadata }, S['CasePage']];
  SyncResponse: [{ data: SyncResult }, S['SyncResponse']];
  IncidentResponse: [{ data: IncidentRecord }, S['IncidentResponse']];
  IncidentList: [{ data: IncidentRecord[] }, S['IncidentList']];
  IncidentPage: [{ data: IncidentRecord[]; metadata: CorePageMetadata }, S['IncidentPage']];
  ReferralResponse: [{ data: Referral }, S['ReferralResponse']];
  RevokedReferralResponse: [{ data: Out<typeof RevokedReferral> }, S['RevokedReferralResponse']];
  ReferralList: [{ data: Referral[] }, S['ReferralList']];
  BulkReferralResponse: [{ data: Referral[]; errors?: Out<typeof ErrorEntry>[] }, S['BulkReferralResponse']];
  ReferralRecipientList: [{ data: ReferralRecipient[] }, S['ReferralRecipientList']];
  UserPage: [{ data: User[]; metadata: Out<typeof UserPageMetadata> }, S['UserPage']];
  LookupResponse: [{ data: Lookup }, S['LookupResponse']];
  LookupPage: [{ data: Lookup[]; metadata: CorePageMetadata }, S['LookupPage']];
  FormSectionList: [{ data: FormSection[] }, S['FormSectionList']];
  LocationPage: [{ data: Location[]; metadata: CorePageMetadata }, S['LocationPage']];
  PrimeroInfoResponse: [{ data: PrimeroInfo }, S['PrimeroInfoResponse']];
};

/** Spec components with no zod counterpart: free-form query filters, built by src/core/filters.ts. */
type NotModelled = 'QueryFilters';

/** Every pair whose two sides differ, with the facts that differ, e.g. `CaseRecord: .age: string`. */
type Mismatched = { [K in keyof Pairs]: `${K}: ${Difference<Pairs[K][0], Pairs[K][1]>}` }[keyof Pairs];
expectNone<Mismatched>();

/** Every spec component left out of `Pairs`: a new component needs its zod side here. */
type Unpaired = Exclude<keyof S, keyof Pairs | NotModelled>;
expectNone<Unpaired>();

/** The paginator's hand-written `PageMetadata` is the spec's too. */
expectTrue<Same<CorePageMetadata, S['PageMetadata']>>();

// ----- the comparison can fail ------------------------------------------------------------------------------
// Each line below compares two shapes that differ in one way; `@ts-expect-error` makes tsc fail if the
// comparison ever stops seeing the difference.

// @ts-expect-error a different value type
expectTrue<Same<{ a: string }, { a: number }>>();
// @ts-expect-error optional on one side only
expectTrue<Same<{ a?: string | undefined }, { a: string }>>();
// @ts-expect-error nullable on one side only
expectTrue<Same<{ a?: string | null | undefined }, { a?: string }>>();
// @ts-expect-error a key on one side only, hidden behind both index signatures
expectTrue<Same<{ a: string; b?: number | undefined; [k: string]: unknown }, { a: string; [k: string]: unknown }>>();
// @ts-expect-error open on one side, closed on the other
expectTrue<Same<{ a: string; [k: string]: unknown }, { a: string }>>();
// @ts-expect-error a different enum
expectTrue<Same<{ s: 'open' | 'closed' }, { s: 'open' | 'closed' | 'identified' }>>();
// @ts-expect-error a difference three levels down
expectTrue<Same<{ a: { b: { c: string }[] } }, { a: { b: { c: boolean }[] } }>>();
// the normal form itself, on two small shapes:
expectTrue<Equal<Shape<{ a?: string | null; [k: string]: unknown }>, ': object' | '[*]: unknown' | '.a?' | '.a: string' | '.a: null'>>();
expectTrue<Equal<Shape<{ x: { y: 'p' | 'q' }[] }>, ': object' | '[*] closed' | '.x' | '.x[]: object' | '.x[][*] closed' | '.x[].y' | '.x[].y: "p"' | '.x[].y: "q"'>>();
// and the differences the normal form is there to forgive:
expectTrue<Same<{ a?: string | undefined; [k: string]: unknown }, { a?: string } & { [key: string]: unknown }>>();
