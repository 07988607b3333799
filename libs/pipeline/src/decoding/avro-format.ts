import {
  avroType,
  avroTypeOptions,
  decodeAvro,
  resolveReferences,
  type SchemaRegistryClient,
  type StoredSchema,
  unframe,
} from '@trunkline/serde';
import type { Row } from '../sink-change';
import { type AvroSchemaJson, avroRecordColumns, nonNull, type ValueConverter } from './avro-columns';
import { envelopeOf, type KeyReader, type RecordFormat, type ValueReader } from './record-reader';

interface EnvelopeJson {
  fields?: { name: string; type: AvroSchemaJson }[];
}

/** The row record inside an envelope schema: `before`'s type (`after` names it). */
function rowRecord(envelope: EnvelopeJson): AvroSchemaJson {
  for (const name of ['before', 'after']) {
    const field = envelope.fields?.find((f) => f.name === name);
    const schema = field === undefined ? undefined : nonNull(field.type).schema;
    if (typeof schema === 'object' && !Array.isArray(schema) && schema.type === 'record') return schema;
  }
  throw new Error('the schema is not a change event envelope: no before/after row record');
}

function convertRow(row: unknown, converters: Map<string, ValueConverter>): Row | null {
  if (row === null || row === undefined) return null;
  const out: Row = { ...(row as Row) };
  for (const [name, convert] of converters)
    if (out[name] !== null && out[name] !== undefined) out[name] = convert(out[name]);
  return out;
}

/** Avro envelopes and keys (Debezium's shape), every long read as a bigint. */
export class AvroRecordFormat implements RecordFormat {
  constructor(private readonly registry: SchemaRegistryClient) {}

  private async type(schema: StoredSchema) {
    const references = await resolveReferences(this.registry, schema.references);
    return avroType(schema.schema, references, avroTypeOptions());
  }

  async valueReader(_schemaId: number, schema: StoredSchema): Promise<ValueReader> {
    const type = await this.type(schema);
    const { columns, converters } = avroRecordColumns(rowRecord(JSON.parse(schema.schema) as EnvelopeJson));
    return {
      columns,
      read(framed) {
        const value = decodeAvro(unframe(framed).payload, type) as Record<string, unknown>;
        return envelopeOf(value, (row) => convertRow(row, converters));
      },
    };
  }

  async keyReader(_schemaId: number, schema: StoredSchema): Promise<KeyReader> {
    const type = await this.type(schema);
    const { columns, converters } = avroRecordColumns(JSON.parse(schema.schema) as AvroSchemaJson);
    return {
      fields: columns.map((column) => column.name),
      read: (framed) => convertRow(decodeAvro(unframe(framed).payload, type), converters) ?? {},
    };
  }
}
