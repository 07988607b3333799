import {
  ANNOTATIONS,
  canonicalize,
  escapePointer,
  isObject,
  type Json,
  type JsonObject,
  resolvePointer,
  type Schema,
} from './schema-loader';

// The keyword-by-keyword rules: can a reader schema accept every value a writer schema accepts?

export const ALL_TYPES = ['null', 'boolean', 'object', 'array', 'number', 'integer', 'string'];

export function typeOfValue(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** The types a schema admits, or undefined for any type. */
export function typesOf(s: JsonObject): Set<string> | undefined {
  if (s.type !== undefined) return new Set(Array.isArray(s.type) ? (s.type as string[]) : [s.type as string]);
  const values = valuesOf(s);
  return values ? new Set(values.map(typeOfValue)) : undefined;
}

/** The values a schema is limited to by const / enum, if it is. */
export function valuesOf(s: JsonObject): Json[] | undefined {
  if (s.const !== undefined) return [s.const];
  return Array.isArray(s.enum) ? s.enum : undefined;
}

export const admits = (types: Set<string>, t: string) =>
  types.has(t) || (t === 'integer' && types.has('number'));
export const formatTypes = (types: Iterable<string>) => [...types].join('|');

export function conj(x: Schema, y: Schema): Schema {
  if (x === true) return y;
  if (y === true) return x;
  if (x === false || y === false) return false;
  if (canonicalize(x) === canonicalize(y)) return x;
  return { allOf: [x, y] };
}

export function without(s: JsonObject, key: string): JsonObject {
  const { [key]: _, ...rest } = s;
  return rest;
}

export const schemaAt = (v: Json | undefined): Schema => (typeof v === 'boolean' || isObject(v) ? v : true);

/** The schema `s` applies to a property `name` (properties, matching patternProperties, or additionalProperties). */
export function propertySchema(s: JsonObject, name: string): Schema {
  const own = isObject(s.properties) && Object.hasOwn(s.properties, name) ? s.properties[name] : undefined;
  let result: Schema = own === undefined ? true : schemaAt(own);
  let matched = own !== undefined;
  if (isObject(s.patternProperties)) {
    for (const [pattern, schema] of Object.entries(s.patternProperties)) {
      if (new RegExp(pattern).test(name)) {
        result = conj(result, schemaAt(schema));
        matched = true;
      }
    }
  }
  return matched ? result : schemaAt(s.additionalProperties);
}

export function tighter(a: number, b: number, upper: boolean): number {
  return upper ? Math.min(a, b) : Math.max(a, b);
}

/** The conjunction of two (expanded, object) schemas, as one schema where that is simple. */
export function merge(a: JsonObject, b: JsonObject): JsonObject {
  const out: JsonObject = { ...a };
  for (const [k, bv] of Object.entries(b)) {
    const av = out[k];
    if (av === undefined) {
      out[k] = bv;
      continue;
    }
    if (canonicalize(av) === canonicalize(bv)) continue;
    switch (k) {
      case 'type': {
        const at = typesOf({ type: av })!;
        const bt = typesOf({ type: bv })!;
        out[k] = ALL_TYPES.filter((t) => admits(at, t) && admits(bt, t));
        break;
      }
      case 'required':
        out[k] = [...new Set([...(av as string[]), ...(bv as string[])])];
        break;
      case 'enum': {
        const keep = new Set((bv as Json[]).map(canonicalize));
        out[k] = (av as Json[]).filter((x) => keep.has(canonicalize(x)));
        break;
      }
      case 'minimum':
      case 'minLength':
      case 'minItems':
      case 'minProperties':
        out[k] = tighter(av as number, bv as number, false);
        break;
      case 'maximum':
      case 'maxLength':
      case 'maxItems':
      case 'maxProperties':
        out[k] = tighter(av as number, bv as number, true);
        break;
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
        if (typeof av === 'number' && typeof bv === 'number')
          out[k] = tighter(av, bv, k === 'exclusiveMaximum');
        break;
      case 'allOf':
        out[k] = [...(av as Json[]), ...(bv as Json[])];
        break;
      case 'anyOf':
      case 'oneOf':
        out[k] = (av as Json[]).flatMap((x) => (bv as Json[]).map((y) => conj(schemaAt(x), schemaAt(y))));
        break;
      case 'not':
        out[k] = { anyOf: [av, bv] };
        break;
      case 'items':
      case 'contains':
      case 'propertyNames':
      case 'additionalItems':
        if (!Array.isArray(av) && !Array.isArray(bv)) out[k] = conj(schemaAt(av), schemaAt(bv));
        break;
      default:
        break; // keeps a's value: an approximation for the rarer keywords
    }
  }
  const objectish = (s: JsonObject) => s.properties !== undefined || s.additionalProperties !== undefined;
  if (objectish(a) && objectish(b)) {
    const names = new Set([
      ...Object.keys(isObject(a.properties) ? a.properties : {}),
      ...Object.keys(isObject(b.properties) ? b.properties : {}),
    ]);
    const properties: JsonObject = {};
    for (const n of names) properties[n] = conj(propertySchema(a, n), propertySchema(b, n));
    out.properties = properties;
    const additional = conj(schemaAt(a.additionalProperties), schemaAt(b.additionalProperties));
    if (additional === true) delete out.additionalProperties;
    else out.additionalProperties = additional;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The checker.

export const MAX_DEPTH = 64;

export interface Bound {
  value: number;
  exclusive: boolean;
  keyword: string;
}

export function bound(s: JsonObject, upper: boolean): Bound | undefined {
  const inclusiveKw = upper ? 'maximum' : 'minimum';
  const exclusiveKw = upper ? 'exclusiveMaximum' : 'exclusiveMinimum';
  const candidates: Bound[] = [];
  if (typeof s[inclusiveKw] === 'number')
    candidates.push({
      value: s[inclusiveKw] as number,
      exclusive: s[exclusiveKw] === true,
      keyword: s[exclusiveKw] === true ? exclusiveKw : inclusiveKw,
    });
  if (typeof s[exclusiveKw] === 'number')
    candidates.push({ value: s[exclusiveKw] as number, exclusive: true, keyword: exclusiveKw });
  const sign = upper ? 1 : -1;
  return candidates.reduce<Bound | undefined>((best, c) => {
    if (!best) return c;
    const d = (c.value - best.value) * sign;
    return d < 0 || (d === 0 && c.exclusive) ? c : best;
  }, undefined);
}

export function isMultiple(a: number, b: number): boolean {
  const q = a / b;
  return Math.abs(q - Math.round(q)) < 1e-9;
}

export class Checker {
  private readonly expanded = new WeakMap<JsonObject, Schema>();
  private readonly merged = new WeakMap<JsonObject, Schema>();
  private readonly active: [Schema, Schema][] = [];

  constructor(private readonly documents: ReadonlyMap<string, Schema>) {}

  /** Follows `$ref` (a `$ref` with sibling keywords is the conjunction of both). */
  private expand(s: Schema, depth = 0): Schema {
    if (typeof s === 'boolean' || typeof s.$ref !== 'string') return s;
    const cached = this.expanded.get(s);
    if (cached !== undefined) return cached;
    const target = resolvePointer(this.documents, s.$ref) ?? true;
    const rest = without(s, '$ref');
    const restMatters = Object.keys(rest).some((k) => !ANNOTATIONS.has(k));
    const result =
      depth > MAX_DEPTH ? true : restMatters ? { allOf: [target, rest] } : this.expand(target, depth + 1);
    this.expanded.set(s, result);
    return result;
  }

  /** A writer schema with allOf, flattened into one schema. */
  private flatten(original: JsonObject): Schema {
    const cached = this.merged.get(original);
    if (cached !== undefined) return cached;
    let w = original;
    let result: Schema = without(w, 'allOf');
    for (let round = 0; round < MAX_DEPTH; round++) {
      let acc: JsonObject | false = result;
      for (const b of (w.allOf as Json[]).map((x) => this.expand(schemaAt(x)))) {
        if (b === false) {
          acc = false;
          break;
        }
        if (b !== true) acc = merge(acc, b);
      }
      if (acc === false) return this.cache(original, false);
      if (!Array.isArray(acc.allOf)) return this.cache(original, acc);
      w = acc;
      result = without(acc, 'allOf');
    }
    return this.cache(original, result);
  }

  private cache(original: JsonObject, result: Schema): Schema {
    this.merged.set(original, result);
    return result;
  }

  compare(reader: Schema, writer: Schema, path: string, depth = 0): string[] {
    if (depth > MAX_DEPTH) return [];
    const r = this.expand(reader);
    let w = this.expand(writer);
    if (r === true || w === false) return [];
    if (r === false) return [`${path}: changed to false, which accepts no value`];
    if (w === true) w = {};
    if (this.active.some(([a, b]) => a === r && b === w)) return [];
    this.active.push([r, w]);
    try {
      return this.compareExpanded(r, w, path, depth + 1);
    } finally {
      this.active.pop();
    }
  }

  private compareExpanded(r: JsonObject, w: JsonObject, path: string, depth: number): string[] {
    // The writer's data, taken apart: allOf merged, each anyOf/oneOf branch on its own.
    if (Array.isArray(w.allOf)) return this.compare(r, this.flatten(w), path, depth);
    for (const kw of ['anyOf', 'oneOf']) {
      const branches = w[kw];
      if (!Array.isArray(branches)) continue;
      const base = without(w, kw);
      return branches.flatMap((b, j) => {
        const branch = this.expand(schemaAt(b));
        if (branch === false) return [];
        const data = branch === true ? base : merge(base, branch);
        return this.compare(r, data, path, depth).map((p) => `${p} (writer's ${kw}/${j})`);
      });
    }

    const problems: string[] = [];
    if (Array.isArray(r.allOf)) {
      r.allOf.forEach((b, i) => {
        problems.push(...this.compare(schemaAt(b), w, `${path}/allOf/${i}`, depth));
      });
    }
    for (const kw of ['anyOf', 'oneOf']) {
      const branches = r[kw];
      if (!Array.isArray(branches)) continue;
      const results = branches.map((b, i) => this.compare(schemaAt(b), w, `${path}/${kw}/${i}`, depth));
      if (results.some((x) => x.length === 0)) continue;
      const closest = results.reduce((a, b) => (b.length < a.length ? b : a));
      if (branches.length === 1) problems.push(...closest);
      else
        problems.push(`${path}/${kw}: no branch accepts the writer's data (closest: ${closest.join('; ')})`);
    }
    if (r.not !== undefined) {
      if (w.not === undefined) problems.push(`${path}/not: not added`);
      else if (this.compare(schemaAt(w.not), schemaAt(r.not), `${path}/not`, depth).length > 0)
        problems.push(`${path}/not: excludes values the writer allows`);
    }
    for (const kw of ['if', 'then', 'else']) {
      if (r[kw] !== undefined && (w[kw] === undefined || canonicalize(r[kw]) !== canonicalize(w[kw]))) {
        problems.push(`${path}/${kw}: conditional subschema added or changed`);
      }
    }
    problems.push(...this.compareKeywords(r, w, path, depth));
    return problems;
  }

  private compareKeywords(r: JsonObject, w: JsonObject, path: string, depth: number): string[] {
    const problems: string[] = [];
    const rTypes = typesOf(r);
    const wTypes = typesOf(w);
    if (rTypes) {
      const writerTypes = wTypes ?? new Set(ALL_TYPES);
      const lost = [...writerTypes].filter((t) => !admits(rTypes, t));
      if (lost.length > 0) {
        const overlap = [...writerTypes].some((t) => admits(rTypes, t));
        const from = wTypes ? formatTypes(wTypes) : 'any';
        problems.push(
          `${path}: type ${overlap ? 'narrowed' : 'changed'} from ${from} to ${formatTypes(rTypes)}`,
        );
      }
    }
    const writes = (...ts: string[]) => !wTypes || ts.some((t) => wTypes.has(t));

    const rValues = valuesOf(r);
    if (rValues) {
      const kw = r.const !== undefined ? 'const' : 'enum';
      const wValues = valuesOf(w);
      if (!wValues) problems.push(`${path}: ${kw} added`);
      else {
        const allowed = new Set(rValues.map(canonicalize));
        const missing = wValues.filter((v) => !allowed.has(canonicalize(v)));
        if (missing.length > 0) {
          const shown = missing.map((v) => JSON.stringify(v)).join(', ');
          problems.push(
            kw === 'const'
              ? `${path}: const changed to ${JSON.stringify(r.const)}, the writer allows ${shown}`
              : `${path}/enum: ${missing.length === 1 ? 'value' : 'values'} ${shown} removed`,
          );
        }
      }
    }

    if (writes('string')) {
      problems.push(...this.compareCount(r, w, path, 'maxLength', true));
      problems.push(...this.compareCount(r, w, path, 'minLength', false));
      if (typeof r.pattern === 'string') {
        if (w.pattern === undefined) problems.push(`${path}: pattern added`);
        else if (w.pattern !== r.pattern)
          problems.push(
            `${path}: pattern changed from ${JSON.stringify(w.pattern)} to ${JSON.stringify(r.pattern)}`,
          );
      }
      if (typeof r.format === 'string' && r.format !== w.format)
        problems.push(`${path}: format ${w.format === undefined ? 'added' : 'changed'}`);
    }

    if (writes('number', 'integer')) {
      for (const upper of [true, false]) {
        const rb = bound(r, upper);
        if (!rb) continue;
        const wb = bound(w, upper);
        const dir = upper ? 'decreased' : 'increased';
        if (!wb) problems.push(`${path}: ${rb.keyword} added`);
        else if ((wb.value - rb.value) * (upper ? 1 : -1) > 0)
          problems.push(`${path}: ${rb.keyword} ${dir} from ${wb.value} to ${rb.value}`);
        else if (wb.value === rb.value && rb.exclusive && !wb.exclusive)
          problems.push(`${path}: ${rb.keyword} ${rb.value} excludes the writer's ${wb.keyword} ${wb.value}`);
      }
      if (typeof r.multipleOf === 'number') {
        if (typeof w.multipleOf !== 'number') problems.push(`${path}: multipleOf added`);
        else if (!isMultiple(w.multipleOf, r.multipleOf))
          problems.push(`${path}: multipleOf changed from ${w.multipleOf} to ${r.multipleOf}`);
      }
    }

    if (writes('object')) problems.push(...this.compareObjects(r, w, path, depth));
    if (writes('array')) problems.push(...this.compareArrays(r, w, path, depth));
    return problems;
  }

  private compareCount(r: JsonObject, w: JsonObject, path: string, kw: string, upper: boolean): string[] {
    const rv = r[kw];
    if (typeof rv !== 'number') return [];
    const wv = w[kw];
    if (typeof wv !== 'number') return [`${path}: ${kw} added`];
    if ((wv - rv) * (upper ? 1 : -1) > 0)
      return [`${path}: ${kw} ${upper ? 'decreased' : 'increased'} from ${wv} to ${rv}`];
    return [];
  }

  private compareObjects(r: JsonObject, w: JsonObject, path: string, depth: number): string[] {
    const problems: string[] = [];
    const rProps = isObject(r.properties) ? r.properties : {};
    const wProps = isObject(w.properties) ? w.properties : {};
    const names = new Set([...Object.keys(rProps), ...Object.keys(wProps)]);
    for (const name of names) {
      const at = `${path}/properties/${escapePointer(name)}`;
      const inReader = Object.hasOwn(rProps, name);
      const inWriter = Object.hasOwn(wProps, name);
      if (inReader && inWriter) {
        problems.push(...this.compare(schemaAt(rProps[name]), schemaAt(wProps[name]), at, depth));
      } else if (inReader) {
        // Added: the writer's data may hold it under its additionalProperties / patternProperties.
        const writerSchema = this.expand(propertySchema(w, name));
        if (writerSchema === false) continue; // closed writer: never written, so optional additions are fine
        const sub = this.compare(schemaAt(rProps[name]), writerSchema, at, depth);
        if (sub.length === 0) continue;
        problems.push(
          writerSchema === true || Object.keys(writerSchema).length === 0
            ? `${at}: property ${name} added to open content model`
            : `${at}: property ${name} added is not covered by partially open content model (${sub.join('; ')})`,
        );
      } else {
        // Removed: the reader now judges it by its additionalProperties / patternProperties.
        const readerSchema = this.expand(propertySchema(r, name));
        const sub = this.compare(readerSchema, schemaAt(wProps[name]), at, depth);
        if (sub.length === 0) continue;
        problems.push(
          readerSchema === false
            ? `${at}: property ${name} removed from closed content model`
            : `${at}: property ${name} removed is not covered by partially open content model (${sub.join('; ')})`,
        );
      }
    }

    const rAdditional = this.expand(schemaAt(r.additionalProperties));
    const wAdditional = this.expand(schemaAt(w.additionalProperties));
    if (rAdditional === false && wAdditional !== false) {
      problems.push(
        `${path}/additionalProperties: additional properties no longer allowed (content model closed)`,
      );
    } else {
      problems.push(...this.compare(rAdditional, wAdditional, `${path}/additionalProperties`, depth));
    }

    const rPatterns = isObject(r.patternProperties) ? r.patternProperties : {};
    const wPatterns = isObject(w.patternProperties) ? w.patternProperties : {};
    for (const p of new Set([...Object.keys(rPatterns), ...Object.keys(wPatterns)])) {
      const at = `${path}/patternProperties/${escapePointer(p)}`;
      const rp = Object.hasOwn(rPatterns, p) ? schemaAt(rPatterns[p]) : rAdditional;
      const wp = Object.hasOwn(wPatterns, p) ? schemaAt(wPatterns[p]) : wAdditional;
      problems.push(...this.compare(rp, wp, at, depth));
    }

    const wRequired = new Set(Array.isArray(w.required) ? (w.required as string[]) : []);
    for (const name of Array.isArray(r.required) ? (r.required as string[]) : []) {
      if (wRequired.has(name)) continue;
      const own = this.expand(schemaAt(rProps[name]));
      if (typeof own === 'object' && own.default !== undefined) continue; // a default fills it in
      problems.push(`${path}/required: property ${name} became required`);
    }

    problems.push(...this.compareCount(r, w, path, 'maxProperties', true));
    problems.push(...this.compareCount(r, w, path, 'minProperties', false));

    if (r.propertyNames !== undefined)
      problems.push(
        ...this.compare(
          schemaAt(r.propertyNames),
          w.propertyNames === undefined ? { type: 'string' } : schemaAt(w.propertyNames),
          `${path}/propertyNames`,
          depth,
        ),
      );

    const deps = (s: JsonObject) => {
      const arrays = new Map<string, { kw: string; names: string[] }>();
      const schemas = new Map<string, { kw: string; schema: Schema }>();
      for (const kw of ['dependencies', 'dependentRequired', 'dependentSchemas']) {
        const m = s[kw];
        if (!isObject(m)) continue;
        for (const [k, v] of Object.entries(m)) {
          if (Array.isArray(v)) arrays.set(k, { kw, names: v as string[] });
          else schemas.set(k, { kw, schema: schemaAt(v) });
        }
      }
      return { arrays, schemas };
    };
    const rDeps = deps(r);
    const wDeps = deps(w);
    for (const [k, { kw, names }] of rDeps.arrays) {
      const at = `${path}/${kw}/${escapePointer(k)}`;
      const writer = wDeps.arrays.get(k)?.names ?? [];
      const extra = names.filter((n) => !writer.includes(n) && !wRequired.has(n));
      if (extra.length === 0) continue;
      problems.push(
        wDeps.arrays.has(k)
          ? `${at}: dependency extended with ${extra.join(', ')}`
          : `${at}: dependency added (${extra.join(', ')})`,
      );
    }
    for (const [k, { kw, schema }] of rDeps.schemas) {
      const at = `${path}/${kw}/${escapePointer(k)}`;
      const writer = wDeps.schemas.get(k);
      if (!writer) problems.push(`${at}: dependent schema added`);
      else problems.push(...this.compare(schema, writer.schema, at, depth));
    }
    return problems;
  }

  private compareArrays(r: JsonObject, w: JsonObject, path: string, depth: number): string[] {
    const problems: string[] = [];
    const layout = (s: JsonObject) => {
      if (Array.isArray(s.prefixItems))
        return { kw: 'prefixItems', restKw: 'items', at: s.prefixItems, rest: schemaAt(s.items) };
      if (Array.isArray(s.items))
        return { kw: 'items', restKw: 'additionalItems', at: s.items, rest: schemaAt(s.additionalItems) };
      return { kw: 'items', restKw: 'items', at: [] as Json[], rest: schemaAt(s.items) };
    };
    const rl = layout(r);
    const wl = layout(w);
    const n = Math.max(rl.at.length, wl.at.length);
    for (let i = 0; i < n; i++) {
      const at = `${path}/${rl.at.length > i ? rl.kw : wl.kw}/${i}`;
      const ri = this.expand(i < rl.at.length ? schemaAt(rl.at[i]) : rl.rest);
      const wi = this.expand(i < wl.at.length ? schemaAt(wl.at[i]) : wl.rest);
      if (ri === false && wi !== false) problems.push(`${at}: item removed from closed content model`);
      else problems.push(...this.compare(ri, wi, at, depth));
    }
    const rRest = this.expand(rl.rest);
    const wRest = this.expand(wl.rest);
    const restAt = `${path}/${rl.restKw}`;
    if (rRest === false && wRest !== false)
      problems.push(`${restAt}: additional items no longer allowed (content model closed)`);
    else problems.push(...this.compare(rRest, wRest, restAt, depth));

    problems.push(...this.compareCount(r, w, path, 'maxItems', true));
    problems.push(...this.compareCount(r, w, path, 'minItems', false));
    if (r.uniqueItems === true && w.uniqueItems !== true) problems.push(`${path}: uniqueItems added`);
    if (r.contains !== undefined) {
      if (w.contains === undefined) problems.push(`${path}/contains: contains added`);
      else
        problems.push(...this.compare(schemaAt(r.contains), schemaAt(w.contains), `${path}/contains`, depth));
    }
    return problems;
  }
}
