import { avroType, decodeAvro, encodeAvro } from './avro-codec';
import type { ResolvedReference } from './schema-types';
import { DeserializationError, SerializationError } from './serde-errors';
import { unframe } from './wire-format';

const orderV1 = JSON.stringify({
  type: 'record',
  name: 'Order',
  namespace: 'shop',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'customer', type: 'string' },
    { name: 'placedAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
});

const orderV2 = JSON.stringify({
  type: 'record',
  name: 'Order',
  namespace: 'shop',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'customer', type: 'string' },
    { name: 'placedAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'currency', type: 'string', default: 'EUR' },
  ],
});

const order = { id: 42, customer: 'ada', placedAt: 1_700_000_000_000, note: 'gift' };

describe('Avro encoding', () => {
  it('round-trips a record framed with a fixed schema id', () => {
    const type = avroType(orderV1);
    const framed = encodeAvro(1234, type, order);
    expect(framed.subarray(0, 5).toString('hex')).toBe('00000004d2');
    // id 42 is zig-zag 84 = 0x54; "ada" is length 3 (06) then its bytes
    expect(unframe(framed).payload.subarray(0, 5).toString('hex')).toBe('5406616461');
    expect(decodeAvro(unframe(framed).payload, type)).toEqual(order);
  });

  it('reads v1 data as v2 through schema resolution: the new field takes its default', () => {
    const writer = avroType(orderV1);
    const reader = avroType(orderV2);
    const { payload } = unframe(encodeAvro(1, writer, order));
    expect(decodeAvro(payload, writer, reader)).toEqual({
      id: 42,
      customer: 'ada',
      placedAt: 1_700_000_000_000,
      currency: 'EUR',
    });
  });

  it('refuses to resolve a reader that lacks a default for a field the writer lacks', () => {
    const reader = avroType(orderV2.replace(', "default":"EUR"', '').replace(',"default":"EUR"', ''));
    const writer = avroType(orderV1);
    expect(() => decodeAvro(unframe(encodeAvro(1, writer, order)).payload, writer, reader)).toThrow(
      DeserializationError,
    );
  });

  it('names the field at fault when a value does not match the schema', () => {
    const type = avroType(orderV1);
    expect(() => encodeAvro(1, type, { ...order, customer: 7 })).toThrow(
      new SerializationError('the value does not match the Avro schema: customer: 7 is not a valid string'),
    );
  });

  it('parses referenced named types before the schema that uses them', () => {
    const money: ResolvedReference = {
      name: 'common.Money',
      subject: 'money',
      version: 1,
      schema: JSON.stringify({
        type: 'record',
        name: 'Money',
        namespace: 'common',
        fields: [
          { name: 'amount', type: 'long' },
          { name: 'currency', type: { type: 'enum', name: 'Currency', symbols: ['EUR', 'USD'] } },
        ],
      }),
      references: [],
    };
    const invoice = JSON.stringify({
      type: 'record',
      name: 'Invoice',
      fields: [{ name: 'total', type: 'common.Money' }],
    });
    const type = avroType(invoice, [money]);
    const value = { total: { amount: 995, currency: 'USD' } };
    expect(decodeAvro(unframe(encodeAvro(3, type, value)).payload, type)).toEqual(value);
    expect(() => avroType(invoice)).toThrow(SerializationError);
  });

  it('refuses a payload that does not decode', () => {
    expect(() => decodeAvro(Buffer.from([0x54]), avroType(orderV1))).toThrow(DeserializationError);
  });
});
