import type { AvroSchema, ColumnCodec, ColumnValue, Json, JsonSchema } from './codec-types';
import { columnCodec, parseColumnValue, type UnchangedToast } from './column-codec';
import type { ColumnDescription, TableDescription } from './column-type';
import { adjustNamespace, fieldNames } from './names';

/** One column as it appears in the row schemas. */
export interface RowField {
  column: ColumnDescription;
  /** The field's name in every format (the column name, adjusted: see adjustName). */
  field: string;
  codec: ColumnCodec;
  /** Whether null can appear: a nullable column, or a type that parses some values to null. */
  nullable: boolean;
}

/** A table's columns with their codecs, and the names of its schemas. */
export interface TableCodec {
  table: TableDescription;
  /** `<prefix>.<schema>.<table>`, the topic name and the records' namespace (adjusted). */
  namespace: string;
  /** Every column in attnum order. */
  fields: RowField[];
  /** The primary key's columns, in the key's order; empty when the table has none. */
  keyFields: RowField[];
}

/** Builds the codecs of a table's columns; `prefix` is the topic prefix. */
export function tableCodec(table: TableDescription, prefix: string): TableCodec {
  const names = fieldNames(table.columns.map((column) => column.name));
  const fields = table.columns.map((column): RowField => {
    const codec = columnCodec(column);
    return { column, field: names.get(column.name)!, codec, nullable: !column.notNull || codec.parsesToNull };
  });
  const keyFields = table.primaryKey.map((name) => fields.find((field) => field.column.name === name)!);
  return { table, namespace: adjustNamespace(`${prefix}.${table.schema}.${table.table}`), fields, keyFields };
}

/**
 * A row from its columns' text forms, keyed by field name (the form every schema here expects).
 * Columns absent from `texts` are left out (pgoutput omits stored generated columns); an
 * UNCHANGED_TOAST marker is handed back in place of the value.
 */
export function parseRow(
  codec: TableCodec,
  texts: Readonly<Record<string, string | null | UnchangedToast>>,
): Record<string, ColumnValue | UnchangedToast> {
  const row: Record<string, ColumnValue | UnchangedToast> = {};
  for (const { column, field, codec: columnCodecOf } of codec.fields) {
    if (!Object.hasOwn(texts, column.name)) continue;
    row[field] = parseColumnValue(columnCodecOf, texts[column.name]!);
  }
  return row;
}

/**
 * The key of a parsed row (its primary key fields, in the key's order), or null for a table
 * without a primary key (its messages have a null key).
 */
export function rowKey(
  codec: TableCodec,
  row: Readonly<Record<string, ColumnValue | UnchangedToast>>,
): Record<string, ColumnValue | UnchangedToast> | null {
  if (codec.keyFields.length === 0) return null;
  return Object.fromEntries(codec.keyFields.map(({ field }) => [field, row[field] ?? null]));
}

export type RowPart = 'key' | 'value';

function partFields(codec: TableCodec, part: RowPart): RowField[] {
  return part === 'key' ? codec.keyFields : codec.fields;
}

function recordName(part: RowPart): string {
  return part === 'key' ? 'Key' : 'Value';
}

/**
 * The Avro record of a table's key (primary key columns, `<prefix>.<schema>.<table>.Key`) or
 * value row (every column, `….Value`); nullable columns are `["null", T]` with default null.
 * Undefined for the key of a table without a primary key (its messages have a null key).
 */
export function avroRowSchema(codec: TableCodec, part: RowPart): AvroSchema | undefined {
  const fields = partFields(codec, part);
  if (part === 'key' && fields.length === 0) return undefined;
  return {
    type: 'record',
    name: recordName(part),
    namespace: codec.namespace,
    fields: fields.map(({ field, codec: columnCodecOf, nullable }): Json => {
      const type = columnCodecOf.avro as Json;
      return nullable ? { name: field, type: ['null', type], default: null } : { name: field, type };
    }),
    'connect.name': `${codec.namespace}.${recordName(part)}`,
  };
}

/**
 * The JSON Schema (draft 7) of a table's key or value row: every field required (present, null
 * when null), nullable ones `oneOf` null and the type. Undefined for the key of a table without
 * a primary key.
 */
export function jsonRowSchema(codec: TableCodec, part: RowPart): JsonSchema | undefined {
  const fields = partFields(codec, part);
  if (part === 'key' && fields.length === 0) return undefined;
  const properties: Record<string, Json> = {};
  for (const { field, codec: columnCodecOf, nullable } of fields) {
    properties[field] = nullable
      ? { oneOf: [{ type: 'null' }, columnCodecOf.jsonSchema] }
      : columnCodecOf.jsonSchema;
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: `${codec.namespace}.${recordName(part)}`,
    type: 'object',
    properties,
    required: fields.map(({ field }) => field),
    additionalProperties: false,
  };
}

/**
 * The Protobuf (proto3) file of a table's key or value row: package `<prefix>.<schema>.<table>`,
 * message `Key` or `Value`, each field numbered with its column's attnum, so a dropped column's
 * number is never reused. Nullable scalars are `optional`; arrays are `repeated` (a null array
 * and an empty one look alike, and null elements cannot be written). Undefined for the key of a
 * table without a primary key.
 */
export function protobufRowSchema(codec: TableCodec, part: RowPart): string | undefined {
  const fields = partFields(codec, part);
  if (part === 'key' && fields.length === 0) return undefined;
  const lines = fields.map(({ column, field, codec: columnCodecOf, nullable }) => {
    const { type, repeated } = columnCodecOf.protobuf;
    const label = repeated ? 'repeated ' : nullable ? 'optional ' : '';
    return `  ${label}${type} ${field} = ${column.attnum}; // ${JSON.stringify(column.name)} ${columnCodecOf.pgType}`;
  });
  return [
    'syntax = "proto3";',
    '',
    `package ${codec.namespace};`,
    '',
    `message ${recordName(part)} {`,
    ...lines,
    '}',
    '',
  ].join('\n');
}
