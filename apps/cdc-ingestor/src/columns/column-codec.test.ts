import { decimalText } from '@trunkline/serde';
import type { ColumnCodec } from './codec-types';
import { type ColumnType, columnCodec, parseColumnValue, UNCHANGED_TOAST } from './column-codec';
import { parseBytea } from './text-codecs';

const builtin = (typeName: string, typmod = -1): ColumnType => ({
  typeName,
  typeSchema: 'pg_catalog',
  typmod,
});
const arrayOf = (elementTypeName: string, typmod = -1): ColumnType => ({
  typeName: `_${elementTypeName}`,
  typeSchema: 'pg_catalog',
  typmod,
  elementTypeName,
  elementTypeSchema: 'pg_catalog',
});
const numericTypmod = (precision: number, scale: number) => ((precision << 16) | (scale & 0x7ff)) + 4;

describe('columnCodec', () => {
  it('reads integers, int8 always as bigint', () => {
    expect(columnCodec(builtin('int2')).parse('-32768')).toBe(-32768);
    expect(columnCodec(builtin('int4')).parse('2147483647')).toBe(2147483647);
    expect(columnCodec(builtin('int8')).parse('1')).toBe(1n);
    expect(columnCodec(builtin('int8')).parse('-9223372036854775808')).toBe(-(2n ** 63n));
    expect(() => columnCodec(builtin('int2')).parse('32768')).toThrow('not an int2');
    expect(() => columnCodec(builtin('int4')).parse('1.5')).toThrow('not an int4');
    expect(() => columnCodec(builtin('int8')).parse('9223372036854775808')).toThrow('out of range');
  });

  it('reads floats with their special values, and booleans', () => {
    const float8 = columnCodec(builtin('float8'));
    expect(float8.parse('1.5e-300')).toBe(1.5e-300);
    expect(float8.parse('NaN')).toBeNaN();
    expect(float8.parse('-Infinity')).toBe(Number.NEGATIVE_INFINITY);
    expect(columnCodec(builtin('float4')).parse('3.4028235e+38')).toBe(3.4028235e38);
    expect(() => float8.parse('')).toThrow('not a number');
    expect(columnCodec(builtin('bool')).parse('t')).toBe(true);
    expect(columnCodec(builtin('bool')).parse('f')).toBe(false);
    expect(columnCodec(builtin('bool')).parse('true')).toBe(true);
    expect(() => columnCodec(builtin('bool')).parse('yes')).toThrow('not t, f, true or false');
  });

  it('reads numeric(p,s) into exact decimal bytes, and its special values as null', () => {
    const codec = columnCodec(builtin('numeric', numericTypmod(10, 2)));
    expect(codec.avro).toMatchObject({ type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 });
    expect(codec.parsesToNull).toBe(true);
    expect(decimalText(codec.parse('-12345678.90') as Buffer, 2)).toBe('-12345678.90');
    expect(codec.parse('NaN')).toBeNull();
    expect(codec.parse('Infinity')).toBeNull();
  });

  it('reads numeric without a precision as its text', () => {
    const codec = columnCodec(builtin('numeric'));
    expect(codec.avro).toBe('string');
    expect(codec.parse('-0.000000000000000000000000000000000001')).toBe(
      '-0.000000000000000000000000000000000001',
    );
    expect(codec.parse('NaN')).toBe('NaN');
    expect(() => codec.parse('abc')).toThrow('not a decimal number');
  });

  it('reads strings as they are, blank padding included', () => {
    expect(columnCodec(builtin('bpchar', 9)).parse('ab   ')).toBe('ab   ');
    expect(columnCodec(builtin('varchar', 14)).jsonSchema).toEqual({ type: 'string', maxLength: 10 });
    expect(columnCodec(builtin('name')).parse('pg_class')).toBe('pg_class');
  });

  it('reads uuid and json as text with their annotations', () => {
    const uuid = columnCodec(builtin('uuid'));
    expect(uuid.avro).toMatchObject({ type: 'string', logicalType: 'uuid' });
    expect(uuid.parse('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11')).toBe('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
    expect(() => uuid.parse('not-a-uuid')).toThrow('not a canonical uuid');
    const jsonb = columnCodec(builtin('jsonb'));
    expect(jsonb.parse('{"a": [1, 2]}')).toBe('{"a": [1, 2]}');
    expect(jsonb.avro).toMatchObject({ 'connect.name': 'io.debezium.data.Json' });
  });

  it('reads temporal types', () => {
    expect(columnCodec(builtin('date')).parse('1970-01-11')).toBe(10);
    expect(columnCodec(builtin('time')).parse('00:00:01')).toBe(1_000_000n);
    expect(columnCodec(builtin('timestamp')).parse('1970-01-01 00:00:01')).toBe(1_000_000n);
    expect(columnCodec(builtin('timestamptz')).parse('1970-01-01 01:00:01+01')).toBe(1_000_000n);
    expect(columnCodec(builtin('interval')).parse('1 day')).toBe('P0Y0M1DT0H0M0S');
    expect(columnCodec(builtin('timestamptz')).avro).toEqual({
      type: 'long',
      logicalType: 'timestamp-micros',
    });
  });

  it('reads an enum as its label, listing the labels as Debezium does', () => {
    const codec = columnCodec({
      typeName: 'mood',
      typeSchema: 'public',
      typmod: -1,
      enumLabels: ['sad', 'ok'],
    });
    expect(codec.parse('ok')).toBe('ok');
    expect(codec.avro).toEqual({
      type: 'string',
      'connect.name': 'io.debezium.data.Enum',
      'connect.parameters': { allowed: 'sad,ok' },
    });
  });

  it('reads arrays with NULL elements and typed elements', () => {
    const ints = columnCodec(arrayOf('int4'));
    expect(ints.pgType).toBe('int4[]');
    expect(ints.parse('{1,NULL,-3}')).toEqual([1, null, -3]);
    expect(ints.avro).toEqual({ type: 'array', items: ['null', 'int'] });
    expect(ints.protobuf).toEqual({ type: 'int32', repeated: true });
    expect(columnCodec(arrayOf('text')).parse('{"a \\"b\\"","c\\\\d",NULL,"NULL"}')).toEqual([
      'a "b"',
      'c\\d',
      null,
      'NULL',
    ]);
    expect(columnCodec(arrayOf('int8')).parse('{9223372036854775807}')).toEqual([2n ** 63n - 1n]);
    const numerics = columnCodec(arrayOf('numeric', numericTypmod(5, 1)));
    expect(
      (numerics.parse('{1.5,NaN}') as unknown[]).map((item) => item && decimalText(item as Buffer, 1)),
    ).toEqual(['1.5', null]);
    const moods = columnCodec({ ...arrayOf('mood'), elementTypeSchema: 'public', enumLabels: ['sad', 'ok'] });
    expect(moods.parse('{ok,sad}')).toEqual(['ok', 'sad']);
  });

  it('refuses multi-dimensional arrays', () => {
    expect(() => columnCodec(arrayOf('int4')).parse('{{1,2},{3,4}}')).toThrow('multi-dimensional');
  });

  it('reads pgvector vectors as arrays of floats', () => {
    const vector: ColumnType = { typeName: 'vector', typeSchema: 'public', typmod: 3 };
    const codec = columnCodec(vector);
    expect(codec.parse('[1,2.5,-3e-05]')).toEqual([1, 2.5, -3e-5]);
    expect(codec.parse('[]')).toEqual([]);
    expect(codec.avro).toEqual({ type: 'array', items: 'float' });
    expect(() => codec.parse('{1,2}')).toThrow('not in [ … ]');
    expect(() => codec.parse('[1,,2]')).toThrow('not a number');
  });

  it('reads unknown types, and arrays of them, as their text', () => {
    const inet: ColumnCodec = columnCodec(builtin('inet'));
    expect(inet.parse('10.0.0.1/8')).toBe('10.0.0.1/8');
    expect(inet.avro).toBe('string');
    expect(columnCodec(arrayOf('box')).parse('{(1,1),(0,0);(2,2),(0,0)}')).toBe('{(1,1),(0,0);(2,2),(0,0)}');
    expect(columnCodec({ typeName: 'int4', typeSchema: 'elsewhere', typmod: -1 }).parse('x')).toBe('x');
  });
});

describe('parseBytea', () => {
  it('reads the hex format', () => {
    expect(parseBytea('\\x')).toEqual(Buffer.alloc(0));
    expect(parseBytea('\\x00ff10AB')).toEqual(Buffer.from([0, 255, 16, 171]));
    expect(() => parseBytea('\\x0')).toThrow('odd length');
    expect(() => parseBytea('\\xzz')).toThrow('non-hex');
  });

  it('reads the escape format', () => {
    expect(parseBytea('a\\000\\\\b\\377')).toEqual(Buffer.from([0x61, 0, 0x5c, 0x62, 0xff]));
    expect(() => parseBytea('\\9')).toThrow('a bad escape');
  });
});

describe('parseColumnValue', () => {
  it('keeps null, hands back the unchanged-TOAST marker, parses the rest', () => {
    const codec = columnCodec(builtin('int4'));
    expect(parseColumnValue(codec, null)).toBeNull();
    expect(parseColumnValue(codec, UNCHANGED_TOAST)).toBe(UNCHANGED_TOAST);
    expect(parseColumnValue(codec, '7')).toBe(7);
  });
});
