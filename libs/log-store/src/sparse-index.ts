import { type FileHandle, open } from 'node:fs/promises';

/**
 * An append-only, sorted, sparse index kept in memory and mirrored to a file: entries are
 * (key, value) pairs of two numbers. The file is a cache: it is not fsynced, and recovery
 * drops entries that point past the valid end of the log or rebuilds it from the log.
 */
export class SparseIndex {
  private keys: number[] = [];
  private values: number[] = [];
  private pending: Buffer[] = [];

  private constructor(
    private readonly handle: FileHandle,
    private readonly entryBytes: 8 | 12,
  ) {}

  /** Offset index: (offset relative to the segment's base, file position), 8 bytes each. */
  static async openOffsetIndex(path: string): Promise<SparseIndex> {
    return SparseIndex.load(path, 8);
  }

  /** Time index: (max timestamp so far, relative offset), 12 bytes each. */
  static async openTimeIndex(path: string): Promise<SparseIndex> {
    return SparseIndex.load(path, 12);
  }

  private static async load(path: string, entryBytes: 8 | 12): Promise<SparseIndex> {
    const handle = await open(path, 'a+');
    const index = new SparseIndex(handle, entryBytes);
    const { size } = await handle.stat();
    const whole = size - (size % entryBytes);
    if (whole > 0) {
      const bytes = Buffer.allocUnsafe(whole);
      await handle.read(bytes, 0, whole, 0);
      for (let at = 0; at < whole; at += entryBytes) {
        const key = entryBytes === 8 ? bytes.readInt32BE(at) : Number(bytes.readBigInt64BE(at));
        const value = bytes.readInt32BE(at + entryBytes - 4);
        // A torn or out-of-order tail (crash mid-write) ends what can be trusted.
        if (index.keys.length > 0 && key < index.keys[index.keys.length - 1]!) break;
        index.keys.push(key);
        index.values.push(value);
      }
    }
    if (whole !== size || index.keys.length * entryBytes !== whole) await index.rewrite();
    return index;
  }

  get length(): number {
    return this.keys.length;
  }

  lastKey(): number | undefined {
    return this.keys[this.keys.length - 1];
  }

  lastValue(): number | undefined {
    return this.values[this.values.length - 1];
  }

  append(key: number, value: number): void {
    this.keys.push(key);
    this.values.push(value);
    const entry = Buffer.allocUnsafe(this.entryBytes);
    if (this.entryBytes === 8) entry.writeInt32BE(key, 0);
    else entry.writeBigInt64BE(BigInt(key), 0);
    entry.writeInt32BE(value, this.entryBytes - 4);
    this.pending.push(entry);
  }

  /** The entry with the greatest key ≤ `key`, by binary search; undefined if all are greater. */
  floor(key: number): { key: number; value: number } | undefined {
    let lo = 0;
    let hi = this.keys.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid]! <= key) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? undefined : { key: this.keys[found]!, value: this.values[found]! };
  }

  async clear(): Promise<void> {
    this.keys = [];
    this.values = [];
    await this.rewrite();
  }

  /** Writes appended entries to the file (no fsync: the index can always be rebuilt). */
  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const entries = this.pending;
    this.pending = [];
    await this.handle.writev(entries);
  }

  private async rewrite(): Promise<void> {
    this.pending = [];
    await this.handle.truncate(0);
    for (let i = 0; i < this.keys.length; i++) {
      const entry = Buffer.allocUnsafe(this.entryBytes);
      if (this.entryBytes === 8) entry.writeInt32BE(this.keys[i]!, 0);
      else entry.writeBigInt64BE(BigInt(this.keys[i]!), 0);
      entry.writeInt32BE(this.values[i]!, this.entryBytes - 4);
      this.pending.push(entry);
    }
    await this.flush();
  }

  async close(): Promise<void> {
    await this.flush();
    await this.handle.close();
  }
}
