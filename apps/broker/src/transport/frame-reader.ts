/** Why a connection's byte stream cannot go on; the connection is closed and this logged. */
export class FrameError extends Error {
  override readonly name = 'FrameError';
}

/**
 * Cuts a TCP byte stream into Kafka frames (int32 size, then that many bytes). A size
 * above `maxFrameBytes` (or negative) is refused before any of it is buffered.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly maxFrameBytes: number) {}

  /** Adds bytes read from the socket; returns the frames now complete, in order. */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Buffer[] = [];
    for (;;) {
      if (this.buffered < 4) return frames;
      const head = this.peek(4);
      const size = head.readInt32BE(0);
      if (size < 0 || size > this.maxFrameBytes) {
        throw new FrameError(
          `frame of ${size} bytes exceeds the limit of ${this.maxFrameBytes} (--max-request-bytes)`,
        );
      }
      if (this.buffered < 4 + size) return frames;
      frames.push(this.take(4 + size).subarray(4));
    }
  }

  private peek(length: number): Buffer {
    if (this.chunks[0]!.length >= length) return this.chunks[0]!;
    this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!;
  }

  private take(length: number): Buffer {
    const first = this.chunks[0]!;
    let taken: Buffer;
    if (first.length >= length) {
      taken = first.subarray(0, length);
      if (first.length === length) this.chunks.shift();
      else this.chunks[0] = first.subarray(length);
    } else {
      const all = Buffer.concat(this.chunks, this.buffered);
      taken = all.subarray(0, length);
      this.chunks = all.length > length ? [all.subarray(length)] : [];
    }
    this.buffered -= length;
    return taken;
  }
}
