import {
  AvroSerde,
  JsonSerde,
  ProtobufSerde,
  type SchemaDefinition,
  type SchemaRegistryClient,
} from '@trunkline/serde';
import type { EventFormat } from '../encoding/event-encoder';

/** Where a change event sits in its transaction: Debezium's `transaction` block (`event.block`). */
export interface TransactionBlock {
  /** `<txId>:<commit LSN>`, as Debezium's Postgres connector names a transaction. */
  id: string;
  /** 1-based position among the transaction's events. */
  total_order: bigint;
  /** 1-based position among the transaction's events of the same table. */
  data_collection_order: bigint;
}

/**
 * A record of the transaction topic: BEGIN before a transaction's first event, END after its
 * last. Counts and times are numbers: every client's long reads them exactly.
 */
export interface TransactionEvent {
  status: 'BEGIN' | 'END';
  id: string;
  /** END only: the transaction's events. */
  event_count: number | null;
  /** END only: its events per table (`schema.table`). */
  data_collections: { data_collection: string; event_count: number }[] | null;
  /** Commit time, ms since the epoch. */
  ts_ms: number;
}

const AVRO_BLOCK = {
  type: 'record',
  name: 'block',
  namespace: 'event',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'total_order', type: 'long' },
    { name: 'data_collection_order', type: 'long' },
  ],
};

const JSON_BLOCK = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    total_order: { type: 'integer' },
    data_collection_order: { type: 'integer' },
  },
  required: ['id', 'total_order', 'data_collection_order'],
};

const PROTOBUF_BLOCK = `message TransactionBlock {
  string id = 1;
  int64 total_order = 2;
  int64 data_collection_order = 3;
}
`;

/** Adds the optional `transaction` field to a value schema of `format`. */
function withBlock(formatName: EventFormat['name'], schema: string): string {
  if (formatName === 'avro') {
    const envelope = JSON.parse(schema) as { fields: object[] };
    envelope.fields.push({ name: 'transaction', type: ['null', AVRO_BLOCK], default: null });
    return JSON.stringify(envelope);
  }
  if (formatName === 'json') {
    const envelope = JSON.parse(schema) as { properties: Record<string, object> };
    envelope.properties.transaction = { oneOf: [{ type: 'null' }, JSON_BLOCK] };
    return JSON.stringify(envelope);
  }
  // The Envelope message is the file's first; its last field is ts_ms = 5.
  const marker = '  int64 ts_ms = 5;\n}';
  const at = schema.indexOf(marker);
  if (at < 0) throw new Error('the protobuf envelope has no ts_ms field to add the transaction block after');
  const end = at + marker.length;
  return `${schema.slice(0, at)}  int64 ts_ms = 5;\n  TransactionBlock transaction = 6;\n}${schema.slice(end)}\n${PROTOBUF_BLOCK}`;
}

/**
 * A format whose change events carry Debezium's `transaction` block
 * (`--provide-transaction-metadata`): the value schema gains an optional `transaction` field.
 */
export function withTransactionBlock(format: EventFormat): EventFormat {
  return {
    ...format,
    schemas(codec) {
      const { key, value } = format.schemas(codec);
      return { key, value: { ...value, schema: withBlock(format.name, value.schema) } };
    },
  };
}

const KEY_AVRO = {
  type: 'record',
  name: 'TransactionMetadataKey',
  namespace: 'io.debezium.connector.common',
  fields: [{ name: 'id', type: 'string' }],
};

const VALUE_AVRO = {
  type: 'record',
  name: 'TransactionMetadataValue',
  namespace: 'io.debezium.connector.common',
  fields: [
    { name: 'status', type: 'string' },
    { name: 'id', type: 'string' },
    { name: 'event_count', type: ['null', 'long'], default: null },
    {
      name: 'data_collections',
      type: [
        'null',
        {
          type: 'array',
          items: {
            type: 'record',
            name: 'collection',
            namespace: 'event',
            fields: [
              { name: 'data_collection', type: 'string' },
              { name: 'event_count', type: 'long' },
            ],
          },
        },
      ],
      default: null,
    },
    { name: 'ts_ms', type: 'long' },
  ],
};

const KEY_JSON = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'io.debezium.connector.common.TransactionMetadataKey',
  type: 'object',
  properties: { id: { type: 'string' } },
  required: ['id'],
};

const VALUE_JSON = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'io.debezium.connector.common.TransactionMetadataValue',
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['BEGIN', 'END'] },
    id: { type: 'string' },
    event_count: { type: ['integer', 'null'] },
    data_collections: {
      oneOf: [
        { type: 'null' },
        {
          type: 'array',
          items: {
            type: 'object',
            properties: { data_collection: { type: 'string' }, event_count: { type: 'integer' } },
            required: ['data_collection', 'event_count'],
          },
        },
      ],
    },
    ts_ms: { type: 'integer' },
  },
  required: ['status', 'id', 'ts_ms'],
};

const PROTOBUF_SCHEMA = `syntax = "proto3";

package io.debezium.connector.common;

message TransactionMetadataValue {
  string status = 1;
  string id = 2;
  optional int64 event_count = 3;
  repeated DataCollection data_collections = 4;
  int64 ts_ms = 5;
}

message TransactionMetadataKey {
  string id = 1;
}

message DataCollection {
  string data_collection = 1;
  int64 event_count = 2;
}
`;

/**
 * The transaction topic `<prefix>.transaction` (Debezium's `topic.transaction`): BEGIN and END
 * records keyed by transaction id, in the ingestor's --value-format, with their schemas registered
 * under `<topic>-key` and `<topic>-value` as for the change topics.
 */
export class TransactionTopic {
  readonly topic: string;
  private readonly encode: (
    subject: string,
    schema: SchemaDefinition,
    value: object,
    message?: string,
  ) => Promise<Buffer>;
  private readonly format: EventFormat['name'];
  private readonly keySchema: SchemaDefinition;
  private readonly valueSchema: SchemaDefinition;

  constructor(topicPrefix: string, format: EventFormat['name'], registry: SchemaRegistryClient) {
    this.topic = `${topicPrefix}.transaction`;
    this.format = format;
    if (format === 'protobuf') {
      const serde = new ProtobufSerde(registry);
      this.encode = (subject, schema, value, message) => serde.serialize(subject, schema, value, message);
      this.keySchema = { schema: PROTOBUF_SCHEMA };
      this.valueSchema = { schema: PROTOBUF_SCHEMA };
      return;
    }
    const serde = format === 'avro' ? new AvroSerde(registry) : new JsonSerde(registry);
    this.encode = (subject, schema, value) => serde.serialize(subject, schema, value);
    this.keySchema = { schema: JSON.stringify(format === 'avro' ? KEY_AVRO : KEY_JSON) };
    this.valueSchema = { schema: JSON.stringify(format === 'avro' ? VALUE_AVRO : VALUE_JSON) };
  }

  async record(event: TransactionEvent): Promise<{ key: Buffer; value: Buffer }> {
    const key = await this.encode(
      `${this.topic}-key`,
      this.keySchema,
      { id: event.id },
      'TransactionMetadataKey',
    );
    const value = await this.encode(
      `${this.topic}-value`,
      this.valueSchema,
      this.format === 'protobuf' ? { ...event, data_collections: event.data_collections ?? [] } : event,
      'TransactionMetadataValue',
    );
    return { key, value };
  }
}
