/**
 * Form sections and their fields (`GET /api/v2/forms`, primero-api.md section 8): what a deployment's
 * records can hold, and the source of the filter names `cases.list({ checkFilters: true })` accepts.
 *
 * @module
 */
import { z } from 'zod';
import { Localized } from './common.js';

/** One field of a form. */
export const FormField = z.looseObject({
  name: z.string(),
  type: z.string(),
  multi_select: z.boolean().nullable().optional(),
  option_strings_source: z.string().nullable().optional(),
  option_strings_text: z.array(z.looseObject({ id: z.string(), display_text: Localized })).nullable().optional(),
  date_include_time: z.boolean().nullable().optional(),
  subform_section_id: z.number().nullable().optional(),
  display_name: Localized.optional(),
  visible: z.boolean().nullable().optional(),
  required: z.boolean().nullable().optional(),
});
/** One field of a form. */
export type FormField = z.infer<typeof FormField>;

/** A form section. `id` is an integer; `is_nested` marks a subform. */
export const FormSection = z.looseObject({
  id: z.number(),
  unique_id: z.string(),
  name: Localized,
  parent_form: z.string(),
  is_nested: z.boolean().nullable().optional(),
  module_ids: z.array(z.string()).optional(),
  fields: z.array(FormField),
});
/** A form section. */
export type FormSection = z.infer<typeof FormSection>;
