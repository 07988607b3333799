import type { ApiSpec } from '../schema/message';
import { AlterConfigs } from './alter-configs';
import { ApiVersions } from './api-versions';
import { CreatePartitions } from './create-partitions';
import { CreateTopics } from './create-topics';
import { DeleteGroups } from './delete-groups';
import { DeleteRecords } from './delete-records';
import { DeleteTopics } from './delete-topics';
import { DescribeConfigs } from './describe-configs';
import { DescribeGroups } from './describe-groups';
import { Fetch } from './fetch';
import { FindCoordinator } from './find-coordinator';
import { Heartbeat } from './heartbeat';
import { IncrementalAlterConfigs } from './incremental-alter-configs';
import { InitProducerId } from './init-producer-id';
import { JoinGroup } from './join-group';
import { LeaveGroup } from './leave-group';
import { ListGroups } from './list-groups';
import { ListOffsets } from './list-offsets';
import { Metadata } from './metadata';
import { OffsetCommit } from './offset-commit';
import { OffsetFetch } from './offset-fetch';
import { OffsetForLeaderEpoch } from './offset-for-leader-epoch';
import { Produce } from './produce';
import { SaslAuthenticate } from './sasl-authenticate';
import { SaslHandshake } from './sasl-handshake';
import { SyncGroup } from './sync-group';

export { AlterConfigs } from './alter-configs';
export { ApiVersions } from './api-versions';
export { CreatePartitions } from './create-partitions';
export { CreateTopics } from './create-topics';
export { DeleteGroups } from './delete-groups';
export { DeleteRecords } from './delete-records';
export { DeleteTopics } from './delete-topics';
export { DescribeConfigs } from './describe-configs';
export { DescribeGroups } from './describe-groups';
export { Fetch } from './fetch';
export { FindCoordinator } from './find-coordinator';
export { Heartbeat } from './heartbeat';
export { IncrementalAlterConfigs } from './incremental-alter-configs';
export { InitProducerId } from './init-producer-id';
export { JoinGroup } from './join-group';
export { LeaveGroup } from './leave-group';
export { ListGroups } from './list-groups';
export { ListOffsets } from './list-offsets';
export { Metadata } from './metadata';
export { OffsetCommit } from './offset-commit';
export { OffsetFetch } from './offset-fetch';
export { OffsetForLeaderEpoch } from './offset-for-leader-epoch';
export { Produce } from './produce';
export { SaslAuthenticate } from './sasl-authenticate';
export { SaslHandshake } from './sasl-handshake';
export { SyncGroup } from './sync-group';

/** Every API described here, in api key order. A broker serves those it has handlers for. */
export const API_SPECS: readonly ApiSpec[] = [
  Produce,
  Fetch,
  ListOffsets,
  Metadata,
  OffsetCommit,
  OffsetFetch,
  FindCoordinator,
  JoinGroup,
  Heartbeat,
  LeaveGroup,
  SyncGroup,
  DescribeGroups,
  ListGroups,
  SaslHandshake,
  ApiVersions,
  CreateTopics,
  DeleteTopics,
  DeleteRecords,
  InitProducerId,
  OffsetForLeaderEpoch,
  DescribeConfigs,
  AlterConfigs,
  SaslAuthenticate,
  CreatePartitions,
  DeleteGroups,
  IncrementalAlterConfigs,
].sort((a, b) => a.apiKey - b.apiKey);

const byKey = new Map(API_SPECS.map((api) => [api.apiKey, api]));

export function apiByKey(apiKey: number): ApiSpec | undefined {
  return byKey.get(apiKey);
}
