/**
 * Lookups: the option lists of select fields (`lookup-service-type`...), primero-api.md section 8.
 *
 * @module
 */
import { z } from 'zod';
import { Localized } from './common.js';

/** One option of a lookup. */
export const LookupValue = z.looseObject({
  id: z.string(),
  display_text: Localized,
  disabled: z.boolean().optional(),
});
/** One option of a lookup. */
export type LookupValue = z.infer<typeof LookupValue>;

/** A lookup. `id` is an integer; `unique_id` (e.g. `lookup-service-type`) is what forms refer to. */
export const Lookup = z.looseObject({
  id: z.number(),
  unique_id: z.string(),
  name: Localized,
  locked: z.boolean().optional(),
  values: z.array(LookupValue),
});
/** A lookup. */
export type Lookup = z.infer<typeof Lookup>;
