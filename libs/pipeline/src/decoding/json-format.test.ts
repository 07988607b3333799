import {
  avroFormat,
  type ChangeEnvelope,
  type ColumnDescription,
  type EventFormat,
  jsonFormat,
  parseRow,
  type SourceInfo,
  type TableCodec,
  type TableDescription,
  tableCodec,
} from '@trunkline/cdc-ingestor';
import { frame, type SchemaRegistryClient, type StoredSchema } from '@trunkline/serde';
import type { SinkColumn } from '../sink-change';
import { AvroRecordFormat } from './avro-format';
import { ChangeDecoder } from './change-decoder';
import { JsonRecordFormat, parseExactJson } from './json-format';
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
  tags: '{a,NULL,"b c"}',
  prices: '{1.5,NULL,-0.01}',
  days: '{1970-01-01,2024-02-29}',
  scores: '{0.5,NULL,-1.25}',
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
  tags: ['a', null, 'b c'],
  prices: ['1.50', null, '-0.01'],
  days: [0, DAY],
  scores: [0.5, null, -1.25],
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

describe('parseExactJson', () => {
  const parse = (text: string) => parseExactJson(Buffer.from(text, 'utf8'));

  it('keeps integers past 2^53 exact as bigints, and the others as numbers', () => {
    expect(
      parse('{"a": 9223372036854775807, "b": -9223372036854775808, "c": 9007199254740991, "d": 1.5}'),
    ).toEqual({ a: 2n ** 63n - 1n, b: -(2n ** 63n), c: 9007199254740991, d: 1.5 });
    expect(parse('[9007199254740993, 12345678901234567890.5, 1e300, -0, "9007199254740993"]')).toEqual([
      9007199254740993n,
      Number('12345678901234567890.5'),
      1e300,
      -0,
      '9007199254740993',
    ]);
  });

  it('reads what JSON.parse reads the same when a big integer takes it off the fast path', () => {
    const text =
      '{"s": "a\\"b\\\\c\\u00e9\\n", "t": true, "f": false, "n": null, "e": {}, "l": [], "x": [1, {"y": -2.5e-3}], "big": 18446744073709551615}';
    const { big, ...rest } = parse(text) as Record<string, unknown>;
    expect(big).toBe(2n ** 64n - 1n);
    const { big: _big, ...expected } = JSON.parse(text) as Record<string, unknown>;
    expect(rest).toEqual(expected);
  });

  it('keeps __proto__ an own property, as JSON.parse does', () => {
    const value = parse('{"__proto__": {"x": 1}, "n": 9007199254740993}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.hasOwn(value, '__proto__')).toBe(true);
  });

  it.each([
    '{"a": 9007199254740993',
    '{"a" 9007199254740993}',
    '[9007199254740993,]',
    '9007199254740993 x',
    '["9007199254740993]',
    '[01, 9007199254740993]',
    '["raw \u0001 control", 9007199254740993]',
  ])('rejects %s', (text) => {
    expect(() => parse(text)).toThrow(/not JSON/);
  });
});

describe('JsonRecordFormat', () => {
  it('reads the columns of every type from the ingestor schema', async () => {
    const { value } = await readers(jsonFormat, new JsonRecordFormat());
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
      // the ingestor's JSON Schema of timestamptz is a bare int64: nothing tells it from an int8
      { name: 'shipped_at', type: 'integer', nullable: true },
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
    const { value, encoder } = await readers(jsonFormat, new JsonRecordFormat());
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

  it('reads nulls as null, and fields a row leaves out as null', async () => {
    const { value, encoder } = await readers(jsonFormat, new JsonRecordFormat());
    const nulls = value.read(encoder.encodeValue(envelope('u', nullRow(), nullRow())));
    expect(nulls.after).toEqual(nulls.before);
    expect(nulls.after).toEqual({
      ...Object.fromEntries(Object.keys(EXPECTED_ROW).map((name) => [name, null])),
      id: 1n,
      line: 1,
    });
    const payload = Buffer.from(
      JSON.stringify({
        before: { id: 5, line: 1 },
        after: null,
        op: 'd',
        source: { schema: 'shop', table: 'every-type', ts_ms: 1, lsn: 7 },
      }),
    );
    const sparse = value.read(frame(2, payload));
    expect(sparse.before).toEqual({ ...nulls.after, id: 5n, line: 1 });
    expect(sparse.lsn).toBe(7n);
  });

  it('reads a truncate: no before, no after', async () => {
    const { value, encoder } = await readers(jsonFormat, new JsonRecordFormat());
    expect(value.read(encoder.encodeValue(envelope('t', null, null)))).toEqual({
      before: null,
      after: null,
      op: 't',
      schema: 'shop',
      table: 'every-type',
      lsn: 2n ** 63n - 2n,
      commitTimeMs: 1_717_243_200_000,
    });
  });

  it('reads the key', async () => {
    const { key, encoder } = await readers(jsonFormat, new JsonRecordFormat());
    expect(key.fields).toEqual(['id', 'line']);
    expect(key.read(encoder.encodeKey({ id: 2n ** 63n - 1n, line: 2 })!)).toEqual({
      id: 2n ** 63n - 1n,
      line: 2,
    });
  });

  it('rejects an op outside c, u, d, r, t', async () => {
    const { value } = await readers(jsonFormat, new JsonRecordFormat());
    const payload = Buffer.from(
      JSON.stringify({ before: null, after: null, op: 'x', source: SOURCE }, (_, v) =>
        typeof v === 'bigint' ? Number(v) : v,
      ),
    );
    expect(() => value.read(frame(2, payload))).toThrow(/op "x"/);
  });

  it('reads the same rows from JSON as from Avro', async () => {
    const json = await readers(jsonFormat, new JsonRecordFormat());
    const avro = await readers(avroFormat, new AvroRecordFormat(NO_REGISTRY));
    const events = [
      envelope('c', null, fullRow()),
      envelope('u', nullRow(), nullRow()),
      envelope('d', keyOnlyRow(), null),
      envelope('t', null, null),
    ];
    for (const event of events) {
      const fromJson = json.value.read(json.encoder.encodeValue(event));
      expect(fromJson).toEqual(avro.value.read(avro.encoder.encodeValue(event)));
    }
    expect(json.value.read(json.encoder.encodeValue(events[0]!)).after).toEqual(EXPECTED_ROW);
    const key = { id: 2n ** 63n - 1n, line: 2 };
    expect(json.key.read(json.encoder.encodeKey(key)!)).toEqual(avro.key.read(avro.encoder.encodeKey(key)!));
    // the columns agree but for timestamptz, whose JSON Schema does not say it is a timestamp
    const avroColumns = avro.value.columns.map((c) =>
      c.name === 'shipped_at' ? { ...c, type: 'integer' } : c,
    );
    expect(json.value.columns).toEqual(avroColumns);
  });

  it('is the JSON reader the change decoder takes by default', async () => {
    const { key, value, encoder } = written(jsonFormat);
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

describe('JsonRecordFormat with schemas written by hand', () => {
  it('reads Connect millisecond times, type arrays, and a row schema inline', async () => {
    const schema = {
      type: 'object',
      properties: {
        before: { type: 'null' },
        after: {
          oneOf: [
            { type: 'null' },
            {
              type: 'object',
              properties: {
                at: { type: 'integer', title: 'org.apache.kafka.connect.data.Timestamp' },
                t: { type: ['integer', 'null'], title: 'io.debezium.time.Time' },
                n: { type: 'integer' },
                o: { type: 'object' },
              },
              required: ['at', 'n'],
            },
          ],
        },
      },
    };
    const reader = await new JsonRecordFormat().valueReader(3, {
      schema: JSON.stringify(schema),
      schemaType: 'JSON',
      references: [],
    });
    expect(reader.columns).toEqual([
      { name: 'at', type: 'timestamp', nullable: false },
      { name: 't', type: 'time', nullable: true },
      { name: 'n', type: 'integer', nullable: false },
      { name: 'o', type: 'json', nullable: true },
    ]);
    const payload =
      '{"after": {"at": 1717243200000, "t": 1500, "n": 3, "o": {"k": 1}}, "op": "c", "source": {"schema": "s", "table": "t", "ts_ms": 5}}';
    expect(reader.read(frame(3, Buffer.from(payload)))).toEqual({
      before: null,
      after: { at: 1_717_243_200_000_000n, t: 1_500_000n, n: 3, o: { k: 1 } },
      op: 'c',
      schema: 's',
      table: 't',
      lsn: null,
      commitTimeMs: 5,
    });
  });

  it('rejects a schema that is no envelope', async () => {
    await expect(
      new JsonRecordFormat().valueReader(4, {
        schema: '{"type": "string"}',
        schemaType: 'JSON',
        references: [],
      }),
    ).rejects.toThrow(/not a change event envelope/);
  });
});
