import {
  avroFormat,
  type ChangeEnvelope,
  type ColumnDescription,
  type EventFormat,
  parseRow,
  protobufFormat,
  type SourceInfo,
  type TableCodec,
  type TableDescription,
  tableCodec,
} from '@trunkline/cdc-ingestor';
import {
  frameProtobuf,
  parseProtobufSchema,
  type SchemaRegistryClient,
  type StoredSchema,
} from '@trunkline/serde';
import type { SinkColumn } from '../sink-change';
import { AvroRecordFormat } from './avro-format';
import { ChangeDecoder } from './change-decoder';
import { commentPgType, fieldComments, ProtobufRecordFormat } from './protobuf-format';
import type { RecordFormat } from './record-reader';

// The ingestor's own schemas and encoders write every event here: what is read is what it writes.

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
const EVERY_TYPE: TableDescription = {
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

const TEXTS: Record<string, string | null> = {
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
  // Protobuf's repeated fields cannot hold null elements (the ingestor refuses them)
  tags: '{a,"b c"}',
  prices: '{1.5,-0.01}',
  days: '{1970-01-01,2024-02-29}',
  scores: '{0.5,-1.25}',
  embedding: '[1,2.5,-3]',
};

const DAY = Date.UTC(2024, 1, 29) / 86_400_000;
const NOON_MICROS = BigInt(Date.UTC(2024, 5, 1, 12)) * 1000n + 1n;

/** The row the sinks get: every value in the form record-reader.ts gives. */
const EXPECTED_ROW = {
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
  tags: ['a', 'b c'],
  prices: ['1.50', '-0.01'],
  days: [0, DAY],
  scores: [0.5, -1.25],
  embedding: [1, 2.5, -3],
};

const SOURCE: SourceInfo = {
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

const codec: TableCodec = tableCodec(EVERY_TYPE, 'trunkline');
const TOPIC = 'trunkline.shop.every-type';

function envelope(op: ChangeEnvelope['op'], before: unknown, after: unknown): ChangeEnvelope {
  return {
    before: before as ChangeEnvelope['before'],
    after: after as ChangeEnvelope['after'],
    source: SOURCE,
    op,
    ts_ms: 1_717_243_200_123n,
  };
}

const fullRow = () => parseRow(codec, TEXTS);
const nullRow = () =>
  parseRow(codec, {
    ...Object.fromEntries(Object.keys(TEXTS).map((name) => [name, null])),
    id: '1',
    line: '1',
  });
/** A delete's `before` under REPLICA IDENTITY DEFAULT: the key's values, every other field null. */
const keyOnlyRow = () => ({ ...nullRow(), id: 2n ** 63n - 1n, line: 2 });

/** A format's schemas as the registry stores them (key id 1, value id 2) and its encoder. */
function written(format: EventFormat) {
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

async function readers(format: EventFormat, reader: RecordFormat) {
  const { key, value, encoder } = written(format);
  return {
    encoder,
    value: await reader.valueReader(2, value),
    key: await reader.keyReader(1, key),
  };
}

const NO_REGISTRY = {} as SchemaRegistryClient;

const format = () => new ProtobufRecordFormat(NO_REGISTRY);

describe('fieldComments', () => {
  it('reads the trailing comment of each field by message and field name', () => {
    const comments = fieldComments(
      [
        'syntax = "proto3";',
        'package a.b;',
        'message Value {',
        '  optional int32 day = 3; // "day" date',
        '  repeated bytes prices = 4 [packed = false]; // "the \\"prices\\"" numeric(10,2)[]',
        '  int64 plain = 5;',
        '  message Inner {',
        '    int64 at = 1; // "at" timestamp',
        '  }',
        '  string after_inner = 6; // "after inner" jsonb',
        '}',
      ].join('\n'),
    );
    expect([...comments]).toEqual([
      ['Value.day', '"day" date'],
      ['Value.prices', '"the \\"prices\\"" numeric(10,2)[]'],
      ['Value.Inner.at', '"at" timestamp'],
      ['Value.after_inner', '"after inner" jsonb'],
    ]);
    expect(commentPgType(comments.get('Value.prices'))).toBe('numeric(10,2)[]');
    expect(commentPgType('timestamptz')).toBe('timestamptz');
    expect(commentPgType(undefined)).toBeUndefined();
  });
});

describe('ProtobufRecordFormat', () => {
  it('reads the columns of every type from the ingestor schema, Postgres types from its comments', async () => {
    const { value } = await readers(protobufFormat, format());
    expect(value.columns).toEqual<SinkColumn[]>([
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
    ]);
  });

  it('reads a change with every value in the sinks form, int64s exact', async () => {
    const { value, encoder } = await readers(protobufFormat, format());
    const decoded = value.read(encoder.encodeValue(envelope('c', null, fullRow())));
    expect(decoded).toEqual({
      before: null,
      after: EXPECTED_ROW,
      op: 'c',
      schema: 'shop',
      table: 'every-type',
      lsn: 2n ** 63n - 2n,
      commitTimeMs: 1_717_243_200_000,
    });
    expect(Buffer.isBuffer(decoded.after?.blob)).toBe(true);
  });

  it('reads unset optional fields and empty repeated ones as null', async () => {
    const { value, encoder } = await readers(protobufFormat, format());
    const nulls = value.read(encoder.encodeValue(envelope('u', nullRow(), nullRow())));
    expect(nulls.after).toEqual(nulls.before);
    expect(nulls.after).toEqual({
      ...Object.fromEntries(Object.keys(EXPECTED_ROW).map((name) => [name, null])),
      id: 1n,
      line: 1,
    });
  });

  it('reads a truncate (no before, no after) and a source without an LSN', async () => {
    const { value, encoder } = await readers(protobufFormat, format());
    const truncate = { ...envelope('t', null, null), source: { ...SOURCE, lsn: null } };
    expect(value.read(encoder.encodeValue(truncate))).toEqual({
      before: null,
      after: null,
      op: 't',
      schema: 'shop',
      table: 'every-type',
      lsn: null,
      commitTimeMs: 1_717_243_200_000,
    });
  });

  it('reads the key', async () => {
    const { key, encoder } = await readers(protobufFormat, format());
    expect(key.fields).toEqual(['id', 'line']);
    expect(key.read(encoder.encodeKey({ id: 2n ** 63n - 1n, line: 2 })!)).toEqual({
      id: 2n ** 63n - 1n,
      line: 2,
    });
    // proto3 leaves zero values out: they read back as zero, not null
    expect(key.read(encoder.encodeKey({ id: 0n, line: 0 })!)).toEqual({ id: 0n, line: 0 });
  });

  it('rejects a value written as another message than the envelope', async () => {
    const { value } = await readers(protobufFormat, format());
    expect(() => value.read(frameProtobuf(2, [1], Buffer.alloc(0)))).toThrow(/Value, where .*Envelope/);
  });

  it('reads the same rows from Protobuf as from Avro', async () => {
    const protobuf = await readers(protobufFormat, format());
    const avro = await readers(avroFormat, new AvroRecordFormat(NO_REGISTRY));
    const events = [
      envelope('c', null, fullRow()),
      envelope('u', nullRow(), nullRow()),
      envelope('d', keyOnlyRow(), null),
      envelope('t', null, null),
    ];
    for (const event of events) {
      const fromProtobuf = protobuf.value.read(protobuf.encoder.encodeValue(event));
      expect(fromProtobuf).toEqual(avro.value.read(avro.encoder.encodeValue(event)));
    }
    expect(protobuf.value.read(protobuf.encoder.encodeValue(events[0]!)).after).toEqual(EXPECTED_ROW);
    const key = { id: 2n ** 63n - 1n, line: 2 };
    expect(protobuf.key.read(protobuf.encoder.encodeKey(key)!)).toEqual(
      avro.key.read(avro.encoder.encodeKey(key)!),
    );
    expect(protobuf.value.columns).toEqual(avro.value.columns);
  });

  it('is the Protobuf reader the change decoder takes by default', async () => {
    const { key, value, encoder } = written(protobufFormat);
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
      key: encoder.encodeKey({ id: 2n ** 63n - 1n, line: 2 }),
      value: encoder.encodeValue(envelope('r', null, fullRow())),
    });
    expect(decoded.table).toMatchObject({ name: 'shop.every-type', key: ['id', 'line'], schemaId: 2 });
    expect(decoded.change).toMatchObject({
      op: 'r',
      after: EXPECTED_ROW,
      key: { id: 2n ** 63n - 1n, line: 2 },
    });
  });
});

describe('ProtobufRecordFormat with schemas written by hand', () => {
  const SCHEMA = `syntax = "proto3";
package hand.made;

message Envelope {
  Row before = 1;
  Row after = 2;
  Src source = 3;
  string op = 4;
}

message Row {
  sint64 n = 1;
  optional uint32 u = 2;
  optional bytes raw = 3;
  repeated float floats = 4;
  optional string day = 5; // "day" date
  optional int32 at = 6; // "at" timestamp
  Color color = 7;
  Nested nested = 8;
  optional bytes amount = 9; // "amount" numeric(20,4)
}

enum Color {
  RED = 0;
  GREEN = 1;
}

message Nested {
  string k = 1;
}

message Src {
  string schema = 1;
  string table = 2;
  int64 ts_ms = 3;
  optional int64 lsn = 4;
}
`;

  it('falls back to the proto types without a comment, or with one they contradict', async () => {
    const reader = await format().valueReader(5, { schema: SCHEMA, schemaType: 'PROTOBUF', references: [] });
    expect(reader.columns).toEqual([
      { name: 'n', type: 'integer', nullable: false },
      { name: 'u', type: 'integer', nullable: true },
      { name: 'raw', type: 'bytes', nullable: true },
      { name: 'floats', type: 'array', items: 'float', nullable: true },
      { name: 'day', type: 'string', nullable: true },
      { name: 'at', type: 'integer', nullable: true },
      { name: 'color', type: 'string', nullable: false },
      { name: 'nested', type: 'json', nullable: true },
      { name: 'amount', type: 'decimal', nullable: true },
    ]);
  });

  it('reads their values', async () => {
    const parsed = parseProtobufSchema(SCHEMA, [], { keepCase: true });
    const envelopeType = parsed.messages[0]!;
    const message = envelopeType.fromObject({
      after: {
        n: '-9223372036854775808',
        raw: Buffer.from([1, 2]),
        floats: [0.25],
        day: 'x',
        color: 'GREEN',
        nested: { k: 'v' },
        amount: Buffer.from([0xff, 0xfe]),
      },
      source: { schema: 's', table: 't', ts_ms: 5, lsn: '18446744073709551615' },
      op: 'c',
    });
    const framed = frameProtobuf(5, [0], Buffer.from(envelopeType.encode(message).finish()));
    const reader = await format().valueReader(5, { schema: SCHEMA, schemaType: 'PROTOBUF', references: [] });
    const decoded = reader.read(framed);
    expect(decoded.after).toEqual({
      n: -(2n ** 63n),
      u: null,
      raw: Buffer.from([1, 2]),
      floats: [0.25],
      day: 'x',
      at: null,
      color: 'GREEN',
      nested: { k: 'v' },
      amount: '-0.0002',
    });
    expect(decoded.before).toBeNull();
    // an int64 written as 2^64 - 1 reads as -1: the field is signed
    expect(decoded.lsn).toBe(-1n);
  });
});
