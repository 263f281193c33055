/**
 * Names and comments in generated TypeScript: deployments name forms and fields freely (`2nd-visit`,
 * `__proto__`, labels with `*\/`), and none of it may break the file or change what it means.
 *
 * @module
 */

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
// Words a type or value name cannot be, and names the generated file itself uses.
const RESERVED = new Set([
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum', 'export',
  'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null', 'return', 'super',
  'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'any', 'unknown', 'never', 'string',
  'number', 'boolean', 'object', 'symbol', 'bigint', 'undefined', 'z', 'PrimeroTypes', 'primeroTypes', 'RecordSchemas',
]);

/** @internal A property key as TypeScript source: bare when it can be, quoted otherwise. */
export function propertyKey(name: string): string {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

/**
 * @internal A key in an object literal. `__proto__: value` in a literal sets the prototype instead of adding
 * a key, so it is written as a computed key.
 */
export function literalKey(name: string): string {
  return name === '__proto__' ? `[${JSON.stringify(name)}]` : propertyKey(name);
}

/** @internal A string literal, for option ids and the like. */
export function stringLiteral(value: string): string {
  return JSON.stringify(value).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** @internal Gives out PascalCase type names from free-form ids, never the same one twice. */
export class TypeNames {
  readonly #taken = new Set<string>(RESERVED);

  /** A new name from `id` plus `suffix` (`services_section` + `Entry` → `ServicesSectionEntry`). */
  take(id: string, suffix = ''): string {
    const words = id.split(/[^A-Za-z0-9]+/).filter(Boolean);
    let base = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('') + suffix;
    if (!/^[A-Za-z]/.test(base)) base = `Form${base}`;
    let name = base;
    for (let n = 2; this.#taken.has(name); n++) name = `${base}${n}`;
    this.#taken.add(name);
    return name;
  }
}

/**
 * @internal A doc comment of `lines`, or nothing for no text. Comment terminators are defused, and `@` is
 * escaped (TSDoc) so a label cannot start a tag.
 */
export function docComment(lines: readonly (string | undefined)[], indent = ''): string {
  const text = lines
    .filter((line): line is string => !!line && !!line.trim())
    .map((line) => line.replace(/\s+/g, ' ').trim().replace(/\*\//g, '*\\/').replace(/@/g, '\\@'));
  if (!text.length) return '';
  if (text.length === 1) return `${indent}/** ${text[0]} */\n`;
  return `${indent}/**\n${text.map((line) => `${indent} * ${line}`).join('\n')}\n${indent} */\n`;
}
