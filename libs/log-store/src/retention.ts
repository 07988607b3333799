/** What retention needs to know of a segment, oldest first. */
export interface SegmentSummary {
  baseOffset: bigint;
  /** The offset after the segment: the next segment's base, or the log end for the active one. */
  nextOffset: bigint;
  size: number;
  /** Newest record time in the segment, else when its file last changed (ms). */
  largestTimestamp: number;
  /** The first batch's max timestamp, or -1. */
  firstBatchTimestamp: number;
  active: boolean;
}

/** Kafka's retention settings of a topic; -1 means unlimited. */
export interface RetentionPolicy {
  retentionMs: number;
  retentionBytes: number;
}

export type RetentionReason = 'retention.ms' | 'retention.bytes' | 'log-start-offset';

export interface RetentionPlan {
  /** How many of the oldest segments to delete. */
  count: number;
  reason?: RetentionReason;
  /** With a tier: local segments (already in the tier) deleted by local.retention.*. */
  local?: RetentionPlan;
}

/**
 * Which whole segments Kafka's retention deletes, oldest first, in Kafka's order: segments
 * whose newest record is older than retention.ms, then segments while the partition stays
 * at least retention.bytes without them, then segments wholly below the log start offset.
 * Each rule stops at the first segment it keeps. The active segment is never deleted, nor a
 * segment that reaches past `upTo` (the high watermark, or what the tier already holds).
 */
export function planRetention(
  segments: readonly SegmentSummary[],
  policy: RetentionPolicy,
  now: number,
  logStartOffset: bigint,
  upTo: bigint,
): RetentionPlan {
  const deletable = (i: number) =>
    i < segments.length && !segments[i]!.active && segments[i]!.nextOffset <= upTo;
  let count = 0;
  let reason: RetentionReason | undefined;
  if (policy.retentionMs >= 0) {
    while (deletable(count) && now - segments[count]!.largestTimestamp > policy.retentionMs) count++;
    if (count > 0) reason = 'retention.ms';
  }
  if (policy.retentionBytes >= 0) {
    let excess = segments.slice(count).reduce((sum, s) => sum + s.size, 0) - policy.retentionBytes;
    const before = count;
    while (deletable(count) && excess - segments[count]!.size >= 0) {
      excess -= segments[count]!.size;
      count++;
    }
    if (count > before) reason ??= 'retention.bytes';
  }
  const before = count;
  while (deletable(count) && segments[count]!.nextOffset <= logStartOffset) count++;
  if (count > before) reason ??= 'log-start-offset';
  return reason === undefined ? { count } : { count, reason };
}
