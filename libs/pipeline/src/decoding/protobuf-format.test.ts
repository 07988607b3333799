import { protobufFormat } from '@trunkline/cdc-ingestor';
import { frameProtobuf, parseProtobufSchema } from '@trunkline/serde';
import type { SinkColumn } from '../sink-change';
import {
  decodedEnvelope,
  EVERY_TYPE_COLUMNS,
  envelope,
  everyTypeRow,
  expectChangeDecoderReads,
  expectSameAsAvro,
  fullRow,
  KEY,
  NO_REGISTRY,
  NULL_ROW_READ,
  nullRow,
  readers,
  SOURCE,
} from './every-type.fixture';
import { commentPgType, fieldComments, ProtobufRecordFormat } from './protobuf-format';

// The ingestor's own schemas and encoders write every event here: what is read is what it writes.

/** Protobuf's repeated fields cannot hold null elements (the ingestor refuses them). */
const ARRAYS = { nullElements: false };

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
    expect(value.columns).toEqual<SinkColumn[]>(EVERY_TYPE_COLUMNS);
  });

  it('reads a change with every value in the sinks form, int64s exact', async () => {
    const { value, encoder } = await readers(protobufFormat, format());
    const decoded = value.read(encoder.encodeValue(envelope('c', null, fullRow(ARRAYS))));
    expect(decoded).toEqual(decodedEnvelope('c', null, everyTypeRow(ARRAYS)));
    expect(Buffer.isBuffer(decoded.after?.blob)).toBe(true);
  });

  it('reads unset optional fields and empty repeated ones as null', async () => {
    const { value, encoder } = await readers(protobufFormat, format());
    const nulls = value.read(encoder.encodeValue(envelope('u', nullRow(), nullRow())));
    expect(nulls.after).toEqual(nulls.before);
    expect(nulls.after).toEqual(NULL_ROW_READ);
  });

  it('reads a truncate (no before, no after) and a source without an LSN', async () => {
    const { value, encoder } = await readers(protobufFormat, format());
    const truncate = { ...envelope('t', null, null), source: { ...SOURCE, lsn: null } };
    expect(value.read(encoder.encodeValue(truncate))).toEqual({
      ...decodedEnvelope('t', null, null),
      lsn: null,
    });
  });

  it('reads the key', async () => {
    const { key, encoder } = await readers(protobufFormat, format());
    expect(key.fields).toEqual(['id', 'line']);
    expect(key.read(encoder.encodeKey(KEY)!)).toEqual(KEY);
    // proto3 leaves zero values out: they read back as zero, not null
    expect(key.read(encoder.encodeKey({ id: 0n, line: 0 })!)).toEqual({ id: 0n, line: 0 });
  });

  it('rejects a value written as another message than the envelope', async () => {
    const { value } = await readers(protobufFormat, format());
    expect(() => value.read(frameProtobuf(2, [1], Buffer.alloc(0)))).toThrow(/Value, where .*Envelope/);
  });

  it('reads the same rows from Protobuf as from Avro', async () => {
    const { columns, avroColumns } = await expectSameAsAvro(protobufFormat, format(), ARRAYS);
    expect(columns).toEqual(avroColumns);
  });

  it('is the Protobuf reader the change decoder takes by default', () =>
    expectChangeDecoderReads(protobufFormat, ARRAYS));
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
