import type { VersionRange } from './versions';

/** Wire types of single values. `records` is a record batch set, kept as raw bytes. */
export interface PrimitiveValues {
  bool: boolean;
  int8: number;
  int16: number;
  uint16: number;
  int32: number;
  uint32: number;
  int64: bigint;
  float64: number;
  string: string;
  bytes: Buffer;
  records: Buffer;
  uuid: Buffer;
}

export type PrimitiveType = keyof PrimitiveValues;

interface FieldOptions {
  /** Versions in which the field may be null (strings, bytes, records, arrays, structs). */
  nullable?: VersionRange;
  /** Tag number, for a tagged field (sent only when not the default, in flexible versions). */
  tag?: number;
  /** Versions in which the field is tagged; it is absent from the fixed part then. */
  taggedVersions?: VersionRange;
  /** Value decoded when the field is not in the version (instead of zero, "", [], ...). */
  default?: unknown;
}

interface FieldBase extends FieldOptions {
  readonly name: string;
  /** Versions the field exists in. */
  readonly versions: VersionRange;
}

export interface PrimitiveField extends FieldBase {
  readonly kind: 'primitive';
  readonly type: PrimitiveType;
}

export interface ArrayField extends FieldBase {
  readonly kind: 'array';
  readonly element: PrimitiveType | StructSpec;
}

export interface StructField extends FieldBase {
  readonly kind: 'struct';
  readonly struct: StructSpec;
}

export type FieldSpec = PrimitiveField | ArrayField | StructField;

export interface StructSpec {
  readonly fields: readonly FieldSpec[];
}

/** A field description carrying, for the type checker only, the name and type of its value. */
export type Field<N extends string, T> = FieldSpec & { readonly name: N; readonly __value?: T };

// biome-ignore lint/suspicious/noExplicitAny: any field, whatever its value type
export type AnyField = Field<string, any>;

/** The decoded value of a struct whose fields are `Fs`. */
export type StructOf<Fs extends readonly AnyField[]> = {
  [F in Fs[number] as F['name']]: F extends Field<string, infer T> ? T : never;
};

type Options = Omit<FieldOptions, 'nullable'>;

function primitive<N extends string, T>(
  type: PrimitiveType,
  name: N,
  versions: VersionRange,
  options: FieldOptions = {},
): Field<N, T> {
  return { kind: 'primitive', type, name, versions, ...options };
}

/** Field builders, named after the wire types of Kafka's message descriptions. */
export const field = {
  bool: <N extends string>(name: N, versions = '0+', o?: Options) =>
    primitive<N, boolean>('bool', name, versions, o),
  int8: <N extends string>(name: N, versions = '0+', o?: Options) =>
    primitive<N, number>('int8', name, versions, o),
  int16: <N extends string>(name: N, versions = '0+', o?: Options) =>
    primitive<N, number>('int16', name, versions, o),
  uint16: <N extends string>(name: N, versions = '0+', o?: Options) =>
    primitive<N, number>('uint16', name, versions, o),
  int32: <N extends string>(name: N, versions = '0+', o?: Options) =>
    primitive<N, number>('int32', name, versions, o),
  uint32: <N extends string>(name: N, versions = '0+', o?: Options) =>
    primitive<N, number>('uint32', name, versions, o),
  int64: <N extends string>(name: N, versions = '0+', o?: Options) =>
    primitive<N, bigint>('int64', name, versions, o),
  float64: <N extends string>(name: N, versions = '0+', o?: Options) =>
    primitive<N, number>('float64', name, versions, o),
  uuid: <N extends string>(name: N, versions = '0+', o?: Options) =>
    primitive<N, Buffer>('uuid', name, versions, o),
  string: <N extends string>(name: N, versions = '0+', o?: Options) =>
    primitive<N, string>('string', name, versions, o),
  /** A string that may be null in `nullable` versions. */
  nullableString: <N extends string>(name: N, versions: VersionRange, nullable: VersionRange, o?: Options) =>
    primitive<N, string | null>('string', name, versions, { ...o, nullable }),
  bytes: <N extends string>(name: N, versions = '0+', o?: Options) =>
    primitive<N, Buffer>('bytes', name, versions, o),
  nullableBytes: <N extends string>(name: N, versions: VersionRange, nullable: VersionRange, o?: Options) =>
    primitive<N, Buffer | null>('bytes', name, versions, { ...o, nullable }),
  /** Record batches as raw bytes; null when absent. */
  records: <N extends string>(name: N, versions = '0+', o?: Options) =>
    primitive<N, Buffer | null>('records', name, versions, { ...o, nullable: '0+' }),
  /** An array of structs. */
  array: <N extends string, const Fs extends readonly AnyField[]>(
    name: N,
    versions: VersionRange,
    fields: Fs,
    o?: FieldOptions,
  ): Field<N, StructOf<Fs>[]> => ({ kind: 'array', element: { fields }, name, versions, ...o }),
  /** An array of primitives. */
  arrayOf: <N extends string, P extends PrimitiveType>(
    name: N,
    versions: VersionRange,
    element: P,
    o?: FieldOptions,
  ): Field<N, PrimitiveValues[P][]> => ({ kind: 'array', element, name, versions, ...o }),
  /** An array of primitives that may be null in `nullable` versions. */
  nullableArrayOf: <N extends string, P extends PrimitiveType>(
    name: N,
    versions: VersionRange,
    element: P,
    nullable: VersionRange,
    o?: Options,
  ): Field<N, PrimitiveValues[P][] | null> => ({ kind: 'array', element, name, versions, ...o, nullable }),
  /** An array of structs that may be null in `nullable` versions. */
  nullableArray: <N extends string, const Fs extends readonly AnyField[]>(
    name: N,
    versions: VersionRange,
    fields: Fs,
    nullable: VersionRange,
    o?: Options,
  ): Field<N, StructOf<Fs>[] | null> => ({
    kind: 'array',
    element: { fields },
    name,
    versions,
    ...o,
    nullable,
  }),
  /** A single nested struct. */
  struct: <N extends string, const Fs extends readonly AnyField[]>(
    name: N,
    versions: VersionRange,
    fields: Fs,
    o?: FieldOptions,
  ): Field<N, StructOf<Fs>> => ({ kind: 'struct', struct: { fields }, name, versions, ...o }),
};
