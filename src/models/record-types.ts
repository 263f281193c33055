/**
 * A deployment's own record types. The built-in {@link CaseRecord} can only know Primero's core fields; every
 * deployment adds forms and hash-suffixed fields of its own. `primero types` generates, from the deployment's
 * `GET /api/v2/forms` and lookups, an interface and a zod schema per record type; a client given them with
 * {@link PrimeroClient.withTypes} returns and accepts those types.
 *
 * @module
 */
import { z } from 'zod';
import type { CaseInput, CaseRecord } from './case.js';
import { CaseRecord as CaseRecordSchema, CaseWrite } from './case.js';
import type { IncidentInput, IncidentRecord } from './incident.js';
import { IncidentRecord as IncidentRecordSchema, IncidentWrite } from './incident.js';

/** The record types a client can be given types for: the names are Primero's `parent_form` values. */
export type TypedRecordName = 'case' | 'incident';

/**
 * What every record is, whatever a deployment's forms say: `id`, `enabled` and `last_updated_at` always come
 * (primero-api.md 2.7), and any other field may.
 */
export interface RecordCore {
  id: string;
  enabled: boolean;
  last_updated_at: string;
  [field: string]: unknown;
}

/** One record type's fields: what the server returns (`record`) and what a create or update accepts (`input`). */
export interface RecordFields {
  /** The fields as read: every one optional (a role or a `fields` list may leave it out) and most nullable. */
  record: object;
  /** The fields a create or update accepts. */
  input: object;
}

/**
 * The types `primero types` generates: the fields of each record type of a deployment, by `parent_form`.
 * A record type left out keeps the built-in type.
 */
export type RecordTypes = { readonly [K in TypedRecordName]?: RecordFields };

/**
 * The zod schemas `primero types` generates for {@link RecordTypes} `T`, given to
 * {@link PrimeroClient.withTypes} so that responses are checked (under the client's `validate` mode) and
 * writes are checked before they are sent. The schemas must be zod objects: they extend the built-in ones.
 */
export type RecordSchemas<T extends RecordTypes = RecordTypes> = {
  readonly [K in keyof T]: SchemasOf<NonNullable<T[K]>>;
} & {
  /** @internal Carries `T` so that `withTypes(schemas)` infers it; never set at run time. */
  readonly __types?: T;
};

/** The two schemas of one record type's {@link RecordFields}. */
export type SchemasOf<F> = F extends RecordFields
  ? { readonly record: AnyZodObject & z.ZodType<F['record']>; readonly input: AnyZodObject & z.ZodType<unknown, F['input']> }
  : never;

/** Any zod object schema, loose or strict. */
export type AnyZodObject = z.ZodObject<z.ZodRawShape, z.core.$ZodObjectConfig>;

/** `A` with the keys `B` defines replaced by `B`'s: known keys survive an index signature on `A`. */
export type Override<A, B> = { [K in keyof A as K extends keyof B ? never : K]: A[K] } & B;

/** A case as a client typed with `T` returns it: the generated fields over the built-in ones. */
export type CaseOf<T extends RecordTypes> = T['case'] extends RecordFields ? Override<CaseRecord, T['case']['record']> & RecordCore : CaseRecord;
/** What a create or update of a case accepts on a client typed with `T`. */
export type CaseInputOf<T extends RecordTypes> = T['case'] extends RecordFields ? Override<CaseInput, T['case']['input']> : CaseInput;
/** An incident as a client typed with `T` returns it. */
export type IncidentOf<T extends RecordTypes> = T['incident'] extends RecordFields ? Override<IncidentRecord, T['incident']['record']> & RecordCore : IncidentRecord;
/** What a create or update of an incident accepts on a client typed with `T`. */
export type IncidentInputOf<T extends RecordTypes> = T['incident'] extends RecordFields
  ? Override<IncidentInput, T['incident']['input']>
  : IncidentInput;

/** @internal The run-time schemas of one record type: the built-ins, extended by generated ones when given. */
export interface ResolvedSchemas<R, I> {
  record: z.ZodType<R>;
  input: z.ZodType<unknown, I>;
}

const BUILT_IN = {
  case: { record: CaseRecordSchema, input: CaseWrite },
  incident: { record: IncidentRecordSchema, input: IncidentWrite },
} as const;

/**
 * @internal The schemas a resource of `name` uses: the generated fields replace the built-in ones of the same
 * name, and the core fields every record carries (`id`, `enabled`, `last_updated_at`) stay the SDK's.
 */
export function resolveSchemas<R, I>(name: TypedRecordName, schemas: RecordSchemas | undefined): ResolvedSchemas<R, I> {
  const builtIn = BUILT_IN[name];
  const given = schemas?.[name];
  if (!given) return builtIn as unknown as ResolvedSchemas<R, I>;
  const { id: _id, enabled: _enabled, last_updated_at: _updated, ...fields } = given.record.shape;
  const { id: _inputId, ...inputFields } = given.input.shape;
  return {
    record: builtIn.record.extend(fields) as unknown as z.ZodType<R>,
    input: builtIn.input.extend(inputFields) as unknown as z.ZodType<unknown, I>,
  };
}

/** @internal Whether `value` looks like a {@link RecordSchemas} object: only zod objects are accepted. */
export function isRecordSchemas(value: unknown): value is RecordSchemas {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.entries(value).every(
    ([name, entry]) =>
      (name === 'case' || name === 'incident') &&
      typeof entry === 'object' &&
      entry !== null &&
      isZodObject((entry as { record?: unknown }).record) &&
      isZodObject((entry as { input?: unknown }).input),
  );
}

// Duck-typed rather than instanceof: the generated file may import another copy of zod 4 than the SDK's.
function isZodObject(value: unknown): value is AnyZodObject {
  const candidate = value as { shape?: unknown; safeParse?: unknown } | null;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.shape === 'object' && typeof candidate.safeParse === 'function';
}
