import { ErrorCode, Metadata } from '@trunkline/kafka-protocol';
import type { BrokerState } from '../broker-state';
import { KafkaError } from '../kafka-error';
import type { TopicRecord } from '../topics/topic-catalog';
import { topicNameProblem } from '../topics/topic-name';
import { defineHandler } from './handler';

function describeTopic(state: BrokerState, topic: TopicRecord) {
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    topicId: Buffer.from(topic.id, 'hex'),
    isInternal: topic.internal,
    partitions: Array.from({ length: topic.partitions }, (_, partitionIndex) => ({
      errorCode: ErrorCode.NONE,
      partitionIndex,
      leaderId: state.nodeId,
      leaderEpoch: 0,
      replicaNodes: [state.nodeId],
      isrNodes: [state.nodeId],
      offlineReplicas: [],
    })),
  };
}

export const metadataHandler = defineHandler<typeof Metadata, BrokerState>({
  api: Metadata,
  versions: '0-12',
  async handle(request, { state, version }) {
    // v0 asks for every topic with an empty list; later versions with null.
    const everything = request.topics === null || (version === 0 && request.topics.length === 0);
    const topics = everything
      ? state.topics.list().map((t) => describeTopic(state, t))
      : await Promise.all(
          request.topics!.map(async (requested) => {
            const byId = requested.name === null ? state.topics.topicById(requested.topicId) : undefined;
            const name = requested.name ?? byId?.name ?? null;
            const existing = byId ?? (name === null ? undefined : state.topics.topic(name));
            if (existing !== undefined) return describeTopic(state, existing);
            if (name === null)
              return { errorCode: ErrorCode.UNKNOWN_TOPIC_ID, name: null, topicId: requested.topicId };
            const problem = topicNameProblem(name);
            if (problem !== undefined) return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, name };
            const create = request.allowAutoTopicCreation && state.autoCreateTopics;
            if (!create) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name };
            try {
              return describeTopic(state, await state.topics.autoCreate(name));
            } catch (error) {
              if (error instanceof KafkaError) return { errorCode: error.code, name };
              throw error;
            }
          }),
        );
    return {
      throttleTimeMs: 0,
      brokers: [
        { nodeId: state.nodeId, host: state.advertised.host, port: state.advertised.port, rack: null },
      ],
      clusterId: state.topics.catalog.clusterId,
      controllerId: state.nodeId,
      topics,
    };
  },
});
