import type { ColumnCodec, ColumnValue } from './codec-types';
import { ColumnValueError } from './column-value-error';
import { BOOL, FLOAT4, FLOAT8, INT2, INT4, INT8, numericCodec } from './number-codecs';
import { type ArrayText, parseArrayText } from './pg-array';
import { DATE, INTERVAL, TIME, TIMESTAMP, TIMESTAMPTZ } from './temporal-codecs';
import { BYTEA, enumCodec, jsonCodec, stringCodec, UUID, unknownCodec } from './text-codecs';

/** What choosing a codec needs to know of a column's type (a ColumnDescription has all of it). */
export interface ColumnType {
  /** The type's name (a domain's base type), e.g. `int4`, `_text` or `vector`. */
  typeName: string;
  /** The schema of the type: built-in types are matched only in `pg_catalog`. */
  typeSchema: string;
  /** The attribute's type modifier (-1 when none); for arrays, the element's. */
  typmod: number;
  /** The element type's name and schema when the type is an array. */
  elementTypeName?: string;
  elementTypeSchema?: string;
  /** The labels, in sort order, when the type (or the array's element type) is an enum. */
  enumLabels?: readonly string[];
}

function lengthOf(typmod: number): number | undefined {
  return typmod >= 4 ? typmod - 4 : undefined;
}

/** The codec of a built-in or enum type, or undefined when the type is not one this module knows. */
function scalarCodec(
  name: string,
  schema: string,
  typmod: number,
  enumLabels: readonly string[] | undefined,
): ColumnCodec | undefined {
  if (enumLabels !== undefined) return enumCodec(name, enumLabels);
  if (schema !== 'pg_catalog') return undefined;
  switch (name) {
    case 'int2':
      return INT2;
    case 'int4':
      return INT4;
    case 'int8':
      return INT8;
    case 'float4':
      return FLOAT4;
    case 'float8':
      return FLOAT8;
    case 'bool':
      return BOOL;
    case 'numeric':
      return numericCodec(typmod);
    case 'text':
    case 'name':
    case 'char':
      return stringCodec(name);
    case 'varchar':
    case 'bpchar':
      return stringCodec(name, lengthOf(typmod));
    case 'bytea':
      return BYTEA;
    case 'uuid':
      return UUID;
    case 'json':
    case 'jsonb':
      return jsonCodec(name);
    case 'date':
      return DATE;
    case 'time':
      return TIME;
    case 'timestamp':
      return TIMESTAMP;
    case 'timestamptz':
      return TIMESTAMPTZ;
    case 'interval':
      return INTERVAL;
    default:
      return undefined;
  }
}

/**
 * An array of a supported element type → a JS array whose elements may be null (Avro array of
 * `["null", element]`; Protobuf `repeated`, which cannot carry null elements). Only
 * one-dimensional arrays are read: a multi-dimensional value is rejected, since neither the
 * catalog (attndims is not enforced) nor the schema can tell how deep it is.
 */
export function arrayCodec(element: ColumnCodec): ColumnCodec {
  const pgType = `${element.pgType}[]`;
  return {
    pgType,
    parsesToNull: false,
    parse(text) {
      return parseArrayText(text).map((item: string | null | ArrayText): ColumnValue => {
        if (Array.isArray(item)) {
          throw new ColumnValueError(pgType, text, 'a multi-dimensional array (only one dimension is read)');
        }
        return item === null ? null : element.parse(item);
      });
    },
    avro: { type: 'array', items: ['null', element.avro] },
    jsonSchema: { type: 'array', items: { oneOf: [{ type: 'null' }, element.jsonSchema] } },
    protobuf: { type: element.protobuf.type, repeated: true },
  };
}

/** pgvector's `vector` (text `[1,2.5,-3]`) → an array of numbers (Avro array of float). */
export const VECTOR: ColumnCodec = {
  pgType: 'vector',
  parsesToNull: false,
  parse(text) {
    if (!text.startsWith('[') || !text.endsWith(']')) {
      throw new ColumnValueError('vector', text, 'not in [ … ]');
    }
    const body = text.slice(1, -1).trim();
    if (body === '') return [];
    return body.split(',').map((item) => {
      const value = Number(item);
      if (item.trim() === '' || Number.isNaN(value))
        throw new ColumnValueError('vector', text, 'not a number');
      return value;
    });
  },
  avro: { type: 'array', items: 'float' },
  jsonSchema: { type: 'array', items: { type: 'number', 'connect.type': 'float32' } },
  protobuf: { type: 'float', repeated: true },
};

/**
 * The codec of a column's type. Types this module does not know (and arrays of them) are read as
 * their text form into a string: nothing is dropped, and a later version can type them.
 */
export function columnCodec(type: ColumnType): ColumnCodec {
  if (type.elementTypeName !== undefined) {
    const element = scalarCodec(
      type.elementTypeName,
      type.elementTypeSchema ?? 'pg_catalog',
      type.typmod,
      type.enumLabels,
    );
    return element === undefined ? unknownCodec(type.typeName) : arrayCodec(element);
  }
  if (type.typeName === 'vector' && type.typeSchema !== 'pg_catalog') return VECTOR;
  return (
    scalarCodec(type.typeName, type.typeSchema, type.typmod, type.enumLabels) ?? unknownCodec(type.typeName)
  );
}

/**
 * What the caller passes for a TOASTed value that an UPDATE left unchanged (pgoutput's 'u'
 * column kind): the value is not in the WAL, so it is not parsed but handed back for the caller to
 * fill from elsewhere or mark as unavailable.
 */
export const UNCHANGED_TOAST: unique symbol = Symbol('unchanged-toast');
export type UnchangedToast = typeof UNCHANGED_TOAST;

export function isUnchangedToast(value: unknown): value is UnchangedToast {
  return value === UNCHANGED_TOAST;
}

/** A column's value from its text form: null stays null, UNCHANGED_TOAST is handed back. */
export function parseColumnValue(
  codec: ColumnCodec,
  text: string | null | UnchangedToast,
): ColumnValue | UnchangedToast {
  if (text === null || text === UNCHANGED_TOAST) return text;
  return codec.parse(text);
}
