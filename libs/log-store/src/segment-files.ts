import { join } from 'node:path';

/** Kafka's naming: the segment's base offset, zero-padded to 20 digits. */
export function segmentStem(baseOffset: bigint): string {
  return baseOffset.toString().padStart(20, '0');
}

export function segmentPaths(dir: string, baseOffset: bigint) {
  const stem = segmentStem(baseOffset);
  return {
    log: join(dir, `${stem}.log`),
    index: join(dir, `${stem}.index`),
    timeIndex: join(dir, `${stem}.timeindex`),
  };
}

/** Base offsets of the segments in a partition directory listing, ascending. */
export function segmentBaseOffsets(files: readonly string[]): bigint[] {
  return files
    .filter((f) => /^\d{20}\.log$/.test(f))
    .map((f) => BigInt(f.slice(0, 20)))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
