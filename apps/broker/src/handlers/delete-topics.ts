import { DeleteTopics, ErrorCode } from '@trunkline/kafka-protocol';
import type { BrokerState } from '../broker-state';
import { KafkaError } from '../kafka-error';
import { defineHandler } from './handler';
import { itemResult } from './kafka-result';

export const deleteTopicsHandler = defineHandler<typeof DeleteTopics, BrokerState>({
  api: DeleteTopics,
  versions: '0-6',
  async handle(request, { state, version }) {
    const wanted =
      version >= 6
        ? request.topics.map((t) => ({
            name: t.name ?? state.topics.topicById(t.topicId)?.name ?? null,
            topicId: t.topicId,
          }))
        : request.topicNames.map((name) => ({ name, topicId: Buffer.alloc(16) }));
    const responses = [];
    for (const topic of wanted) {
      const existing = topic.name === null ? undefined : state.topics.topic(topic.name);
      const result = await itemResult(async () => {
        if (existing === undefined) {
          throw new KafkaError(
            topic.name === null ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            'This server does not host this topic.',
          );
        }
        await state.topics.delete(existing.name);
        state.producers.forget(existing.name);
        await state.groups.forgetTopic(existing.name);
      });
      responses.push({
        name: topic.name,
        topicId: existing === undefined ? topic.topicId : Buffer.from(existing.id, 'hex'),
        ...result,
      });
    }
    return { throttleTimeMs: 0, responses };
  },
});
