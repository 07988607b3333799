import { UNCHANGED_TOAST as STREAMED_UNCHANGED, type TupleData } from '@trunkline/pg-replication';
import {
  type ColumnValue,
  isUnchangedToast,
  parseRow,
  type TableCodec,
  UNCHANGED_TOAST,
  type UnchangedToast,
} from '../columns';
import type { Row } from '../events/change-event';

/** What Debezium puts in place of a TOASTed value an update did not send. */
export const UNAVAILABLE_VALUE = '__debezium_unavailable_value';

type Parsed = Record<string, ColumnValue | UnchangedToast>;

/** A pgoutput tuple (in the relation's column order) as field values. */
export function tupleRow(codec: TableCodec, columnNames: readonly string[], tuple: TupleData): Parsed {
  const texts: Record<string, string | null | UnchangedToast> = {};
  for (const [i, name] of columnNames.entries()) {
    const value = tuple[i];
    if (value === undefined) continue;
    texts[name] =
      value === STREAMED_UNCHANGED
        ? UNCHANGED_TOAST
        : Buffer.isBuffer(value)
          ? value.toString('utf8')
          : value;
  }
  return parseRow(codec, texts);
}

/** A row as text columns in the codec's column order (a snapshot row). */
export function textRow(codec: TableCodec, values: readonly (string | null)[]): Parsed {
  const texts: Record<string, string | null> = {};
  for (const [i, { column }] of codec.fields.entries()) texts[column.name] = values[i] ?? null;
  return parseRow(codec, texts);
}

/**
 * Fills the values an update left in TOAST: from the old row when the table sends it
 * (REPLICA IDENTITY FULL), otherwise with Debezium's placeholder where the type can hold it
 * (text, bytes, arrays of text); a type that cannot (a decimal, a number array) gets null.
 */
export function resolveUnchanged(codec: TableCodec, row: Parsed, old: Parsed | undefined): Row {
  const out: Row = {};
  for (const { field, codec: columnCodec } of codec.fields) {
    if (!Object.hasOwn(row, field)) continue;
    const value = row[field];
    if (!isUnchangedToast(value)) {
      out[field] = value;
      continue;
    }
    const previous = old?.[field];
    if (previous !== undefined && !isUnchangedToast(previous)) out[field] = previous;
    else out[field] = placeholder(columnCodec.avro);
  }
  return out;
}

function placeholder(avro: unknown): unknown {
  if (
    avro === 'string' ||
    (typeof avro === 'object' && avro !== null && (avro as { type?: unknown }).type === 'string')
  )
    return UNAVAILABLE_VALUE;
  if (avro === 'bytes' && typeof avro === 'string') return Buffer.from(UNAVAILABLE_VALUE);
  if (typeof avro === 'object' && avro !== null) {
    const { type, items, logicalType } = avro as { type?: unknown; items?: unknown; logicalType?: unknown };
    if (type === 'bytes' && logicalType === undefined) return Buffer.from(UNAVAILABLE_VALUE);
    if (type === 'array' && placeholder(Array.isArray(items) ? items[1] : items) === UNAVAILABLE_VALUE)
      return [UNAVAILABLE_VALUE];
  }
  return null;
}

/** Key fields of a row, or null for a table without a key. */
export function keyOf(codec: TableCodec, row: Row): Row | null {
  if (codec.keyFields.length === 0) return null;
  return Object.fromEntries(codec.keyFields.map(({ field }) => [field, row[field] ?? null]));
}

/** Fills fields a key-only tuple left out with null, so `before` has every field. */
export function completeRow(codec: TableCodec, row: Row): Row {
  const out: Row = {};
  for (const { field } of codec.fields) out[field] = Object.hasOwn(row, field) ? row[field] : null;
  return out;
}

export function sameKey(a: Row | null, b: Row | null): boolean {
  if (a === null || b === null) return a === b;
  return Object.keys(a).every((k) => valueEquals(a[k], b[k]));
}

function valueEquals(a: unknown, b: unknown): boolean {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  return a === b;
}
