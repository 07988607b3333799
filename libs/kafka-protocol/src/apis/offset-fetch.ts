import { field } from '../schema/fields';
import { defineApi } from '../schema/message';

/**
 * v0 read offsets from ZooKeeper, v1 from __consumer_offsets (Apache Kafka 4 serves v1 and
 * later only); v2 lets topics be null (every topic) and adds a top-level error code; v3 throttle
 * time; v5 the leader epoch; v6 is flexible; v7 adds requireStable; v8 fetches several groups
 * at once, so the single-group fields end at v7; v9 adds the member id and epoch of the
 * consumer protocol (KIP-848).
 */
export const OffsetFetch = defineApi({
  apiKey: 9,
  name: 'OffsetFetch',
  validVersions: '0-9',
  flexibleVersions: '6+',
  request: [
    field.string('groupId', '0-7'),
    field.nullableArray(
      'topics',
      '0-7',
      [field.string('name', '0-7'), field.arrayOf('partitionIndexes', '0-7', 'int32')],
      '2-7',
    ),
    field.array('groups', '8+', [
      field.string('groupId', '8+'),
      field.nullableString('memberId', '9+', '9+', { default: null }),
      field.int32('memberEpoch', '9+', { default: -1 }),
      field.nullableArray(
        'topics',
        '8+',
        [field.string('name', '8+'), field.arrayOf('partitionIndexes', '8+', 'int32')],
        '8+',
      ),
    ]),
    field.bool('requireStable', '7+'),
  ],
  response: [
    field.int32('throttleTimeMs', '3+'),
    field.array('topics', '0-7', [
      field.string('name', '0-7'),
      field.array('partitions', '0-7', [
        field.int32('partitionIndex', '0-7'),
        field.int64('committedOffset', '0-7'),
        field.int32('committedLeaderEpoch', '5-7', { default: -1 }),
        field.nullableString('metadata', '0-7', '0-7'),
        field.int16('errorCode', '0-7'),
      ]),
    ]),
    field.int16('errorCode', '2-7'),
    field.array('groups', '8+', [
      field.string('groupId', '8+'),
      field.array('topics', '8+', [
        field.string('name', '8+'),
        field.array('partitions', '8+', [
          field.int32('partitionIndex', '8+'),
          field.int64('committedOffset', '8+'),
          field.int32('committedLeaderEpoch', '8+', { default: -1 }),
          field.nullableString('metadata', '8+', '8+'),
          field.int16('errorCode', '8+'),
        ]),
      ]),
      field.int16('errorCode', '8+'),
    ]),
  ],
});
