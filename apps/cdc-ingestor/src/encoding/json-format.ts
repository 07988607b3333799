import { frame } from '@trunkline/serde';
import { type JsonSchema, jsonRowSchema, jsonRowText, type TableCodec } from '../columns';
import { type ChangeEnvelope, envelopeJsonSchema, type Row } from '../events/change-event';
import type { EventFormat, TableEncoder } from './event-encoder';
import { optionalExceptKey } from './optional-row';

/**
 * JSON Schema, as Confluent's JSON Schema serializer frames it: `<topic>-key` and `<topic>-value`
 * subjects, payloads UTF-8 JSON with bigints as exact integers and bytes as base64.
 */
export const jsonFormat: EventFormat = {
  name: 'json',
  schemas(codec: TableCodec) {
    const key = jsonRowSchema(codec, 'key');
    return {
      key: key === undefined ? undefined : { schema: JSON.stringify(key), schemaType: 'JSON' as const },
      value: { schema: JSON.stringify(jsonEnvelopeSchema(codec)), schemaType: 'JSON' as const },
    };
  },
  encoder(_codec: TableCodec, ids: { key: number | undefined; value: number }): TableEncoder {
    return {
      keySchemaId: ids.key,
      valueSchemaId: ids.value,
      encodeKey: (key: Row | null) =>
        key === null || ids.key === undefined ? null : frame(ids.key, jsonPayload(key)),
      encodeValue: (envelope: ChangeEnvelope) => frame(ids.value, jsonPayload(envelope)),
    };
  },
};

/**
 * The JSON Schema of a table's change events: Debezium's envelope, `before` and `after` the value
 * row, whose key fields are required and every other field may be null or absent.
 */
export function jsonEnvelopeSchema(codec: TableCodec): object {
  // The row sits under `definitions`: only the root names the draft.
  const { $schema: _draft, ...row } = jsonRowSchema(optionalExceptKey(codec), 'value') as JsonSchema;
  return envelopeJsonSchema(codec.namespace, {
    ...row,
    required: codec.keyFields.map(({ field }) => field),
  });
}

function jsonPayload(value: unknown): Buffer {
  return Buffer.from(jsonRowText(value), 'utf8');
}
