import { timestampMs } from '@bufbuild/protobuf/wkt';
import { LogBoundary, type OffsetSpec } from '@trunkline/contracts';
import { parseStoredBatches, readRecords } from '@trunkline/kafka-protocol';
import type { PartitionLog } from '@trunkline/log-store';
import { Code, TrunklineError } from '@trunkline/runtime';

/**
 * The offset an OffsetSpec names in one partition (unset means latest). An explicit offset
 * outside the log is refused, or with `clamp` moved to the nearest end, as Kafka's
 * consumer-groups tool does when resetting offsets.
 */
export async function resolveOffset(
  log: PartitionLog,
  spec: OffsetSpec | undefined,
  clamp = false,
): Promise<bigint> {
  const choice = spec?.spec;
  switch (choice?.case) {
    case undefined:
      return log.highWatermark;
    case 'boundary':
      if (choice.value === LogBoundary.EARLIEST) return log.logStartOffset;
      if (choice.value === LogBoundary.LATEST) return log.highWatermark;
      throw new TrunklineError(Code.InvalidArgument, 'offset spec boundary must be EARLIEST or LATEST');
    case 'offset': {
      const offset = choice.value;
      if (clamp)
        return offset < log.logStartOffset
          ? log.logStartOffset
          : offset > log.highWatermark
            ? log.highWatermark
            : offset;
      if (offset < log.logStartOffset || offset > log.highWatermark) {
        throw new TrunklineError(
          Code.OutOfRange,
          `offset ${offset} is outside [${log.logStartOffset}, ${log.highWatermark}]`,
        );
      }
      return offset;
    }
    case 'timestamp': {
      const at = BigInt(timestampMs(choice.value));
      const found = await log.findByTimestamp(at);
      if (found === undefined) return log.highWatermark;
      const [batch] = parseStoredBatches(found.bytes);
      const record = readRecords(batch!).find((r) => r.timestamp >= at);
      return record?.offset ?? found.batch.baseOffset;
    }
  }
}
