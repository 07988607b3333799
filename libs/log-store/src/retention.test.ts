import { planRetention, type SegmentSummary } from './retention';

/** Segments of `sizes` bytes, 100 offsets each, the last one active; timestamps from `times`. */
function segments(sizes: number[], times: number[]): SegmentSummary[] {
  return sizes.map((size, i) => ({
    baseOffset: BigInt(i * 100),
    nextOffset: BigInt((i + 1) * 100),
    size,
    largestTimestamp: times[i]!,
    firstBatchTimestamp: times[i]!,
    active: i === sizes.length - 1,
  }));
}

const unlimited = { retentionMs: -1, retentionBytes: -1 };

describe('planRetention', () => {
  it('deletes segments whose newest record is older than retention.ms, stopping at the first kept', () => {
    const log = segments([10, 10, 10, 10], [1000, 7000, 1000, 9000]);
    expect(planRetention(log, { ...unlimited, retentionMs: 3000 }, 9500, 0n, 400n)).toEqual({
      count: 1,
      reason: 'retention.ms',
    });
  });

  it('never deletes the active segment, however old', () => {
    const log = segments([10, 10], [1000, 1000]);
    expect(planRetention(log, { ...unlimited, retentionMs: 10 }, 9000, 0n, 200n).count).toBe(1);
  });

  it('deletes oldest segments while the rest still holds retention.bytes', () => {
    const log = segments([100, 100, 100, 50], [0, 0, 0, 0]);
    // 350 bytes, 120 allowed: dropping 100 leaves 250, 100 more leaves 150, the next would leave 50.
    expect(planRetention(log, { ...unlimited, retentionBytes: 120 }, 0, 0n, 400n)).toEqual({
      count: 2,
      reason: 'retention.bytes',
    });
    expect(planRetention(log, { ...unlimited, retentionBytes: 350 }, 0, 0n, 400n).count).toBe(0);
    expect(planRetention(log, { ...unlimited, retentionBytes: 0 }, 0, 0n, 400n).count).toBe(3);
  });

  it('applies size after time, on what time left', () => {
    const log = segments([100, 100, 100, 100], [0, 9000, 9000, 9000]);
    expect(planRetention(log, { retentionMs: 5000, retentionBytes: 200 }, 9500, 0n, 400n)).toEqual({
      count: 2,
      reason: 'retention.ms',
    });
  });

  it('drops segments wholly below the log start offset', () => {
    const log = segments([10, 10, 10], [0, 0, 0]);
    expect(planRetention(log, unlimited, 0, 150n, 300n)).toEqual({ count: 1, reason: 'log-start-offset' });
  });

  it('keeps segments that reach past the bound (high watermark, or what the tier holds)', () => {
    const log = segments([10, 10, 10, 10], [0, 0, 0, 0]);
    expect(planRetention(log, { ...unlimited, retentionMs: 1 }, 9000, 0n, 200n).count).toBe(2);
  });
});
