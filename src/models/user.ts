/**
 * Users (`GET /api/v2/users`, primero-api.md section 8).
 *
 * @module
 */
import { z } from 'zod';

/** A user, as listed (the fields a user may read of other users). */
export const User = z.looseObject({
  id: z.number(),
  user_name: z.string(),
  full_name: z.string().nullable().optional(),
  email: z.string().nullable().optional(),
  disabled: z.boolean().nullable().optional(),
  agency_id: z.number().nullable().optional(),
  role_unique_id: z.string().nullable().optional(),
  module_unique_ids: z.array(z.string()).optional(),
  user_group_unique_ids: z.array(z.string()).optional(),
  location: z.string().nullable().optional(),
  services: z.array(z.string()).nullable().optional(),
});
/** A user. */
export type User = z.infer<typeof User>;
