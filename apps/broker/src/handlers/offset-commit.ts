import { ErrorCode, OffsetCommit } from '@trunkline/kafka-protocol';
import type { BrokerState } from '../broker-state';
import { defineHandler } from './handler';

export const offsetCommitHandler = defineHandler<typeof OffsetCommit, BrokerState>({
  api: OffsetCommit,
  versions: '0-9',
  async handle(request, { state }) {
    const now = BigInt(Date.now());
    const known = (topic: string, partition: number) =>
      state.topics.partition(topic, partition) !== undefined;
    const commits = request.topics.flatMap((topic) =>
      topic.partitions
        .filter((p) => known(topic.name, p.partitionIndex))
        .map((p) => ({
          topic: topic.name,
          partition: p.partitionIndex,
          committed: {
            offset: p.committedOffset,
            leaderEpoch: p.committedLeaderEpoch,
            metadata: p.committedMetadata,
            commitTimestamp: now,
          },
        })),
    );
    const errorCode = await state.groups.commitOffsets(
      request.groupId,
      request.memberId,
      request.generationIdOrMemberEpoch,
      commits,
    );
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: known(topic.name, p.partitionIndex) ? errorCode : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        })),
      })),
    };
  },
});
