import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RecordBatchView } from '@trunkline/kafka-protocol';
import { parseBatchHeader, type StoredBatch, wholeBatchesBelow } from './batch-header';
import type { Durability, Syncable } from './durability';
import { syncDirectory, writeFileDurably } from './durable-files';
import { OffsetOutOfRangeError } from './errors';
import { LogSegment } from './log-segment';
import { planRetention, type RetentionPlan, type RetentionPolicy, type SegmentSummary } from './retention';
import { segmentBaseOffsets, segmentPaths } from './segment-files';
import { recoverSegmentSwap, swapSegmentFiles } from './segment-swap';
import { PartitionTier, type PartitionTierLocation } from './tier/partition-tier';

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

/** Where a partition's records are, for admin views (offsets are -1 where there is nothing). */
export interface LogStorage {
  logStartOffset: bigint;
  localLogStartOffset: bigint;
  localBytes: number;
  localSegments: number;
  remoteBytes: number;
  remoteSegments: number;
  remoteLogStartOffset: bigint;
  remoteLogEndOffset: bigint;
  uploadLagSegments: number;
  uploadLagBytes: number;
  tier?: string;
}

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
/** Readers may still hold a deleted segment; its files are unlinked at once, its handles closed later (Kafka's file.delete.delay.ms). */
const RETIRED_CLOSE_DELAY_MS = 60_000;

/**
 * One partition's log on disk. Appends are serialised and assign offsets; reads return
 * whole batches as stored; the high watermark only covers data as durable as the fsync
 * policy promises, so no consumer ever sees a record a crash could take back.
 */
export class PartitionLog implements Syncable {
  /** Replaced, never mutated, on every change: a reader keeps a consistent list across its awaits. */
  private segments: readonly LogSegment[];
  private nextOffset: bigint;
  private durableOffset: bigint;
  private startOffset: bigint;
  private appendChain: Promise<unknown> = Promise.resolve();
  private maintenanceChain: Promise<unknown> = Promise.resolve();
  private readonly appendWaiters = new Set<() => void>();
  private readonly retired = new Map<LogSegment, NodeJS.Timeout>();
  /** Where closed segments are offloaded, when the topic has remote storage enabled. */
  private tier: PartitionTier | undefined;

  private constructor(
    readonly dir: string,
    private settings: PartitionLogConfig,
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

  /**
   * Opens (creating if needed) the log in `dir`. With a tier, offsets below the first local
   * segment are read from it, and a partition whose local segments were lost carries on
   * from where the tier's manifest ends.
   */
  static async open(
    dir: string,
    config: PartitionLogConfig,
    durability: Durability,
    tierLocation?: Omit<PartitionTierLocation, 'dir'>,
  ): Promise<{ log: PartitionLog; recovery: RecoveryReport }> {
    await mkdir(dir, { recursive: true });
    await recoverSegmentSwap(dir);
    const tier = tierLocation === undefined ? undefined : await PartitionTier.open({ ...tierLocation, dir });
    const cleanShutdown = existsSync(join(dir, CLEAN_SHUTDOWN));
    const checkpoint = await readFile(join(dir, LOG_START_CHECKPOINT), 'utf8').then(
      (text) => BigInt(text.trim()),
      () => 0n,
    );
    let bases = segmentBaseOffsets(await readdir(dir));
    const tierEnd = tier?.endOffset ?? 0n;
    if (bases.length === 0) bases = [checkpoint > tierEnd ? checkpoint : tierEnd];
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
    const tierStart = tier?.startOffset;
    const firstBase = segments[0]!.baseOffset;
    const lowest = tierStart !== undefined && tierStart < firstBase ? tierStart : firstBase;
    const logStartOffset = checkpoint > lowest ? checkpoint : lowest;
    const log = new PartitionLog(dir, config, durability, segments, nextOffset, logStartOffset);
    log.tier = tier;
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

  get config(): PartitionLogConfig {
    return this.settings;
  }

  /** Applies changed topic configs (segment size and age, index interval) from the next append on. */
  reconfigure(config: PartitionLogConfig): void {
    this.settings = config;
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
    let maxTimestamp = -1n;
    const placed = batches.map((batch) => {
      batch.setBaseOffset(next);
      next += BigInt(batch.lastOffsetDelta) + 1n;
      total += batch.bytes.length;
      if (batch.maxTimestamp > maxTimestamp) maxTimestamp = batch.maxTimestamp;
      return { bytes: batch.bytes, baseOffset: batch.baseOffset, maxTimestamp: batch.maxTimestamp };
    });
    await this.maybeRoll(total, maxTimestamp);
    await this.active.append(placed);
    this.nextOffset = next;
    return { baseOffset, lastOffset: next - 1n };
  }

  private get active(): LogSegment {
    return this.segments[this.segments.length - 1]!;
  }

  private async maybeRoll(incoming: number, incomingTimestamp: bigint): Promise<void> {
    const active = this.active;
    if (active.size === 0) return;
    const full = active.size + incoming > this.config.segmentBytes;
    const old = active.timeWaitedForRoll(Date.now(), incomingTimestamp) > this.config.segmentMs;
    if (!full && !old) return;
    // A rolled segment is never written again: make it durable now so recovery only ever
    // has to check the active one.
    await active.sync();
    await active.flushIndexes();
    const segment = await LogSegment.open(this.dir, this.nextOffset, this.config);
    await syncDirectory(this.dir);
    this.segments = [...this.segments, segment];
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

  /** Index in `segments` of the segment that would hold `offset`. */
  private static segmentIndex(segments: readonly LogSegment[], offset: bigint): number {
    let lo = 0;
    let hi = segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (segments[mid]!.baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
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
    const segments = this.segments;
    if (this.tier !== undefined && offset < segments[0]!.baseOffset) {
      const remote = await this.tier.read(offset, maxBytes, upTo);
      if (remote !== undefined) return remote;
    }
    let index = PartitionLog.segmentIndex(segments, offset);
    let first: StoredBatch | undefined;
    let segment: LogSegment;
    do {
      segment = segments[index]!;
      first = await this.findBatch(segment, offset);
      index++;
    } while (first === undefined && index < segments.length);
    if (first === undefined || first.baseOffset >= upTo) return Buffer.alloc(0);
    const bytes = await segment.read(first.position, Math.max(maxBytes, first.size));
    return wholeBatchesBelow(bytes, upTo);
  }

  /** The first batch whose max timestamp is ≥ `timestamp` (ListOffsets by time), with its bytes. */
  async findByTimestamp(timestamp: bigint): Promise<{ batch: StoredBatch; bytes: Buffer } | undefined> {
    const segments = this.segments;
    const remote = await this.tier?.findByTimestamp(timestamp, this.startOffset, segments[0]!.baseOffset);
    if (remote !== undefined) return remote;
    for (const segment of segments) {
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

  /**
   * Batch headers from the first local segment on (rebuilding producer state), or with
   * `includeTier` from the first segment in the tier (ListOffsets by max timestamp).
   */
  async *batchHeaders(includeTier = false): AsyncGenerator<StoredBatch> {
    const segments = this.segments;
    if (includeTier && this.tier !== undefined) {
      for (const remote of this.tier.segments) {
        if (remote.nextOffset <= segments[0]!.baseOffset) yield* this.tier.batchHeaders(remote);
      }
    }
    for (const segment of segments) yield* segment.batches(0);
  }

  /**
   * Moves the log start offset to `offset` (Kafka's DeleteRecords): records below it are no
   * longer readable, and whole segments below it are deleted.
   */
  deleteRecordsBefore(offset: bigint): Promise<bigint> {
    return this.exclusive(async () => {
      if (offset < 0n || offset > this.highWatermark) {
        throw new OffsetOutOfRangeError(offset, this.startOffset, this.highWatermark);
      }
      if (offset > this.startOffset) await this.advanceStart(offset);
      await this.dropBelow(offset);
      return this.startOffset;
    });
  }

  /** Deletes local segments, and tier segments, that hold nothing at or above `offset`. */
  private async dropBelow(offset: bigint): Promise<void> {
    let count = 0;
    while (count < this.segments.length - 1 && this.segments[count + 1]!.baseOffset <= offset) count++;
    await this.retireOldest(count);
    await this.tier?.dropBelow(offset);
  }

  /** The segments, oldest first, as retention sees them. */
  segmentSummaries(): SegmentSummary[] {
    return this.segments.map((segment, i) => {
      const next = this.segments[i + 1];
      return {
        baseOffset: segment.baseOffset,
        nextOffset: next === undefined ? this.nextOffset : next.baseOffset,
        size: segment.size,
        largestTimestamp: segment.largestTimestamp,
        firstBatchTimestamp: segment.firstBatchTimestamp,
        active: next === undefined,
      };
    });
  }

  /**
   * Applies retention: deletes the oldest whole segments the policy lets go (never the
   * active one) and moves the log start offset to the first record kept. With a tier,
   * `policy` spans tier and local disk, and `localPolicy` (local.retention.*) then deletes
   * local segments already in the tier, leaving the log start where it is.
   */
  enforceRetention(
    policy: RetentionPolicy,
    now = Date.now(),
    localPolicy?: RetentionPolicy,
  ): Promise<RetentionPlan> {
    return this.exclusive(async () => {
      const tier = this.tier;
      const firstLocal = this.segments[0]!.baseOffset;
      const remoteOnly = tier?.summaries().filter((s) => s.nextOffset <= firstLocal) ?? [];
      const all = [...remoteOnly, ...this.segmentSummaries()];
      const plan = planRetention(all, policy, now, this.startOffset, this.highWatermark);
      if (plan.count > 0) {
        const newStart = all[plan.count]!.baseOffset;
        if (newStart > this.startOffset) await this.advanceStart(newStart);
        await this.dropBelow(newStart);
      }
      if (tier === undefined || localPolicy === undefined) return plan;
      const uploaded = tier.endOffset ?? this.startOffset;
      const bound = uploaded < this.highWatermark ? uploaded : this.highWatermark;
      const local = planRetention(this.segmentSummaries(), localPolicy, now, this.startOffset, bound);
      await this.retireOldest(local.count);
      return { ...plan, local };
    });
  }

  /** Whether closed segments go to a tier. */
  get tiered(): boolean {
    return this.tier !== undefined;
  }

  /** Starts offloading to a tier (remote storage enabled on a live topic). */
  async attachTier(location: Omit<PartitionTierLocation, 'dir'>): Promise<void> {
    this.tier ??= await PartitionTier.open({ ...location, dir: this.dir });
  }

  /**
   * Uploads closed segments the tier does not hold yet, oldest first, each recorded in the
   * manifest before the next starts; returns how many went up.
   */
  uploadToTier(): Promise<number> {
    return this.exclusive(async () => {
      const tier = this.tier;
      if (tier === undefined) return 0;
      let uploaded = 0;
      for (const summary of this.pendingUploads()) {
        const segment = this.segments.find((s) => s.baseOffset === summary.baseOffset);
        if (segment === undefined) continue;
        await tier.upload(segment, summary.nextOffset);
        uploaded++;
      }
      return uploaded;
    });
  }

  /** Closed local segments, below the high watermark, that the tier does not hold yet. */
  private pendingUploads(): SegmentSummary[] {
    const end = this.tier?.endOffset;
    return this.segmentSummaries().filter(
      (s) => !s.active && s.nextOffset <= this.highWatermark && (end === undefined || s.baseOffset >= end),
    );
  }

  /** Where the log's data is: local disk and the tier, for admin views. */
  storage(): LogStorage {
    const pending = this.tier === undefined ? [] : this.pendingUploads();
    const firstLocal = this.segments[0]!.baseOffset;
    return {
      logStartOffset: this.startOffset,
      localLogStartOffset: firstLocal > this.startOffset ? firstLocal : this.startOffset,
      localBytes: this.sizeBytes,
      localSegments: this.segments.length,
      remoteBytes: this.tier?.bytes ?? 0,
      remoteSegments: this.tier?.segments.length ?? 0,
      remoteLogStartOffset: this.tier?.startOffset ?? -1n,
      remoteLogEndOffset: this.tier?.endOffset ?? -1n,
      uploadLagSegments: pending.length,
      uploadLagBytes: pending.reduce((sum, s) => sum + s.size, 0),
      ...(this.tier === undefined ? {} : { tier: this.tier.description }),
    };
  }

  /**
   * Runs `task` while no other maintenance (retention, DeleteRecords, cleaning, tier
   * uploads) changes this log's segments; appends go on meanwhile.
   */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.maintenanceChain.then(task);
    this.maintenanceChain = run.catch(() => undefined);
    return run;
  }

  /** The segments themselves, for maintenance running under `exclusive` (the cleaner, the tier). */
  maintenanceSegments(): readonly LogSegment[] {
    return this.segments;
  }

  /**
   * Swaps a run of closed segments for the cleaned segment written beside them at
   * `cleanedBase` (crash-atomic, see segment-swap.ts); readers of the old ones finish first.
   */
  async replaceSegments(replaced: readonly LogSegment[], cleanedBase: bigint): Promise<void> {
    const at = this.segments.indexOf(replaced[0]!);
    if (at < 0 || this.segments[at + replaced.length - 1] !== replaced[replaced.length - 1]) {
      throw new Error('replaced segments are no longer a run of this log');
    }
    await swapSegmentFiles(this.dir, {
      replaced: replaced.map((s) => s.baseOffset),
      cleaned: [cleanedBase],
    });
    const cleaned = await LogSegment.open(this.dir, cleanedBase, this.settings);
    this.segments = [...this.segments.slice(0, at), cleaned, ...this.segments.slice(at + replaced.length)];
    this.retire(replaced);
  }

  private async advanceStart(offset: bigint): Promise<void> {
    this.startOffset = offset;
    await writeFileDurably(join(this.dir, LOG_START_CHECKPOINT), `${offset}\n`);
  }

  /** Drops the `count` oldest segments: out of the log at once, files unlinked, handles closed later. */
  private async retireOldest(count: number): Promise<void> {
    if (count === 0) return;
    const gone = this.segments.slice(0, count);
    this.segments = this.segments.slice(count);
    for (const segment of gone) await segment.deleteFiles();
    await syncDirectory(this.dir);
    this.retire(gone);
  }

  private retire(segments: readonly LogSegment[]): void {
    for (const segment of segments) {
      const timer = setTimeout(() => {
        this.retired.delete(segment);
        void segment.close().catch(() => undefined);
      }, RETIRED_CLOSE_DELAY_MS);
      timer.unref();
      this.retired.set(segment, timer);
    }
  }

  private async closeRetired(): Promise<void> {
    for (const [segment, timer] of this.retired) {
      clearTimeout(timer);
      await segment.close().catch(() => undefined);
    }
    this.retired.clear();
  }

  /** Makes everything durable and marks the shutdown clean, so the next open skips recovery. */
  async close(): Promise<void> {
    await this.appendChain;
    await this.maintenanceChain;
    await this.closeRetired();
    await this.active.sync();
    for (const segment of this.segments) await segment.close();
    await writeFile(join(this.dir, CLEAN_SHUTDOWN), '');
    await syncDirectory(this.dir);
  }

  /** Closes and deletes the partition's directory and what it has in the tier (topic deletion). */
  async destroy(): Promise<void> {
    await this.appendChain;
    await this.maintenanceChain;
    await this.closeRetired();
    await this.tier?.destroy();
    for (const segment of this.segments) await segment.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}
