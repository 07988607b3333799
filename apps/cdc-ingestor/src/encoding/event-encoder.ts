import type { SchemaRegistryClient } from '@trunkline/serde';
import type { TableCodec } from '../columns';
import type { ChangeEnvelope, Row } from '../events/change-event';

/** How one table's keys and change events become record bytes, schemas registered. */
export interface TableEncoder {
  /** Registered schema ids (the key's is undefined for a table without a key). */
  readonly keySchemaId: number | undefined;
  readonly valueSchemaId: number;
  encodeKey(key: Row | null): Buffer | null;
  encodeValue(envelope: ChangeEnvelope): Buffer;
}

/** One of --value-format's encodings: registers a table's schemas and builds its encoder. */
export interface EventFormat {
  readonly name: 'avro' | 'json' | 'protobuf';
  encoderFor(codec: TableCodec, topic: string, registry: SchemaRegistryClient): Promise<TableEncoder>;
}
