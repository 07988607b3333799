import { ErrorCode, OffsetFetch } from '@trunkline/kafka-protocol';
import type { BrokerState } from '../broker-state';
import { defineHandler } from './handler';

type Wanted = { name: string; partitionIndexes: number[] }[] | null;

function fetchGroup(state: BrokerState, groupId: string, topics: Wanted) {
  const wanted =
    topics ??
    Object.values(
      state.groups.offsets
        .all(groupId)
        .reduce<Record<string, { name: string; partitionIndexes: number[] }>>((acc, o) => {
          acc[o.topic] ??= { name: o.topic, partitionIndexes: [] };
          acc[o.topic]!.partitionIndexes.push(o.partition);
          return acc;
        }, {}),
    );
  return wanted.map((topic) => ({
    name: topic.name,
    partitions: topic.partitionIndexes.map((partitionIndex) => {
      const committed = state.groups.committed(groupId, topic.name, partitionIndex);
      return {
        partitionIndex,
        committedOffset: committed?.offset ?? -1n,
        committedLeaderEpoch: committed?.leaderEpoch ?? -1,
        metadata: committed?.metadata ?? '',
        errorCode: ErrorCode.NONE,
      };
    }),
  }));
}

export const offsetFetchHandler = defineHandler<typeof OffsetFetch, BrokerState>({
  api: OffsetFetch,
  versions: '0-9',
  handle(request, { state, version }) {
    if (version < 8) {
      return {
        throttleTimeMs: 0,
        topics: fetchGroup(state, request.groupId, request.topics),
        errorCode: ErrorCode.NONE,
      };
    }
    return {
      throttleTimeMs: 0,
      groups: request.groups.map((group) => ({
        groupId: group.groupId,
        topics: fetchGroup(state, group.groupId, group.topics),
        errorCode: ErrorCode.NONE,
      })),
    };
  },
});
