import type { GroupCoordinator } from './groups/group-coordinator';
import type { ApiVersionRange } from './handlers/dispatcher';
import type { ProducerIdAllocator } from './producers/producer-ids';
import type { ProducerStateManager } from './producers/producer-state';
import type { TopicManager } from './topics/topic-manager';

/** Everything the request handlers share: one per broker process. */
export interface BrokerState {
  readonly nodeId: number;
  /** host:port clients are told to connect to (Metadata, FindCoordinator). */
  readonly advertised: { host: string; port: number };
  readonly topics: TopicManager;
  readonly producers: ProducerStateManager;
  readonly producerIds: ProducerIdAllocator;
  readonly groups: GroupCoordinator;
  readonly autoCreateTopics: boolean;
  /** ApiVersions' answer: what the registered handlers serve. */
  supportedApis(): ApiVersionRange[];
}
