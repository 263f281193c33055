/**
 * From a deployment's form sections and lookups to a model of its record types: what each field holds,
 * following the server's write validator (primero-api.md 2.6), which is the only authority on field types.
 *
 * @module
 */
import type { FormField, FormSection } from '../models/form.js';
import type { Lookup } from '../models/lookup.js';

/** What a field holds, as the server's JSON validator sees it (primero-api.md 2.6). */
export type FieldKind =
  | 'text'
  | 'date'
  | 'datetime'
  | 'tick_box'
  | 'integer'
  | 'select'
  | 'multi_select'
  | 'subform'
  | 'tally'
  | 'calculated'
  | 'unknown';

/** @internal One field of a record type or subform. */
export interface FieldModel {
  name: string;
  kind: FieldKind;
  /** The label in the chosen locale (or English, or the first one given). */
  label: string | undefined;
  /** The option ids a select accepts, when known; undefined when they come from elsewhere (locations, users...). */
  options: readonly OptionModel[] | undefined;
  /** Where the options come from (`lookup-gender`, `Location`...), for the docs. */
  optionSource: string | undefined;
  /** A radio or select whose options are only `true` and `false`: the server also takes JSON booleans. */
  acceptsBoolean: boolean;
  /** The subform's model, for `subform` fields. */
  subform: SubformModel | undefined;
  /** Forms the field is on (`unique_id`s). */
  forms: string[];
  required: boolean;
  /** Why the type is looser than the form says, for the docs. */
  notes: string[];
}

/** @internal One option of a select. */
export interface OptionModel {
  id: string;
  label: string | undefined;
}

/** @internal The entries of a subform (a nested form section). */
export interface SubformModel {
  uniqueId: string;
  label: string | undefined;
  fields: FieldModel[];
  /** A subform whose form was not found, or that contains itself: its entries are typed by `unique_id` only. */
  unresolved: boolean;
  /** Used inside another subform: the server gives ids to top-level entries only (`populate_subform_ids`). */
  nestedInSubform: boolean;
}

/** @internal One record type (`parent_form`): its top-level fields and the subforms they use. */
export interface RecordTypeModel {
  name: string;
  fields: FieldModel[];
  subforms: SubformModel[];
}

/** @internal The model of a deployment's forms, with what could not be resolved. */
export interface FormsModel {
  recordTypes: RecordTypeModel[];
  warnings: string[];
}

/** @internal Which forms to model. */
export interface ModelOptions {
  /** Only these record types (`parent_form`s); default every one found. */
  recordTypes?: readonly string[] | undefined;
  /** Only forms of this module (`primeromodule-cp`). */
  moduleId?: string | undefined;
  /** Locale of the labels; default `en`. */
  locale?: string | undefined;
}

// Every record carries these whatever the forms say; their types are the SDK's (primero-api.md 2.7). A
// subform entry's own `unique_id` and `_destroy` are the generator's.
const CORE_FIELDS = new Set(['id', 'enabled', 'last_updated_at']);
const ENTRY_FIELDS = new Set(['unique_id', '_destroy']);
// Names every JavaScript object inherits (`constructor`, `__proto__`...): zod and TypeScript both see the
// inherited member on a record without the field, so such a field cannot be typed; it is left out, with a warning.
const INHERITED = new Set(Object.getOwnPropertyNames(Object.prototype));
// Types that hold no value in the record JSON, or whose value is not written through `data` (2.6).
const VALUELESS = new Set(['separator', 'photo_upload_box', 'audio_upload_box', 'document_upload_box', 'signature', 'date_range', 'custom']);

/** @internal Builds the model of `forms`, resolving select options from `lookups`. */
export function modelForms(forms: readonly FormSection[], lookups: readonly Lookup[], options: ModelOptions = {}): FormsModel {
  const locale = options.locale ?? 'en';
  const warnings = new Set<string>();
  const lookupsById = new Map(lookups.map((lookup) => [lookup.unique_id, lookup]));
  // Subforms are not filtered by module: a module's forms use them whatever modules they list themselves.
  const inModule = forms
    .filter((form) => form.is_nested || !options.moduleId || !form.module_ids || form.module_ids.includes(options.moduleId))
    // The server's order has ties (`order`, `order_subform`): sorted, the same forms always give the same file.
    .sort((a, b) => (a.unique_id < b.unique_id ? -1 : a.unique_id > b.unique_id ? 1 : a.id - b.id));
  const byId = new Map(inModule.map((form) => [form.id, form]));
  const byUniqueId = new Map(inModule.map((form) => [form.unique_id, form]));
  const subforms = new Map<string, SubformModel>();

  const label = (text: Record<string, string | null> | string | undefined): string | undefined => {
    if (!text) return undefined;
    if (typeof text === 'string') return text;
    return text[locale] || text.en || Object.values(text).find((value) => value) || undefined;
  };

  const resolveOptions = (field: FormField): Pick<FieldModel, 'options' | 'optionSource' | 'notes'> => {
    if (Array.isArray(field.option_strings_text) && field.option_strings_text.length) {
      return { options: field.option_strings_text.map((o) => ({ id: String(o.id), label: label(o.display_text) })), optionSource: undefined, notes: [] };
    }
    const source = field.option_strings_source?.trim();
    if (!source) return { options: undefined, optionSource: undefined, notes: ['no options given in the form'] };
    const lookupId = /^lookup\s+(.+)$/i.exec(source)?.[1]?.trim() ?? (source.startsWith('lookup-') ? source : undefined);
    if (!lookupId) return { options: undefined, optionSource: source, notes: [] };
    const lookup = lookupsById.get(lookupId);
    if (!lookup) {
      warnings.add(`lookup ${lookupId} not found: its fields are typed as plain strings`);
      return { options: undefined, optionSource: lookupId, notes: [`lookup ${lookupId} was not available when this file was generated`] };
    }
    return { options: lookup.values.map((value) => ({ id: value.id, label: label(value.display_text) })), optionSource: lookupId, notes: [] };
  };

  const subformOf = (field: FormField, form: FormSection, seen: ReadonlySet<string>, inSubform: boolean): SubformModel | undefined => {
    const extra = field as { subform_section_unique_id?: unknown };
    // The server sends the nested form's integer id; the SPA's unique_id reference and the field's own name
    // (Primero names a subform field after its form) are fallbacks for saved or hand-edited exports.
    const nested =
      (typeof field.subform_section_id === 'number' ? byId.get(field.subform_section_id) : undefined) ??
      (typeof extra.subform_section_unique_id === 'string' ? byUniqueId.get(extra.subform_section_unique_id) : undefined) ??
      byUniqueId.get(field.name);
    if (!nested) {
      warnings.add(`subform of ${form.unique_id}.${field.name} not found: its entries are typed by unique_id only`);
      return { uniqueId: field.name, label: label(field.display_name), fields: [], unresolved: true, nestedInSubform: inSubform };
    }
    const existing = subforms.get(nested.unique_id);
    if (existing) {
      existing.nestedInSubform ||= inSubform;
      return existing;
    }
    if (seen.has(nested.unique_id)) {
      warnings.add(`subform ${nested.unique_id} contains itself: the inner entries are typed by unique_id only`);
      return { uniqueId: nested.unique_id, label: label(nested.name), fields: [], unresolved: true, nestedInSubform: true };
    }
    const model: SubformModel = { uniqueId: nested.unique_id, label: label(nested.name), fields: [], unresolved: false, nestedInSubform: inSubform };
    model.fields = mergeFields([nested], new Set([...seen, nested.unique_id]), true);
    subforms.set(nested.unique_id, model);
    return model;
  };

  const fieldModel = (field: FormField, form: FormSection, seen: ReadonlySet<string>, inSubform: boolean): FieldModel | undefined => {
    if (VALUELESS.has(field.type)) return undefined;
    const base: FieldModel = {
      name: field.name,
      kind: 'unknown',
      label: label(field.display_name),
      options: undefined,
      optionSource: undefined,
      acceptsBoolean: false,
      subform: undefined,
      forms: [form.unique_id],
      required: field.required === true,
      notes: [],
    };
    switch (field.type) {
      case 'text_field':
      case 'textarea':
        return { ...base, kind: 'text' };
      case 'date_field':
        return { ...base, kind: field.date_include_time ? 'datetime' : 'date' };
      case 'tick_box':
        return { ...base, kind: 'tick_box' };
      case 'numeric_field':
        return { ...base, kind: 'integer' };
      case 'select_box':
      case 'radio_button': {
        const resolved = resolveOptions(field);
        const ids = resolved.options?.map((o) => o.id);
        const acceptsBoolean = !!ids?.length && ids.every((id) => id === 'true' || id === 'false');
        const kind = field.type === 'select_box' && field.multi_select ? 'multi_select' : 'select';
        return { ...base, ...resolved, kind, acceptsBoolean };
      }
      case 'subform':
        return { ...base, kind: 'subform', subform: subformOf(field, form, seen, inSubform) };
      case 'tally_field':
        return { ...base, kind: 'tally' };
      case 'calculated':
        return { ...base, kind: 'calculated' };
      default:
        warnings.add(`field type ${field.type} (${form.unique_id}.${field.name}) is not known to the SDK: typed as unknown`);
        return { ...base, notes: [`form field type ${field.type}`] };
    }
  };

  // One field can be on several forms (one per module, say): merge them, and say so when they disagree.
  const mergeFields = (sections: readonly FormSection[], seen: ReadonlySet<string>, inSubform = false): FieldModel[] => {
    const merged = new Map<string, FieldModel>();
    for (const form of sections) {
      for (const field of form.fields) {
        if (CORE_FIELDS.has(field.name) || (inSubform && ENTRY_FIELDS.has(field.name))) continue;
        if (INHERITED.has(field.name)) {
          warnings.add(`field ${form.unique_id}.${field.name} is named like a property every JavaScript object has: left untyped`);
          continue;
        }
        const model = fieldModel(field, form, seen, inSubform);
        if (!model) continue;
        const existing = merged.get(field.name);
        if (existing?.subform && model.subform && existing.subform !== model.subform) {
          warnings.add(`field ${field.name} is a subform of ${existing.subform.uniqueId} and of ${model.subform.uniqueId}: typed as unknown`);
        }
        merged.set(field.name, existing ? mergeField(existing, model) : model);
      }
    }
    return [...merged.values()];
  };

  const names = [...new Set(inModule.map((form) => form.parent_form))].filter((name) => !options.recordTypes || options.recordTypes.includes(name));
  for (const wanted of options.recordTypes ?? []) {
    if (!names.includes(wanted)) warnings.add(`no forms of record type ${wanted}${options.moduleId ? ` in module ${options.moduleId}` : ''}`);
  }
  const recordTypes = names.sort().map((name): RecordTypeModel => {
    subforms.clear();
    const top = inModule.filter((form) => form.parent_form === name && !form.is_nested);
    const fields = mergeFields(top, new Set());
    return { name, fields, subforms: [...subforms.values()] };
  });
  return { recordTypes, warnings: [...warnings] };
}

function mergeField(a: FieldModel, b: FieldModel): FieldModel {
  const forms = [...a.forms, ...b.forms];
  const label = a.label ?? b.label;
  const required = a.required || b.required;
  if (a.kind !== b.kind) {
    return { ...a, kind: 'unknown', label, forms, required, options: undefined, subform: undefined, notes: [`defined as ${a.kind} and as ${b.kind} on forms ${forms.join(', ')}`] };
  }
  if (a.subform !== b.subform) {
    return { ...a, kind: 'unknown', label, forms, required, subform: undefined, notes: [`a subform of ${a.subform?.uniqueId} and of ${b.subform?.uniqueId}`] };
  }
  // Options: the union, since a record may come from either form; unknown on either side stays unknown.
  const options = a.options && b.options ? [...new Map([...a.options, ...b.options].map((o) => [o.id, o])).values()] : undefined;
  const notes = [...new Set([...a.notes, ...b.notes])];
  const optionSource = a.optionSource === b.optionSource ? a.optionSource : undefined;
  return { ...a, label, forms, required, options, optionSource, acceptsBoolean: a.acceptsBoolean && b.acceptsBoolean, notes };
}
