import { CreatePartitions, ErrorCode } from '@trunkline/kafka-protocol';
import type { BrokerState } from '../broker-state';
import { KafkaError } from '../kafka-error';
import { defineHandler } from './handler';
import { itemResult } from './kafka-result';

export const createPartitionsHandler = defineHandler<typeof CreatePartitions, BrokerState>({
  api: CreatePartitions,
  versions: '0-3',
  async handle(request, { state }) {
    const results = [];
    for (const topic of request.topics) {
      const result = await itemResult(async () => {
        const existing = state.topics.topic(topic.name);
        if (existing === undefined)
          throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${topic.name}' does not exist.`);
        if (topic.count <= existing.partitions) {
          throw new KafkaError(
            ErrorCode.INVALID_PARTITIONS,
            `Topic currently has ${existing.partitions} partitions, which is higher than the requested ${topic.count}.`,
          );
        }
        if (!request.validateOnly) await state.topics.addPartitions(topic.name, topic.count);
      });
      results.push({ name: topic.name, ...result });
    }
    return { throttleTimeMs: 0, results };
  },
});
