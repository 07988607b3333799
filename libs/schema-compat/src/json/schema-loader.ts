import { InvalidSchemaError, type ResolvedReference } from '../schema-format';

// Parsing and $ref resolution of JSON Schema documents.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };
export type Schema = boolean | JsonObject;

export const TYPE_NAMES = new Set(['null', 'boolean', 'object', 'array', 'number', 'integer', 'string']);
export const SINGLE_SCHEMA_KEYWORDS = new Set([
  'additionalItems',
  'additionalProperties',
  'not',
  'contains',
  'propertyNames',
  'if',
  'then',
  'else',
  'unevaluatedItems',
  'unevaluatedProperties',
  'contentSchema',
]);
export const SCHEMA_LIST_KEYWORDS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
export const SCHEMA_MAP_KEYWORDS = new Set([
  'properties',
  'patternProperties',
  'definitions',
  '$defs',
  'dependentSchemas',
]);
export const NUMBER_KEYWORDS = new Set(['minimum', 'maximum', 'multipleOf']);
export const COUNT_KEYWORDS = new Set([
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
]);
export const ANNOTATIONS = new Set([
  'title',
  'description',
  '$comment',
  'default',
  'examples',
  '$id',
  'id',
  '$schema',
  'definitions',
  '$defs',
  'readOnly',
  'writeOnly',
  'deprecated',
]);

export function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function canonicalize(v: Json): string {
  if (Array.isArray(v)) return `[${v.map(canonicalize).join(',')}]`;
  if (isObject(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalize(v[k]!)}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

export const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
export const unescapePointer = (s: string) => decodeURIComponent(s).replace(/~1/g, '/').replace(/~0/g, '~');

export function checkRegex(v: Json, at: string): void {
  if (typeof v !== 'string') throw new InvalidSchemaError(`${at}: must be a regular expression string`);
  try {
    new RegExp(v);
  } catch {
    throw new InvalidSchemaError(`${at}: invalid regular expression ${JSON.stringify(v)}`);
  }
}

export function checkType(v: Json, at: string): void {
  const names = Array.isArray(v) ? v : [v];
  if (Array.isArray(v) && v.length === 0) throw new InvalidSchemaError(`${at}: must not be an empty array`);
  for (const n of names) {
    if (typeof n !== 'string' || !TYPE_NAMES.has(n))
      throw new InvalidSchemaError(`${at}: unknown type ${JSON.stringify(n)}`);
  }
}

export function checkStrings(v: Json, at: string): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    throw new InvalidSchemaError(`${at}: must be an array of property names`);
  return v as string[];
}

export class Loader {
  readonly documents = new Map<string, Schema>();
  private readonly refs: { ref: string; at: string }[] = [];
  constructor(private readonly id: number) {}

  load(text: string, key: string, label: string, references: readonly ResolvedReference[]): Schema {
    let value: Json;
    try {
      value = JSON.parse(text) as Json;
    } catch (e) {
      throw new InvalidSchemaError(`${label}: invalid JSON: ${(e as Error).message}`);
    }
    if (typeof value !== 'boolean' && !isObject(value))
      throw new InvalidSchemaError(`${label}: a JSON schema must be an object or a boolean`);
    this.documents.set(key, true); // placeholder, so reference cycles terminate
    const prepared = this.prepare(value, '#', key, label, references);
    this.documents.set(key, prepared);
    return prepared;
  }

  /** Throws unless every rewritten $ref points at a schema. */
  verify(): void {
    for (const { ref, at } of this.refs) {
      if (resolvePointer(this.documents, ref) === undefined)
        throw new InvalidSchemaError(
          `${at}: $ref ${JSON.stringify(ref.slice(ref.indexOf('#')))} points nowhere`,
        );
    }
  }

  private rewrite(
    ref: string,
    at: string,
    key: string,
    label: string,
    references: readonly ResolvedReference[],
  ): string {
    const hash = ref.indexOf('#');
    const name = hash < 0 ? ref : ref.slice(0, hash);
    const fragment = hash < 0 ? '' : ref.slice(hash + 1);
    if (fragment !== '' && !fragment.startsWith('/'))
      throw new InvalidSchemaError(`${label} ${at}: unsupported $ref ${JSON.stringify(ref)}`);
    let target = key;
    if (name !== '') {
      const reference = references.find((r) => r.name === ref || r.name === name);
      if (!reference)
        throw new InvalidSchemaError(`${label} ${at}: cannot resolve $ref ${JSON.stringify(ref)}`);
      target = `${this.id}:ref:${reference.name}`;
      if (!this.documents.has(target))
        this.load(reference.schema, target, `reference ${reference.name}`, reference.references);
    }
    const rewritten = `${target}#${fragment}`;
    this.refs.push({ ref: rewritten, at: `${label} ${at}` });
    return rewritten;
  }

  private prepare(
    s: Json,
    at: string,
    key: string,
    label: string,
    references: readonly ResolvedReference[],
  ): Schema {
    if (typeof s === 'boolean') return s;
    if (!isObject(s)) throw new InvalidSchemaError(`${label} ${at}: a schema must be an object or a boolean`);
    const sub = (v: Json, where: string) => this.prepare(v, where, key, label, references);
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(s)) {
      const where = `${at}/${escapePointer(k)}`;
      const fail = (what: string): never => {
        throw new InvalidSchemaError(`${label} ${where}: ${what}`);
      };
      if (k === '$ref') {
        if (typeof v !== 'string') fail('must be a string');
        out[k] = this.rewrite(v as string, where, key, label, references);
      } else if (k === 'type') {
        checkType(v, `${label} ${where}`);
        out[k] = v;
      } else if (k === 'items') {
        out[k] = Array.isArray(v) ? v.map((x, i) => sub(x, `${where}/${i}`)) : sub(v, where);
      } else if (SINGLE_SCHEMA_KEYWORDS.has(k)) {
        out[k] = sub(v, where);
      } else if (SCHEMA_LIST_KEYWORDS.has(k)) {
        if (!Array.isArray(v) || v.length === 0) fail('must be a non-empty array of schemas');
        out[k] = (v as Json[]).map((x, i) => sub(x, `${where}/${i}`));
      } else if (SCHEMA_MAP_KEYWORDS.has(k)) {
        if (!isObject(v)) fail('must be an object of schemas');
        const m: JsonObject = {};
        for (const [n, x] of Object.entries(v as JsonObject)) {
          if (k === 'patternProperties') checkRegex(n, `${label} ${where}`);
          m[n] = sub(x, `${where}/${escapePointer(n)}`);
        }
        out[k] = m;
      } else if (k === 'dependencies' || k === 'dependentRequired') {
        if (!isObject(v)) fail('must be an object');
        const m: JsonObject = {};
        for (const [n, x] of Object.entries(v as JsonObject)) {
          const w = `${where}/${escapePointer(n)}`;
          m[n] = Array.isArray(x) || k === 'dependentRequired' ? checkStrings(x, `${label} ${w}`) : sub(x, w);
        }
        out[k] = m;
      } else if (k === 'required') {
        out[k] = checkStrings(v, `${label} ${where}`);
      } else if (k === 'enum') {
        if (!Array.isArray(v)) fail('must be an array');
        out[k] = v;
      } else if (k === 'pattern') {
        checkRegex(v, `${label} ${where}`);
        out[k] = v;
      } else if (NUMBER_KEYWORDS.has(k)) {
        if (typeof v !== 'number' || (k === 'multipleOf' && v <= 0)) fail('must be a number');
        out[k] = v;
      } else if (COUNT_KEYWORDS.has(k)) {
        if (typeof v !== 'number' || v < 0 || !Number.isInteger(v)) fail('must be a non-negative integer');
        out[k] = v;
      } else if (k === 'exclusiveMinimum' || k === 'exclusiveMaximum') {
        if (typeof v !== 'number' && typeof v !== 'boolean') fail('must be a number or a boolean');
        out[k] = v;
      } else {
        out[k] = v;
      }
    }
    return out;
  }
}

export function resolvePointer(documents: ReadonlyMap<string, Schema>, ref: string): Schema | undefined {
  const hash = ref.indexOf('#');
  let node: Json | undefined = documents.get(ref.slice(0, hash));
  const fragment = ref.slice(hash + 1);
  if (fragment !== '') {
    for (const part of fragment.slice(1).split('/').map(unescapePointer)) {
      if (Array.isArray(node)) node = node[Number(part)];
      else if (isObject(node)) node = Object.hasOwn(node, part) ? node[part] : undefined;
      else return undefined;
    }
  }
  return typeof node === 'boolean' || isObject(node) ? node : undefined;
}
