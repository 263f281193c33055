/**
 * Locations (`GET /api/v2/locations`, paged at 100 by default, primero-api.md section 8).
 *
 * @module
 */
import { z } from 'zod';
import { Localized } from './common.js';

/** A location; `admin_level`, `placename` and `hierarchy` come with `hierarchy=true`. */
export const Location = z.looseObject({
  id: z.number(),
  code: z.string(),
  type: z.string().nullable().optional(),
  disabled: z.boolean().optional(),
  name: Localized,
  admin_level: z.number().nullable().optional(),
  placename: Localized.optional(),
  hierarchy: z.array(z.string()).optional(),
});
/** A location. */
export type Location = z.infer<typeof Location>;
