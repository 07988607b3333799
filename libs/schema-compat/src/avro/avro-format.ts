import * as avro from 'avsc';
import {
  InvalidSchemaError,
  type ParsedSchema,
  type ResolvedReference,
  type SchemaFormat,
} from '../schema-format';

/** An Avro schema parsed by avsc, with its references already in its types. */
export interface AvroSchema extends ParsedSchema {
  readonly type: 'AVRO';
  readonly avroType: avro.Type;
}

/** The logical types of the Avro specification; the attributes each keeps besides `logicalType`. */
const LOGICAL_TYPES: Record<string, readonly string[]> = {
  decimal: ['precision', 'scale'],
  uuid: [],
  date: [],
  'time-millis': [],
  'time-micros': [],
  'timestamp-millis': [],
  'timestamp-micros': [],
  'timestamp-nanos': [],
  'local-timestamp-millis': [],
  'local-timestamp-micros': [],
  'local-timestamp-nanos': [],
  duration: [],
};

/**
 * Keeps a logical type's name and attributes (avsc drops them otherwise) and its values as the
 * underlying type's: compatibility is decided on the underlying type, as Avro's
 * SchemaCompatibility (and so the Confluent registry) does.
 */
class KeptLogicalType extends avro.types.LogicalType {
  readonly logicalAttrs: Record<string, unknown>;

  constructor(schema: avro.Schema, opts?: unknown) {
    super(schema, opts);
    const raw = schema as unknown as Record<string, unknown>;
    const name = String(raw.logicalType);
    const attrs: Record<string, unknown> = { logicalType: name };
    for (const key of LOGICAL_TYPES[name] ?? []) if (raw[key] !== undefined) attrs[key] = raw[key];
    this.logicalAttrs = attrs;
  }

  protected override _fromValue(value: unknown): unknown {
    return value;
  }

  protected override _toValue(value: unknown): unknown {
    return value;
  }

  protected override _resolve(type: avro.Type): unknown {
    return type.typeName === this.underlyingType.typeName ? (value: unknown) => value : undefined;
  }
}

const logicalTypes = Object.fromEntries(Object.keys(LOGICAL_TYPES).map((name) => [name, KeptLogicalType]));

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function parseJson(text: string, what: string): avro.Schema {
  try {
    return JSON.parse(text) as avro.Schema;
  } catch (err) {
    throw new InvalidSchemaError(`${what} is not valid JSON: ${message(err)}`);
  }
}

function forSchema(schema: avro.Schema, registry: Record<string, avro.Type>, what: string): avro.Type {
  try {
    return avro.Type.forSchema(schema, { registry, logicalTypes, noAnonymousTypes: true });
  } catch (err) {
    throw new InvalidSchemaError(`${what}: ${message(err)}`);
  }
}

/** Puts each referenced named type (its own references first) in the registry. */
function addReferences(references: readonly ResolvedReference[], registry: Record<string, avro.Type>): void {
  for (const ref of references) {
    addReferences(ref.references, registry);
    if (registry[ref.name] !== undefined) continue;
    const what = `invalid referenced schema ${ref.name} (subject ${ref.subject}, version ${ref.version})`;
    forSchema(parseJson(ref.schema, what), registry, what);
  }
}

// ---------------------------------------------------------------------------------------------
// Canonical text

interface RawField {
  name: string;
  aliases: string[];
  order: string;
  type: avro.Type;
  defaultValue(): unknown;
}

type Copyable = avro.Type & { _copy(value: unknown, opts: { coerce: number; wrap: number }): unknown };

function isLogical(type: avro.Type): type is KeptLogicalType {
  return type instanceof KeptLogicalType;
}

/** Named type attributes first, then the type's own, in the specification's order. */
function canonicalJson(type: avro.Type, seen: Set<string>): unknown {
  if (isLogical(type)) {
    const under = canonicalJson(type.underlyingType, seen);
    const base = typeof under === 'string' ? { type: under } : (under as Record<string, unknown>);
    return { ...base, ...type.logicalAttrs };
  }
  const kind = type.typeName;
  if (kind.startsWith('union')) {
    return (type as avro.types.WrappedUnionType).types.map((t) => canonicalJson(t, seen));
  }
  if (type.name !== undefined) {
    if (seen.has(type.name)) return type.name;
    seen.add(type.name);
  }
  const named = (extra: Record<string, unknown>) => ({
    type: kind,
    name: type.name,
    ...(type.aliases?.length ? { aliases: type.aliases } : {}),
    ...extra,
  });
  switch (kind) {
    case 'record':
    case 'error':
      return named({
        fields: (type as avro.types.RecordType).fields.map((f) => {
          const field = f as unknown as RawField;
          const json: Record<string, unknown> = { name: field.name, type: canonicalJson(field.type, seen) };
          const value = field.defaultValue();
          if (value !== undefined)
            json.default = (field.type as Copyable)._copy(value, { coerce: 3, wrap: 3 });
          if (field.order !== 'ascending') json.order = field.order;
          if (field.aliases.length) json.aliases = field.aliases;
          return json;
        }),
      });
    case 'enum': {
      const t = type as avro.types.EnumType & { default?: string };
      return named({ symbols: t.symbols, ...(t.default !== undefined ? { default: t.default } : {}) });
    }
    case 'fixed':
      return named({ size: (type as avro.types.FixedType).size });
    case 'array':
      return { type: 'array', items: canonicalJson((type as avro.types.ArrayType).itemsType, seen) };
    case 'map':
      return {
        type: 'map',
        values: canonicalJson((type as avro.types.MapType).valuesType as avro.Type, seen),
      };
    default:
      return kind;
  }
}

// ---------------------------------------------------------------------------------------------
// Schema resolution

/** Writer primitive types each reader primitive type can read (the specification's promotions). */
const PROMOTIONS: Record<string, readonly string[]> = {
  null: ['null'],
  boolean: ['boolean'],
  int: ['int'],
  long: ['long', 'int'],
  float: ['float', 'int', 'long'],
  double: ['double', 'int', 'long', 'float'],
  string: ['string', 'bytes'],
  bytes: ['bytes', 'string'],
};

/** The type resolution works on: logical types resolve as their underlying type. */
function bare(type: avro.Type): avro.Type {
  return isLogical(type) ? bare(type.underlyingType) : type;
}

function kindOf(type: avro.Type): string {
  const kind = type.typeName;
  if (kind === 'error') return 'record';
  return kind.startsWith('union') ? 'union' : kind;
}

function describe(type: avro.Type): string {
  const kind = kindOf(type);
  return type.name !== undefined ? `${kind} ${type.name}` : kind;
}

function simpleName(fullName: string): string {
  return fullName.slice(fullName.lastIndexOf('.') + 1);
}

/**
 * Avro's SchemaCompatibility.schemaNameEquals: the unqualified names are equal, or the reader
 * lists the writer's full name among its aliases.
 */
function namesMatch(reader: avro.Type, writer: avro.Type): boolean {
  const r = reader.name ?? '';
  const w = writer.name ?? '';
  return simpleName(r) === simpleName(w) || (reader.aliases ?? []).includes(w);
}

function fieldPath(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

class Checker {
  /** Named-type pairs being checked, so that recursive types end. */
  private readonly inProgress = new Set<string>();
  private readonly ids = new Map<avro.Type, number>();

  private id(type: avro.Type): number {
    let id = this.ids.get(type);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(type, id);
    }
    return id;
  }

  /** Problems reading `writer` data with `reader`; `path` names the field at fault. */
  check(readerType: avro.Type, writerType: avro.Type, path: string): string[] {
    const reader = bare(readerType);
    const writer = bare(writerType);
    const at = (text: string) => (path === '' ? text : `field ${path}: ${text}`);
    const mismatch = () => [
      at(`reader type ${describe(reader)} cannot read writer type ${describe(writer)}`),
    ];
    const rKind = kindOf(reader);
    const wKind = kindOf(writer);

    if (wKind === 'union') {
      // Every branch the writer may have written must be readable.
      return (writer as avro.types.WrappedUnionType).types.flatMap((branch) =>
        this.check(reader, branch, path),
      );
    }
    if (rKind === 'union') return this.checkReaderUnion(reader, writer, path, at);

    if (rKind !== wKind) {
      if (PROMOTIONS[rKind]?.includes(wKind)) return [];
      return mismatch();
    }
    switch (rKind) {
      case 'array':
        return this.check(
          (reader as avro.types.ArrayType).itemsType,
          (writer as avro.types.ArrayType).itemsType,
          path === '' ? 'items' : `${path}[]`,
        );
      case 'map':
        return this.check(
          (reader as avro.types.MapType).valuesType as avro.Type,
          (writer as avro.types.MapType).valuesType as avro.Type,
          path === '' ? 'values' : `${path}{}`,
        );
      case 'fixed': {
        if (!namesMatch(reader, writer)) return [at(this.nameProblem(reader, writer))];
        const r = (reader as avro.types.FixedType).size;
        const w = (writer as avro.types.FixedType).size;
        return r === w ? [] : [at(`fixed ${reader.name}: reader size ${r} differs from writer size ${w}`)];
      }
      case 'enum': {
        if (!namesMatch(reader, writer)) return [at(this.nameProblem(reader, writer))];
        const r = reader as avro.types.EnumType & { default?: string };
        if (r.default !== undefined) return [];
        return (writer as avro.types.EnumType).symbols
          .filter((s) => !r.symbols.includes(s))
          .map((s) => at(`enum ${reader.name}: symbol ${s} is not in the reader's symbols`));
      }
      case 'record':
        if (!namesMatch(reader, writer)) return [at(this.nameProblem(reader, writer))];
        return this.checkRecord(reader as avro.types.RecordType, writer as avro.types.RecordType, path);
      default:
        return []; // the same primitive type
    }
  }

  private nameProblem(reader: avro.Type, writer: avro.Type): string {
    return `reader type ${describe(reader)} cannot read writer type ${describe(writer)}: the names differ and no reader alias is ${writer.name}`;
  }

  private checkReaderUnion(
    reader: avro.Type,
    writer: avro.Type,
    path: string,
    at: (text: string) => string,
  ): string[] {
    const branches = (reader as avro.types.WrappedUnionType).types;
    const results = branches.map((branch) => ({
      branch: bare(branch),
      problems: this.check(branch, writer, path),
    }));
    if (results.some((r) => r.problems.length === 0)) return [];
    // A branch of the writer's own kind and name is the one the data was meant for: say why it fails.
    const wKind = kindOf(writer);
    const closest = results.find(
      (r) => kindOf(r.branch) === wKind && (writer.name === undefined || namesMatch(r.branch, writer)),
    );
    if (
      closest !== undefined &&
      (wKind === 'record' || wKind === 'enum' || wKind === 'fixed' || wKind === 'array' || wKind === 'map')
    ) {
      return closest.problems;
    }
    return [at(`reader union lacking writer type ${describe(writer)}`)];
  }

  private checkRecord(reader: avro.types.RecordType, writer: avro.types.RecordType, path: string): string[] {
    const key = `${this.id(reader)}:${this.id(writer)}`;
    if (this.inProgress.has(key)) return []; // assumed compatible while being checked
    this.inProgress.add(key);
    try {
      const problems: string[] = [];
      for (const f of reader.fields) {
        const field = f as unknown as RawField;
        const writerField =
          writer.fields.find((w) => w.name === field.name) ??
          writer.fields.find((w) => field.aliases.includes(w.name));
        const p = fieldPath(path, field.name);
        if (writerField === undefined) {
          if (field.defaultValue() === undefined)
            problems.push(`field ${p}: missing in the data and has no default`);
          continue;
        }
        problems.push(...this.check(field.type, writerField.type, p));
      }
      return problems;
    } finally {
      this.inProgress.delete(key);
    }
  }
}

export const avroFormat: SchemaFormat<AvroSchema> = {
  type: 'AVRO',

  parse(text, references) {
    const registry: Record<string, avro.Type> = {};
    addReferences(references, registry);
    const avroType = forSchema(parseJson(text, 'Avro schema'), registry, 'invalid Avro schema');
    return { type: 'AVRO', canonical: JSON.stringify(canonicalJson(avroType, new Set())), avroType };
  },

  readerIncompatibilities(reader, writer) {
    return new Checker().check(reader.avroType, writer.avroType, '');
  },
};
