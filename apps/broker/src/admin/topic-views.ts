import { create } from '@bufbuild/protobuf';
import {
  ConfigSource,
  type TopicDescription,
  TopicDescriptionSchema,
} from '@trunkline/contracts/broker/v1/broker_admin';
import type { TopicRecord } from '../topics/topic-catalog';
import { effectiveConfigs } from '../topics/topic-config';
import type { TopicManager } from '../topics/topic-manager';

export function describeTopic(topics: TopicManager, topic: TopicRecord, nodeId: number): TopicDescription {
  return create(TopicDescriptionSchema, {
    name: topic.name,
    topicId: Buffer.from(topic.id, 'hex'),
    internal: topic.internal,
    partitions: topics.partitions(topic.name).map((log, partition) => ({
      partition,
      leader: nodeId,
      logStartOffset: log.logStartOffset,
      logEndOffset: log.highWatermark,
      sizeBytes: BigInt(log.sizeBytes),
      segments: log.segmentCount,
    })),
    configs: effectiveConfigs(topic.configs).map((c) => ({
      name: c.name,
      value: c.value,
      source: c.isDefault ? ConfigSource.DEFAULT : ConfigSource.TOPIC,
      readOnly: false,
    })),
  });
}
