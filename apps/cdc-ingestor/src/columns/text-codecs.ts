import type { ColumnCodec } from './codec-types';
import { ColumnValueError } from './column-value-error';

/** text, varchar, bpchar (blank padding kept), name, "char", and what else is read as is. */
export function stringCodec(pgType: string, maxLength?: number): ColumnCodec {
  return {
    pgType,
    parsesToNull: false,
    parse: (text) => text,
    avro: 'string',
    jsonSchema: maxLength === undefined ? { type: 'string' } : { type: 'string', maxLength },
    protobuf: { type: 'string', repeated: false },
  };
}

/**
 * A type this module does not know (inet, money, xml, geometric and range types, …) → its text
 * form unchanged, as a string.
 */
export function unknownCodec(pgType: string): ColumnCodec {
  return stringCodec(pgType);
}

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/**
 * `bytea` → a Buffer. Reads the hex output (`\x0aff`, the default bytea_output) and the escape
 * output (`a\000\\b`, printable bytes as is, others as `\ooo`, a backslash as `\\`).
 */
export function parseBytea(text: string): Buffer {
  if (text.startsWith('\\x')) {
    const hex = text.slice(2);
    if (!HEX.test(hex)) throw new ColumnValueError('bytea', text, 'odd length or a non-hex digit');
    return Buffer.from(hex, 'hex');
  }
  const bytes: number[] = [];
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code !== 0x5c) {
      if (code > 0xff) throw new ColumnValueError('bytea', text, 'a character above \\xff');
      bytes.push(code);
      continue;
    }
    if (text[index + 1] === '\\') {
      bytes.push(0x5c);
      index += 1;
      continue;
    }
    const octal = text.slice(index + 1, index + 4);
    if (!/^[0-3][0-7]{2}$/.test(octal)) throw new ColumnValueError('bytea', text, 'a bad escape');
    bytes.push(Number.parseInt(octal, 8));
    index += 3;
  }
  return Buffer.from(bytes);
}

export const BYTEA: ColumnCodec = {
  pgType: 'bytea',
  parsesToNull: false,
  parse: parseBytea,
  avro: 'bytes',
  jsonSchema: { type: 'string', contentEncoding: 'base64', 'connect.type': 'bytes' },
  protobuf: { type: 'bytes', repeated: false },
};

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** uuid → its canonical lower-case text (Avro logical type uuid, Debezium's io.debezium.data.Uuid). */
export const UUID: ColumnCodec = {
  pgType: 'uuid',
  parsesToNull: false,
  parse(text) {
    if (!UUID_TEXT.test(text)) throw new ColumnValueError('uuid', text, 'not a canonical uuid');
    return text;
  },
  avro: { type: 'string', logicalType: 'uuid', 'connect.name': 'io.debezium.data.Uuid' },
  jsonSchema: { type: 'string', format: 'uuid' },
  protobuf: { type: 'string', repeated: false },
};

/** json and jsonb → the text as Postgres rendered it (Debezium's io.debezium.data.Json). */
export function jsonCodec(pgType: 'json' | 'jsonb'): ColumnCodec {
  return {
    pgType,
    parsesToNull: false,
    parse: (text) => text,
    avro: { type: 'string', 'connect.name': 'io.debezium.data.Json' },
    jsonSchema: { type: 'string', title: 'io.debezium.data.Json' },
    protobuf: { type: 'string', repeated: false },
  };
}

/**
 * An enum → its label as a string, as Debezium does: the labels are listed in the connect
 * parameter `allowed` but not enforced, since `ALTER TYPE … ADD VALUE` changes no table (pgoutput
 * sends no new Relation message) and a schema must never reject a row the database accepted.
 */
export function enumCodec(pgType: string, labels: readonly string[]): ColumnCodec {
  return {
    pgType,
    parsesToNull: false,
    parse: (text) => text,
    avro: {
      type: 'string',
      'connect.name': 'io.debezium.data.Enum',
      'connect.parameters': { allowed: labels.join(',') },
    },
    jsonSchema: { type: 'string', 'connect.parameters': { allowed: labels.join(',') } },
    protobuf: { type: 'string', repeated: false },
  };
}
