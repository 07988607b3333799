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
    partitions: topics.partitions(topic.name).map((log, partition) => {
      const storage = log.storage();
      return {
        partition,
        leader: nodeId,
        logStartOffset: storage.logStartOffset,
        logEndOffset: log.highWatermark,
        sizeBytes: BigInt(storage.localBytes),
        segments: storage.localSegments,
        localLogStartOffset: storage.localLogStartOffset,
        remoteBytes: BigInt(storage.remoteBytes),
        remoteSegments: storage.remoteSegments,
        remoteLogStartOffset: storage.remoteLogStartOffset,
        remoteLogEndOffset: storage.remoteLogEndOffset,
        uploadLagSegments: storage.uploadLagSegments,
        uploadLagBytes: BigInt(storage.uploadLagBytes),
      };
    }),
    configs: effectiveConfigs(topic.configs).map((c) => ({
      name: c.name,
      value: c.value,
      source: c.isDefault ? ConfigSource.DEFAULT : ConfigSource.TOPIC,
      readOnly: false,
    })),
  });
}
