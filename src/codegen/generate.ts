/**
 * `primero types` without the command line: forms and lookups in, a TypeScript module out.
 *
 * @module
 */
import { emitTypes } from './emit.js';
import { modelForms, type ModelOptions } from './fields.js';
import type { FormSection } from '../models/form.js';
import type { Lookup } from '../models/lookup.js';

/** @internal Options of {@link generateRecordTypes}. */
export interface GenerateOptions extends ModelOptions {
  /** Where the forms came from, for the file's header: a server origin or a file name, never a credential. */
  source: string;
}

/** @internal What was generated. */
export interface GeneratedTypes {
  /** The module's source. */
  code: string;
  /** Per record type, the number of fields and subforms typed. */
  recordTypes: Array<{ name: string; fields: number; subforms: number }>;
  /** What could not be resolved (a missing lookup or subform, an unknown field type), one line each. */
  warnings: string[];
}

/** @internal Generates the record types of a deployment from its forms and lookups. */
export function generateRecordTypes(forms: readonly FormSection[], lookups: readonly Lookup[], options: GenerateOptions): GeneratedTypes {
  const model = modelForms(forms, lookups, options);
  return {
    code: emitTypes(model, { source: options.source }),
    recordTypes: model.recordTypes.map((t) => ({ name: t.name, fields: t.fields.length, subforms: t.subforms.length })),
    warnings: model.warnings,
  };
}
