import { field } from '../schema/fields';
import { defineApi } from '../schema/message';

/**
 * OffsetForLeaderEpoch (key 23): the end offset of a leader epoch. v1 returns the epoch; v2
 * adds the current leader epoch for fencing; v3 the replica id; v4 is the first flexible
 * version. Apache Kafka 4.x serves v2+.
 */
export const OffsetForLeaderEpoch = defineApi({
  apiKey: 23,
  name: 'OffsetForLeaderEpoch',
  validVersions: '0-4',
  flexibleVersions: '4+',
  request: [
    // -2 is the "debug" consumer that may see offsets beyond the high watermark; -1 a consumer.
    field.int32('replicaId', '3+', { default: -2 }),
    field.array('topics', '0+', [
      field.string('topic', '0+'),
      field.array('partitions', '0+', [
        field.int32('partition', '0+'),
        field.int32('currentLeaderEpoch', '2+', { default: -1 }),
        field.int32('leaderEpoch', '0+'),
      ]),
    ]),
  ],
  response: [
    field.int32('throttleTimeMs', '2+'),
    field.array('topics', '0+', [
      field.string('topic', '0+'),
      field.array('partitions', '0+', [
        field.int16('errorCode', '0+'),
        field.int32('partition', '0+'),
        field.int32('leaderEpoch', '1+', { default: -1 }),
        field.int64('endOffset', '0+', { default: -1n }),
      ]),
    ]),
  ],
});
