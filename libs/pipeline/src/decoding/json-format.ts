import { DeserializationError, decimalText, decodeJson, type StoredSchema, unframe } from '@trunkline/serde';
import type { Row, SinkColumn, SinkColumnType } from '../sink-change';
import type { ValueConverter } from './avro-columns';
import { bigintOf, envelopeOf, type KeyReader, type RecordFormat, type ValueReader } from './record-reader';

/** A JSON Schema node as registered: an object of keywords (or a boolean, which types nothing). */
type JsonSchemaNode = { readonly [keyword: string]: unknown };

// ---------------------------------------------------------------------------------------------
// Exact JSON: integers beyond 2^53 as bigints

const UNSAFE_CANDIDATE = /-?\d{16,}/g;
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const STRING = /"(?:[^"\\]|\\.)*"/y;
const WHITESPACE = /[ \t\n\r]*/y;

/** Whether some run of digits in the text is an integer past ±(2^53 - 1) (or part of one). */
function mayHoldUnsafeInteger(text: string): boolean {
  for (const [digits] of text.matchAll(UNSAFE_CANDIDATE)) {
    const value = BigInt(digits);
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < -BigInt(Number.MAX_SAFE_INTEGER)) return true;
  }
  return false;
}

/** A recursive-descent JSON reader whose integer literals past ±(2^53 - 1) become bigints. */
class ExactJsonReader {
  private at = 0;

  constructor(private readonly text: string) {}

  read(): unknown {
    const value = this.value(0);
    this.skipWhitespace();
    if (this.at !== this.text.length) this.fail('unexpected text after the value');
    return value;
  }

  private fail(what: string): never {
    throw new DeserializationError(`the payload is not JSON: ${what} at position ${this.at}`);
  }

  private skipWhitespace(): void {
    WHITESPACE.lastIndex = this.at;
    WHITESPACE.exec(this.text);
    this.at = WHITESPACE.lastIndex;
  }

  private value(depth: number): unknown {
    if (depth > 512) this.fail('nesting too deep');
    this.skipWhitespace();
    const char = this.text[this.at];
    if (char === '{') return this.object(depth);
    if (char === '[') return this.array(depth);
    if (char === '"') return this.string();
    for (const [literal, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (this.text.startsWith(literal, this.at)) {
        this.at += literal.length;
        return value;
      }
    }
    return this.number();
  }

  private number(): number | bigint {
    NUMBER.lastIndex = this.at;
    const match = NUMBER.exec(this.text);
    if (match === null) this.fail('a value expected');
    this.at = NUMBER.lastIndex;
    const [token, fraction, exponent] = match;
    const value = Number(token);
    return fraction === undefined && exponent === undefined && !Number.isSafeInteger(value)
      ? BigInt(token)
      : value;
  }

  private string(): string {
    STRING.lastIndex = this.at;
    const match = STRING.exec(this.text);
    if (match === null) this.fail('an unterminated string');
    this.at = STRING.lastIndex;
    try {
      // escapes decoded (and raw control characters rejected) as JSON.parse does
      return JSON.parse(match[0]) as string;
    } catch {
      return this.fail('a malformed string');
    }
  }

  private expect(char: string): void {
    this.skipWhitespace();
    if (this.text[this.at] !== char) this.fail(`${JSON.stringify(char)} expected`);
    this.at += 1;
  }

  /** Consumes `char` when it comes next. */
  private next(char: string): boolean {
    this.skipWhitespace();
    if (this.text[this.at] !== char) return false;
    this.at += 1;
    return true;
  }

  private object(depth: number): Record<string, unknown> {
    this.at += 1;
    const object: Record<string, unknown> = {};
    if (this.next('}')) return object;
    do {
      this.skipWhitespace();
      if (this.text[this.at] !== '"') this.fail('a property name expected');
      const key = this.string();
      this.expect(':');
      // defineProperty: `__proto__` is a property like any other here, as JSON.parse makes it
      Object.defineProperty(object, key, {
        value: this.value(depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } while (this.next(','));
    this.expect('}');
    return object;
  }

  private array(depth: number): unknown[] {
    this.at += 1;
    const array: unknown[] = [];
    if (this.next(']')) return array;
    do array.push(this.value(depth + 1));
    while (this.next(','));
    this.expect(']');
    return array;
  }
}

/**
 * Parses a JSON payload keeping every integer exact: those within ±(2^53 - 1) as numbers, larger
 * ones as bigints (the ingestor writes int8 and microsecond values as exact JSON integers).
 * Payloads without such an integer take JSON.parse.
 */
export function parseExactJson(payload: Buffer): unknown {
  const text = payload.toString('utf8');
  if (!mayHoldUnsafeInteger(text)) return decodeJson(payload);
  return new ExactJsonReader(text).read();
}

// ---------------------------------------------------------------------------------------------
// Columns from JSON Schemas

function isObject(value: unknown): value is JsonSchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Follows a local `$ref` (`#/definitions/Value`, any JSON pointer into the document). */
function resolve(schema: unknown, root: JsonSchemaNode): JsonSchemaNode {
  let node = schema;
  for (let hops = 0; isObject(node) && typeof node.$ref === 'string'; hops += 1) {
    const ref = node.$ref;
    if (!ref.startsWith('#') || hops > 32) throw new Error(`cannot resolve the $ref ${JSON.stringify(ref)}`);
    node = ref
      .slice(1)
      .split('/')
      .filter((part) => part !== '')
      .map((part) => decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<unknown>((at, part) => (isObject(at) ? at[part] : undefined), root);
    if (node === undefined) throw new Error(`the $ref ${JSON.stringify(ref)} names nothing`);
  }
  return isObject(node) ? node : {};
}

function isNullSchema(schema: JsonSchemaNode): boolean {
  return (
    schema.type === 'null' ||
    ('const' in schema && schema.const === null) ||
    (Array.isArray(schema.enum) && schema.enum.length === 1 && schema.enum[0] === null)
  );
}

/** The non-null schema of `oneOf`/`anyOf: [{type: null}, T]` or `type: [T, "null"]`, and whether null was allowed. */
export function nonNullJson(
  schema: unknown,
  root: JsonSchemaNode,
): { schema: JsonSchemaNode; nullable: boolean } {
  const node = resolve(schema, root);
  const union = Array.isArray(node.oneOf) ? node.oneOf : Array.isArray(node.anyOf) ? node.anyOf : undefined;
  if (union !== undefined) {
    const branches = union.map((branch) => resolve(branch, root));
    const others = branches.filter((branch) => !isNullSchema(branch));
    if (others.length === 1) {
      const inner = nonNullJson(others[0], root);
      return { schema: inner.schema, nullable: inner.nullable || others.length !== branches.length };
    }
    return { schema: node, nullable: others.length !== branches.length };
  }
  if (Array.isArray(node.type)) {
    const types = node.type.filter((type) => type !== 'null');
    const nullable = types.length !== node.type.length;
    return { schema: types.length === 1 ? { ...node, type: types[0] } : node, nullable };
  }
  return { schema: node, nullable: false };
}

function scaleOf(schema: JsonSchemaNode): number {
  const parameters = schema['connect.parameters'];
  const scale = isObject(parameters) ? Number(parameters.scale ?? 0) : 0;
  return Number.isInteger(scale) ? scale : 0;
}

const toBigint: ValueConverter = (value) => bigintOf(value);
const millisToMicros: ValueConverter = (value) => bigintOf(value)! * 1000n;
const nanosToMicros: ValueConverter = (value) => bigintOf(value)! / 1000n;
const toNumber: ValueConverter = (value) => Number(value);

function isBase64(schema: JsonSchemaNode): boolean {
  return schema.contentEncoding === 'base64' || schema['connect.type'] === 'bytes';
}

/** A column's type from its (non-null) JSON Schema, and how its values become the sinks' form. */
export function jsonColumn(
  schema: JsonSchemaNode,
  root: JsonSchemaNode,
): { type: SinkColumnType; items?: SinkColumnType; convert?: ValueConverter } {
  // Kafka Connect's JSON Schema converter names the semantic type in `title`
  const name = typeof schema.title === 'string' ? schema.title : schema['connect.name'];
  switch (name) {
    case 'io.debezium.data.Json':
      return { type: 'json' };
    case 'org.apache.kafka.connect.data.Decimal': {
      if (!isBase64(schema)) return { type: 'decimal', convert: (value) => String(value) };
      const scale = scaleOf(schema);
      return {
        type: 'decimal',
        convert: (value) => decimalText(Buffer.from(String(value), 'base64'), scale),
      };
    }
    case 'io.debezium.time.Date':
    case 'org.apache.kafka.connect.data.Date':
      return { type: 'date', convert: toNumber };
    case 'io.debezium.time.MicroTime':
      return { type: 'time', convert: toBigint };
    case 'io.debezium.time.Time':
    case 'org.apache.kafka.connect.data.Time':
      return { type: 'time', convert: millisToMicros };
    case 'io.debezium.time.NanoTime':
      return { type: 'time', convert: nanosToMicros };
    case 'io.debezium.time.MicroTimestamp':
      return { type: 'timestamp', convert: toBigint };
    case 'io.debezium.time.Timestamp':
    case 'org.apache.kafka.connect.data.Timestamp':
      return { type: 'timestamp', convert: millisToMicros };
    case 'io.debezium.time.NanoTimestamp':
      return { type: 'timestamp', convert: nanosToMicros };
  }
  switch (schema.type) {
    case 'integer':
      // int8/16/32 fit a number; int64 (and anything past 2^53) is a bigint
      return schema['connect.type'] === 'int64'
        ? { type: 'integer', convert: toBigint }
        : { type: 'integer', convert: (value) => (typeof value === 'bigint' ? value : Number(value)) };
    case 'number':
      // float32 values read as the float they are, as Avro and Protobuf read them
      return schema['connect.type'] === 'float32'
        ? { type: 'float', convert: (value) => Math.fround(Number(value)) }
        : { type: 'float', convert: toNumber };
    case 'boolean':
      return { type: 'boolean' };
    case 'string':
      return isBase64(schema)
        ? { type: 'bytes', convert: (value) => Buffer.from(String(value), 'base64') }
        : { type: 'string' };
    case 'array': {
      const items = nonNullJson(schema.items ?? {}, root);
      const element = jsonColumn(items.schema, root);
      const convertItem = element.convert;
      const convert =
        convertItem === undefined
          ? undefined
          : (value: unknown) =>
              Array.isArray(value) ? value.map((item) => (item === null ? null : convertItem(item))) : value;
      // pgvector's `vector` is written as an array of non-null float32
      if (element.type === 'float' && !items.nullable && items.schema['connect.type'] === 'float32')
        return { type: 'vector', ...(convert === undefined ? {} : { convert }) };
      return { type: 'array', items: element.type, ...(convert === undefined ? {} : { convert }) };
    }
    case 'object':
      return { type: 'json' };
    case undefined:
      return isObject(schema.properties) ? { type: 'json' } : { type: 'string' };
    default:
      return { type: 'string' };
  }
}

interface JsonRow {
  columns: SinkColumn[];
  converters: Map<string, ValueConverter>;
}

/** An object schema's properties as columns (in their order), with the converters their values need. */
export function jsonRecordColumns(record: JsonSchemaNode, root: JsonSchemaNode): JsonRow {
  if (!isObject(record.properties)) throw new Error('the row schema is not a JSON object schema');
  const required = new Set(Array.isArray(record.required) ? (record.required as string[]) : []);
  const columns: SinkColumn[] = [];
  const converters = new Map<string, ValueConverter>();
  for (const [name, property] of Object.entries(record.properties)) {
    const { schema, nullable } = nonNullJson(property, root);
    const { convert, ...type } = jsonColumn(schema, root);
    // a property that may be absent reads as null
    columns.push({ name, nullable: nullable || !required.has(name), ...type });
    if (convert !== undefined) converters.set(name, convert);
  }
  return { columns, converters };
}

function convertRow(row: unknown, { columns, converters }: JsonRow): Row | null {
  if (row === null || row === undefined) return null;
  if (!isObject(row)) throw new Error(`a row is a JSON object, not ${JSON.stringify(row)}`);
  const out: Row = { ...row };
  for (const { name } of columns) {
    const value = out[name];
    if (value === null || value === undefined) {
      out[name] = null;
      continue;
    }
    const convert = converters.get(name);
    if (convert !== undefined) out[name] = convert(value);
  }
  return out;
}

/** The row schema of an envelope schema: what `before` (or `after`) refers to. */
function rowSchema(envelope: JsonSchemaNode): JsonSchemaNode {
  const properties = isObject(envelope.properties) ? envelope.properties : {};
  for (const name of ['before', 'after']) {
    if (properties[name] === undefined) continue;
    const { schema } = nonNullJson(properties[name], envelope);
    if (isObject(schema.properties)) return schema;
  }
  throw new Error('the schema is not a change event envelope: no before/after row object');
}

function parseSchema(schema: StoredSchema): JsonSchemaNode {
  const parsed: unknown = JSON.parse(schema.schema);
  if (!isObject(parsed)) throw new Error('the JSON Schema is not an object');
  return parsed;
}

/**
 * JSON Schema envelopes and keys, as the ingestor (and Kafka Connect's JSON Schema converter)
 * writes them: semantic types in `title`, bytes and decimals as base64, int8 and microsecond
 * values as exact integers, which come out as bigints.
 */
export class JsonRecordFormat implements RecordFormat {
  async valueReader(_schemaId: number, schema: StoredSchema): Promise<ValueReader> {
    const envelope = parseSchema(schema);
    const row = jsonRecordColumns(rowSchema(envelope), envelope);
    return {
      columns: row.columns,
      read(framed) {
        const value = parseExactJson(unframe(framed).payload);
        if (!isObject(value)) throw new Error('the change event is not a JSON object');
        return envelopeOf(value, (r) => convertRow(r, row));
      },
    };
  }

  async keyReader(_schemaId: number, schema: StoredSchema): Promise<KeyReader> {
    const root = parseSchema(schema);
    const key = jsonRecordColumns(root, root);
    return {
      fields: key.columns.map((column) => column.name),
      read: (framed) => convertRow(parseExactJson(unframe(framed).payload), key) ?? {},
    };
  }
}
