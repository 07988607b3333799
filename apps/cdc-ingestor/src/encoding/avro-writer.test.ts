import { frame } from '@trunkline/serde';
import * as avro from 'avsc';
import { avroRowSchema, avroTypeOptions, tableCodec, VECTOR } from '../columns';
import { type ChangeEnvelope, envelopeAvroSchema } from '../events/change-event';
import { withTransactionBlock } from '../events/transaction-metadata';
import { avroFormat } from './avro-format';
import { AvroValueError, compileAvroWriter } from './avro-writer';
import { optionalExceptKey } from './optional-row';
import { orderLinesCodec, SAMPLE_SOURCE, sampleDelete, sampleKey, sampleUpdate } from './sample-events';

const PREFIX = frame(42, Buffer.alloc(0));

function bothWays(schema: unknown, value: unknown): { ours: Buffer; avsc: Buffer } {
  const writer = compileAvroWriter(schema, PREFIX);
  if (writer === undefined) throw new Error('not compiled');
  const type = avro.Type.forSchema(schema as avro.Schema, avroTypeOptions());
  return { ours: writer(value), avsc: frame(42, type.toBuffer(value)) };
}

function envelopeSchema(codec = orderLinesCodec()): unknown {
  return envelopeAvroSchema(codec.namespace, avroRowSchema(optionalExceptKey(codec), 'value') as object);
}

describe('compileAvroWriter', () => {
  it('writes change events byte for byte as avsc does', () => {
    const codec = orderLinesCodec();
    const events: ChangeEnvelope[] = [
      sampleUpdate(codec),
      sampleDelete(codec),
      {
        ...sampleUpdate(codec),
        op: 'r',
        source: { ...SAMPLE_SOURCE, snapshot: 'last', txId: null, lsn: null },
      },
      { ...sampleUpdate(codec), source: { ...SAMPLE_SOURCE, sequence: null, ts_ms: -(2n ** 63n) } },
    ];
    for (const event of events) {
      const { ours, avsc } = bothWays(envelopeSchema(codec), event);
      expect(ours.toString('hex')).toBe(avsc.toString('hex'));
    }
  });

  it('writes keys as avsc does', () => {
    const codec = orderLinesCodec();
    const { ours, avsc } = bothWays(avroRowSchema(codec, 'key'), sampleKey(codec));
    expect(ours.equals(avsc)).toBe(true);
  });

  it('matches avsc on the edges of each type', () => {
    const longs = [
      0n,
      -1n,
      1n,
      63n,
      -64n,
      64n,
      2n ** 52n - 1n,
      2n ** 52n,
      -(2n ** 52n),
      2n ** 63n - 1n,
      -(2n ** 63n),
    ];
    for (const value of longs) {
      const { ours, avsc } = bothWays('long', value);
      expect([value, ours.toString('hex')]).toEqual([value, avsc.toString('hex')]);
    }
    for (const value of [0, -1, 1, 63, -64, 2 ** 31 - 1, -(2 ** 31)]) {
      const { ours, avsc } = bothWays('int', value);
      expect(ours.equals(avsc)).toBe(true);
    }
    const strings = [
      '',
      'a',
      'ünïcode',
      '\u{1f600}',
      'x'.repeat(21),
      'y'.repeat(22),
      'é'.repeat(64),
      'z'.repeat(300),
    ];
    for (const value of strings) {
      const { ours, avsc } = bothWays('string', value);
      expect([value, ours.toString('hex')]).toEqual([value, avsc.toString('hex')]);
    }
    for (const [schema, value] of [
      ['float', 1.5],
      ['double', -1e-300],
      ['double', Number.NaN],
      ['boolean', true],
      ['bytes', Buffer.from('00ff5c22', 'hex')],
      ['bytes', Buffer.alloc(200, 7)],
      [VECTOR.avro, [1, 2.5, -3]],
      [VECTOR.avro, []],
      [{ type: 'array', items: ['null', 'string'] }, ['a', null, 'b']],
    ] as const) {
      const { ours, avsc } = bothWays(schema, value);
      expect(ours.equals(avsc)).toBe(true);
    }
  });

  it('writes defaults for absent fields, as avsc does', () => {
    const schema = {
      type: 'record',
      name: 'R',
      fields: [
        { name: 'a', type: ['null', 'long'], default: null },
        { name: 'b', type: [{ type: 'string' }, 'null'], default: 'false' },
        { name: 'c', type: 'int', default: 7 },
      ],
    };
    const { ours, avsc } = bothWays(schema, {});
    expect(ours.equals(avsc)).toBe(true);
  });

  it('refuses values the schema cannot hold, as avsc does', () => {
    const writer = compileAvroWriter(envelopeSchema(), PREFIX)!;
    const codec = orderLinesCodec();
    const event = sampleUpdate(codec);
    const badLong = { ...event, after: { ...event.after, order_id: 5 } };
    const tooBig = { ...event, after: { ...event.after, order_id: 2n ** 63n } };
    const badInt = { ...event, after: { ...event.after, line: 1.5 } };
    const missing = { ...event, op: undefined };
    for (const value of [badLong, tooBig, badInt, missing]) {
      expect(() => writer(value)).toThrow(AvroValueError);
      const type = avro.Type.forSchema(envelopeSchema() as avro.Schema, avroTypeOptions());
      expect(() => type.toBuffer(value)).toThrow();
    }
  });

  it('keeps every value it returned intact while writing the next ones (large ones too)', () => {
    const schema = { type: 'record', name: 'R', fields: [{ name: 's', type: 'string' }] };
    const writer = compileAvroWriter(schema, PREFIX)!;
    const type = avro.Type.forSchema(schema as avro.Schema);
    const texts = Array.from({ length: 3000 }, (_, i) => (i % 500 === 7 ? 'x'.repeat(100_000 + i) : `v${i}`));
    const values = texts.map((s) => writer({ s }));
    expect(() => writer({ s: 5 })).toThrow(AvroValueError);
    values.push(writer({ s: 'after a refused one' }));
    texts.push('after a refused one');
    values.forEach((value, i) => {
      expect(value.equals(frame(42, type.toBuffer({ s: texts[i] })))).toBe(true);
    });
  });

  it('writes a frozen record once and its bytes again after, as avsc would each time', () => {
    const codec = orderLinesCodec();
    const writer = compileAvroWriter(envelopeSchema(codec), PREFIX)!;
    const type = avro.Type.forSchema(envelopeSchema(codec) as avro.Schema, avroTypeOptions());
    const source = Object.freeze({ ...SAMPLE_SOURCE });
    const other = Object.freeze({ ...SAMPLE_SOURCE, table: 'other', lsn: 1n });
    for (const s of [source, source, other, source, { ...SAMPLE_SOURCE, snapshot: 'last' as const }]) {
      const event = { ...sampleUpdate(codec), source: s };
      expect(writer(event).equals(frame(42, type.toBuffer(event)))).toBe(true);
    }
  });

  it('writes events with the transaction block (--provide-transaction-metadata) as avsc does', () => {
    const codec = orderLinesCodec();
    const schema = JSON.parse(withTransactionBlock(avroFormat).schemas(codec).value.schema);
    const transaction = { id: '771:4294967400', total_order: 3n, data_collection_order: 2n };
    for (const event of [
      { ...sampleUpdate(codec), transaction },
      { ...sampleUpdate(codec), transaction: null },
      sampleUpdate(codec),
    ]) {
      const { ours, avsc } = bothWays(schema, event);
      expect(ours.equals(avsc)).toBe(true);
    }
  });

  it('leaves schemas with other types to avsc', () => {
    expect(compileAvroWriter({ type: 'enum', name: 'E', symbols: ['A'] }, PREFIX)).toBeUndefined();
    expect(compileAvroWriter(['null', 'int', 'string'], PREFIX)).toBeUndefined();
    expect(compileAvroWriter({ type: 'map', values: 'int' }, PREFIX)).toBeUndefined();
  });

  it('compiles the schemas of every column type the ingestor knows', () => {
    const types = ['int2', 'int4', 'int8', 'float4', 'float8', 'bool', 'numeric', 'text', 'bytea', 'uuid'];
    const codec = tableCodec(
      {
        oid: 1,
        schema: 's',
        table: 't',
        columns: types.map((typeName, i) => ({
          name: `c${i}`,
          attnum: i + 1,
          typeOid: 0,
          typeName,
          typeSchema: 'pg_catalog',
          typmod: -1,
          notNull: i === 0,
          inPrimaryKey: i === 0,
          generated: false,
        })),
        primaryKey: ['c0'],
        replicaIdentity: 'default',
        replicaIdentityColumns: ['c0'],
      },
      'p',
    );
    expect(compileAvroWriter(envelopeSchema(codec), PREFIX)).toBeDefined();
  });
});
