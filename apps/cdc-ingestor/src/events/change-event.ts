import type { TransactionBlock } from './transaction-metadata';

/** Debezium's operation codes: create, update, delete, read (snapshot), truncate. */
export type Operation = 'c' | 'u' | 'd' | 'r' | 't';

/** Where a change came from, as Debezium's Postgres connector reports it in `source`. */
export interface SourceInfo {
  version: string;
  connector: 'postgresql';
  /** The topic prefix (Debezium's logical server name). */
  name: string;
  /** Commit time of the transaction, ms since the epoch. */
  ts_ms: bigint;
  /**
   * "true" for snapshot rows, "last_in_data_collection" for a table's last snapshot row, "last"
   * for the snapshot's very last row, "incremental", or "false" (streamed), as Debezium 2 does.
   */
  snapshot: 'true' | 'last_in_data_collection' | 'last' | 'false' | 'incremental';
  db: string;
  /** JSON array [last commit LSN, this event's LSN] as decimal strings, as Debezium writes it. */
  sequence: string | null;
  schema: string;
  table: string;
  txId: bigint | null;
  /** The change's LSN: equal for an event and its replayed duplicate. */
  lsn: bigint | null;
  xmin: bigint | null;
}

/** A row's values by field name, in the event's representation (longs are bigints). */
export type Row = Record<string, unknown>;

export interface ChangeEnvelope {
  before: Row | null;
  after: Row | null;
  source: SourceInfo;
  op: Operation;
  /** When the ingestor produced the event, ms since the epoch. */
  ts_ms: bigint;
  /** With --provide-transaction-metadata: where the event sits in its transaction (null for snapshot rows). */
  transaction?: TransactionBlock | null;
}

/** The Avro schema of `source`, named as Debezium names it so Debezium consumers recognise it. */
export const SOURCE_AVRO_SCHEMA = {
  type: 'record',
  name: 'Source',
  namespace: 'io.debezium.connector.postgresql',
  fields: [
    { name: 'version', type: 'string' },
    { name: 'connector', type: 'string' },
    { name: 'name', type: 'string' },
    { name: 'ts_ms', type: 'long' },
    { name: 'snapshot', type: [{ type: 'string' }, 'null'], default: 'false' },
    { name: 'db', type: 'string' },
    { name: 'sequence', type: ['null', 'string'], default: null },
    { name: 'schema', type: 'string' },
    { name: 'table', type: 'string' },
    { name: 'txId', type: ['null', 'long'], default: null },
    { name: 'lsn', type: ['null', 'long'], default: null },
    { name: 'xmin', type: ['null', 'long'], default: null },
  ],
} as const;

/**
 * The Avro schema of a table's change events: Debezium's `Envelope` around the table's row
 * record (`<prefix>.<schema>.<table>.Value`), which `before` and `after` share.
 */
export function envelopeAvroSchema(recordNamespace: string, rowSchema: object): object {
  return {
    type: 'record',
    name: 'Envelope',
    namespace: recordNamespace,
    fields: [
      { name: 'before', type: ['null', rowSchema], default: null },
      { name: 'after', type: ['null', `${recordNamespace}.Value`], default: null },
      { name: 'source', type: SOURCE_AVRO_SCHEMA },
      { name: 'op', type: 'string' },
      { name: 'ts_ms', type: ['null', 'long'], default: null },
    ],
  };
}

/** The JSON Schema of a table's change events, with the row's schema for `before` and `after`. */
export function envelopeJsonSchema(title: string, rowSchema: object): object {
  const nullableRow = { oneOf: [{ type: 'null' }, { $ref: '#/definitions/Value' }] };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: `${title}.Envelope`,
    type: 'object',
    definitions: { Value: rowSchema },
    properties: {
      before: nullableRow,
      after: nullableRow,
      source: {
        type: 'object',
        properties: {
          version: { type: 'string' },
          connector: { type: 'string' },
          name: { type: 'string' },
          ts_ms: { type: 'integer' },
          snapshot: { type: ['string', 'null'] },
          db: { type: 'string' },
          sequence: { type: ['string', 'null'] },
          schema: { type: 'string' },
          table: { type: 'string' },
          txId: { type: ['integer', 'null'] },
          lsn: { type: ['integer', 'null'] },
          xmin: { type: ['integer', 'null'] },
        },
        required: ['version', 'connector', 'name', 'ts_ms', 'db', 'schema', 'table'],
      },
      op: { type: 'string', enum: ['c', 'u', 'd', 'r', 't'] },
      ts_ms: { type: ['integer', 'null'] },
    },
    required: ['op', 'source'],
  };
}
