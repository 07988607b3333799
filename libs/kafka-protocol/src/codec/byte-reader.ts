import { MalformedFrameError } from './protocol-error';

/** Reads big-endian Kafka primitives from a buffer; every read is bounds-checked. */
export class ByteReader {
  private offset: number;

  constructor(
    private readonly buffer: Buffer,
    start = 0,
    private readonly end = buffer.length,
  ) {
    this.offset = start;
  }

  get position(): number {
    return this.offset;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private take(length: number): number {
    if (length < 0 || this.offset + length > this.end) {
      throw new MalformedFrameError(
        `needs ${length} more bytes at offset ${this.offset}, has ${this.end - this.offset}`,
      );
    }
    const at = this.offset;
    this.offset += length;
    return at;
  }

  int8(): number {
    return this.buffer.readInt8(this.take(1));
  }

  int16(): number {
    return this.buffer.readInt16BE(this.take(2));
  }

  uint16(): number {
    return this.buffer.readUInt16BE(this.take(2));
  }

  int32(): number {
    return this.buffer.readInt32BE(this.take(4));
  }

  uint32(): number {
    return this.buffer.readUInt32BE(this.take(4));
  }

  int64(): bigint {
    return this.buffer.readBigInt64BE(this.take(8));
  }

  float64(): number {
    return this.buffer.readDoubleBE(this.take(8));
  }

  /** Unsigned LEB128 of at most 32 bits, as in compact lengths and tag numbers. */
  uvarint(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = this.buffer[this.take(1)]!;
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) {
        if (value > 0xffffffff) throw new MalformedFrameError('unsigned varint exceeds 32 bits');
        return value;
      }
    }
    throw new MalformedFrameError('unsigned varint longer than 5 bytes');
  }

  /** Zigzag-encoded signed varint (record fields). */
  varint(): number {
    const raw = this.uvarint();
    return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
  }

  /** Zigzag-encoded signed varlong (record timestamps and offsets deltas). */
  varlong(): bigint {
    let raw = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const byte = this.buffer[this.take(1)]!;
      raw |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return (raw >> 1n) ^ -(raw & 1n);
    }
    throw new MalformedFrameError('varlong longer than 10 bytes');
  }

  /** `length` bytes as a view of the underlying buffer (no copy). */
  bytes(length: number): Buffer {
    const at = this.take(length);
    return this.buffer.subarray(at, at + length);
  }

  utf8(length: number): string {
    const at = this.take(length);
    return this.buffer.toString('utf8', at, at + length);
  }

  skip(length: number): void {
    this.take(length);
  }
}
