/**
 * Kafka Connect's (and Avro's) decimal: the unscaled integer as big-endian two's-complement
 * bytes, the scale in the schema.
 */

/** The shortest big-endian two's-complement bytes of an integer (Java's BigInteger.toByteArray). */
export function twosComplementBytes(value: bigint): Buffer {
  let length = 1;
  while (value < -(1n << BigInt(8 * length - 1)) || value >= 1n << BigInt(8 * length - 1)) length += 1;
  const unsigned = value < 0n ? (1n << BigInt(8 * length)) + value : value;
  return Buffer.from(unsigned.toString(16).padStart(2 * length, '0'), 'hex');
}

/** The integer of big-endian two's-complement bytes (the inverse of twosComplementBytes). */
export function integerOfTwosComplement(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  const unsigned = BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
  return (bytes[0]! & 0x80) === 0 ? unsigned : unsigned - (1n << BigInt(8 * bytes.length));
}

/** The decimal string of Avro decimal bytes at `scale`: what a sink writes back. */
export function decimalText(bytes: Uint8Array, scale: number): string {
  const unscaled = integerOfTwosComplement(bytes);
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString();
  if (scale <= 0) return unscaled === 0n ? '0' : `${negative ? '-' : ''}${digits}${'0'.repeat(-scale)}`;
  const padded = digits.padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
}
