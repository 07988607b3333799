// A table and change events for the encoding tests (unit and integration): not used at runtime.
import {
  type ColumnDescription,
  parseRow,
  type TableCodec,
  type TableDescription,
  tableCodec,
} from '../columns';
import type { ChangeEnvelope, Row, SourceInfo } from '../events/change-event';
import type { EventFormat, TableEncoder } from './event-encoder';

/** A column description for tests: defaults for everything but its name, attnum and type. */
export function column(
  name: string,
  attnum: number,
  typeName: string,
  extra: Partial<ColumnDescription> = {},
): ColumnDescription {
  return {
    name,
    attnum,
    typeOid: 0,
    typeName,
    typeSchema: 'pg_catalog',
    typmod: -1,
    notNull: false,
    inPrimaryKey: false,
    generated: false,
    ...extra,
  };
}

/** Column 3 was dropped: attnums go 1, 2, 4 … 9. `note` is NOT NULL but outside the key. */
export const ORDER_LINES: TableDescription = {
  oid: 16_384,
  schema: 'shop',
  table: 'order-lines',
  columns: [
    column('order_id', 1, 'int8', { notNull: true, inPrimaryKey: true }),
    column('line', 2, 'int4', { notNull: true, inPrimaryKey: true }),
    column('price', 4, 'numeric', { notNull: true, typmod: ((10 << 16) | 2) + 4 }),
    column('tags', 5, '_text', { elementTypeName: 'text', elementTypeSchema: 'pg_catalog' }),
    column('shipped at', 6, 'timestamptz'),
    column('note', 7, 'text', { notNull: true }),
    column('payload', 8, 'bytea'),
    column('ratio', 9, 'float8'),
  ],
  primaryKey: ['order_id', 'line'],
  replicaIdentity: 'default',
  replicaIdentityColumns: ['order_id', 'line'],
};

export function orderLinesCodec(prefix = 'trunkline'): TableCodec {
  return tableCodec(ORDER_LINES, prefix);
}

/** A full row; order_id is past 2^53, so only an exact encoding keeps it. */
export function sampleRow(codec: TableCodec): Row {
  return parseRow(codec, {
    order_id: '9007199254740993',
    line: '2',
    price: '-12.34',
    tags: '{a,"b c"}',
    'shipped at': '2024-06-01 12:00:00.000001+02',
    note: 'ünïcode "quoted"',
    payload: '\\x00ff5c22',
    ratio: '0.5',
  });
}

export const SAMPLE_SOURCE: SourceInfo = {
  version: '0.1.0',
  connector: 'postgresql',
  name: 'trunkline',
  ts_ms: 1_717_243_200_000n,
  snapshot: 'false',
  db: 'shop',
  sequence: '["4294967296","4294967400"]',
  schema: 'shop',
  table: 'order-lines',
  txId: 771n,
  lsn: 4_294_967_400n,
  xmin: null,
};

/** An update under REPLICA IDENTITY DEFAULT: no `before`. */
export function sampleUpdate(codec: TableCodec): ChangeEnvelope {
  return { before: null, after: sampleRow(codec), source: SAMPLE_SOURCE, op: 'u', ts_ms: 1_717_243_200_123n };
}

/** A delete under REPLICA IDENTITY DEFAULT: `before` has the key's values, every other field null. */
export function sampleDelete(codec: TableCodec): ChangeEnvelope {
  const row = sampleRow(codec);
  const keyNames = new Set(codec.keyFields.map(({ field }) => field));
  const before = Object.fromEntries(
    codec.fields.map(({ field }) => [field, keyNames.has(field) ? row[field] : null]),
  );
  return { before, after: null, source: SAMPLE_SOURCE, op: 'd', ts_ms: 1_717_243_200_456n };
}

export function sampleKey(codec: TableCodec): Row {
  const row = sampleRow(codec);
  return Object.fromEntries(codec.keyFields.map(({ field }) => [field, row[field]]));
}

export interface Registration {
  subject: string;
  schema: string;
  schemaType: string | undefined;
}

/**
 * A format's schemas as they would be registered (key id 1, value id 2, or 1 without a key)
 * and its encoder for those ids: what a unit test checks without a registry.
 */
export function schemasAndEncoder(
  format: EventFormat,
  codec: TableCodec,
  topic: string,
): { encoder: TableEncoder; registered: Registration[] } {
  const { key, value } = format.schemas(codec);
  const registered: Registration[] = [
    ...(key === undefined ? [] : [{ subject: `${topic}-key`, ...key }]),
    { subject: `${topic}-value`, ...value },
  ];
  const encoder = format.encoder(codec, { key: key === undefined ? undefined : 1, value: registered.length });
  return { encoder, registered };
}
