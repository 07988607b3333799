import { SerializationError } from '@trunkline/serde';
import * as protobuf from 'protobufjs';
import type { ChangeEnvelope } from '../events/change-event';
import { protobufFormat } from './protobuf-format';
import {
  orderLinesCodec,
  SAMPLE_SOURCE,
  sampleDelete,
  sampleKey,
  sampleRow,
  sampleUpdate,
  schemasAndEncoder,
} from './sample-events';

const TOPIC = 'trunkline.shop.order-lines';

/** Reads a value in the Confluent wire format by hand: id, message indexes (all < 64 here), payload. */
function unframed(value: Buffer): { schemaId: number; indexes: number[]; payload: Buffer } {
  expect(value[0]).toBe(0);
  const schemaId = value.readUInt32BE(1);
  const count = value[5]! >> 1; // one-byte zig-zag varints
  if (count === 0) return { schemaId, indexes: [0], payload: value.subarray(6) };
  const indexes = [...value.subarray(6, 6 + count)].map((byte) => byte >> 1);
  return { schemaId, indexes, payload: value.subarray(6 + count) };
}

/** The registered .proto text parsed by protobufjs itself, names kept as written. */
function parsed(schema: string): protobuf.Root {
  return protobuf.parse(schema, { keepCase: true }).root;
}

const LONGS_AS_STRINGS: protobuf.IConversionOptions = { longs: String };

describe('protobuf format', () => {
  const codec = orderLinesCodec();

  function encoder() {
    return schemasAndEncoder(protobufFormat, codec, TOPIC);
  }

  it('registers the Key file and a file with Envelope first, the Value row and Source', async () => {
    const { encoder: tableEncoder, registered } = encoder();
    expect(registered.map(({ subject, schemaType }) => [subject, schemaType])).toEqual([
      [`${TOPIC}-key`, 'PROTOBUF'],
      [`${TOPIC}-value`, 'PROTOBUF'],
    ]);
    expect(tableEncoder.keySchemaId).toBe(1);
    expect(tableEncoder.valueSchemaId).toBe(2);
    expect(registered[0]!.schema).toContain('message Key {\n  int64 order_id = 1;');
    expect(registered[1]!.schema).toBe(
      [
        'syntax = "proto3";',
        '',
        'package trunkline.shop.order_lines;',
        '',
        'message Envelope {',
        '  Value before = 1;',
        '  Value after = 2;',
        '  Source source = 3;',
        '  string op = 4;',
        '  int64 ts_ms = 5;',
        '}',
        '',
        'message Value {',
        '  int64 order_id = 1; // "order_id" int8',
        '  int32 line = 2; // "line" int4',
        '  optional bytes price = 4; // "price" numeric(10,2)',
        '  repeated string tags = 5; // "tags" text[]',
        '  optional int64 shipped_at = 6; // "shipped at" timestamptz',
        '  optional string note = 7; // "note" text',
        '  optional bytes payload = 8; // "payload" bytea',
        '  optional double ratio = 9; // "ratio" float8',
        '}',
        '',
        'message Source {',
        '  string version = 1;',
        '  string connector = 2;',
        '  string name = 3;',
        '  int64 ts_ms = 4;',
        '  optional string snapshot = 5;',
        '  string db = 6;',
        '  optional string sequence = 7;',
        '  string schema = 8;',
        '  string table = 9;',
        '  optional int64 txId = 10;',
        '  optional int64 lsn = 11;',
        '  optional int64 xmin = 12;',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('writes the key as the Key message, index [0]', async () => {
    const { encoder: tableEncoder, registered } = encoder();
    const { schemaId, indexes, payload } = unframed(tableEncoder.encodeKey(sampleKey(codec))!);
    expect([schemaId, indexes]).toEqual([1, [0]]);
    const key = parsed(registered[0]!.schema).lookupType('trunkline.shop.order_lines.Key');
    expect(key.toObject(key.decode(payload), LONGS_AS_STRINGS)).toEqual({
      order_id: '9007199254740993',
      line: 2,
    });
    expect(tableEncoder.encodeKey(null)).toBeNull();
  });

  it('writes an update as the Envelope, int64s exact and bytes as bytes', async () => {
    const { encoder: tableEncoder, registered } = encoder();
    const { schemaId, indexes, payload } = unframed(tableEncoder.encodeValue(sampleUpdate(codec)));
    expect([schemaId, indexes]).toEqual([2, [0]]);
    const envelope = parsed(registered[1]!.schema).lookupType('trunkline.shop.order_lines.Envelope');
    const row = sampleRow(codec);
    expect(envelope.toObject(envelope.decode(payload), LONGS_AS_STRINGS)).toEqual({
      after: {
        order_id: '9007199254740993',
        line: 2,
        price: row.price,
        tags: ['a', 'b c'],
        shipped_at: '1717236000000001',
        note: 'ünïcode "quoted"',
        payload: Buffer.from([0x00, 0xff, 0x5c, 0x22]),
        ratio: 0.5,
      },
      source: {
        version: '0.1.0',
        connector: 'postgresql',
        name: 'trunkline',
        ts_ms: '1717243200000',
        snapshot: 'false',
        db: 'shop',
        sequence: '["4294967296","4294967400"]',
        schema: 'shop',
        table: 'order-lines',
        txId: '771',
        lsn: '4294967400',
      },
      op: 'u',
      ts_ms: '1717243200123',
    });
  });

  it('writes a delete whose before has only the key values (the other fields unset)', async () => {
    const { encoder: tableEncoder, registered } = encoder();
    const { payload } = unframed(tableEncoder.encodeValue(sampleDelete(codec)));
    const envelope = parsed(registered[1]!.schema).lookupType('trunkline.shop.order_lines.Envelope');
    const decoded = envelope.toObject(envelope.decode(payload), LONGS_AS_STRINGS);
    expect(decoded.before).toEqual({ order_id: '9007199254740993', line: 2 });
    expect(decoded.after).toBeUndefined();
    expect(decoded.op).toBe('d');
    // The unset optional fields have no presence: a reader tells them from zero values.
    const message = envelope.decode(payload) as unknown as { before: Record<string, unknown> };
    expect(Object.hasOwn(message.before, 'ratio')).toBe(false);
  });

  it('keeps the ends of the int64 range', async () => {
    const { encoder: tableEncoder, registered } = encoder();
    const after = { ...sampleRow(codec), order_id: -(2n ** 63n), shipped_at: 2n ** 63n - 1n };
    const envelope: ChangeEnvelope = {
      ...sampleUpdate(codec),
      after,
      source: { ...SAMPLE_SOURCE, xmin: 0n },
    };
    const { payload } = unframed(tableEncoder.encodeValue(envelope));
    const type = parsed(registered[1]!.schema).lookupType('trunkline.shop.order_lines.Envelope');
    const decoded = type.toObject(type.decode(payload), LONGS_AS_STRINGS);
    expect(decoded.after).toMatchObject({
      order_id: '-9223372036854775808',
      shipped_at: '9223372036854775807',
    });
    // An optional field set to zero is present.
    expect(decoded.source.xmin).toBe('0');
  });

  it('refuses what Protobuf cannot hold: a null array element, a long past 64 bits', async () => {
    const { encoder: tableEncoder } = encoder();
    const withNull = { ...sampleUpdate(codec), after: { ...sampleRow(codec), tags: ['a', null] } };
    expect(() => tableEncoder.encodeValue(withNull)).toThrow(SerializationError);
    expect(() => tableEncoder.encodeValue(withNull)).toThrow(/Value\.tags\[1\] is null/);
    const tooLong = { ...sampleUpdate(codec), after: { ...sampleRow(codec), order_id: 2n ** 63n } };
    expect(() => tableEncoder.encodeValue(tooLong)).toThrow(/order_id: 9223372036854775808 is not a 64-bit/);
    const wrongType = { ...sampleUpdate(codec), after: { ...sampleRow(codec), line: 'two' } };
    expect(() => tableEncoder.encodeValue(wrongType)).toThrow(/line: integer expected/);
  });
});
