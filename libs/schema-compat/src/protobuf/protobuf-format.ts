import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as protobuf from 'protobufjs';
import {
  InvalidSchemaError,
  type ParsedSchema,
  type ResolvedReference,
  type SchemaFormat,
} from '../schema-format';
import { protoTextFromDescriptor } from './descriptor-to-proto';
import { descriptorFromProtoText } from './proto-to-descriptor';

/** Where a message, enum, service or extension field was declared. */
export interface TypeOrigin {
  /** The package of the file that declares it ('' when none). */
  readonly packageName: string;
  /** The import path of that file, or '' for the schema's own file. */
  readonly file: string;
}

/** A parsed .proto schema: its own file's types, resolved against its imports. */
export interface ProtobufSchema extends ParsedSchema {
  readonly type: 'PROTOBUF';
  /** 'proto2', 'proto3' or 'edition <year>'. */
  readonly syntax: string;
  readonly packageName: string;
  /** The record type: the first message declared in the file (name relative to the package). */
  readonly recordName: string | undefined;
  /** Every message declared in the schema's own file, nested ones too, by name relative to the package. */
  readonly messages: ReadonlyMap<string, protobuf.Type>;
  /** The file every message, enum, service or extension field (imported ones too) comes from. */
  readonly origins: ReadonlyMap<protobuf.ReflectionObject, TypeOrigin>;
}

const MAIN_FILE = '';

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Records the origin of every type in `ns` not seen before. */
function collectNewTypes(
  ns: protobuf.NamespaceBase,
  origin: TypeOrigin,
  origins: Map<protobuf.ReflectionObject, TypeOrigin>,
): void {
  for (const nested of ns.nestedArray) {
    const declared =
      nested instanceof protobuf.Type ||
      nested instanceof protobuf.Enum ||
      nested instanceof protobuf.Service ||
      (nested instanceof protobuf.Field && nested.extend !== undefined);
    if (declared && !origins.has(nested)) {
      origins.set(nested, origin);
    }
    if (nested instanceof protobuf.Namespace) collectNewTypes(nested, origin, origins);
  }
}

function parseFileInto(
  root: protobuf.Root,
  text: string,
  file: string,
  origins: Map<protobuf.ReflectionObject, TypeOrigin>,
): { packageName: string; imports: string[] } {
  let parsed: protobuf.IParserResult;
  try {
    parsed = protobuf.parse(text, root, { keepCase: true });
  } catch (error) {
    throw new InvalidSchemaError(
      file ? `in imported file "${file}": ${errorMessage(error)}` : errorMessage(error),
    );
  }
  const packageName = parsed.package ?? '';
  collectNewTypes(root, { packageName, file }, origins);
  return { packageName, imports: [...(parsed.imports ?? []), ...(parsed.weakImports ?? [])] };
}

let protobufjsDir: string | undefined;

/** The text or JSON of a google/protobuf well-known file, as protobufjs ships it. */
function loadWellKnown(
  root: protobuf.Root,
  name: string,
  origins: Map<protobuf.ReflectionObject, TypeOrigin>,
): string[] | undefined {
  const json = protobuf.common.get(name);
  if (json?.nested) {
    root.addJSON(json.nested);
    collectNewTypes(root, { packageName: 'google.protobuf', file: name }, origins);
    return [];
  }
  protobufjsDir ??= dirname(require.resolve('protobufjs/package.json'));
  const path = join(protobufjsDir, name);
  if (!name.includes('..') && existsSync(path)) {
    return parseFileInto(root, readFileSync(path, 'utf8'), name, origins).imports;
  }
  return undefined;
}

function flattenReferences(
  references: readonly ResolvedReference[],
  into = new Map<string, ResolvedReference>(),
) {
  for (const reference of references) {
    if (!into.has(reference.name)) into.set(reference.name, reference);
    flattenReferences(reference.references, into);
  }
  return into;
}

/** The `syntax` or `edition` statement of a file; proto2 when there is none. */
export function syntaxOf(text: string): string {
  const tokenizer = protobuf.tokenize(text, false);
  const keyword = tokenizer.next();
  if (keyword !== 'syntax' && keyword !== 'edition') return 'proto2';
  tokenizer.next(); // =
  tokenizer.next(); // opening quote
  const value = tokenizer.next() ?? '';
  return keyword === 'edition' ? `edition ${value}` : value;
}

/** The file's tokens, comments and whitespace dropped, one space apart; string literals re-quoted. */
function canonicalText(text: string): string {
  const tokenizer = protobuf.tokenize(text, false);
  const tokens: string[] = [];
  let quote: string | undefined;
  for (let token = tokenizer.next(); token !== null; token = tokenizer.next()) {
    if (token === '"' || token === "'") {
      if (quote === undefined) quote = token;
      else quote = undefined;
      continue;
    }
    tokens.push(quote === undefined ? token : JSON.stringify(token));
  }
  return tokens.join(' ');
}

/** A .proto file parsed into a resolved Root together with every file it imports. */
export interface LoadedProtoFile {
  readonly root: protobuf.Root;
  readonly packageName: string;
  /** The file every message, enum, service and extension in `root` comes from ('' for the file itself). */
  readonly origins: ReadonlyMap<protobuf.ReflectionObject, TypeOrigin>;
  /** The file's own options (`option java_package = ...`), before any import could add to them. */
  readonly fileOptions: Readonly<Record<string, unknown>>;
}

/** Parses .proto text and the files it imports (references or well-known files), resolved. */
export function loadProtoFile(text: string, references: readonly ResolvedReference[]): LoadedProtoFile {
  const root = new protobuf.Root();
  const origins = new Map<protobuf.ReflectionObject, TypeOrigin>();
  const main = parseFileInto(root, text, MAIN_FILE, origins);
  const packageNamespace = main.packageName ? root.lookup(main.packageName) : root;
  const fileOptions = { ...packageNamespace?.options };
  const everyReference = flattenReferences(references);
  const loaded = new Set<string>();
  const load = (imports: readonly string[], scope: readonly ResolvedReference[], importer: string) => {
    for (const name of imports) {
      if (loaded.has(name)) continue;
      loaded.add(name);
      const reference = scope.find((r) => r.name === name) ?? everyReference.get(name);
      if (reference) {
        const file = parseFileInto(root, normalizeProtobufInput(reference.schema), name, origins);
        load(file.imports, reference.references, name);
        continue;
      }
      const wellKnownImports = name.startsWith('google/protobuf/')
        ? loadWellKnown(root, name, origins)
        : undefined;
      if (wellKnownImports === undefined) {
        throw new InvalidSchemaError(
          `unresolved import "${name}"${importer ? ` in "${importer}"` : ''}: no reference has that name`,
        );
      }
      load(wellKnownImports, [], name);
    }
  };
  load(main.imports, references, MAIN_FILE);
  try {
    root.resolveAll();
  } catch (error) {
    throw new InvalidSchemaError(errorMessage(error));
  }
  return { root, packageName: main.packageName, origins, fileOptions };
}

/** Strict standard base64, as confluent-kafka-python sends serialized descriptors. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The .proto text of a Protobuf schema as a client sent it: base64 of a serialized
 * `google.protobuf.FileDescriptorProto` (the form confluent-kafka-python registers) becomes the
 * equivalent .proto text; anything else (.proto text, or what is neither) is returned unchanged.
 * Base64 has no spaces, semicolons or braces, so no .proto text that declares anything is base64.
 */
export function normalizeProtobufInput(text: string): string {
  const trimmed = text.trim();
  if (trimmed.length === 0 || !BASE64.test(trimmed)) return text;
  try {
    return protoTextFromDescriptor(Buffer.from(trimmed, 'base64'));
  } catch {
    return text;
  }
}

function parse(input: string, references: readonly ResolvedReference[]): ProtobufSchema {
  const text = normalizeProtobufInput(input);
  const { packageName, origins } = loadProtoFile(text, references);
  const messages = new Map<string, protobuf.Type>();
  let recordName: string | undefined;
  for (const [type, origin] of origins) {
    if (origin.file !== MAIN_FILE || !(type instanceof protobuf.Type)) continue;
    const name = relativeName(type, origin);
    messages.set(name, type);
    recordName ??= name;
  }
  return {
    type: 'PROTOBUF',
    canonical: meaningCanonical(text, references),
    syntax: syntaxOf(text),
    packageName,
    recordName,
    messages,
    origins,
  };
}

/**
 * Canonical text from the file's meaning, not its spelling: printed back from its descriptor,
 * so hand-written .proto text and the serialized descriptor another client registers for the
 * same file are found equal. Falls back to the token form for what descriptors cannot carry.
 */
function meaningCanonical(text: string, references: readonly ResolvedReference[]): string {
  try {
    return canonicalText(protoTextFromDescriptor(descriptorFromProtoText(text, references, 'schema.proto')));
  } catch {
    return canonicalText(text);
  }
}

function relativeName(type: protobuf.ReflectionObject, origin: TypeOrigin | undefined): string {
  const fullName = type.fullName.replace(/^\./, '');
  const prefix = origin?.packageName ? `${origin.packageName}.` : '';
  return prefix && fullName.startsWith(prefix) ? fullName.slice(prefix.length) : fullName;
}

// ---------------------------------------------------------------------------------------------
// Compatibility: Confluent's ProtobufSchema diff, comparing messages by name and fields by tag.
// ---------------------------------------------------------------------------------------------

/** Scalar groups whose wire encodings are interchangeable; enums read as plain varints. */
const SCALAR_GROUP: Readonly<Record<string, string>> = {
  int32: 'varint',
  uint32: 'varint',
  int64: 'varint',
  uint64: 'varint',
  bool: 'varint',
  sint32: 'zigzag',
  sint64: 'zigzag',
  fixed32: 'fixed32',
  sfixed32: 'fixed32',
  fixed64: 'fixed64',
  sfixed64: 'fixed64',
  string: 'length-delimited',
  bytes: 'length-delimited',
  float: 'float',
  double: 'double',
};

/** A field's (or map key's or value's) type as written, with what it resolved to. */
interface TypeRef {
  readonly name: string;
  readonly resolved: protobuf.Type | protobuf.Enum | null;
}

type Kind = 'scalar' | 'message' | 'map';

interface Comparison {
  readonly reader: ProtobufSchema;
  readonly writer: ProtobufSchema;
  /** Imported message pairs compared already, with whether they were compatible. */
  readonly compared: Map<protobuf.Type, Map<protobuf.Type, boolean>>;
}

const kindOf = (field: protobuf.Field): Kind =>
  field.map ? 'map' : field.resolvedType instanceof protobuf.Type ? 'message' : 'scalar';

function typeName(schema: ProtobufSchema, ref: TypeRef): string {
  return ref.resolved ? relativeName(ref.resolved, schema.origins.get(ref.resolved)) : ref.name;
}

function fieldTypeName(schema: ProtobufSchema, field: protobuf.Field): string {
  if (field instanceof protobuf.MapField) {
    return `map<${field.keyType}, ${typeName(schema, { name: field.type, resolved: field.resolvedType })}>`;
  }
  return typeName(schema, { name: field.type, resolved: field.resolvedType });
}

/** The oneof a field belongs to, ignoring the synthetic ones proto3 `optional` fields get. */
function realOneof(field: protobuf.Field): protobuf.OneOf | undefined {
  const oneof = field.partOf;
  if (!oneof) return undefined;
  const synthetic = oneof.fieldsArray.length === 1 && oneof.fieldsArray[0]?.options?.proto3_optional === true;
  return synthetic ? undefined : oneof;
}

const describe = (field: protobuf.Field) => `field ${field.id} (${field.name})`;
const describeAll = (fields: readonly protobuf.Field[]) => fields.map(describe).join(', ');

function compareMessages(
  c: Comparison,
  problems: string[],
  label: string,
  reader: protobuf.Type,
  writer: protobuf.Type,
): void {
  const readerByTag = new Map(reader.fieldsArray.map((f) => [f.id, f] as const));
  const writerByTag = new Map(writer.fieldsArray.map((f) => [f.id, f] as const));

  // Fields moving into oneofs: a reader oneof may take in at most one field that was outside any
  // oneof, and only when none of its other fields was in a oneof before.
  for (const oneof of reader.oneofsArray) {
    if (oneof.fieldsArray.length === 0 || !realOneof(oneof.fieldsArray[0]!)) continue;
    const moved: protobuf.Field[] = [];
    let existing = 0;
    for (const field of oneof.fieldsArray) {
      const before = writerByTag.get(field.id);
      if (!before) continue;
      if (realOneof(before)) existing++;
      else moved.push(field);
    }
    if (moved.length > 1) {
      problems.push(`message ${label}: ${describeAll(moved)} moved into oneof ${oneof.name} together`);
    } else if (moved.length === 1 && existing > 0) {
      problems.push(
        `message ${label}: ${describe(moved[0]!)} moved into oneof ${oneof.name}, which already had fields of a oneof`,
      );
    }
  }
  // A oneof both schemas have must keep every field the writer's had.
  for (const oneof of writer.oneofsArray) {
    if (oneof.fieldsArray.length === 0 || !realOneof(oneof.fieldsArray[0]!)) continue;
    const after = reader.oneofsArray.find((o) => o.name === oneof.name);
    if (!after) continue;
    const kept = new Set(after.fieldsArray.map((f) => f.id));
    for (const field of oneof.fieldsArray) {
      if (!kept.has(field.id))
        problems.push(`message ${label}: ${describe(field)} removed from oneof ${oneof.name}`);
    }
  }

  const tags = [...new Set([...writerByTag.keys(), ...readerByTag.keys()])].sort((a, b) => a - b);
  for (const tag of tags) {
    const r = readerByTag.get(tag);
    const w = writerByTag.get(tag);
    if (r && w) compareFields(c, problems, `message ${label} ${describe(r)}`, r, w);
    else if (w?.required) problems.push(`message ${label}: required ${describe(w)} was removed`);
    else if (r?.required) problems.push(`message ${label}: required ${describe(r)} was added`);
  }
}

function compareFields(
  c: Comparison,
  problems: string[],
  at: string,
  reader: protobuf.Field,
  writer: protobuf.Field,
): void {
  const readerKind = kindOf(reader);
  const writerKind = kindOf(writer);
  if (readerKind !== writerKind) {
    problems.push(
      `${at}: type changed from ${fieldTypeName(c.writer, writer)} to ${fieldTypeName(c.reader, reader)}` +
        ` (${writerKind} to ${readerKind})`,
    );
    return;
  }
  if (reader instanceof protobuf.MapField && writer instanceof protobuf.MapField) {
    compareTypes(
      c,
      problems,
      `${at}: map key`,
      { name: reader.keyType, resolved: null },
      {
        name: writer.keyType,
        resolved: null,
      },
    );
    compareTypes(
      c,
      problems,
      `${at}: map value`,
      { name: reader.type, resolved: reader.resolvedType },
      { name: writer.type, resolved: writer.resolvedType },
    );
    return;
  }
  const before = problems.length;
  compareTypes(
    c,
    problems,
    at,
    { name: reader.type, resolved: reader.resolvedType },
    { name: writer.type, resolved: writer.resolvedType },
  );
  // Repeated numbers may be packed, which a singular field cannot read; strings, bytes and
  // messages are encoded the same either way.
  if (problems.length === before && reader.repeated !== writer.repeated && readerKind === 'scalar') {
    const group = reader.resolvedType ? 'varint' : SCALAR_GROUP[reader.type];
    if (group !== 'length-delimited') {
      const labelOf = (f: protobuf.Field) => (f.repeated ? 'repeated' : 'singular');
      problems.push(`${at}: label changed from ${labelOf(writer)} to ${labelOf(reader)} for a numeric type`);
    }
  }
}

function compareTypes(c: Comparison, problems: string[], at: string, reader: TypeRef, writer: TypeRef): void {
  const readerIsMessage = reader.resolved instanceof protobuf.Type;
  const writerIsMessage = writer.resolved instanceof protobuf.Type;
  const readerName = typeName(c.reader, reader);
  const writerName = typeName(c.writer, writer);
  if (readerIsMessage !== writerIsMessage) {
    const kind = (m: boolean) => (m ? 'message' : 'scalar');
    problems.push(
      `${sep(at)}type changed from ${writerName} to ${readerName} (${kind(writerIsMessage)} to ${kind(readerIsMessage)})`,
    );
    return;
  }
  if (!readerIsMessage) {
    const group = (ref: TypeRef) => (ref.resolved ? 'varint' : SCALAR_GROUP[ref.name]);
    if (group(reader) !== group(writer))
      problems.push(`${sep(at)}type changed from ${writerName} to ${readerName}`);
    return;
  }
  const r = reader.resolved as protobuf.Type;
  const w = writer.resolved as protobuf.Type;
  if (readerName !== writerName) {
    problems.push(`${sep(at)}type changed from ${writerName} to ${readerName}`);
    return;
  }
  // Same name: messages of the schemas' own files are compared by name anyway; an imported one
  // is compared here, once per pair.
  const readerLocal = c.reader.origins.get(r)?.file === MAIN_FILE;
  const writerLocal = c.writer.origins.get(w)?.file === MAIN_FILE;
  if (readerLocal && writerLocal) return;
  let byWriter = c.compared.get(r);
  if (!byWriter) {
    byWriter = new Map();
    c.compared.set(r, byWriter);
  }
  let compatible = byWriter.get(w);
  if (compatible === undefined) {
    byWriter.set(w, true); // assumed while comparing, for recursive types
    const inner: string[] = [];
    compareMessages(c, inner, readerName, r, w);
    compatible = inner.length === 0;
    byWriter.set(w, compatible);
    problems.push(...inner);
  }
  if (!compatible) problems.push(`${sep(at)}type ${readerName} changed incompatibly`);
}

/** `at` followed by the separator before a reason: map key/value prefixes already end in a word. */
const sep = (at: string) => `${at}: `.replace(/(map (key|value)): $/, '$1 ');

function readerIncompatibilities(reader: ProtobufSchema, writer: ProtobufSchema): string[] {
  const problems: string[] = [];
  const c: Comparison = { reader, writer, compared: new Map() };
  if (reader.syntax !== writer.syntax) {
    problems.push(`syntax changed from ${writer.syntax} to ${reader.syntax}`);
  }
  if (reader.packageName !== writer.packageName) {
    problems.push(`package changed from "${writer.packageName}" to "${reader.packageName}"`);
  }
  for (const [name, writerMessage] of writer.messages) {
    const readerMessage = reader.messages.get(name);
    if (readerMessage) compareMessages(c, problems, name, readerMessage, writerMessage);
    else problems.push(`message ${name} was removed`);
  }
  return problems;
}

export const protobufFormat: SchemaFormat<ProtobufSchema> = {
  type: 'PROTOBUF',
  parse,
  readerIncompatibilities,
};
