import { frame } from '@trunkline/serde';
import * as avro from 'avsc';
import { avroRowSchema, avroTypeOptions, type TableCodec } from '../columns';
import { type ChangeEnvelope, envelopeAvroSchema, type Row } from '../events/change-event';
import type { EventFormat, TableEncoder } from './event-encoder';
import { optionalExceptKey } from './optional-row';

/** Avro, as Debezium's AvroConverter writes it: `<topic>-key` and `<topic>-value` subjects. */
export const avroFormat: EventFormat = {
  name: 'avro',
  schemas(codec: TableCodec) {
    const key = avroRowSchema(codec, 'key');
    const value = envelopeAvroSchema(
      codec.namespace,
      avroRowSchema(optionalExceptKey(codec), 'value') as object,
    );
    return {
      key: key === undefined ? undefined : { schema: JSON.stringify(key), schemaType: 'AVRO' as const },
      value: { schema: JSON.stringify(value), schemaType: 'AVRO' as const },
    };
  },
  encoder(codec: TableCodec, ids: { key: number | undefined; value: number }): TableEncoder {
    const { key, value } = this.schemas(codec);
    const keyType =
      key === undefined ? undefined : avro.Type.forSchema(JSON.parse(key.schema), avroTypeOptions());
    const valueType = avro.Type.forSchema(JSON.parse(value.schema), avroTypeOptions());
    return {
      keySchemaId: ids.key,
      valueSchemaId: ids.value,
      encodeKey: (row: Row | null) =>
        row === null || keyType === undefined || ids.key === undefined
          ? null
          : frame(ids.key, keyType.toBuffer(row)),
      encodeValue: (envelope: ChangeEnvelope) => frame(ids.value, valueType.toBuffer(envelope)),
    };
  },
};
