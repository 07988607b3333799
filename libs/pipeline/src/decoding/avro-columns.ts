import { decimalText } from '@trunkline/serde';
import type { SinkColumn, SinkColumnType } from '../sink-change';

/** An Avro schema as JSON: a name, a union, or an object with `type`. */
export type AvroSchemaJson =
  | string
  | AvroSchemaJson[]
  | { type: AvroSchemaJson; [property: string]: unknown };

/** The non-null branch of `["null", T]`, and whether null was allowed. */
export function nonNull(schema: AvroSchemaJson): { schema: AvroSchemaJson; nullable: boolean } {
  if (!Array.isArray(schema)) return { schema, nullable: false };
  const branches = schema.filter((branch) => branch !== 'null');
  if (branches.length !== 1) return { schema, nullable: schema.length !== branches.length };
  return { schema: branches[0]!, nullable: true };
}

function property(schema: AvroSchemaJson, name: string): unknown {
  return typeof schema === 'object' && !Array.isArray(schema) ? schema[name] : undefined;
}

function baseType(schema: AvroSchemaJson): string {
  if (typeof schema === 'string') return schema;
  if (Array.isArray(schema)) return 'union';
  return typeof schema.type === 'string' ? schema.type : baseType(schema.type);
}

/**
 * A column's type from its Avro schema: Debezium's and Kafka Connect's semantic names first
 * (`io.debezium.time.MicroTimestamp`, `…Decimal`, `io.debezium.data.Json`), then Avro logical
 * types, then the base type.
 */
export function avroColumnType(schema: AvroSchemaJson): { type: SinkColumnType; items?: SinkColumnType } {
  const connect = property(schema, 'connect.name');
  const logical = property(schema, 'logicalType');
  if (connect === 'io.debezium.data.Json') return { type: 'json' };
  if (logical === 'decimal' || connect === 'org.apache.kafka.connect.data.Decimal')
    return { type: 'decimal' };
  if (logical === 'date' || connect === 'io.debezium.time.Date') return { type: 'date' };
  if (logical === 'time-micros' || logical === 'time-millis' || connect === 'io.debezium.time.MicroTime')
    return { type: 'time' };
  if (
    logical === 'timestamp-micros' ||
    logical === 'timestamp-millis' ||
    connect === 'io.debezium.time.MicroTimestamp'
  )
    return { type: 'timestamp' };
  switch (baseType(schema)) {
    case 'int':
    case 'long':
      return { type: 'integer' };
    case 'float':
    case 'double':
      return { type: 'float' };
    case 'boolean':
      return { type: 'boolean' };
    case 'bytes':
    case 'fixed':
      return { type: 'bytes' };
    case 'array': {
      const items = nonNull(property(schema, 'items') as AvroSchemaJson).schema;
      const element = avroColumnType(items).type;
      // pgvector's `vector` is written as a non-null array of float
      if (element === 'float' && baseType(items) === 'float' && !Array.isArray(property(schema, 'items')))
        return { type: 'vector' };
      return { type: 'array', items: element };
    }
    case 'record':
    case 'map':
      return { type: 'json' };
    default:
      return { type: 'string' };
  }
}

/** How a decoded value of one column becomes the sinks' form; undefined when it already is. */
export type ValueConverter = (value: unknown) => unknown;

function numberProperty(schema: AvroSchemaJson, name: string): number {
  const value = property(schema, name);
  return typeof value === 'number' ? value : Number(value ?? 0);
}

/** The converter of one Avro field: decimals to text, millisecond times to microseconds. */
export function avroConverter(schema: AvroSchemaJson): ValueConverter | undefined {
  const logical = property(schema, 'logicalType');
  if (logical === 'decimal' && baseType(schema) !== 'string') {
    const scale = numberProperty(schema, 'scale');
    return (value) => (value instanceof Uint8Array ? decimalText(value, scale) : value);
  }
  if (logical === 'timestamp-millis' || logical === 'time-millis') {
    return (value) => (value === null ? null : BigInt(value as number | bigint) * 1000n);
  }
  if (baseType(schema) === 'array') {
    const element = avroConverter(nonNull(property(schema, 'items') as AvroSchemaJson).schema);
    if (element === undefined) return undefined;
    return (value) => (Array.isArray(value) ? value.map((v) => (v === null ? null : element(v))) : value);
  }
  return undefined;
}

/** A record schema's fields as columns, with the converters their values need. */
export function avroRecordColumns(record: AvroSchemaJson): {
  columns: SinkColumn[];
  converters: Map<string, ValueConverter>;
} {
  const fields = property(record, 'fields');
  if (!Array.isArray(fields)) throw new Error('the row schema is not an Avro record');
  const columns: SinkColumn[] = [];
  const converters = new Map<string, ValueConverter>();
  for (const field of fields as { name: string; type: AvroSchemaJson }[]) {
    const { schema, nullable } = nonNull(field.type);
    columns.push({ name: field.name, nullable, ...avroColumnType(schema) });
    const convert = avroConverter(schema);
    if (convert !== undefined) converters.set(field.name, convert);
  }
  return { columns, converters };
}
