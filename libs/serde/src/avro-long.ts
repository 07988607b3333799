import * as avro from 'avsc';

/**
 * An avsc `long` that reads and writes JS bigints, so int8 and microsecond timestamps keep every
 * digit (avsc's own long is a number, exact only up to 2^53). avsc takes it for `"long"` from
 * the registry and for `{"type": "long", …}` from a type hook: see avroTypeOptions.
 */
export const BIGINT_LONG: avro.types.LongType = avro.types.LongType.__with({
  fromBuffer: (buffer: Buffer) => buffer.readBigInt64LE(),
  toBuffer: (value: bigint) => {
    const buffer = Buffer.alloc(8);
    buffer.writeBigInt64LE(value);
    return buffer;
  },
  fromJSON: (json: number | string) => BigInt(json),
  toJSON: (value: bigint) => Number(value),
  isValid: (value: unknown) => typeof value === 'bigint' && value >= -(2n ** 63n) && value < 2n ** 63n,
  compare: (a: bigint, b: bigint) => (a === b ? 0 : a < b ? -1 : 1),
});

type ForSchemaOptions = NonNullable<Parameters<typeof avro.Type.forSchema>[1]>;

function isLongObject(schema: avro.Schema): boolean {
  return (
    typeof schema === 'object' && !Array.isArray(schema) && (schema as { type?: unknown }).type === 'long'
  );
}

/**
 * avsc options for the schemas of this module, every long a bigint (see BIGINT_LONG), logical
 * types left to their underlying type (the values here are already in that form).
 */
export function avroTypeOptions(): Pick<ForSchemaOptions, 'registry' | 'typeHook'> {
  return {
    registry: { long: BIGINT_LONG },
    typeHook: (schema) => (isLongObject(schema) ? BIGINT_LONG : undefined),
  };
}
