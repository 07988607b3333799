import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RecordBatchView } from '@trunkline/kafka-protocol';
import { parseBatchHeader, type StoredBatch } from './batch-header';
import type { Durability, Syncable } from './durability';
import { syncDirectory, writeFileDurably } from './durable-files';
import { OffsetOutOfRangeError } from './errors';
import { LogSegment } from './log-segment';
import { segmentBaseOffsets, segmentPaths } from './segment-files';

export interface PartitionLogConfig {
  /** Roll to a new segment past this size (segment.bytes). */
  segmentBytes: number;
  /** Roll to a new segment past this age (segment.ms). */
  segmentMs: number;
  /** Bytes of log between offset index entries (index.interval.bytes). */
  indexIntervalBytes: number;
}

export const DEFAULT_LOG_CONFIG: PartitionLogConfig = {
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 60 * 60 * 1000,
  indexIntervalBytes: 4096,
};

export interface AppendResult {
  baseOffset: bigint;
  lastOffset: bigint;
}

/** What opening a log found; `truncatedBytes` > 0 means a torn or corrupt tail was cut off. */
export interface RecoveryReport {
  cleanShutdown: boolean;
  segments: number;
  truncatedBytes: number;
  truncatedSegment?: string;
  logStartOffset: bigint;
  logEndOffset: bigint;
}

const CLEAN_SHUTDOWN = '.clean-shutdown';
const LOG_START_CHECKPOINT = 'log-start-offset';
const LOOKUP_CHUNK = 64 * 1024;

/**
 * One partition's log on disk. Appends are serialised and assign offsets; reads return
 * whole batches as stored; the high watermark only covers data as durable as the fsync
 * policy promises, so no consumer ever sees a record a crash could take back.
 */
export class PartitionLog implements Syncable {
  private segments: LogSegment[];
  private nextOffset: bigint;
  private durableOffset: bigint;
  private startOffset: bigint;
  private appendChain: Promise<unknown> = Promise.resolve();
  private readonly appendWaiters = new Set<() => void>();

  private constructor(
    readonly dir: string,
    private config: PartitionLogConfig,
    private readonly durability: Durability,
    segments: LogSegment[],
    nextOffset: bigint,
    logStartOffset: bigint,
  ) {
    this.segments = segments;
    this.nextOffset = nextOffset;
    this.durableOffset = nextOffset;
    this.startOffset = logStartOffset;
  }

  static async open(
    dir: string,
    config: PartitionLogConfig,
    durability: Durability,
  ): Promise<{ log: PartitionLog; recovery: RecoveryReport }> {
    await mkdir(dir, { recursive: true });
    const cleanShutdown = existsSync(join(dir, CLEAN_SHUTDOWN));
    const checkpoint = await readFile(join(dir, LOG_START_CHECKPOINT), 'utf8').then(
      (text) => BigInt(text.trim()),
      () => 0n,
    );
    let bases = segmentBaseOffsets(await readdir(dir));
    if (bases.length === 0) bases = [checkpoint];
    const segments: LogSegment[] = [];
    for (const base of bases) segments.push(await LogSegment.open(dir, base, config));
    const active = segments[segments.length - 1]!;
    let nextOffset: bigint;
    let truncatedBytes = 0;
    if (cleanShutdown) {
      nextOffset = await active.nextOffset();
    } else {
      const recovered = await active.recover();
      nextOffset = recovered.nextOffset;
      truncatedBytes = recovered.truncatedBytes;
    }
    await rm(join(dir, CLEAN_SHUTDOWN), { force: true });
    await syncDirectory(dir);
    // The checkpoint wins once DeleteRecords moved the start inside the first segment.
    const firstBase = segments[0]!.baseOffset;
    const logStartOffset = checkpoint > firstBase ? checkpoint : firstBase;
    const log = new PartitionLog(dir, config, durability, segments, nextOffset, logStartOffset);
    return {
      log,
      recovery: {
        cleanShutdown,
        segments: segments.length,
        truncatedBytes,
        ...(truncatedBytes > 0 ? { truncatedSegment: segmentPaths(dir, active.baseOffset).log } : {}),
        logStartOffset,
        logEndOffset: nextOffset,
      },
    };
  }

  /** Applies changed topic configs (segment size and age, index interval) from the next append on. */
  reconfigure(config: PartitionLogConfig): void {
    this.config = config;
  }

  get logStartOffset(): bigint {
    return this.startOffset;
  }

  /** The offset the next record will get. */
  get logEndOffset(): bigint {
    return this.nextOffset;
  }

  /** Offsets below this are visible to consumers: written, and as durable as the policy promises. */
  get highWatermark(): bigint {
    return this.durability.policy === 'always' ? this.durableOffset : this.nextOffset;
  }

  get sizeBytes(): number {
    return this.segments.reduce((sum, s) => sum + s.size, 0);
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  /**
   * Appends validated batches: assigns their offsets (rewriting only baseOffset), writes
   * them, and resolves once they are durable under the fsync policy.
   */
  append(batches: readonly RecordBatchView[]): Promise<AppendResult> {
    const written = this.appendChain.then(() => this.write(batches));
    this.appendChain = written.catch(() => undefined);
    return written.then(async (result) => {
      await this.durability.afterWrite(this, result.lastOffset + 1n);
      this.notifyAppend();
      return result;
    });
  }

  private async write(batches: readonly RecordBatchView[]): Promise<AppendResult> {
    const baseOffset = this.nextOffset;
    let next = baseOffset;
    let total = 0;
    const placed = batches.map((batch) => {
      batch.setBaseOffset(next);
      next += BigInt(batch.lastOffsetDelta) + 1n;
      total += batch.bytes.length;
      return { bytes: batch.bytes, baseOffset: batch.baseOffset, maxTimestamp: batch.maxTimestamp };
    });
    await this.maybeRoll(total);
    await this.active.append(placed);
    this.nextOffset = next;
    return { baseOffset, lastOffset: next - 1n };
  }

  private get active(): LogSegment {
    return this.segments[this.segments.length - 1]!;
  }

  private async maybeRoll(incoming: number): Promise<void> {
    const active = this.active;
    if (active.size === 0) return;
    const full = active.size + incoming > this.config.segmentBytes;
    const old = Date.now() - active.createdAt > this.config.segmentMs;
    if (!full && !old) return;
    // A rolled segment is never written again: make it durable now so recovery only ever
    // has to check the active one.
    await active.sync();
    await active.flushIndexes();
    const segment = await LogSegment.open(this.dir, this.nextOffset, this.config);
    await syncDirectory(this.dir);
    this.segments.push(segment);
  }

  /** fsyncs the active segment; part of group commit. */
  async syncWritten(): Promise<bigint> {
    await this.appendChain;
    const upTo = this.nextOffset;
    await this.active.sync();
    if (upTo > this.durableOffset) this.durableOffset = upTo;
    return upTo;
  }

  /** Resolves at the next append that made new records visible, or after `timeoutMs`. */
  waitForAppend(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.appendWaiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.appendWaiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  private notifyAppend(): void {
    for (const waiter of [...this.appendWaiters]) waiter();
  }

  private segmentFor(offset: bigint): LogSegment {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.segments[mid]!.baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return this.segments[lo]!;
  }

  /** The stored batch containing `offset` in `segment`, if the segment has it. */
  private async findBatch(segment: LogSegment, offset: bigint): Promise<StoredBatch | undefined> {
    let position = segment.lookup(offset);
    while (position < segment.end) {
      const chunk = await segment.read(position, LOOKUP_CHUNK);
      let at = 0;
      while (at < chunk.length) {
        const header = parseBatchHeader(chunk, at, position + at);
        if (header === undefined) break;
        if (header.lastOffset >= offset) return header;
        at += header.size;
      }
      if (at === 0) return undefined;
      position += at;
    }
    return undefined;
  }

  /**
   * Whole batches from the one containing `offset`, up to about `maxBytes` (at least one
   * batch, however large, so a consumer always progresses) and below `upTo`.
   */
  async read(offset: bigint, maxBytes: number, upTo: bigint = this.highWatermark): Promise<Buffer> {
    if (offset < this.startOffset || offset > this.nextOffset) {
      throw new OffsetOutOfRangeError(offset, this.startOffset, this.nextOffset);
    }
    if (offset >= upTo) return Buffer.alloc(0);
    let index = this.segments.indexOf(this.segmentFor(offset));
    let first: StoredBatch | undefined;
    let segment: LogSegment;
    do {
      segment = this.segments[index]!;
      first = await this.findBatch(segment, offset);
      index++;
    } while (first === undefined && index < this.segments.length);
    if (first === undefined || first.baseOffset >= upTo) return Buffer.alloc(0);
    const bytes = await segment.read(first.position, Math.max(maxBytes, first.size));
    let end = 0;
    while (end < bytes.length) {
      const header = parseBatchHeader(bytes, end, first.position + end);
      if (header === undefined || header.baseOffset >= upTo || end + header.size > bytes.length) break;
      end += header.size;
    }
    return bytes.subarray(0, end);
  }

  /** The first batch whose max timestamp is ≥ `timestamp` (ListOffsets by time), with its bytes. */
  async findByTimestamp(timestamp: bigint): Promise<{ batch: StoredBatch; bytes: Buffer } | undefined> {
    for (const segment of this.segments) {
      if (segment.maxTimestamp < timestamp) continue;
      const from = segment.lookupTime(timestamp);
      for await (const header of segment.batches(segment.lookup(from))) {
        if (header.lastOffset < this.startOffset || header.baseOffset >= this.highWatermark) continue;
        if (header.maxTimestamp >= timestamp) {
          return { batch: header, bytes: await segment.read(header.position, header.size) };
        }
      }
    }
    return undefined;
  }

  /** Batch headers from the start of the log (rebuilding producer state, admin tools). */
  async *batchHeaders(): AsyncGenerator<StoredBatch> {
    for (const segment of this.segments) yield* segment.batches(0);
  }

  /**
   * Moves the log start offset to `offset` (Kafka's DeleteRecords): records below it are no
   * longer readable, and whole segments below it are deleted.
   */
  async deleteRecordsBefore(offset: bigint): Promise<bigint> {
    if (offset < 0n || offset > this.highWatermark) {
      throw new OffsetOutOfRangeError(offset, this.startOffset, this.highWatermark);
    }
    if (offset <= this.startOffset) return this.startOffset;
    this.startOffset = offset;
    await writeFileDurably(join(this.dir, LOG_START_CHECKPOINT), `${offset}\n`);
    while (this.segments.length > 1 && this.segments[1]!.baseOffset <= offset) {
      const gone = this.segments.shift()!;
      await gone.close();
      const paths = segmentPaths(this.dir, gone.baseOffset);
      await Promise.all([paths.log, paths.index, paths.timeIndex].map((p) => rm(p, { force: true })));
    }
    await syncDirectory(this.dir);
    return offset;
  }

  /** Makes everything durable and marks the shutdown clean, so the next open skips recovery. */
  async close(): Promise<void> {
    await this.appendChain;
    await this.active.sync();
    for (const segment of this.segments) await segment.close();
    await writeFile(join(this.dir, CLEAN_SHUTDOWN), '');
    await syncDirectory(this.dir);
  }

  /** Closes and deletes the partition's directory (topic deletion). */
  async destroy(): Promise<void> {
    await this.appendChain;
    for (const segment of this.segments) await segment.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}
