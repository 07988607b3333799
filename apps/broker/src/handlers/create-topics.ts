import { CreateTopics, ErrorCode } from '@trunkline/kafka-protocol';
import type { BrokerState } from '../broker-state';
import { KafkaError } from '../kafka-error';
import { effectiveConfigs } from '../topics/topic-config';
import { defineHandler } from './handler';
import { itemResult } from './kafka-result';

const DEFAULT_CONFIG = 5;
const TOPIC_CONFIG = 1;

export const createTopicsHandler = defineHandler<typeof CreateTopics, BrokerState>({
  api: CreateTopics,
  versions: '0-7',
  async handle(request, { state }) {
    const topics = [];
    for (const topic of request.topics) {
      const partitions = topic.numPartitions === -1 ? state.topics.defaults.partitions : topic.numPartitions;
      const replicationFactor = topic.replicationFactor === -1 ? 1 : topic.replicationFactor;
      const configs = Object.fromEntries(topic.configs.map((c) => [c.name, c.value]));
      const result = await itemResult(async () => {
        if (topic.assignments.length > 0) {
          throw new KafkaError(
            ErrorCode.INVALID_REPLICA_ASSIGNMENT,
            'manual replica assignment is not supported by a single broker',
          );
        }
        state.topics.validateNew(topic.name, partitions, replicationFactor, configs);
        if (!request.validateOnly) {
          const set = Object.fromEntries(
            Object.entries(configs).filter((e): e is [string, string] => e[1] !== null),
          );
          await state.topics.create(topic.name, partitions, set);
        }
      });
      const created = state.topics.topic(topic.name);
      const overrides = created?.configs ?? {};
      topics.push({
        name: topic.name,
        topicId: created === undefined ? Buffer.alloc(16) : Buffer.from(created.id, 'hex'),
        ...result,
        numPartitions: result.errorCode === ErrorCode.NONE ? partitions : -1,
        replicationFactor: result.errorCode === ErrorCode.NONE ? replicationFactor : -1,
        configs:
          result.errorCode === ErrorCode.NONE
            ? effectiveConfigs(overrides).map((c) => ({
                name: c.name,
                value: c.value,
                readOnly: false,
                configSource: c.isDefault ? DEFAULT_CONFIG : TOPIC_CONFIG,
                isSensitive: false,
              }))
            : null,
      });
    }
    return { throttleTimeMs: 0, topics };
  },
});
