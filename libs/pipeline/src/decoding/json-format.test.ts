import { jsonFormat } from '@trunkline/cdc-ingestor';
import { frame } from '@trunkline/serde';
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
  NULL_ROW_READ,
  nullRow,
  readers,
  SOURCE,
} from './every-type.fixture';
import { JsonRecordFormat, parseExactJson } from './json-format';

// The ingestor's own schemas and encoders write every event here: what is read is what it writes.

/** JSON arrays keep their NULL elements. */
const ARRAYS = { nullElements: true };

/** The ingestor's JSON Schema of timestamptz is a bare int64: nothing tells it from an int8. */
const asJsonReadsThem = (columns: SinkColumn[]) =>
  columns.map((c) => (c.name === 'shipped_at' ? { ...c, type: 'integer' as const } : c));

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
    expect(value.columns).toEqual<SinkColumn[]>(asJsonReadsThem(EVERY_TYPE_COLUMNS));
  });

  it('reads a change with every value in the sinks form, int64s exact', async () => {
    const { value, encoder } = await readers(jsonFormat, new JsonRecordFormat());
    const decoded = value.read(encoder.encodeValue(envelope('c', null, fullRow(ARRAYS))));
    expect(decoded).toEqual(decodedEnvelope('c', null, everyTypeRow(ARRAYS)));
    expect(Buffer.isBuffer(decoded.after?.blob)).toBe(true);
  });

  it('reads nulls as null, and fields a row leaves out as null', async () => {
    const { value, encoder } = await readers(jsonFormat, new JsonRecordFormat());
    const nulls = value.read(encoder.encodeValue(envelope('u', nullRow(), nullRow())));
    expect(nulls.after).toEqual(nulls.before);
    expect(nulls.after).toEqual(NULL_ROW_READ);
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
    expect(value.read(encoder.encodeValue(envelope('t', null, null)))).toEqual(
      decodedEnvelope('t', null, null),
    );
  });

  it('reads the key', async () => {
    const { key, encoder } = await readers(jsonFormat, new JsonRecordFormat());
    expect(key.fields).toEqual(['id', 'line']);
    expect(key.read(encoder.encodeKey(KEY)!)).toEqual(KEY);
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
    const { columns, avroColumns } = await expectSameAsAvro(jsonFormat, new JsonRecordFormat(), ARRAYS);
    // the columns agree but for timestamptz
    expect(columns).toEqual(asJsonReadsThem(avroColumns));
  });

  it('is the JSON reader the change decoder takes by default', () =>
    expectChangeDecoderReads(jsonFormat, ARRAYS));
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
