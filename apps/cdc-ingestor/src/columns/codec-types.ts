/** A JSON value, as schemas are written. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

/** An Avro schema in its JSON form, as avsc's Type.forSchema accepts it. */
export type AvroSchema = string | { readonly [key: string]: Json } | readonly AvroSchema[];

/** A JSON Schema (draft 7) object. */
export type JsonSchema = { readonly [key: string]: Json };

/** A Protobuf (proto3) field type: a scalar type name, repeated for arrays. */
export interface ProtobufFieldType {
  readonly type: string;
  readonly repeated: boolean;
}

/**
 * The JS value of a column in events. Every Avro `long` (int8, time, timestamp, timestamptz) is
 * a bigint; Avro `int`/`float`/`double` are numbers; bytes (bytea, numeric(p,s)) are Buffers.
 */
export type ColumnValue = number | bigint | boolean | string | Buffer | ColumnValue[] | null;

/** What one Postgres type becomes: its text form read into a value, and its schema per format. */
export interface ColumnCodec {
  /** The Postgres type this codec reads, e.g. `numeric(10,2)`, `text[]`, `vector`. */
  readonly pgType: string;
  /** Reads the type's text form (its output function's result) into the event value. */
  parse(text: string): ColumnValue;
  /**
   * True when `parse` can return null for a non-null text (numeric(p,s)'s NaN and infinities), so
   * the column's schemas are nullable even when the column is NOT NULL.
   */
  readonly parsesToNull: boolean;
  /** The Avro type of a non-null value. */
  readonly avro: AvroSchema;
  /** The JSON Schema of a non-null value in its JSON form (see jsonRowText). */
  readonly jsonSchema: JsonSchema;
  /** The Protobuf field type of a non-null value. */
  readonly protobuf: ProtobufFieldType;
}
