/**
 * The pieces of `primero types` that the fixtures do not reach: a subform that contains itself, type names
 * that collide or are reserved, doc comments that try to end themselves, and the model's merge rules.
 */
import { describe, expect, test } from 'vitest';
import { modelForms } from '../../src/codegen/fields.js';
import { generateRecordTypes } from '../../src/codegen/generate.js';
import { docComment, literalKey, propertyKey, TypeNames } from '../../src/codegen/names.js';
import type { FormSection } from '../../src/models/form.js';
import { typecheck } from '../support/typecheck.js';

const en = (text: string) => ({ en: text });
function form(id: number, uniqueId: string, fields: FormSection['fields'], extra: Partial<FormSection> = {}): FormSection {
  return { id, unique_id: uniqueId, name: en(uniqueId), parent_form: 'case', is_nested: false, fields, ...extra };
}

describe('modelForms', () => {
  test('a subform that contains itself, or two that contain each other: one type each, the inner entries by unique_id; the module compiles', () => {
    const forms = [
      form(1, 'top', [{ name: 'loop', type: 'subform', subform_section_id: 2 }, { name: 'ping', type: 'subform', subform_section_id: 3 }]),
      form(2, 'loop', [{ name: 'note', type: 'text_field' }, { name: 'again', type: 'subform', subform_section_id: 2 }], { is_nested: true }),
      form(3, 'ping', [{ name: 'pong', type: 'subform', subform_section_id: 4 }], { is_nested: true }),
      form(4, 'pong', [{ name: 'ping', type: 'subform', subform_section_id: 3 }, { name: 'n', type: 'numeric_field' }], { is_nested: true }),
    ];
    const model = modelForms(forms, []);
    const loop = model.recordTypes[0]?.subforms.find((s) => s.uniqueId === 'loop');
    expect(loop?.fields.map((f) => f.name)).toEqual(['note', 'again']);
    expect(loop?.fields[1]?.subform).toMatchObject({ unresolved: true, fields: [] });
    expect(model.warnings).toContain('subform loop contains itself: the inner entries are typed by unique_id only');
    const { code } = generateRecordTypes(forms, [], { source: 'test' });
    expect(code.match(/export interface \w+Entry\b/g)?.sort()).toEqual(['export interface LoopEntry', 'export interface PingEntry', 'export interface PongEntry']);
    expect(typecheck({ 'cycles.ts': code })).toEqual([]);
  });

  test('a module declares only the value formats its fields use (noUnusedLocals), and compiles with none', () => {
    const textOnly = generateRecordTypes([form(1, 'a', [{ name: 'note', type: 'text_field' }])], [], { source: 'test' }).code;
    expect(textOnly).not.toMatch(/const (date|datetime|int32|uuid) =/);
    const incident = generateRecordTypes([form(1, 'a', [{ name: 'when', type: 'date_field' }], { parent_form: 'incident' })], [], { source: 'test' }).code;
    expect(incident.match(/^const (\w+) =/gm)).toEqual(['const date =']);
    expect(typecheck({ 'text-only.ts': textOnly, 'incident.ts': incident })).toEqual([]);
  });

  test('entries of a subform inside a subform may lack unique_id on read (the server gives ids to top-level entries only)', () => {
    const forms = [
      form(1, 'top', [{ name: 'services_section', type: 'subform', subform_section_id: 2 }]),
      form(2, 'services_section', [{ name: 'visits', type: 'subform', subform_section_id: 3 }, { name: 'unique_id', type: 'text_field' }], { is_nested: true }),
      form(3, 'visits', [{ name: 'visit_note', type: 'text_field' }, { name: '_destroy', type: 'tick_box' }], { is_nested: true }),
    ];
    const { code } = generateRecordTypes(forms, [], { source: 'test' });
    expect(code).toMatch(/export const VisitsEntry = z\.looseObject\(\{\n  unique_id: z\.string\(\)\.optional\(\),/);
    expect(code).toMatch(/export const ServicesSectionEntry = z\.looseObject\(\{\n  unique_id: z\.string\(\),/);
    // A form field named like the entry's own members is not declared twice.
    expect(code.match(/^  unique_id/gm)).toHaveLength(8);
    expect(code).not.toMatch(/_destroy\?: boolean \| null/);
    expect(typecheck({ 'nested.ts': code })).toEqual([]);
  });

  test('one field that is a subform of two different forms is typed as unknown, with a warning', () => {
    const forms = [
      form(1, 'cp', [{ name: 'followups', type: 'subform', subform_section_id: 3 }], { module_ids: ['cp'] }),
      form(2, 'gbv', [{ name: 'followups', type: 'subform', subform_section_id: 4 }], { module_ids: ['gbv'] }),
      form(3, 'cp_followups', [{ name: 'a', type: 'text_field' }], { is_nested: true }),
      form(4, 'gbv_followups', [{ name: 'b', type: 'text_field' }], { is_nested: true }),
    ];
    const model = modelForms(forms, []);
    expect(model.recordTypes[0]?.fields).toEqual([expect.objectContaining({ name: 'followups', kind: 'unknown' })]);
    expect(model.warnings).toEqual(['field followups is a subform of cp_followups and of gbv_followups: typed as unknown']);
    // With --module, only that module's forms, and the subforms they use whatever modules those list.
    expect(modelForms(forms, [], { moduleId: 'gbv' }).recordTypes[0]?.fields[0]?.subform?.fields.map((f) => f.name)).toEqual(['b']);
  });

  test('the same forms in another order give the same module; numeric option ids become strings', () => {
    const forms = [
      form(2, 'b', [{ name: 'y', type: 'select_box', option_strings_text: [{ id: 1 as unknown as string, display_text: 'One' as never }] }]),
      form(1, 'a', [{ name: 'x', type: 'tick_box' }]),
    ];
    const one = generateRecordTypes(forms, [], { source: 'test' }).code;
    expect(generateRecordTypes([...forms].reverse(), [], { source: 'test' }).code).toBe(one);
    expect(one).toContain('y?: "1" | null | undefined;');
    expect(one).toContain('Options: `1` (One).');
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
