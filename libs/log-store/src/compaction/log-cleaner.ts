import { utimes } from 'node:fs/promises';
import { filterBatch, type KafkaRecord, RecordBatchView, readRecords } from '@trunkline/kafka-protocol';
import type { StoredBatch } from '../batch-header';
import { LogSegment } from '../log-segment';
import type { PartitionLog } from '../partition-log';
import { CLEANED_SUFFIX } from '../segment-swap';
import { readCleanerCheckpoint, writeCleanerCheckpoint } from './cleaner-checkpoint';
import { type CleaningPlan, type CompactionPolicy, planCleaning } from './cleaning-plan';
import type { IoThrottle } from './io-throttle';
import type { KeyOffsetMap } from './key-offset-map';

/** Batches are written to the cleaned segment in groups of about this many bytes. */
const WRITE_CHUNK_BYTES = 1 << 20;

export interface CleanerContext {
  /** Reused by every pass: the cleaner's memory is this buffer, whatever the log's size. */
  keyMap: KeyOffsetMap;
  throttle: IoThrottle;
  now?: () => number;
  /** True when an emptied batch must stay because its producer's sequence state lives in it. */
  keepsProducerBatch?(batch: RecordBatchView): boolean;
  /** Stops a pass between batches (broker shutdown); its half-written segment is discarded. */
  signal?: AbortSignal;
}

/** What one pass did; undefined from `cleanLog` when no pass was due. */
export interface CleaningResult {
  plan: CleaningPlan;
  /** The new first dirty offset: the pass deduplicated everything below it. */
  cleanedUpTo: bigint;
  segmentsCleaned: number;
  bytesBefore: number;
  bytesAfter: number;
  recordsRemoved: number;
  tombstonesRemoved: number;
}

/** The dedupe buffer cannot hold the keys of one batch: log.cleaner.dedupe.buffer.size is too small. */
export class KeyMapTooSmallError extends Error {
  override readonly name = 'KeyMapTooSmallError';
}

/**
 * One compaction pass over a partition, as Kafka's log cleaner runs it: map every key of
 * the dirty section to its latest offset, then rewrite the closed segments up to there,
 * keeping the newest record of each key, tombstones until their delete horizon, and
 * every offset where it was. Each group of segments is swapped in atomically.
 */
export function cleanLog(
  log: PartitionLog,
  policy: CompactionPolicy,
  context: CleanerContext,
): Promise<CleaningResult | undefined> {
  return log.exclusive(async () => {
    const now = context.now?.() ?? Date.now();
    const checkpoint = await readCleanerCheckpoint(log.dir);
    const start = log.logStartOffset;
    const firstDirty =
      checkpoint !== undefined && checkpoint.firstDirtyOffset > start ? checkpoint.firstDirtyOffset : start;
    const plan = planCleaning(
      log.segmentSummaries(),
      firstDirty,
      checkpoint?.deleteHorizonMs,
      log.highWatermark,
      policy,
      now,
    );
    if (plan.reason === undefined) return undefined;
    const mappedUpTo = await mapDirtyKeys(log.maintenanceSegments(), plan, context);
    const cleanUpTo = mappedUpTo > firstDirty ? mappedUpTo : firstDirty;
    const rewrite = new SegmentRewrite(log, policy, context, now);
    const targets = log
      .maintenanceSegments()
      .filter((s, i, all) => i < all.length - 1 && s.baseOffset < cleanUpTo);
    for (const group of groupBySize(targets, log.config.segmentBytes)) await rewrite.clean(group);
    await writeCleanerCheckpoint(log.dir, {
      firstDirtyOffset: cleanUpTo,
      ...(rewrite.earliestHorizon === undefined ? {} : { deleteHorizonMs: rewrite.earliestHorizon }),
    });
    return {
      plan,
      cleanedUpTo: cleanUpTo,
      segmentsCleaned: targets.length,
      bytesBefore: rewrite.bytesBefore,
      bytesAfter: rewrite.bytesAfter,
      recordsRemoved: rewrite.recordsRemoved,
      tombstonesRemoved: rewrite.tombstonesRemoved,
    };
  });
}

/** Puts every keyed record of the dirty section in the map; returns the offset it mapped up to. */
async function mapDirtyKeys(
  segments: readonly LogSegment[],
  plan: CleaningPlan,
  context: CleanerContext,
): Promise<bigint> {
  const { keyMap } = context;
  keyMap.clear();
  let mappedUpTo = plan.firstDirtyOffset;
  for (const segment of segments) {
    if (segment.baseOffset >= plan.firstUncleanableOffset) break;
    for await (const header of segment.batches(segment.lookup(plan.firstDirtyOffset))) {
      if (header.baseOffset >= plan.firstUncleanableOffset) return mappedUpTo;
      if (header.lastOffset < plan.firstDirtyOffset) continue;
      if (keyMap.size + header.recordsCount > keyMap.capacity) {
        if (mappedUpTo === plan.firstDirtyOffset) {
          throw new KeyMapTooSmallError(
            `the cleaner's key map holds ${keyMap.capacity} keys, fewer than the ${header.recordsCount} records of the batch at offset ${header.baseOffset}`,
          );
        }
        return mappedUpTo;
      }
      const batch = await readBatch(segment, header, context);
      if (!batch.isControl) {
        for (const record of readRecords(batch)) {
          if (record.key !== null && record.offset >= plan.firstDirtyOffset)
            keyMap.put(record.key, record.offset);
        }
      }
      mappedUpTo = header.lastOffset + 1n;
    }
  }
  return mappedUpTo;
}

async function readBatch(
  segment: LogSegment,
  header: StoredBatch,
  context: CleanerContext,
): Promise<RecordBatchView> {
  context.signal?.throwIfAborted();
  const bytes = await segment.read(header.position, header.size);
  await context.throttle.consumed(bytes.length, context.signal);
  return new RecordBatchView(bytes);
}

/** Consecutive segments whose joint size fits one segment, each group becoming one cleaned segment. */
function groupBySize(segments: readonly LogSegment[], maxBytes: number): LogSegment[][] {
  const groups: LogSegment[][] = [];
  let current: LogSegment[] = [];
  let bytes = 0;
  for (const segment of segments) {
    if (current.length > 0 && bytes + segment.size > maxBytes) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(segment);
    bytes += segment.size;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** Rewrites groups of segments into `.cleaned` segments and swaps them in. */
class SegmentRewrite {
  bytesBefore = 0;
  bytesAfter = 0;
  recordsRemoved = 0;
  tombstonesRemoved = 0;
  earliestHorizon: number | undefined;

  constructor(
    private readonly log: PartitionLog,
    private readonly policy: CompactionPolicy,
    private readonly context: CleanerContext,
    private readonly now: number,
  ) {}

  async clean(group: readonly LogSegment[]): Promise<void> {
    const base = group[0]!.baseOffset;
    const output = await LogSegment.open(this.log.dir, base, this.log.config, CLEANED_SUFFIX);
    try {
      let pending: { bytes: Buffer; baseOffset: bigint; maxTimestamp: bigint }[] = [];
      let pendingBytes = 0;
      const flush = async () => {
        if (pending.length === 0) return;
        await output.append(pending);
        await this.context.throttle.consumed(pendingBytes, this.context.signal);
        pending = [];
        pendingBytes = 0;
      };
      for (const segment of group) {
        this.bytesBefore += segment.size;
        for await (const header of segment.batches(0)) {
          const kept = this.cleanBatch(await readBatch(segment, header, this.context));
          if (kept === undefined) continue;
          pending.push({ bytes: kept.bytes, baseOffset: kept.baseOffset, maxTimestamp: kept.maxTimestamp });
          pendingBytes += kept.bytes.length;
          if (pendingBytes >= WRITE_CHUNK_BYTES) await flush();
        }
      }
      await flush();
      this.bytesAfter += output.size;
      await output.sync();
      await output.close();
      // Time retention of records without timestamps goes by file age: keep the group's.
      const modified = new Date(Math.max(...group.map((s) => s.lastModified)));
      await utimes(output.paths.log, modified, modified);
    } catch (error) {
      await output.close().catch(() => undefined);
      await output.deleteFiles();
      throw error;
    }
    await this.log.replaceSegments(group, base);
  }

  /** The batch as it stays in the log, or undefined when nothing of it stays. */
  private cleanBatch(batch: RecordBatchView): RecordBatchView | undefined {
    if (batch.isControl) return batch;
    const horizon = batch.deleteHorizonMs;
    const tombstonesExpire = horizon !== undefined && this.now >= Number(horizon);
    let keptTombstone = false;
    const retain = (record: KafkaRecord) => {
      const latest = record.key !== null && record.offset >= this.context.keyMap.get(record.key);
      const keep = latest && (record.value !== null || !tombstonesExpire);
      if (!keep) {
        this.recordsRemoved++;
        if (latest && record.value === null) this.tombstonesRemoved++;
      } else if (record.value === null) keptTombstone = true;
      return keep;
    };
    const result = filterBatch(batch, retain, {
      setDeleteHorizonMs: BigInt(this.now + this.policy.deleteRetentionMs),
      retainEmpty: batch.producerId >= 0n && (this.context.keepsProducerBatch?.(batch) ?? false),
    });
    const kept =
      result.kind === 'unchanged'
        ? batch
        : result.kind === 'rewritten'
          ? new RecordBatchView(result.bytes)
          : undefined;
    if (kept !== undefined && keptTombstone) {
      const keptHorizon = Number(kept.deleteHorizonMs ?? this.now + this.policy.deleteRetentionMs);
      if (this.earliestHorizon === undefined || keptHorizon < this.earliestHorizon)
        this.earliestHorizon = keptHorizon;
    }
    return kept;
  }
}
