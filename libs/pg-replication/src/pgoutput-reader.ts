import { PgoutputError } from './pgoutput-error';

/** A bounds-checked big-endian cursor over one pgoutput message. Every overrun is a PgoutputError. */
export class PgoutputReader {
  private offset = 0;
  messageType: string | undefined;

  constructor(private readonly buffer: Buffer) {}

  get position(): number {
    return this.offset;
  }

  get remaining(): number {
    return this.buffer.length - this.offset;
  }

  fail(reason: string, at: number = this.offset): never {
    throw new PgoutputError(reason, at, this.messageType);
  }

  private need(bytes: number, what: string): number {
    if (this.remaining < bytes) {
      this.fail(`${what} needs ${bytes} bytes, ${this.remaining} left`);
    }
    const at = this.offset;
    this.offset += bytes;
    return at;
  }

  uint8(what: string): number {
    return this.buffer.readUInt8(this.need(1, what));
  }

  char(what: string): string {
    return String.fromCharCode(this.uint8(what));
  }

  int16(what: string): number {
    return this.buffer.readInt16BE(this.need(2, what));
  }

  int32(what: string): number {
    return this.buffer.readInt32BE(this.need(4, what));
  }

  uint32(what: string): number {
    return this.buffer.readUInt32BE(this.need(4, what));
  }

  int64(what: string): bigint {
    return this.buffer.readBigInt64BE(this.need(8, what));
  }

  uint64(what: string): bigint {
    return this.buffer.readBigUInt64BE(this.need(8, what));
  }

  /** A NUL-terminated UTF-8 string. */
  cstring(what: string): string {
    const end = this.buffer.indexOf(0, this.offset);
    if (end === -1) this.fail(`${what} is not NUL-terminated`);
    const text = this.buffer.toString('utf8', this.offset, end);
    this.offset = end + 1;
    return text;
  }

  /** `length` bytes, copied so the result does not pin the socket buffer. */
  bytes(length: number, what: string): Buffer {
    if (length < 0) this.fail(`${what} has negative length ${length}`);
    const at = this.need(length, what);
    return Buffer.from(this.buffer.subarray(at, at + length));
  }

  text(length: number, what: string): string {
    if (length < 0) this.fail(`${what} has negative length ${length}`);
    const at = this.need(length, what);
    return this.buffer.toString('utf8', at, at + length);
  }

  expectEnd(): void {
    if (this.remaining !== 0) this.fail(`${this.remaining} unexpected trailing bytes`);
  }
}
