import { ErrorCode, ListOffsets, parseStoredBatches, readRecords } from '@trunkline/kafka-protocol';
import type { PartitionLog } from '@trunkline/log-store';
import type { BrokerState } from '../broker-state';
import { defineHandler } from './handler';

const LATEST = -1n;
const EARLIEST = -2n;
const MAX_TIMESTAMP = -3n;
const EARLIEST_LOCAL = -4n;
/** KIP-1005: the highest offset in the tier, -1 when it holds none. */
const LATEST_TIERED = -5n;

async function offsetForTime(
  log: PartitionLog,
  timestamp: bigint,
): Promise<{ offset: bigint; timestamp: bigint }> {
  const found = await log.findByTimestamp(timestamp);
  if (found === undefined) return { offset: -1n, timestamp: -1n };
  const [batch] = parseStoredBatches(found.bytes);
  try {
    // The first record at or after the time, not just its batch, as Kafka answers.
    const record = readRecords(batch!).find(
      (r) => r.timestamp >= timestamp && r.offset >= log.logStartOffset,
    );
    if (record !== undefined) return { offset: record.offset, timestamp: record.timestamp };
  } catch {
    // A codec we do not decode: the batch's base offset is the closest exact answer available.
  }
  return { offset: found.batch.baseOffset, timestamp: found.batch.maxTimestamp };
}

async function offsetOfMaxTimestamp(log: PartitionLog): Promise<{ offset: bigint; timestamp: bigint }> {
  let best = { offset: -1n, timestamp: -1n };
  for await (const header of log.batchHeaders(true)) {
    if (header.lastOffset < log.logStartOffset) continue;
    if (header.baseOffset >= log.highWatermark) break;
    if (header.maxTimestamp > best.timestamp)
      best = { offset: header.lastOffset, timestamp: header.maxTimestamp };
  }
  return best;
}

async function lookup(log: PartitionLog, timestamp: bigint): Promise<{ offset: bigint; timestamp: bigint }> {
  switch (timestamp) {
    case LATEST:
      return { offset: log.highWatermark, timestamp: -1n };
    case EARLIEST:
      return { offset: log.logStartOffset, timestamp: -1n };
    case EARLIEST_LOCAL:
      return { offset: log.storage().localLogStartOffset, timestamp: -1n };
    case LATEST_TIERED: {
      const end = log.storage().remoteLogEndOffset;
      return { offset: end < 0n ? -1n : end - 1n, timestamp: -1n };
    }
    case MAX_TIMESTAMP:
      return offsetOfMaxTimestamp(log);
    default:
      return timestamp < 0n ? { offset: -1n, timestamp: -1n } : offsetForTime(log, timestamp);
  }
}

export const listOffsetsHandler = defineHandler<typeof ListOffsets, BrokerState>({
  api: ListOffsets,
  versions: '0-10',
  async handle(request, { state, version }) {
    const topics = await Promise.all(
      request.topics.map(async (topic) => ({
        name: topic.name,
        partitions: await Promise.all(
          topic.partitions.map(async (p) => {
            const log = state.topics.partition(topic.name, p.partitionIndex);
            if (log === undefined) {
              return {
                partitionIndex: p.partitionIndex,
                errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                oldStyleOffsets: [],
              };
            }
            const found = await lookup(log, p.timestamp);
            return {
              partitionIndex: p.partitionIndex,
              errorCode: ErrorCode.NONE,
              oldStyleOffsets: version === 0 && found.offset >= 0n ? [found.offset] : [],
              timestamp: found.timestamp,
              offset: found.offset,
              leaderEpoch: 0,
            };
          }),
        ),
      })),
    );
    return { throttleTimeMs: 0, topics };
  },
});
