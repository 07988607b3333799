import { join } from 'node:path';

/** Kafka's naming: the segment's base offset, zero-padded to 20 digits. */
export function segmentStem(baseOffset: bigint): string {
  return baseOffset.toString().padStart(20, '0');
}

/**
 * The three files of a segment. A suffix names a segment being built beside the live one
 * (the cleaner's `.cleaned` output), which a swap later renames into place.
 */
export interface SegmentPaths {
  log: string;
  index: string;
  timeIndex: string;
}

export function segmentPaths(dir: string, baseOffset: bigint, suffix = ''): SegmentPaths {
  const stem = segmentStem(baseOffset);
  return {
    log: join(dir, `${stem}.log${suffix}`),
    index: join(dir, `${stem}.index${suffix}`),
    timeIndex: join(dir, `${stem}.timeindex${suffix}`),
  };
}

/** Base offsets of the segments in a partition directory listing, ascending. */
export function segmentBaseOffsets(files: readonly string[]): bigint[] {
  return files
    .filter((f) => /^\d{20}\.log$/.test(f))
    .map((f) => BigInt(f.slice(0, 20)))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
