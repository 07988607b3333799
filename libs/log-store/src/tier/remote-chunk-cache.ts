import type { RemoteStore } from './remote-store';

export interface ChunkCacheOptions {
  /** Bytes fetched per ranged GET. */
  chunkBytes: number;
  /** Memory the cache may hold; least recently used chunks go first. */
  maxBytes: number;
  /** Chunks fetched ahead of a read, so a replay streams instead of waiting on each GET. */
  readAhead: number;
}

export const DEFAULT_CHUNK_CACHE: ChunkCacheOptions = {
  chunkBytes: 8 * 1024 * 1024,
  maxBytes: 128 * 1024 * 1024,
  readAhead: 4,
};

/**
 * Fixed-size chunks of tier objects, fetched with ranged GETs and shared by every reader. A
 * read also starts fetching the chunks after it, so a consumer replaying from the tier
 * finds its next bytes already in memory. Concurrent reads of one chunk share one GET.
 */
export class RemoteChunkCache {
  private readonly chunks = new Map<string, Promise<Buffer>>();
  private readonly maxChunks: number;

  constructor(
    private readonly store: RemoteStore,
    readonly options: ChunkCacheOptions = DEFAULT_CHUNK_CACHE,
  ) {
    this.maxChunks = Math.max(options.readAhead + 2, Math.floor(options.maxBytes / options.chunkBytes));
  }

  /** Bytes [position, position + length) of the object `key` of `objectSize` bytes (cut at its end). */
  async read(key: string, objectSize: number, position: number, length: number): Promise<Buffer> {
    const end = Math.min(objectSize, position + length);
    if (end <= position) return Buffer.alloc(0);
    const { chunkBytes } = this.options;
    const first = Math.floor(position / chunkBytes);
    const last = Math.floor((end - 1) / chunkBytes);
    this.prefetch(key, objectSize, last + 1, this.options.readAhead);
    const parts: Buffer[] = [];
    for (let index = first; index <= last; index++) parts.push(await this.chunk(key, index, objectSize));
    const joined = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    const offset = position - first * chunkBytes;
    return joined.subarray(offset, offset + (end - position));
  }

  /**
   * Starts fetching `count` chunks of `key` from chunk `from` on, without waiting: what a
   * sequential reader will ask for next, in this object or (at its end) the next one.
   * Returns how many of them the object has.
   */
  prefetch(key: string, objectSize: number, from: number, count: number): number {
    const lastChunk = Math.floor((objectSize - 1) / this.options.chunkBytes);
    const until = Math.min(lastChunk, from + count - 1);
    for (let index = from; index <= until; index++)
      void this.chunk(key, index, objectSize).catch(() => undefined);
    return Math.max(0, until - from + 1);
  }

  /** Forgets an object's chunks (it was deleted from the tier). */
  forget(key: string): void {
    for (const id of [...this.chunks.keys()]) if (id.startsWith(`${key}#`)) this.chunks.delete(id);
  }

  private chunk(key: string, index: number, objectSize: number): Promise<Buffer> {
    const id = `${key}#${index}`;
    const cached = this.chunks.get(id);
    if (cached !== undefined) {
      this.chunks.delete(id);
      this.chunks.set(id, cached);
      return cached;
    }
    const start = index * this.options.chunkBytes;
    const loading = this.store.get(key, {
      start,
      end: Math.min(objectSize, start + this.options.chunkBytes),
    });
    loading.catch(() => this.chunks.delete(id));
    this.chunks.set(id, loading);
    while (this.chunks.size > this.maxChunks) this.chunks.delete(this.chunks.keys().next().value!);
    return loading;
  }
}
