import type { SegmentSummary } from '../retention';

/** A compacted topic's cleaning settings, as Kafka names them. */
export interface CompactionPolicy {
  /** How long a tombstone stays after the pass that first kept it (delete.retention.ms). */
  deleteRetentionMs: number;
  /** Records younger than this are not compacted (min.compaction.lag.ms). */
  minCompactionLagMs: number;
  /** Dirty records older than this are compacted whatever the ratio (max.compaction.lag.ms). */
  maxCompactionLagMs: number;
  /** Clean when dirty bytes exceed this share of the log (min.cleanable.dirty.ratio). */
  minCleanableDirtyRatio: number;
}

export interface CleaningPlan {
  firstDirtyOffset: bigint;
  /** Nothing at or after this is cleaned: the active segment, or records younger than the lag. */
  firstUncleanableOffset: bigint;
  cleanBytes: number;
  dirtyBytes: number;
  dirtyRatio: number;
  /** Why a pass should run now, if it should. */
  reason?: 'dirty-ratio' | 'max-compaction-lag' | 'delete-horizon';
}

/**
 * Kafka's choice of when and how far to clean a partition: the dirty section runs from the
 * first dirty offset to the active segment (or the first segment younger than
 * min.compaction.lag.ms); a pass is due when its bytes exceed min.cleanable.dirty.ratio of the
 * log, when dirty records waited longer than max.compaction.lag.ms, or when a kept tombstone's
 * delete horizon has passed.
 */
export function planCleaning(
  segments: readonly SegmentSummary[],
  firstDirty: bigint,
  deleteHorizonMs: number | undefined,
  highWatermark: bigint,
  policy: CompactionPolicy,
  now: number,
): CleaningPlan {
  const active = segments.find((s) => s.active);
  let firstUncleanable = active?.baseOffset ?? highWatermark;
  if (highWatermark < firstUncleanable) firstUncleanable = highWatermark;
  if (policy.minCompactionLagMs > 0) {
    const young = segments.find(
      (s) => !s.active && s.nextOffset > firstDirty && s.largestTimestamp > now - policy.minCompactionLagMs,
    );
    if (young !== undefined && young.baseOffset < firstUncleanable) firstUncleanable = young.baseOffset;
  }
  let cleanBytes = 0;
  let dirtyBytes = 0;
  let oldestDirty = Number.POSITIVE_INFINITY;
  for (const segment of segments) {
    if (segment.active || segment.baseOffset >= firstUncleanable) break;
    if (segment.nextOffset <= firstDirty) {
      cleanBytes += segment.size;
      continue;
    }
    dirtyBytes += segment.size;
    if (segment.firstBatchTimestamp >= 0 && segment.firstBatchTimestamp < oldestDirty)
      oldestDirty = segment.firstBatchTimestamp;
  }
  const total = cleanBytes + dirtyBytes;
  const dirtyRatio = total === 0 ? 0 : dirtyBytes / total;
  const plan: CleaningPlan = {
    firstDirtyOffset: firstDirty,
    firstUncleanableOffset: firstUncleanable,
    cleanBytes,
    dirtyBytes,
    dirtyRatio,
  };
  if (dirtyBytes > 0 && dirtyRatio > policy.minCleanableDirtyRatio) return { ...plan, reason: 'dirty-ratio' };
  if (dirtyBytes > 0 && now - oldestDirty > policy.maxCompactionLagMs)
    return { ...plan, reason: 'max-compaction-lag' };
  if (deleteHorizonMs !== undefined && now >= deleteHorizonMs && total > 0)
    return { ...plan, reason: 'delete-horizon' };
  return plan;
}
