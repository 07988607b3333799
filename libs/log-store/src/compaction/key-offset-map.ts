import { createHash } from 'node:crypto';

const HASH_BYTES = 16;
const ENTRY_BYTES = HASH_BYTES + 8;

/**
 * The cleaner's key → latest offset map in a fixed buffer, as Kafka's SkimpyOffsetMap: a
 * key is stored as its MD5 digest (16 bytes) beside its offset, with linear probing. Memory
 * is bounded by the buffer; `full` says when a pass must stop mapping more of the log.
 */
export class KeyOffsetMap {
  private readonly table: Buffer;
  private readonly slots: number;
  private readonly maxEntries: number;
  private entries = 0;
  private latest = -1n;

  constructor(bufferBytes: number, loadFactor = 0.9) {
    this.slots = Math.floor(bufferBytes / ENTRY_BYTES);
    if (this.slots < 1) throw new RangeError(`a key map needs at least ${ENTRY_BYTES} bytes`);
    this.maxEntries = Math.max(1, Math.floor(this.slots * loadFactor));
    this.table = Buffer.alloc(this.slots * ENTRY_BYTES);
  }

  get size(): number {
    return this.entries;
  }

  get capacity(): number {
    return this.maxEntries;
  }

  get full(): boolean {
    return this.entries >= this.maxEntries;
  }

  /** The highest offset put, or -1. */
  get latestOffset(): bigint {
    return this.latest;
  }

  put(key: Buffer, offset: bigint): void {
    const digest = createHash('md5').update(key).digest();
    const slot = this.find(digest);
    const at = slot * ENTRY_BYTES;
    if (this.isEmpty(at)) {
      if (this.full) throw new RangeError('the key map is full');
      digest.copy(this.table, at);
      this.entries++;
    }
    this.table.writeBigInt64BE(offset, at + HASH_BYTES);
    if (offset > this.latest) this.latest = offset;
  }

  /** The latest offset of `key`, or -1 when it was never put. */
  get(key: Buffer): bigint {
    const at = this.find(createHash('md5').update(key).digest()) * ENTRY_BYTES;
    return this.isEmpty(at) ? -1n : this.table.readBigInt64BE(at + HASH_BYTES);
  }

  clear(): void {
    this.table.fill(0);
    this.entries = 0;
    this.latest = -1n;
  }

  /** The slot holding `digest`, or the empty slot where it would go. */
  private find(digest: Buffer): number {
    let slot = digest.readUInt32BE(0) % this.slots;
    for (;;) {
      const at = slot * ENTRY_BYTES;
      if (this.isEmpty(at) || this.table.compare(digest, 0, HASH_BYTES, at, at + HASH_BYTES) === 0)
        return slot;
      slot = (slot + 1) % this.slots;
    }
  }

  /** An all-zero digest marks an empty slot (no real key hashes to it in practice). */
  private isEmpty(at: number): boolean {
    for (let i = 0; i < HASH_BYTES; i += 4) if (this.table.readUInt32BE(at + i) !== 0) return false;
    return true;
  }
}
