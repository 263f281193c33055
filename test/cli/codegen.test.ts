/**
 * The pieces of `primero types` that the fixtures do not reach: a subform that contains itself, type names
 * that collide or are reserved, doc comments that try to end themselves, and the model's merge rules.
 */
import { describe, expect, test } from 'vitest';
import { modelForms } from '../../src/codegen/fields.js';
import { generateRecordTypes } from '../../src/codegen/generate.js';
import { docComment, literalKey, propertyKey, TypeNames } from '../../src/codegen/names.js';
import type { FormSection } from '../../src/models/form.js';

const en = (text: string) => ({ en: text });
function form(id: number, uniqueId: string, fields: FormSection['fields'], extra: Partial<FormSection> = {}): FormSection {
  return { id, unique_id: uniqueId, name: en(uniqueId), parent_form: 'case', is_nested: false, fields, ...extra };
}

describe('modelForms', () => {
  test('a subform that contains itself is typed once, its inner entries by unique_id only, with a warning', () => {
    const forms = [
      form(1, 'top', [{ name: 'loop', type: 'subform', subform_section_id: 2 }]),
      form(2, 'loop', [{ name: 'note', type: 'text_field' }, { name: 'again', type: 'subform', subform_section_id: 2 }], { is_nested: true }),
    ];
    const model = modelForms(forms, []);
    const loop = model.recordTypes[0]?.subforms.find((s) => s.uniqueId === 'loop');
    expect(loop?.fields.map((f) => f.name)).toEqual(['note', 'again']);
    expect(loop?.fields[1]?.subform?.fields).toEqual([]);
    expect(model.warnings).toEqual(['subform loop contains itself: the inner entries are left untyped']);
    // And the module still compiles to one entry type per subform.
    const { code } = generateRecordTypes(forms, [], { source: 'test' });
    expect(code.match(/export interface LoopEntry\b/g)).toHaveLength(1);
  });

  test('forms without module_ids count for every module; core fields are never typed from forms', () => {
    const forms = [form(1, 'a', [{ name: 'id', type: 'numeric_field' }, { name: 'last_updated_at', type: 'text_field' }, { name: 'x', type: 'tick_box' }])];
    const model = modelForms(forms, [], { moduleId: 'primeromodule-cp' });
    expect(model.recordTypes[0]?.fields.map((f) => f.name)).toEqual(['x']);
  });

  test('labels follow the locale, then English, then any', () => {
    const forms = [form(1, 'a', [{ name: 'x', type: 'text_field', display_name: { en: 'Name', fr: 'Nom' } }, { name: 'y', type: 'text_field', display_name: { ar: 'اسم', en: '' } }])];
    expect(modelForms(forms, [], { locale: 'fr' }).recordTypes[0]?.fields.map((f) => f.label)).toEqual(['Nom', 'اسم']);
    expect(modelForms(forms, [], { locale: 'es' }).recordTypes[0]?.fields.map((f) => f.label)).toEqual(['Name', 'اسم']);
  });
});

describe('names', () => {
  test('type names are PascalCase, never reserved, never repeated', () => {
    const names = new TypeNames();
    expect([names.take('services_section', 'Entry'), names.take('services-section', 'Entry'), names.take('2nd form'), names.take('z'), names.take('')]).toEqual([
      'ServicesSectionEntry',
      'ServicesSectionEntry2',
      'Form2ndForm',
      'Z',
      'Form',
    ]);
    expect(names.take('primero', 'Types')).toBe('PrimeroTypes2');
  });

  test('keys are bare only when they can be; __proto__ in a literal is computed', () => {
    expect([propertyKey('a_b'), propertyKey('a-b'), propertyKey('1a'), propertyKey('ü')]).toEqual(['a_b', '"a-b"', '"1a"', '"ü"']);
    expect(literalKey('__proto__')).toBe('["__proto__"]');
  });

  test('a doc comment cannot be ended or given tags by a label', () => {
    const doc = docComment(['evil */ alert(1) /*', '@deprecated by a label\nnext line']);
    expect(doc).toBe('/**\n * evil *\\/ alert(1) /*\n * \\@deprecated by a label next line\n */\n');
    expect(doc.indexOf('*/')).toBe(doc.length - 3);
    expect(docComment([undefined, ' '])).toBe('');
  });
});
