import * as avro from 'avsc';
import { avroTypeOptions } from './avro-long';

describe('avroTypeOptions', () => {
  it.each<[string, avro.Schema]>([
    ['a named long', 'long'],
    ['a long object', { type: 'long' }],
    ['a long with a logical type', { type: 'long', logicalType: 'timestamp-micros' }],
    ['a nullable long', ['null', { type: 'long', logicalType: 'time-micros' }]],
  ])('writes and reads %s as a bigint, at both ends of the range', (_, schema) => {
    const type = avro.Type.forSchema(schema, avroTypeOptions());
    for (const value of [0n, -1n, 2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 63n)]) {
      expect(type.fromBuffer(type.toBuffer(value))).toBe(value);
    }
  });

  it('writes longs as zigzag varints, as any Avro reader expects', () => {
    const type = avro.Type.forSchema('long', avroTypeOptions());
    expect(type.toBuffer(-1n).toString('hex')).toBe('01');
    expect(type.toBuffer(64n).toString('hex')).toBe('8001');
    expect(avro.Type.forSchema('long').fromBuffer(type.toBuffer(1234567n))).toBe(1234567);
  });

  it('refuses numbers, so no long silently loses digits', () => {
    const type = avro.Type.forSchema('long', avroTypeOptions());
    expect(type.isValid(1)).toBe(false);
    expect(type.isValid(2n ** 63n)).toBe(false);
  });
});
