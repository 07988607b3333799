import type { ColumnCodec, ColumnValue } from './codec-types';
import { ColumnValueError } from './column-value-error';
import { avroDecimalOf, decimalBytes, NUMERIC_SPECIALS, numericModifier } from './decimal';

const INTEGER = /^[+-]?\d+$/;

function integerCodec(pgType: string, bits: 16 | 32): ColumnCodec {
  const limit = 2 ** (bits - 1);
  return {
    pgType,
    parsesToNull: false,
    parse(text) {
      const value = Number(text);
      if (!INTEGER.test(text) || value < -limit || value >= limit) {
        throw new ColumnValueError(pgType, text, `not an int${bits / 8}`);
      }
      return value;
    },
    avro: 'int',
    jsonSchema: { type: 'integer', 'connect.type': `int${bits}`, minimum: -limit, maximum: limit - 1 },
    protobuf: { type: 'int32', repeated: false },
  };
}

export const INT2: ColumnCodec = integerCodec('int2', 16);
export const INT4: ColumnCodec = integerCodec('int4', 32);

const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

/** int8 → bigint always (never a number, even when small), so no value loses digits. */
export const INT8: ColumnCodec = {
  pgType: 'int8',
  parsesToNull: false,
  parse(text) {
    if (!INTEGER.test(text)) throw new ColumnValueError('int8', text, 'not an integer');
    // Up to 15 digits the value is within ±2^53 and in range: through a double is exact, and cheaper.
    if (text.length <= 15) return BigInt(Number(text));
    const value = BigInt(text);
    if (value < INT8_MIN || value > INT8_MAX) throw new ColumnValueError('int8', text, 'out of range');
    return value;
  },
  avro: 'long',
  jsonSchema: { type: 'integer', 'connect.type': 'int64' },
  protobuf: { type: 'int64', repeated: false },
};

/** The text of float4/float8 ("NaN", "Infinity", "-Infinity" included; JSON cannot carry those). */
function parseFloatText(pgType: string, text: string): number {
  if (text === 'NaN') return Number.NaN;
  if (text === 'Infinity') return Number.POSITIVE_INFINITY;
  if (text === '-Infinity') return Number.NEGATIVE_INFINITY;
  const value = Number(text);
  if (text.trim() === '' || Number.isNaN(value)) throw new ColumnValueError(pgType, text, 'not a number');
  return value;
}

export const FLOAT4: ColumnCodec = {
  pgType: 'float4',
  parsesToNull: false,
  parse: (text) => parseFloatText('float4', text),
  avro: 'float',
  jsonSchema: { type: 'number', 'connect.type': 'float32' },
  protobuf: { type: 'float', repeated: false },
};

export const FLOAT8: ColumnCodec = {
  pgType: 'float8',
  parsesToNull: false,
  parse: (text) => parseFloatText('float8', text),
  avro: 'double',
  jsonSchema: { type: 'number', 'connect.type': 'float64' },
  protobuf: { type: 'double', repeated: false },
};

export const BOOL: ColumnCodec = {
  pgType: 'bool',
  parsesToNull: false,
  parse(text) {
    // boolout (pgoutput) writes t and f; the bool-to-text cast writes true and false.
    if (text === 't' || text === 'true') return true;
    if (text === 'f' || text === 'false') return false;
    throw new ColumnValueError('bool', text, 'not t, f, true or false');
  },
  avro: 'boolean',
  jsonSchema: { type: 'boolean' },
  protobuf: { type: 'bool', repeated: false },
};

/**
 * `numeric(p,s)` → the Avro decimal's bytes: the unscaled value, big-endian two's complement,
 * exact (Debezium's decimal.handling.mode=precise). NaN, Infinity and -Infinity have no decimal
 * form: they become null, so the column is nullable in every schema even when NOT NULL.
 * `numeric` without a precision has no fixed scale: see NUMERIC_TEXT.
 */
export function numericCodec(typmod: number): ColumnCodec {
  const modifier = numericModifier(typmod);
  if (modifier === undefined) return NUMERIC_TEXT;
  const { precision, scale } = avroDecimalOf(modifier);
  const pgType = `numeric(${modifier.precision},${modifier.scale})`;
  return {
    pgType,
    parsesToNull: true,
    parse(text): ColumnValue {
      if (NUMERIC_SPECIALS.has(text)) return null;
      return decimalBytes(text, scale);
    },
    avro: {
      type: 'bytes',
      logicalType: 'decimal',
      precision,
      scale,
      'connect.name': 'org.apache.kafka.connect.data.Decimal',
      'connect.parameters': { scale: String(scale), 'connect.decimal.precision': String(precision) },
    },
    jsonSchema: {
      type: 'string',
      contentEncoding: 'base64',
      'connect.type': 'bytes',
      title: 'org.apache.kafka.connect.data.Decimal',
      'connect.parameters': { scale: String(scale), 'connect.decimal.precision': String(precision) },
    },
    protobuf: { type: 'bytes', repeated: false },
  };
}

/**
 * `numeric` without a precision → its text as a string (Debezium's decimal.handling.mode=string),
 * exact at any scale; "NaN", "Infinity" and "-Infinity" stay as those strings.
 */
export const NUMERIC_TEXT: ColumnCodec = {
  pgType: 'numeric',
  parsesToNull: false,
  parse(text) {
    if (!NUMERIC_SPECIALS.has(text) && !/^[+-]?(\d+\.?\d*|\.\d+)$/.test(text)) {
      throw new ColumnValueError('numeric', text, 'not a decimal number');
    }
    return text;
  },
  avro: 'string',
  jsonSchema: { type: 'string' },
  protobuf: { type: 'string', repeated: false },
};
