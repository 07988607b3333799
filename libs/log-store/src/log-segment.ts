import { type FileHandle, open, rm } from 'node:fs/promises';
import { batchIntact, HEADER_BYTES, parseBatchHeader, type StoredBatch } from './batch-header';
import { type SegmentPaths, segmentPaths } from './segment-files';
import { SparseIndex } from './sparse-index';

const SCAN_CHUNK = 1024 * 1024;

export interface SegmentOptions {
  /** An offset index entry every this many bytes of log (index.interval.bytes). */
  indexIntervalBytes: number;
}

/** What recovery found at the end of a segment. */
export interface RecoveryResult {
  /** The offset after the last whole, intact batch (the segment's base offset when empty). */
  nextOffset: bigint;
  truncatedBytes: number;
  maxTimestamp: bigint;
}

/**
 * One segment of a partition log: a data file of record batches stored exactly as
 * produced (with offsets assigned), a sparse offset index and a time index.
 */
export class LogSegment {
  private bytesSinceIndexEntry = 0;
  private maxTimestampSoFar = -1n;
  /** The first batch's max timestamp: Kafka rolls on record time measured from it. */
  private rollingTimestamp: bigint | undefined;
  createdAt = Date.now();
  lastModified = Date.now();

  private constructor(
    readonly baseOffset: bigint,
    readonly paths: SegmentPaths,
    private readonly handle: FileHandle,
    private readonly offsetIndex: SparseIndex,
    private readonly timeIndex: SparseIndex,
    private sizeBytes: number,
    private readonly options: SegmentOptions,
  ) {}

  static async open(
    dir: string,
    baseOffset: bigint,
    options: SegmentOptions,
    suffix = '',
  ): Promise<LogSegment> {
    const paths = segmentPaths(dir, baseOffset, suffix);
    // Created if missing, then opened for positioned writes (O_APPEND would ignore positions).
    await (await open(paths.log, 'a')).close();
    const handle = await open(paths.log, 'r+');
    const { size, birthtimeMs, mtimeMs } = await handle.stat();
    const segment = new LogSegment(
      baseOffset,
      paths,
      handle,
      await SparseIndex.openOffsetIndex(paths.index),
      await SparseIndex.openTimeIndex(paths.timeIndex),
      size,
      options,
    );
    segment.createdAt = Math.min(birthtimeMs || mtimeMs, mtimeMs);
    segment.lastModified = mtimeMs;
    segment.maxTimestampSoFar = BigInt(segment.timeIndex.lastKey() ?? -1);
    if (size > 0) {
      const first = parseBatchHeader(await segment.read(0, HEADER_BYTES), 0, 0);
      segment.rollingTimestamp = first?.maxTimestamp;
    }
    return segment;
  }

  get size(): number {
    return this.sizeBytes;
  }

  get maxTimestamp(): bigint {
    return this.maxTimestampSoFar;
  }

  /** What time retention compares: the newest record time, else when the file last changed (Kafka's rule). */
  get largestTimestamp(): number {
    return this.maxTimestampSoFar >= 0n ? Number(this.maxTimestampSoFar) : this.lastModified;
  }

  /** The first batch's max timestamp, or -1 (how long dirty records have waited for compaction). */
  get firstBatchTimestamp(): number {
    return this.rollingTimestamp === undefined ? -1 : Number(this.rollingTimestamp);
  }

  /**
   * Kafka's time-based roll: how long this segment has been filling, measured in record time
   * from its first batch to `incomingTimestamp`, or in wall time when records carry none.
   */
  timeWaitedForRoll(now: number, incomingTimestamp: bigint): number {
    if (this.rollingTimestamp !== undefined && this.rollingTimestamp >= 0n)
      return Number(incomingTimestamp - this.rollingTimestamp);
    return now - this.createdAt;
  }

  /** Position at which the next batch will be written. */
  get end(): number {
    return this.sizeBytes;
  }

  /**
   * Writes batches (already carrying their offsets) at the end. Callers serialise appends
   * per partition; the returned promise resolves once the bytes are in the file (not fsynced).
   */
  async append(
    batches: readonly { bytes: Buffer; baseOffset: bigint; maxTimestamp: bigint }[],
  ): Promise<number> {
    const start = this.sizeBytes;
    let position = start;
    if (start === 0 && batches.length > 0) this.rollingTimestamp = batches[0]!.maxTimestamp;
    for (const batch of batches) {
      if (this.bytesSinceIndexEntry >= this.options.indexIntervalBytes) {
        this.offsetIndex.append(Number(batch.baseOffset - this.baseOffset), position);
        this.bytesSinceIndexEntry = 0;
      }
      if (batch.maxTimestamp > this.maxTimestampSoFar) {
        this.maxTimestampSoFar = batch.maxTimestamp;
        this.timeIndex.append(Number(batch.maxTimestamp), Number(batch.baseOffset - this.baseOffset));
      }
      position += batch.bytes.length;
      this.bytesSinceIndexEntry += batch.bytes.length;
    }
    this.sizeBytes = position;
    this.lastModified = Date.now();
    await this.handle.writev(
      batches.map((b) => b.bytes),
      start,
    );
    return start;
  }

  /** Flushes index entries to their files. */
  async flushIndexes(): Promise<void> {
    await this.offsetIndex.flush();
    await this.timeIndex.flush();
  }

  async sync(): Promise<void> {
    await this.handle.datasync();
  }

  async read(position: number, length: number): Promise<Buffer> {
    const bytes = Buffer.allocUnsafe(Math.max(0, Math.min(length, this.sizeBytes - position)));
    if (bytes.length === 0) return bytes;
    const { bytesRead } = await this.handle.read(bytes, 0, bytes.length, position);
    return bytesRead === bytes.length ? bytes : bytes.subarray(0, bytesRead);
  }

  /** Position from which to scan for `offset`: the index entry at or before it. */
  lookup(offset: bigint): number {
    return this.offsetIndex.floor(Number(offset - this.baseOffset))?.value ?? 0;
  }

  /** Offset from which to scan for the first batch with a timestamp ≥ `timestamp`. */
  lookupTime(timestamp: bigint): bigint {
    const entry = this.timeIndex.floor(Number(timestamp) - 1);
    return entry === undefined ? this.baseOffset : this.baseOffset + BigInt(entry.value);
  }

  /** Batch headers from `position` on, reading the file in chunks; stops at an incomplete batch. */
  async *batches(position = 0): AsyncGenerator<StoredBatch> {
    let at = position;
    while (at + HEADER_BYTES <= this.sizeBytes) {
      const chunk = await this.read(at, SCAN_CHUNK);
      let inChunk = 0;
      for (;;) {
        const header = parseBatchHeader(chunk, inChunk, at + inChunk);
        if (header === undefined || at + inChunk + header.size > this.sizeBytes) {
          if (inChunk === 0) return;
          break;
        }
        yield header;
        inChunk += header.size;
        if (chunk.length - inChunk < HEADER_BYTES) break;
      }
      at += inChunk;
    }
  }

  /**
   * Verifies every batch (structure and CRC32C) and cuts the file after the last good one:
   * what a crash can leave at the end of the active segment. Indexes are rebuilt to match.
   */
  async recover(): Promise<RecoveryResult> {
    let valid = 0;
    let nextOffset = this.baseOffset;
    let maxTimestamp = -1n;
    const rebuilt: { offset: bigint; position: number; maxTimestamp: bigint }[] = [];
    for await (const header of this.batches(0)) {
      const bytes = await this.read(header.position, header.size);
      if (bytes.length !== header.size || !batchIntact(bytes) || header.baseOffset < nextOffset) break;
      rebuilt.push({
        offset: header.baseOffset,
        position: header.position,
        maxTimestamp: header.maxTimestamp,
      });
      valid = header.position + header.size;
      nextOffset = header.lastOffset + 1n;
      if (header.maxTimestamp > maxTimestamp) maxTimestamp = header.maxTimestamp;
    }
    const truncatedBytes = this.sizeBytes - valid;
    if (truncatedBytes > 0) {
      await this.handle.truncate(valid);
      await this.handle.datasync();
      this.sizeBytes = valid;
      if (valid === 0) this.rollingTimestamp = undefined;
    }
    await this.rebuildIndexes(rebuilt);
    return { nextOffset, truncatedBytes, maxTimestamp };
  }

  /** Scans headers (no CRC) to find the next offset of a segment that closed cleanly. */
  async nextOffset(): Promise<bigint> {
    let next = this.baseOffset;
    for await (const header of this.batches(this.offsetIndex.lastValue() ?? 0)) next = header.lastOffset + 1n;
    return next;
  }

  private async rebuildIndexes(
    batches: { offset: bigint; position: number; maxTimestamp: bigint }[],
  ): Promise<void> {
    await this.offsetIndex.clear();
    await this.timeIndex.clear();
    this.bytesSinceIndexEntry = 0;
    this.maxTimestampSoFar = -1n;
    let previous = 0;
    for (const batch of batches) {
      this.bytesSinceIndexEntry += batch.position - previous;
      previous = batch.position;
      if (this.bytesSinceIndexEntry >= this.options.indexIntervalBytes) {
        this.offsetIndex.append(Number(batch.offset - this.baseOffset), batch.position);
        this.bytesSinceIndexEntry = 0;
      }
      if (batch.maxTimestamp > this.maxTimestampSoFar) {
        this.maxTimestampSoFar = batch.maxTimestamp;
        this.timeIndex.append(Number(batch.maxTimestamp), Number(batch.offset - this.baseOffset));
      }
    }
    this.bytesSinceIndexEntry += this.sizeBytes - previous;
    await this.flushIndexes();
  }

  async close(): Promise<void> {
    await this.flushIndexes();
    await this.offsetIndex.close();
    await this.timeIndex.close();
    await this.handle.close();
  }

  /** Removes the segment's files; open handles keep reading the data until they close. */
  async deleteFiles(): Promise<void> {
    const { log, index, timeIndex } = this.paths;
    await Promise.all([log, index, timeIndex].map((path) => rm(path, { force: true })));
  }
}
