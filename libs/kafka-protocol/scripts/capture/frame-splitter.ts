/**
 * Cuts a TCP byte stream into Kafka frames: a 4-byte big-endian size, then that many bytes.
 * Chunks are only joined once a whole frame has arrived, so large fetch responses that
 * come in many chunks are not copied once per chunk.
 */
export class FrameSplitter {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Size of the frame being assembled, prefix included, once its prefix has arrived. */
  private needed: number | undefined;

  /** Adds a chunk; returns the frames (without their size prefix) it completed. */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Buffer[] = [];
    for (;;) {
      if (this.needed === undefined) {
        if (this.buffered < 4) break;
        const size = this.joined().readInt32BE(0);
        if (size < 0) throw new Error(`negative frame size ${size}`);
        this.needed = 4 + size;
      }
      if (this.buffered < this.needed) break;
      const all = this.joined();
      frames.push(all.subarray(4, this.needed));
      const rest = all.subarray(this.needed);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      this.needed = undefined;
    }
    return frames;
  }

  private joined(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
    return this.chunks[0]!;
  }
}
