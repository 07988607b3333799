import type { SchemaRegistryClient } from '@trunkline/serde';
import type { TableCodec } from '../columns';
import type { ChangeEnvelope, Row } from '../events/change-event';

/** How one table's keys and change events become record bytes, once its schemas are registered. */
export interface TableEncoder {
  /** Registered schema ids (the key's is undefined for a table without a key). */
  readonly keySchemaId: number | undefined;
  readonly valueSchemaId: number;
  encodeKey(key: Row | null): Buffer | null;
  encodeValue(envelope: ChangeEnvelope): Buffer;
}

/** A schema as the registry takes it. */
export interface SchemaText {
  schema: string;
  schemaType: 'AVRO' | 'JSON' | 'PROTOBUF';
}

/** One of --value-format's encodings: a table's schemas, and its encoder for given schema ids. */
export interface EventFormat {
  readonly name: 'avro' | 'json' | 'protobuf';
  /** The key schema (undefined for a table without a key) and the change event schema. */
  schemas(codec: TableCodec): { key: SchemaText | undefined; value: SchemaText };
  encoder(codec: TableCodec, ids: { key: number | undefined; value: number }): TableEncoder;
}

/** Registers a table's `<topic>-key` and `<topic>-value` subjects and returns its encoder. */
export async function registerTable(
  format: EventFormat,
  codec: TableCodec,
  topic: string,
  registry: SchemaRegistryClient,
): Promise<TableEncoder> {
  const { key, value } = format.schemas(codec);
  const keyId = key === undefined ? undefined : await registry.register(`${topic}-key`, key);
  const valueId = await registry.register(`${topic}-value`, value);
  return format.encoder(codec, { key: keyId, value: valueId });
}
