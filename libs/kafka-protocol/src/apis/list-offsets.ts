import { field } from '../schema/fields';
import { defineApi } from '../schema/message';

/**
 * ListOffsets (key 2). v1 returns one offset and its timestamp instead of a list; v2 adds the
 * isolation level; v4 leader epochs; v6 is the first flexible version; v7-v9 accept the special
 * timestamps -3 (max timestamp), -4 (local log start) and -5 (last tiered offset); v10 adds a
 * timeout for tiered storage (KIP-1075). Apache Kafka 4.x serves v1+.
 */
export const ListOffsets = defineApi({
  apiKey: 2,
  name: 'ListOffsets',
  validVersions: '0-10',
  flexibleVersions: '6+',
  request: [
    // -1 for a consumer.
    field.int32('replicaId', '0+'),
    field.int8('isolationLevel', '2+'),
    field.array('topics', '0+', [
      field.string('name', '0+'),
      field.array('partitions', '0+', [
        field.int32('partitionIndex', '0+'),
        field.int32('currentLeaderEpoch', '4+', { default: -1 }),
        // A time in ms, or -1 (latest), -2 (earliest) and the special values above.
        field.int64('timestamp', '0+'),
        field.int32('maxNumOffsets', '0', { default: 1 }),
      ]),
    ]),
    field.int32('timeoutMs', '10+'),
  ],
  response: [
    field.int32('throttleTimeMs', '2+'),
    field.array('topics', '0+', [
      field.string('name', '0+'),
      field.array('partitions', '0+', [
        field.int32('partitionIndex', '0+'),
        field.int16('errorCode', '0+'),
        field.arrayOf('oldStyleOffsets', '0', 'int64'),
        field.int64('timestamp', '1+', { default: -1n }),
        field.int64('offset', '1+', { default: -1n }),
        field.int32('leaderEpoch', '4+', { default: -1 }),
      ]),
    ]),
  ],
});
