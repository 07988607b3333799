import { ErrorCode, OffsetForLeaderEpoch } from '@trunkline/kafka-protocol';
import type { BrokerState } from '../broker-state';
import { defineHandler } from './handler';

/**
 * A single broker never changes leader, so every partition has lived in epoch 0: the end
 * offset of epoch 0 (or any later one asked about) is the log end. Clients use this to
 * detect truncation after a leader change, which cannot happen here.
 */
export const offsetForLeaderEpochHandler = defineHandler<typeof OffsetForLeaderEpoch, BrokerState>({
  api: OffsetForLeaderEpoch,
  versions: '0-4',
  handle(request, { state }) {
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((topic) => ({
        topic: topic.topic,
        partitions: topic.partitions.map((p) => {
          const log = state.topics.partition(topic.topic, p.partition);
          if (log === undefined)
            return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, partition: p.partition };
          if (p.currentLeaderEpoch > 0)
            return { errorCode: ErrorCode.UNKNOWN_LEADER_EPOCH, partition: p.partition };
          return {
            errorCode: ErrorCode.NONE,
            partition: p.partition,
            leaderEpoch: 0,
            endOffset: log.highWatermark,
          };
        }),
      })),
    };
  },
});
