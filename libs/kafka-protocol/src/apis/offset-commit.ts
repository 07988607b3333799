import { field } from '../schema/fields';
import { defineApi } from '../schema/message';

/**
 * v1 adds the generation and member id, and a commit timestamp per partition (v1 only);
 * v2 replaces that timestamp with a retention time (v2-4; from v5 the broker's setting alone
 * decides); v3 adds throttle time; v6 the leader epoch; v7 static membership; v8 is flexible;
 * v9 may carry a member epoch of the consumer protocol (KIP-848) in the generation's place.
 * Apache Kafka 4 serves v2 and later only (KIP-896).
 */
export const OffsetCommit = defineApi({
  apiKey: 8,
  name: 'OffsetCommit',
  validVersions: '0-9',
  flexibleVersions: '8+',
  request: [
    field.string('groupId', '0+'),
    field.int32('generationIdOrMemberEpoch', '1+', { default: -1 }),
    field.string('memberId', '1+'),
    field.nullableString('groupInstanceId', '7+', '7+', { default: null }),
    field.int64('retentionTimeMs', '2-4', { default: -1n }),
    field.array('topics', '0+', [
      field.string('name', '0+'),
      field.array('partitions', '0+', [
        field.int32('partitionIndex', '0+'),
        field.int64('committedOffset', '0+'),
        field.int32('committedLeaderEpoch', '6+', { default: -1 }),
        field.int64('commitTimestamp', '1', { default: -1n }),
        field.nullableString('committedMetadata', '0+', '0+'),
      ]),
    ]),
  ],
  response: [
    field.int32('throttleTimeMs', '3+'),
    field.array('topics', '0+', [
      field.string('name', '0+'),
      field.array('partitions', '0+', [field.int32('partitionIndex', '0+'), field.int16('errorCode', '0+')]),
    ]),
  ],
});
