import { jsonFormat } from './json-format';
import {
  orderLinesCodec,
  sampleDelete,
  sampleKey,
  sampleRow,
  sampleUpdate,
  schemasAndEncoder,
} from './sample-events';

const TOPIC = 'trunkline.shop.order-lines';

/** The schema id and the JSON text of a value in the Confluent wire format, read by hand. */
function unframed(value: Buffer): { schemaId: number; text: string } {
  expect(value[0]).toBe(0);
  return { schemaId: value.readUInt32BE(1), text: value.subarray(5).toString('utf8') };
}

describe('json format', () => {
  const codec = orderLinesCodec();

  function encoder() {
    return schemasAndEncoder(jsonFormat, codec, TOPIC);
  }

  it('registers JSON Schemas for the key and for the envelope', async () => {
    const { encoder: tableEncoder, registered } = encoder();
    expect(registered.map(({ subject, schemaType }) => [subject, schemaType])).toEqual([
      [`${TOPIC}-key`, 'JSON'],
      [`${TOPIC}-value`, 'JSON'],
    ]);
    expect(tableEncoder.keySchemaId).toBe(1);
    expect(tableEncoder.valueSchemaId).toBe(2);

    const key = JSON.parse(registered[0]!.schema);
    expect(key).toMatchObject({ title: 'trunkline.shop.order_lines.Key', required: ['order_id', 'line'] });

    const value = JSON.parse(registered[1]!.schema);
    expect(value).toMatchObject({
      $schema: 'http://json-schema.org/draft-07/schema#',
      title: 'trunkline.shop.order_lines.Envelope',
      required: ['op', 'source'],
    });
    expect(value.properties.before).toEqual({ oneOf: [{ type: 'null' }, { $ref: '#/definitions/Value' }] });
    expect(value.properties.after).toEqual(value.properties.before);
    const row = value.definitions.Value;
    // Only the root names the draft; the key fields are required, every other field may be null.
    expect(row.$schema).toBeUndefined();
    expect(row.required).toEqual(['order_id', 'line']);
    expect(row.additionalProperties).toBe(false);
    expect(row.properties.order_id).toEqual({ type: 'integer', 'connect.type': 'int64' });
    expect(row.properties.note).toEqual({ oneOf: [{ type: 'null' }, { type: 'string' }] });
  });

  it('writes the key as exact JSON', async () => {
    const { encoder: tableEncoder } = encoder();
    const { schemaId, text } = unframed(tableEncoder.encodeKey(sampleKey(codec))!);
    expect(schemaId).toBe(1);
    expect(text).toBe('{"order_id":9007199254740993,"line":2}');
    expect(tableEncoder.encodeKey(null)).toBeNull();
  });

  it('writes an update: bigints exact, bytes base64, UTF-8 text', async () => {
    const { encoder: tableEncoder } = encoder();
    const envelope = sampleUpdate(codec);
    const { schemaId, text } = unframed(tableEncoder.encodeValue(envelope));
    expect(schemaId).toBe(2);
    // JSON.parse would round order_id (past 2^53): its digits are checked in the text.
    expect(text).toContain('"order_id":9007199254740993,');
    expect(text).toContain('"shipped_at":1717236000000001,');
    const decoded = JSON.parse(text);
    const row = sampleRow(codec);
    expect(decoded).toEqual({
      before: null,
      after: {
        order_id: 9007199254740992, // rounded by JSON.parse: the text has every digit
        line: 2,
        price: (row.price as Buffer).toString('base64'),
        tags: ['a', 'b c'],
        shipped_at: 1717236000000001,
        note: 'ünïcode "quoted"',
        payload: 'AP9cIg==',
        ratio: 0.5,
      },
      source: {
        version: '0.1.0',
        connector: 'postgresql',
        name: 'trunkline',
        ts_ms: 1717243200000,
        snapshot: 'false',
        db: 'shop',
        sequence: '["4294967296","4294967400"]',
        schema: 'shop',
        table: 'order-lines',
        txId: 771,
        lsn: 4294967400,
        xmin: null,
      },
      op: 'u',
      ts_ms: 1717243200123,
    });
    expect(Buffer.from(decoded.after.price, 'base64')).toEqual(row.price);
  });

  it('writes a delete whose before has only the key values', async () => {
    const { encoder: tableEncoder } = encoder();
    const decoded = JSON.parse(unframed(tableEncoder.encodeValue(sampleDelete(codec))).text);
    expect(decoded).toMatchObject({ op: 'd', after: null, ts_ms: 1717243200456 });
    expect(decoded.before).toEqual({
      order_id: 9007199254740992, // rounded by JSON.parse, not by the encoder
      line: 2,
      price: null,
      tags: null,
      shipped_at: null,
      note: null,
      payload: null,
      ratio: null,
    });
  });

  it('gives a table without a primary key no key subject and null keys', async () => {
    const keyless = { ...codec, keyFields: [] };
    const { encoder: tableEncoder, registered } = schemasAndEncoder(jsonFormat, keyless, TOPIC);
    expect(registered.map(({ subject }) => subject)).toEqual([`${TOPIC}-value`]);
    expect(tableEncoder.keySchemaId).toBeUndefined();
    expect(tableEncoder.encodeKey({ order_id: 1n })).toBeNull();
    expect(JSON.parse(registered[0]!.schema).definitions.Value.required).toEqual([]);
  });
});
