// The table, rows and envelopes the JSON and Protobuf reader tests share: not used at runtime.
import {
  avroFormat,
  type ChangeEnvelope,
  type ColumnDescription,
  type EventFormat,
  parseRow,
  type SourceInfo,
  type TableCodec,
  type TableDescription,
  tableCodec,
} from '@trunkline/cdc-ingestor';
import type { SchemaRegistryClient, StoredSchema } from '@trunkline/serde';
import type { SinkColumn } from '../sink-change';
import { AvroRecordFormat } from './avro-format';
import { ChangeDecoder } from './change-decoder';
import type { RecordFormat } from './record-reader';

/** Whether a format can carry NULL elements in arrays: JSON can, Protobuf's repeated fields cannot. */
export interface ArrayNulls {
  nullElements: boolean;
}

function column(name: string, attnum: number, typeName: string, extra: Partial<ColumnDescription> = {}) {
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
  } satisfies ColumnDescription;
}

const numeric = (precision: number, scale: number) => ((precision << 16) | (scale & 0x7ff)) + 4;
const arrayOf = (element: string) => ({ elementTypeName: element, elementTypeSchema: 'pg_catalog' });

/** A table with a column of every type the ingestor writes; column 3 was dropped. */
export const EVERY_TYPE: TableDescription = {
  oid: 16_500,
  schema: 'shop',
  table: 'every-type',
  columns: [
    column('id', 1, 'int8', { notNull: true, inPrimaryKey: true }),
    column('line', 2, 'int4', { notNull: true, inPrimaryKey: true }),
    column('small', 4, 'int2'),
    column('big', 5, 'int8'),
    column('real', 6, 'float4'),
    column('dbl', 7, 'float8'),
    column('flag', 8, 'bool'),
    column('price', 9, 'numeric', { notNull: true, typmod: numeric(10, 2) }),
    column('hundreds', 10, 'numeric', { typmod: numeric(5, -2) }),
    column('free', 11, 'numeric'),
    column('label', 12, 'text'),
    column('code', 13, 'varchar', { typmod: 8 + 4 }),
    column('uid', 14, 'uuid'),
    column('doc', 15, 'jsonb'),
    column('blob', 16, 'bytea'),
    column('day', 17, 'date'),
    column('at', 18, 'time'),
    column('ts', 19, 'timestamp'),
    column('shipped at', 20, 'timestamptz'),
    column('span', 21, 'interval'),
    column('mood', 22, 'mood', { typeSchema: 'public', enumLabels: ['sad', 'happy'] }),
    column('tags', 23, '_text', arrayOf('text')),
    column('prices', 24, '_numeric', { ...arrayOf('numeric'), typmod: numeric(10, 2) }),
    column('days', 25, '_date', arrayOf('date')),
    column('scores', 26, '_float4', arrayOf('float4')),
    column('embedding', 27, 'vector', { typeSchema: 'public' }),
  ],
  primaryKey: ['id', 'line'],
  replicaIdentity: 'default',
  replicaIdentityColumns: ['id', 'line'],
};

/** The sink columns Avro and Protobuf read from EVERY_TYPE's schemas. */
export const EVERY_TYPE_COLUMNS: SinkColumn[] = [
  { name: 'id', type: 'integer', nullable: false },
  { name: 'line', type: 'integer', nullable: false },
  { name: 'small', type: 'integer', nullable: true },
  { name: 'big', type: 'integer', nullable: true },
  { name: 'real', type: 'float', nullable: true },
  { name: 'dbl', type: 'float', nullable: true },
  { name: 'flag', type: 'boolean', nullable: true },
  { name: 'price', type: 'decimal', nullable: true },
  { name: 'hundreds', type: 'decimal', nullable: true },
  { name: 'free', type: 'string', nullable: true },
  { name: 'label', type: 'string', nullable: true },
  { name: 'code', type: 'string', nullable: true },
  { name: 'uid', type: 'string', nullable: true },
  { name: 'doc', type: 'json', nullable: true },
  { name: 'blob', type: 'bytes', nullable: true },
  { name: 'day', type: 'date', nullable: true },
  { name: 'at', type: 'time', nullable: true },
  { name: 'ts', type: 'timestamp', nullable: true },
  { name: 'shipped_at', type: 'timestamp', nullable: true },
  { name: 'span', type: 'string', nullable: true },
  { name: 'mood', type: 'string', nullable: true },
  { name: 'tags', type: 'array', items: 'string', nullable: true },
  { name: 'prices', type: 'array', items: 'decimal', nullable: true },
  { name: 'days', type: 'array', items: 'date', nullable: true },
  { name: 'scores', type: 'array', items: 'float', nullable: true },
  { name: 'embedding', type: 'vector', nullable: true },
];

/** A full row of EVERY_TYPE as Postgres prints it; its arrays hold a NULL element where the format can carry one. */
export function everyTypeTexts({ nullElements }: ArrayNulls): Record<string, string | null> {
  return {
    id: '9223372036854775807',
    line: '2',
    small: '-32768',
    big: '-9223372036854775808',
    real: '0.1',
    dbl: '12345678901234567000',
    flag: 't',
    price: '-12.34',
    hundreds: '12300',
    free: '1.000000000000000000001',
    label: 'ünïcode "quoted" 12345678901234567890',
    code: 'abc',
    uid: '0b5c7b7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
    doc: '{"n": 9007199254740993, "a": [1, 2]}',
    blob: '\\x00ff5c22',
    day: '2024-02-29',
    at: '12:34:56.789012',
    ts: '2024-06-01 12:00:00.000001',
    'shipped at': '2024-06-01 12:00:00.000001+02',
    span: '1 year 2 mons 3 days 04:05:06.5',
    mood: 'happy',
    tags: nullElements ? '{a,NULL,"b c"}' : '{a,"b c"}',
    prices: nullElements ? '{1.5,NULL,-0.01}' : '{1.5,-0.01}',
    days: '{1970-01-01,2024-02-29}',
    scores: nullElements ? '{0.5,NULL,-1.25}' : '{0.5,-1.25}',
    embedding: '[1,2.5,-3]',
  };
}

const DAY = Date.UTC(2024, 1, 29) / 86_400_000;
const NOON_MICROS = BigInt(Date.UTC(2024, 5, 1, 12)) * 1000n + 1n;

/** The row the sinks get for everyTypeTexts: every value in the form record-reader.ts gives. */
export function everyTypeRow({ nullElements }: ArrayNulls) {
  return {
    id: 2n ** 63n - 1n,
    line: 2,
    small: -32768,
    big: -(2n ** 63n),
    real: Math.fround(0.1),
    dbl: 12345678901234567000,
    flag: true,
    price: '-12.34',
    hundreds: '12300',
    free: '1.000000000000000000001',
    label: 'ünïcode "quoted" 12345678901234567890',
    code: 'abc',
    uid: '0b5c7b7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
    doc: '{"n": 9007199254740993, "a": [1, 2]}',
    blob: Buffer.from('00ff5c22', 'hex'),
    day: DAY,
    at: 45_296_789_012n,
    ts: NOON_MICROS,
    shipped_at: NOON_MICROS - 2n * 3_600_000_000n,
    span: 'P1Y2M3DT4H5M6.5S',
    mood: 'happy',
    tags: nullElements ? ['a', null, 'b c'] : ['a', 'b c'],
    prices: nullElements ? ['1.50', null, '-0.01'] : ['1.50', '-0.01'],
    days: [0, DAY],
    scores: nullElements ? [0.5, null, -1.25] : [0.5, -1.25],
    embedding: [1, 2.5, -3],
  };
}

/** What the sinks get for nullRow(): every value null but the key (1, 1). */
export const NULL_ROW_READ = {
  ...Object.fromEntries(Object.keys(everyTypeRow({ nullElements: false })).map((name) => [name, null])),
  id: 1n,
  line: 1,
};

/** The key of the full row. */
export const KEY = { id: 2n ** 63n - 1n, line: 2 };

/** The source of every envelope: a commit at 2024-06-01 12:00 UTC, an LSN past 2^53. */
export const SOURCE: SourceInfo = {
  version: '0.1.0',
  connector: 'postgresql',
  name: 'trunkline',
  ts_ms: 1_717_243_200_000n,
  snapshot: 'false',
  db: 'shop',
  sequence: null,
  schema: 'shop',
  table: 'every-type',
  txId: 771n,
  lsn: 2n ** 63n - 2n,
  xmin: null,
};

/** The ingestor's codec of EVERY_TYPE. */
export const codec: TableCodec = tableCodec(EVERY_TYPE, 'trunkline');
/** The topic the ingestor writes EVERY_TYPE's changes to. */
export const TOPIC = 'trunkline.shop.every-type';

/** A change event of EVERY_TYPE from SOURCE. */
export function envelope(op: ChangeEnvelope['op'], before: unknown, after: unknown): ChangeEnvelope {
  return {
    before: before as ChangeEnvelope['before'],
    after: after as ChangeEnvelope['after'],
    source: SOURCE,
    op,
    ts_ms: 1_717_243_200_123n,
  };
}

/** What a reader gives for envelope(op, …): the rows as given, SOURCE's table, LSN and commit time. */
export function decodedEnvelope(op: ChangeEnvelope['op'], before: unknown, after: unknown) {
  return {
    before,
    after,
    op,
    schema: 'shop',
    table: 'every-type',
    lsn: 2n ** 63n - 2n,
    commitTimeMs: 1_717_243_200_000,
  };
}

/** The ingestor's row of everyTypeTexts. */
export const fullRow = (arrays: ArrayNulls) => parseRow(codec, everyTypeTexts(arrays));
/** The ingestor's row (1, 1) with every other value null. */
export const nullRow = () =>
  parseRow(codec, {
    ...Object.fromEntries(Object.keys(everyTypeTexts({ nullElements: false })).map((name) => [name, null])),
    id: '1',
    line: '1',
  });
/** A delete's `before` under REPLICA IDENTITY DEFAULT: the key's values, every other field null. */
export const keyOnlyRow = () => ({ ...nullRow(), ...KEY });

/** A format's schemas as the registry stores them (key id 1, value id 2) and its encoder. */
export function written(format: EventFormat) {
  const { key, value } = format.schemas(codec);
  const stored = (text: { schema: string; schemaType: StoredSchema['schemaType'] }): StoredSchema => ({
    schema: text.schema,
    schemaType: text.schemaType,
    references: [],
  });
  return {
    key: stored(key!),
    value: stored(value),
    encoder: format.encoder(codec, { key: 1, value: 2 }),
  };
}

/** The key and value readers `reader` makes of what `format` wrote, and the encoder that wrote it. */
export async function readers(format: EventFormat, reader: RecordFormat) {
  const { key, value, encoder } = written(format);
  return {
    encoder,
    value: await reader.valueReader(2, value),
    key: await reader.keyReader(1, key),
  };
}

/** A registry for readers that never look a schema up. */
export const NO_REGISTRY = {} as SchemaRegistryClient;

/**
 * Expects `reader` to read what `format` writes as Avro reads it (a create, an update of nulls, a delete,
 * a truncate, and the key); gives the value columns of both for the caller to compare.
 */
export async function expectSameAsAvro(format: EventFormat, reader: RecordFormat, arrays: ArrayNulls) {
  const own = await readers(format, reader);
  const avro = await readers(avroFormat, new AvroRecordFormat(NO_REGISTRY));
  const events = [
    envelope('c', null, fullRow(arrays)),
    envelope('u', nullRow(), nullRow()),
    envelope('d', keyOnlyRow(), null),
    envelope('t', null, null),
  ];
  for (const event of events) {
    const fromOwn = own.value.read(own.encoder.encodeValue(event));
    expect(fromOwn).toEqual(avro.value.read(avro.encoder.encodeValue(event)));
  }
  expect(own.value.read(own.encoder.encodeValue(events[0]!)).after).toEqual(everyTypeRow(arrays));
  expect(own.key.read(own.encoder.encodeKey(KEY)!)).toEqual(avro.key.read(avro.encoder.encodeKey(KEY)!));
  return { columns: own.value.columns, avroColumns: avro.value.columns };
}

/** Expects the change decoder, given only a registry, to read what `format` writes. */
export async function expectChangeDecoderReads(format: EventFormat, arrays: ArrayNulls) {
  const { key, value, encoder } = written(format);
  const schemas = new Map([
    [1, key],
    [2, value],
  ]);
  const registry = {
    getSchemaById: async (id: number) => schemas.get(id)!,
  } as unknown as SchemaRegistryClient;
  const decoded = await new ChangeDecoder(registry).decode({
    topic: TOPIC,
    partition: 0,
    offset: 7n,
    key: encoder.encodeKey(KEY),
    value: encoder.encodeValue(envelope('r', null, fullRow(arrays))),
  });
  expect(decoded.table).toMatchObject({ name: 'shop.every-type', key: ['id', 'line'], schemaId: 2 });
  expect(decoded.change).toMatchObject({ op: 'r', after: everyTypeRow(arrays), key: KEY });
}
