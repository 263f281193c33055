/**
 * `GET /api/v2/primero`: the public bootstrap (no auth), primero-api.md section 8.
 *
 * @module
 */
import { z } from 'zod';

/** What a Primero server tells anyone about itself. */
export const PrimeroInfo = z.looseObject({
  sandbox_ui: z.boolean().optional(),
  config_ui: z.string().optional(),
  allow_self_registration: z.boolean().optional(),
  locales: z.array(z.string()).optional(),
  webpush_enabled: z.boolean().optional(),
  agencies: z.array(z.looseObject({ unique_id: z.string(), name: z.unknown() })).optional(),
});
/** What a Primero server tells anyone about itself. */
export type PrimeroInfo = z.infer<typeof PrimeroInfo>;
