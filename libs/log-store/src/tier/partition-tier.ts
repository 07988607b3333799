import { stat } from 'node:fs/promises';
import { HEADER_BYTES, parseBatchHeader, type StoredBatch, wholeBatchesBelow } from '../batch-header';
import type { LogSegment } from '../log-segment';
import type { SegmentSummary } from '../retention';
import { segmentStem } from '../segment-files';
import type { RemoteChunkCache } from './remote-chunk-cache';
import { ManifestStore, type RemoteManifest, type RemoteSegment } from './remote-manifest';
import { type RemoteStore, RemoteStoreError } from './remote-store';

const SCAN_BYTES = 64 * 1024;
/** Remote indexes kept in memory (they are small: 8 bytes per index interval of log). */
const CACHED_INDEXES = 256;

/** Where one partition lives in the tier. */
export interface PartitionTierLocation {
  store: RemoteStore;
  cache: RemoteChunkCache;
  /** The partition's directory (the local manifest copy lives there). */
  dir: string;
  /** Key prefix of the partition's objects, ending in '/'. */
  prefix: string;
}

/** Floor lookup in a raw sparse index (offset index: 8-byte entries; time index: 12). */
function floorValue(index: Buffer, entryBytes: 8 | 12, key: number): number | undefined {
  const entries = Math.floor(index.length / entryBytes);
  let lo = 0;
  let hi = entries - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const at = mid * entryBytes;
    const entryKey = entryBytes === 8 ? index.readInt32BE(at) : Number(index.readBigInt64BE(at));
    if (entryKey <= key) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found < 0 ? undefined : index.readInt32BE(found * entryBytes + entryBytes - 4);
}

/**
 * One partition's segments in the tier: uploads (verified, then recorded in the manifest),
 * deletions, and reads that return the same whole batches a local read would, through the
 * shared chunk cache with read-ahead.
 */
export class PartitionTier {
  private readonly indexes = new Map<string, Promise<Buffer>>();

  private constructor(
    private readonly location: PartitionTierLocation,
    private readonly manifests: ManifestStore,
    private manifest: RemoteManifest,
  ) {}

  static async open(location: PartitionTierLocation): Promise<PartitionTier> {
    const manifests = new ManifestStore(location.dir, location.store, location.prefix);
    return new PartitionTier(location, manifests, await manifests.load());
  }

  get description(): string {
    return `${this.location.store.description} ${this.location.prefix}`;
  }

  get segments(): readonly RemoteSegment[] {
    return this.manifest.segments;
  }

  /** First offset in the tier, or undefined when it holds nothing. */
  get startOffset(): bigint | undefined {
    return this.manifest.segments[0]?.baseOffset;
  }

  /** The offset after the tier's last record, or undefined when it holds nothing. */
  get endOffset(): bigint | undefined {
    return this.manifest.segments[this.manifest.segments.length - 1]?.nextOffset;
  }

  get bytes(): number {
    return this.manifest.segments.reduce((sum, s) => sum + s.size, 0);
  }

  /** Remote segments as retention sees them. */
  summaries(): SegmentSummary[] {
    return this.manifest.segments.map((s) => ({
      baseOffset: s.baseOffset,
      nextOffset: s.nextOffset,
      size: s.size,
      largestTimestamp: s.largestTimestamp,
      firstBatchTimestamp: s.firstBatchTimestamp,
      active: false,
    }));
  }

  /**
   * Copies a closed segment's three files to the tier, checks each arrived whole, and only
   * then records the segment in the manifest (tier copy, then local copy). An upload cut
   * short leaves nothing recorded: it is simply done again.
   */
  async upload(segment: LogSegment, nextOffset: bigint): Promise<void> {
    await segment.flushIndexes();
    const stem = segmentStem(segment.baseOffset);
    const files = { log: `${stem}.log`, index: `${stem}.index`, timeIndex: `${stem}.timeindex` };
    for (const kind of ['log', 'index', 'timeIndex'] as const) {
      const key = `${this.location.prefix}${files[kind]}`;
      const path = segment.paths[kind];
      const { size } = await stat(path);
      await this.location.store.putFile(key, path);
      const stored = await this.location.store.size(key);
      if (stored !== size) {
        throw new RemoteStoreError(`upload of ${path} to ${key} stored ${stored} bytes, not ${size}`, {
          retriable: true,
          key,
        });
      }
    }
    this.manifest = {
      segments: [
        ...this.manifest.segments,
        {
          baseOffset: segment.baseOffset,
          nextOffset,
          size: segment.size,
          maxTimestamp: Number(segment.maxTimestamp),
          firstBatchTimestamp: segment.firstBatchTimestamp,
          largestTimestamp: segment.largestTimestamp,
          ...files,
        },
      ],
    };
    await this.manifests.save(this.manifest);
  }

  /** Drops segments wholly below `offset`: out of the manifest first, then their objects. */
  async dropBelow(offset: bigint): Promise<number> {
    const gone = this.manifest.segments.filter((s) => s.nextOffset <= offset);
    if (gone.length === 0) return 0;
    this.manifest = { segments: this.manifest.segments.slice(gone.length) };
    await this.manifests.save(this.manifest);
    const keys = gone.flatMap((s) => [s.log, s.index, s.timeIndex].map((f) => `${this.location.prefix}${f}`));
    await this.location.store.delete(keys);
    for (const key of keys) {
      this.location.cache.forget(key);
      this.indexes.delete(key);
    }
    return gone.length;
  }

  /** Deletes everything the partition has in the tier (its topic was deleted). */
  async destroy(): Promise<void> {
    const keys = await this.location.store.list(this.location.prefix);
    await this.location.store.delete(keys);
    for (const key of keys) this.location.cache.forget(key);
    this.manifest = { segments: [] };
  }

  /** The tier segment holding `offset`, if any (by binary search: every tier read asks). */
  segmentFor(offset: bigint): RemoteSegment | undefined {
    const at = this.segmentIndex(offset);
    return at < 0 ? undefined : this.manifest.segments[at];
  }

  /** Index in the manifest of the segment holding `offset`, or -1. */
  private segmentIndex(offset: bigint): number {
    const segments = this.manifest.segments;
    let lo = 0;
    let hi = segments.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const segment = segments[mid]!;
      if (offset < segment.baseOffset) hi = mid - 1;
      else if (offset >= segment.nextOffset) lo = mid + 1;
      else return mid;
    }
    return -1;
  }

  /**
   * Whole batches from the one containing `offset` (or the first after it in the segment),
   * up to about `maxBytes` (at least one batch) and below `upTo`; undefined when the tier
   * does not hold `offset`. Reads stop at the segment's end, as a local read does.
   */
  async read(offset: bigint, maxBytes: number, upTo: bigint): Promise<Buffer | undefined> {
    const segment = this.segmentFor(offset);
    if (segment === undefined) return undefined;
    let first: StoredBatch | undefined;
    for await (const header of this.headers(segment, await this.lookup(segment, offset))) {
      if (header.lastOffset >= offset) {
        first = header;
        break;
      }
    }
    if (first === undefined || first.baseOffset >= upTo) return Buffer.alloc(0);
    const bytes = await this.readLog(segment, first.position, Math.max(maxBytes, first.size));
    this.readAheadAcross(segment, first.position + bytes.length);
    return wholeBatchesBelow(bytes, upTo);
  }

  /**
   * Near a segment's end, the chunk cache's read-ahead has nothing left to fetch in it: start
   * on the next segment (its first chunks and its index), so a replay does not stall at
   * every segment boundary.
   */
  private readAheadAcross(segment: RemoteSegment, readUpTo: number): void {
    const { chunkBytes, readAhead } = this.location.cache.options;
    const left = Math.ceil((segment.size - readUpTo) / chunkBytes);
    if (left >= readAhead) return;
    const at = this.segmentIndex(segment.baseOffset);
    const next = at < 0 ? undefined : this.manifest.segments[at + 1];
    if (next === undefined) return;
    void this.index(next.index).catch(() => undefined);
    this.location.cache.prefetch(`${this.location.prefix}${next.log}`, next.size, 0, readAhead - left);
  }

  /** The first batch at or after `timestamp` whose records reach `from`, with its bytes. */
  async findByTimestamp(
    timestamp: bigint,
    from: bigint,
    below: bigint,
  ): Promise<{ batch: StoredBatch; bytes: Buffer } | undefined> {
    for (const segment of this.manifest.segments) {
      if (segment.nextOffset <= from || segment.baseOffset >= below) continue;
      if (BigInt(segment.maxTimestamp) < timestamp) continue;
      const timeIndex = await this.index(segment.timeIndex);
      const relative = floorValue(timeIndex, 12, Number(timestamp) - 1);
      const start = relative === undefined ? segment.baseOffset : segment.baseOffset + BigInt(relative);
      for await (const header of this.headers(segment, await this.lookup(segment, start))) {
        if (header.lastOffset < from || header.baseOffset >= below) continue;
        if (header.maxTimestamp >= timestamp) {
          return { batch: header, bytes: await this.readLog(segment, header.position, header.size) };
        }
      }
    }
    return undefined;
  }

  /** Batch headers of a tier segment (ListOffsets by max timestamp). */
  async *batchHeaders(segment: RemoteSegment): AsyncGenerator<StoredBatch> {
    yield* this.headers(segment, 0);
  }

  private async lookup(segment: RemoteSegment, offset: bigint): Promise<number> {
    const index = await this.index(segment.index);
    return floorValue(index, 8, Number(offset - segment.baseOffset)) ?? 0;
  }

  private async *headers(segment: RemoteSegment, position: number): AsyncGenerator<StoredBatch> {
    let at = position;
    while (at + HEADER_BYTES <= segment.size) {
      const chunk = await this.readLog(segment, at, SCAN_BYTES);
      let inChunk = 0;
      for (;;) {
        const header = parseBatchHeader(chunk, inChunk, at + inChunk);
        if (header === undefined || at + inChunk + header.size > segment.size) break;
        yield header;
        inChunk += header.size;
        if (chunk.length - inChunk < HEADER_BYTES) break;
      }
      if (inChunk === 0) return;
      at += inChunk;
    }
  }

  private readLog(segment: RemoteSegment, position: number, length: number): Promise<Buffer> {
    return this.location.cache.read(`${this.location.prefix}${segment.log}`, segment.size, position, length);
  }

  private index(file: string): Promise<Buffer> {
    const key = `${this.location.prefix}${file}`;
    let loading = this.indexes.get(key);
    if (loading === undefined) {
      loading = this.location.store.get(key).catch((error: unknown) => {
        this.indexes.delete(key);
        // A missing index only costs a scan from the segment's start.
        if (error instanceof RemoteStoreError && error.notFound) return Buffer.alloc(0);
        throw error;
      });
      this.indexes.set(key, loading);
      while (this.indexes.size > CACHED_INDEXES) this.indexes.delete(this.indexes.keys().next().value!);
    }
    return loading;
  }
}
