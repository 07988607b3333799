import { frame, type SchemaRegistryClient } from '@trunkline/serde';
import * as avro from 'avsc';
import { type AvroSchema, avroRowSchema, avroTypeOptions, type TableCodec } from '../columns';
import { type ChangeEnvelope, envelopeAvroSchema, type Row } from '../events/change-event';
import type { EventFormat, TableEncoder } from './event-encoder';

/** Avro, as Debezium's AvroConverter writes it: `<topic>-key` and `<topic>-value` subjects. */
export const avroFormat: EventFormat = {
  name: 'avro',
  async encoderFor(codec: TableCodec, topic: string, registry: SchemaRegistryClient): Promise<TableEncoder> {
    const keySchema = avroRowSchema(codec, 'key');
    const keyNames = new Set(codec.keyFields.map((f) => f.field));
    const valueSchema = envelopeAvroSchema(
      codec.namespace,
      optionalExceptKey(avroRowSchema(codec, 'value'), keyNames),
    );
    const keySchemaId =
      keySchema === undefined
        ? undefined
        : await registry.register(`${topic}-key`, { schema: JSON.stringify(keySchema), schemaType: 'AVRO' });
    const valueSchemaId = await registry.register(`${topic}-value`, {
      schema: JSON.stringify(valueSchema),
      schemaType: 'AVRO',
    });
    const keyType =
      keySchema === undefined ? undefined : avro.Type.forSchema(keySchema as avro.Schema, avroTypeOptions());
    const valueType = avro.Type.forSchema(valueSchema as avro.Schema, avroTypeOptions());
    return {
      keySchemaId,
      valueSchemaId,
      encodeKey: (key: Row | null) =>
        key === null || keyType === undefined ? null : frame(keySchemaId!, keyType.toBuffer(key)),
      encodeValue: (envelope: ChangeEnvelope) => frame(valueSchemaId, valueType.toBuffer(envelope)),
    };
  },
};

/**
 * The row record with every non-key field optional: a delete under REPLICA IDENTITY DEFAULT
 * carries only the key's values, and `before` must still be a valid row.
 */
function optionalExceptKey(row: AvroSchema | undefined, keyNames: ReadonlySet<string>): object {
  const record = row as { fields: { name: string; type: unknown; default?: unknown }[] };
  return {
    ...record,
    fields: record.fields.map((field) =>
      keyNames.has(field.name) || (Array.isArray(field.type) && field.type[0] === 'null')
        ? field
        : { name: field.name, type: ['null', field.type], default: null },
    ),
  };
}
