const CHUNK = 16 * 1024;
/** Byte strings at least this long are referenced, not copied: record batches go out as they came in. */
const ZERO_COPY_THRESHOLD = 4 * 1024;

/**
 * Writes big-endian Kafka primitives into a list of buffers ready for a vectored socket
 * write; large byte strings (record batches) are referenced rather than copied.
 */
export class ByteWriter {
  private readonly chunks: Buffer[] = [];
  private current: Buffer;
  private offset = 0;
  private total = 0;

  constructor(initial = 256) {
    this.current = Buffer.allocUnsafe(initial);
  }

  get length(): number {
    return this.total;
  }

  private room(length: number): void {
    if (this.offset + length <= this.current.length) return;
    this.seal();
    this.current = Buffer.allocUnsafe(Math.max(length, CHUNK));
  }

  private seal(): void {
    if (this.offset > 0) this.chunks.push(this.current.subarray(0, this.offset));
    this.current = this.current.subarray(this.offset);
    this.offset = 0;
  }

  int8(value: number): void {
    this.room(1);
    this.offset = this.current.writeInt8(value, this.offset);
    this.total += 1;
  }

  int16(value: number): void {
    this.room(2);
    this.offset = this.current.writeInt16BE(value, this.offset);
    this.total += 2;
  }

  uint16(value: number): void {
    this.room(2);
    this.offset = this.current.writeUInt16BE(value, this.offset);
    this.total += 2;
  }

  int32(value: number): void {
    this.room(4);
    this.offset = this.current.writeInt32BE(value, this.offset);
    this.total += 4;
  }

  uint32(value: number): void {
    this.room(4);
    this.offset = this.current.writeUInt32BE(value, this.offset);
    this.total += 4;
  }

  int64(value: bigint): void {
    this.room(8);
    this.offset = this.current.writeBigInt64BE(value, this.offset);
    this.total += 8;
  }

  float64(value: number): void {
    this.room(8);
    this.offset = this.current.writeDoubleBE(value, this.offset);
    this.total += 8;
  }

  uvarint(value: number): void {
    this.room(5);
    let rest = value >>> 0;
    while (rest >= 0x80) {
      this.current[this.offset++] = (rest & 0x7f) | 0x80;
      this.total++;
      rest >>>= 7;
    }
    this.current[this.offset++] = rest;
    this.total++;
  }

  varint(value: number): void {
    this.uvarint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  varlong(value: bigint): void {
    this.room(10);
    let rest = (value << 1n) ^ (value >> 63n);
    rest &= 0xffffffffffffffffn;
    while (rest >= 0x80n) {
      this.current[this.offset++] = Number(rest & 0x7fn) | 0x80;
      this.total++;
      rest >>= 7n;
    }
    this.current[this.offset++] = Number(rest);
    this.total++;
  }

  bytes(value: Uint8Array): void {
    if (value.length >= ZERO_COPY_THRESHOLD) {
      this.seal();
      this.chunks.push(
        Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.length),
      );
    } else {
      this.room(value.length);
      this.current.set(value, this.offset);
      this.offset += value.length;
    }
    this.total += value.length;
  }

  utf8(value: string, byteLength: number): void {
    this.room(byteLength);
    this.offset += this.current.write(value, this.offset, 'utf8');
    this.total += byteLength;
  }

  /** The written bytes as buffers, in order, ready for `socket.cork()` + writes or writev. */
  finish(): Buffer[] {
    this.seal();
    return this.chunks;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.finish(), this.total);
  }
}
