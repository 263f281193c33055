/**
 * The answer to `POST /api/v2/tokens` (primero-api.md 1.2): the signed-in user. `token` is there only in
 * identity-provider mode, where it echoes the bearer.
 *
 * @module
 */
import { z } from 'zod';

/** The signed-in user. `group_permission` is the role's record scope (`self`, `group`, `agency`, `all`...). */
export const TokenInfo = z.looseObject({
  id: z.number(),
  user_name: z.string(),
  group_permission: z.string(),
  token: z.string().optional(),
});
/** The signed-in user. */
export type TokenInfo = z.infer<typeof TokenInfo>;
