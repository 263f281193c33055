/**
 * Shapes shared by every Primero resource. Records are loose objects: the known fields are typed, and the
 * instance-specific custom fields a deployment adds (`referral_status_edf41f2`) are kept as they came.
 *
 * @module
 */
import { z } from 'zod';

/** A translated text: locale code to text, e.g. `{ en: 'Nationality', fr: '' }`. */
export const Localized = z.record(z.string(), z.string().nullable());
/** A translated text: locale code to text. */
export type Localized = z.infer<typeof Localized>;

/** Primero's list metadata (primero-api.md 2.2). */
export const PageMetadataSchema = z.object({
  total: z.number().int().nonnegative(),
  per: z.number().int().positive(),
  page: z.number().int().positive(),
});

/**
 * The fields every record (case, incident) carries whatever `fields` asks for (primero-api.md 2.7):
 * `id` (a UUID, used in URLs), `enabled` (false once disabled) and `last_updated_at`.
 */
export const RecordBase = z.looseObject({
  id: z.string(),
  enabled: z.boolean(),
  last_updated_at: z.string(),
});

/** The `{ data: { id } }` body of a record's DELETE (primero-api.md 2.1). */
export const DeletedRecord = z.looseObject({ id: z.string() });
/** The `{ data: { id } }` body of a record's DELETE. */
export type DeletedRecord = z.infer<typeof DeletedRecord>;

/** A record or subform id as the server accepts it: a lowercase UUID (`PermittedFieldService::UUID_REGEX`). */
export const Uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'a lowercase UUID');

/** A date field's value: `YYYY-MM-DD` (primero-api.md 2.6). */
export const DateOnly = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a YYYY-MM-DD date');

/** A date-and-time field's value: ISO-8601 with a zone, e.g. `2024-05-01T10:00:00Z` (primero-api.md 2.6). */
export const DateTime = z.iso.datetime({ offset: true });

// One envelope per inner schema, built on first use and kept as long as that schema lives: zod compiles a
// schema on its first parse (about 45 µs for a case record), which a fresh envelope per call paid every time.
const singles = new WeakMap<z.ZodType, z.ZodType>();
const manys = new WeakMap<z.ZodType, z.ZodType>();

function envelope<T extends z.ZodType>(schema: T) {
  return z.object({ data: schema });
}

function listEnvelope<T extends z.ZodType>(schema: T) {
  return z.object({ data: z.array(schema) });
}

/** @internal `{ data: T }`, the envelope of every single-resource response (one per schema, cached). */
export function single<T extends z.ZodType>(schema: T): ReturnType<typeof envelope<T>> {
  let cached = singles.get(schema);
  if (!cached) singles.set(schema, (cached = envelope(schema)));
  return cached as ReturnType<typeof envelope<T>>;
}

/** @internal `{ data: T[] }`, the envelope of unpaginated lists (one per schema, cached). */
export function many<T extends z.ZodType>(schema: T): ReturnType<typeof listEnvelope<T>> {
  let cached = manys.get(schema);
  if (!cached) manys.set(schema, (cached = listEnvelope(schema)));
  return cached as ReturnType<typeof listEnvelope<T>>;
}
