import {
  decimalText,
  decodeProtobuf,
  findMessage,
  type ProtobufSchema,
  parseProtobufSchema,
  resolveReferences,
  type SchemaRegistryClient,
  type StoredSchema,
  unframeProtobuf,
} from '@trunkline/serde';
import type { Row, SinkColumn, SinkColumnType } from '../sink-change';
import type { ValueConverter } from './avro-columns';
import { bigintOf, envelopeOf, type KeyReader, type RecordFormat, type ValueReader } from './record-reader';

type MessageType = ReturnType<typeof findMessage>;
type MessageField = MessageType['fieldsArray'][number];

/** Longs as decimal strings (read into bigints), enums by name, bytes as Buffers, unset fields as defaults. */
const TO_OBJECT = { longs: String, enums: String, defaults: true, arrays: true } as const;

const LONG_TYPES: ReadonlySet<string> = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const INT_TYPES: ReadonlySet<string> = new Set(['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32']);

/**
 * The trailing comments of the fields of a .proto file's messages, by `Message.field` (nested
 * messages as `Outer.Inner.field`). The ingestor writes each row field as
 * `  optional int32 day = 3; // "day" date`: the column's name and its Postgres type, which the
 * proto type alone cannot tell (a date is an int32, a decimal's scale is nowhere else).
 */
export function fieldComments(schemaText: string): Map<string, string> {
  const comments = new Map<string, string>();
  const scope: string[] = [];
  for (const line of schemaText.split('\n')) {
    const opened = /^\s*(?:message|enum|oneof)\s+(\w+)\s*\{/.exec(line);
    if (opened !== null) {
      scope.push(opened[1]!);
      continue;
    }
    if (/^\s*\}/.test(line)) {
      scope.pop();
      continue;
    }
    const field =
      /^\s*(?:optional\s+|repeated\s+|required\s+)?[\w.]+\s+(\w+)\s*=\s*\d+\s*(?:\[[^\]]*\])?\s*;\s*\/\/(.*)$/.exec(
        line,
      );
    if (field !== null && scope.length > 0) comments.set(`${scope.join('.')}.${field[1]}`, field[2]!.trim());
  }
  return comments;
}

/** The Postgres type of a comment `"column name" pgtype` (or of a comment that is only a type). */
export function commentPgType(comment: string | undefined): string | undefined {
  if (comment === undefined || comment === '') return undefined;
  const match = /^"(?:[^"\\]|\\.)*"\s+(.+)$/.exec(comment);
  return (match === null ? comment : match[1]!).trim().toLowerCase();
}

function isMessage(field: MessageField): boolean {
  const resolved = field.resolvedType as unknown;
  return typeof resolved === 'object' && resolved !== null && 'fieldsArray' in resolved;
}

interface ProtobufColumn {
  type: SinkColumnType;
  /** How one (non-null, non-repeated) value becomes the sinks' form. */
  convert?: ValueConverter;
}

const toBigint: ValueConverter = (value) => bigintOf(value);
const toBuffer: ValueConverter = (value) =>
  Buffer.isBuffer(value) ? value : Buffer.from(value as Uint8Array);

/** A value's type from its proto type alone. */
function protoTypeColumn(field: MessageField): ProtobufColumn {
  if (isMessage(field)) return { type: 'json' };
  if (LONG_TYPES.has(field.type)) return { type: 'integer', convert: toBigint };
  if (INT_TYPES.has(field.type)) return { type: 'integer' };
  switch (field.type) {
    case 'float':
    case 'double':
      return { type: 'float' };
    case 'bool':
      return { type: 'boolean' };
    case 'bytes':
      return { type: 'bytes', convert: toBuffer };
    default:
      // string, and enums (read by name)
      return { type: 'string' };
  }
}

/**
 * A value's type from the Postgres type in its comment, when the proto type agrees with what the
 * ingestor writes for it; otherwise (no comment, an enum named `date`, …) from the proto type.
 */
function scalarColumn(field: MessageField, pgType: string | undefined): ProtobufColumn {
  const proto = protoTypeColumn(field);
  if (pgType === undefined) return proto;
  const decimal = /^numeric\(\s*(\d+)\s*,\s*(-?\d+)\s*\)$/.exec(pgType);
  if (decimal !== null && field.type === 'bytes') {
    // the ingestor scales the bytes as Avro's decimal does: a negative scale as 0
    const scale = Math.max(0, Number(decimal[2]));
    return { type: 'decimal', convert: (value) => decimalText(value as Uint8Array, scale) };
  }
  switch (pgType) {
    case 'date':
      return proto.type === 'integer' && !LONG_TYPES.has(field.type) ? { type: 'date' } : proto;
    case 'time':
      return LONG_TYPES.has(field.type) ? { type: 'time', convert: toBigint } : proto;
    case 'timestamp':
    case 'timestamptz':
      return LONG_TYPES.has(field.type) ? { type: 'timestamp', convert: toBigint } : proto;
    case 'json':
    case 'jsonb':
      return field.type === 'string' ? { type: 'json' } : proto;
    default:
      return proto;
  }
}

interface RowColumns {
  type: MessageType;
  columns: SinkColumn[];
  /** Per field, how its decoded value (absent, a scalar or an array) becomes the row's value. */
  readers: Map<string, (value: unknown) => unknown>;
}

/**
 * A row message's fields as columns. `optional` fields (proto3 optional, oneof members) are
 * nullable, unset ones null. A repeated field holds an array; in a value row an empty one reads
 * as null (Protobuf cannot tell a null array from an empty one, and a delete's `before` leaves
 * non-key arrays out), in a key as [].
 */
export function protobufRowColumns(
  type: MessageType,
  comments: ReadonlyMap<string, string>,
  part: 'key' | 'value',
): RowColumns {
  const columns: SinkColumn[] = [];
  const readers = new Map<string, (value: unknown) => unknown>();
  const path = pathOf(type);
  for (const field of type.fieldsArray) {
    const pgType = commentPgType(comments.get(`${path}.${field.name}`));
    if (field.repeated) {
      const elementPgType = pgType?.endsWith('[]') ? pgType.slice(0, -2) : undefined;
      const element = scalarColumn(field, elementPgType);
      const vector = pgType === 'vector' && field.type === 'float';
      const emptyIsNull = part === 'value';
      columns.push({
        name: field.name,
        nullable: emptyIsNull,
        ...(vector ? { type: 'vector' } : { type: 'array', items: element.type }),
      });
      const convert = element.convert;
      readers.set(field.name, (value) => {
        const items = Array.isArray(value) ? value : [];
        if (items.length === 0) return emptyIsNull ? null : [];
        return convert === undefined ? items : items.map((item) => convert(item));
      });
      continue;
    }
    const column = scalarColumn(field, pgType);
    const nullable = field.partOf !== null || isMessage(field);
    columns.push({ name: field.name, nullable, type: column.type });
    const convert = column.convert;
    readers.set(field.name, (value) =>
      value === null || value === undefined ? null : convert === undefined ? value : convert(value),
    );
  }
  return { type, columns, readers };
}

/** A message's name within its file's package: `Value`, `Outer.Inner`. */
function pathOf(type: MessageType): string {
  const names: string[] = [];
  let current: unknown = type;
  while (typeof current === 'object' && current !== null && 'fieldsArray' in current) {
    const message = current as MessageType;
    names.unshift(message.name);
    current = message.parent;
  }
  return names.join('.');
}

function readRow(value: unknown, row: RowColumns): Row | null {
  if (value === null || value === undefined) return null;
  const decoded = value as Record<string, unknown>;
  const out: Row = {};
  for (const [name, read] of row.readers) out[name] = read(decoded[name]);
  return out;
}

function fieldOf(type: MessageType, name: string): MessageField {
  const field = type.fields[name];
  if (field === undefined) throw new Error(`${type.fullName.slice(1)} has no field ${name}`);
  return field;
}

/** The row message of an envelope: the type of `before` (or `after`). */
function rowType(envelope: MessageType): MessageType {
  for (const name of ['before', 'after']) {
    const field = envelope.fields[name];
    if (field !== undefined && isMessage(field)) return field.resolvedType as MessageType;
  }
  throw new Error(`${envelope.fullName.slice(1)} is not a change event envelope: no before/after message`);
}

function messageNamed(schema: ProtobufSchema, name: string): MessageType {
  return schema.messages.find((message) => message.name === name) ?? findMessage(schema);
}

function decoded(schema: ProtobufSchema, expected: MessageType, framed: Buffer): Record<string, unknown> {
  const { messageIndexes, payload } = unframeProtobuf(framed);
  const { messageType, value } = decodeProtobuf(schema, messageIndexes, payload, TO_OBJECT);
  if (messageType !== expected.fullName.slice(1))
    throw new Error(`the record is a ${messageType}, where ${expected.fullName.slice(1)} was expected`);
  return value;
}

/**
 * Protobuf envelopes (`Envelope` with `before`/`after` row messages and `source`) and keys (`Key`),
 * as the ingestor writes them: column types from each field's trailing `// "column" pgtype`
 * comment where the proto type cannot tell (dates, times, timestamps, decimals and their scale,
 * JSON, vectors), int64s as bigints, bytes as Buffers, unset optional fields as null.
 */
export class ProtobufRecordFormat implements RecordFormat {
  constructor(private readonly registry: SchemaRegistryClient) {}

  private async parse(schema: StoredSchema): Promise<ProtobufSchema> {
    const references = await resolveReferences(this.registry, schema.references);
    // field names as written: they are the rows' field names
    return parseProtobufSchema(schema.schema, references, { keepCase: true });
  }

  async valueReader(_schemaId: number, schema: StoredSchema): Promise<ValueReader> {
    const parsed = await this.parse(schema);
    const envelope = messageNamed(parsed, 'Envelope');
    const row = protobufRowColumns(rowType(envelope), fieldComments(schema.schema), 'value');
    fieldOf(envelope, 'source');
    fieldOf(envelope, 'op');
    return {
      columns: row.columns,
      read(framed) {
        const value = decoded(parsed, envelope, framed);
        return envelopeOf(value, (r) => readRow(r, row));
      },
    };
  }

  async keyReader(_schemaId: number, schema: StoredSchema): Promise<KeyReader> {
    const parsed = await this.parse(schema);
    const key = protobufRowColumns(messageNamed(parsed, 'Key'), fieldComments(schema.schema), 'key');
    return {
      fields: key.columns.map((column) => column.name),
      read: (framed) => readRow(decoded(parsed, key.type, framed), key) ?? {},
    };
  }
}
