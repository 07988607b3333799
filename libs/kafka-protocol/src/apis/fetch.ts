import { field } from '../schema/fields';
import { defineApi } from '../schema/message';

const MAX_INT64 = 0x7fffffffffffffffn;

/**
 * Fetch (key 1). v3 adds maxBytes; v4 the isolation level (and magic-2 batches); v7 fetch
 * sessions (KIP-227); v12 is the first flexible version; v13 names topics by id (KIP-516); v15
 * moves the replica id into the tagged replicaState (KIP-903); v17 adds the follower's directory
 * id (KIP-853); v18 the follower's high watermark (KIP-1166). Apache Kafka 4.x serves v4+.
 */
export const Fetch = defineApi({
  apiKey: 1,
  name: 'Fetch',
  validVersions: '0-18',
  flexibleVersions: '12+',
  request: [
    field.nullableString('clusterId', '12+', '12+', { tag: 0, taggedVersions: '12+', default: null }),
    // -1 for a consumer.
    field.int32('replicaId', '0-14', { default: -1 }),
    field.struct(
      'replicaState',
      '15+',
      [
        field.int32('replicaId', '15+', { default: -1 }),
        field.int64('replicaEpoch', '15+', { default: -1n }),
      ],
      { tag: 1, taggedVersions: '15+' },
    ),
    field.int32('maxWaitMs', '0+'),
    field.int32('minBytes', '0+'),
    field.int32('maxBytes', '3+', { default: 0x7fffffff }),
    // 0: READ_UNCOMMITTED, 1: READ_COMMITTED.
    field.int8('isolationLevel', '4+', { default: 0 }),
    field.int32('sessionId', '7+', { default: 0 }),
    field.int32('sessionEpoch', '7+', { default: -1 }),
    field.array('topics', '0+', [
      field.string('topic', '0-12'),
      field.uuid('topicId', '13+'),
      field.array('partitions', '0+', [
        field.int32('partition', '0+'),
        field.int32('currentLeaderEpoch', '9+', { default: -1 }),
        field.int64('fetchOffset', '0+'),
        field.int32('lastFetchedEpoch', '12+', { default: -1 }),
        field.int64('logStartOffset', '5+', { default: -1n }),
        field.int32('partitionMaxBytes', '0+'),
        field.uuid('replicaDirectoryId', '17+', { tag: 0, taggedVersions: '17+' }),
        field.int64('highWatermark', '18+', { tag: 1, taggedVersions: '18+', default: MAX_INT64 }),
      ]),
    ]),
    field.array('forgottenTopicsData', '7+', [
      field.string('topic', '7-12'),
      field.uuid('topicId', '13+'),
      field.arrayOf('partitions', '7+', 'int32'),
    ]),
    field.string('rackId', '11+', { default: '' }),
  ],
  response: [
    field.int32('throttleTimeMs', '1+'),
    field.int16('errorCode', '7+'),
    field.int32('sessionId', '7+', { default: 0 }),
    field.array('responses', '0+', [
      field.string('topic', '0-12'),
      field.uuid('topicId', '13+'),
      field.array('partitions', '0+', [
        field.int32('partitionIndex', '0+'),
        field.int16('errorCode', '0+'),
        field.int64('highWatermark', '0+'),
        field.int64('lastStableOffset', '4+', { default: -1n }),
        field.int64('logStartOffset', '5+', { default: -1n }),
        field.struct(
          'divergingEpoch',
          '12+',
          [field.int32('epoch', '12+', { default: -1 }), field.int64('endOffset', '12+', { default: -1n })],
          { tag: 0, taggedVersions: '12+' },
        ),
        field.struct(
          'currentLeader',
          '12+',
          [
            field.int32('leaderId', '12+', { default: -1 }),
            field.int32('leaderEpoch', '12+', { default: -1 }),
          ],
          { tag: 1, taggedVersions: '12+' },
        ),
        field.struct(
          'snapshotId',
          '12+',
          [field.int64('endOffset', '0+', { default: -1n }), field.int32('epoch', '0+', { default: -1 })],
          { tag: 2, taggedVersions: '12+' },
        ),
        // Null unless the fetch is READ_COMMITTED.
        field.nullableArray(
          'abortedTransactions',
          '4+',
          [field.int64('producerId', '4+'), field.int64('firstOffset', '4+')],
          '4+',
        ),
        field.int32('preferredReadReplica', '11+', { default: -1 }),
        field.records('records', '0+'),
      ]),
    ]),
    field.array(
      'nodeEndpoints',
      '16+',
      [
        field.int32('nodeId', '16+'),
        field.string('host', '16+'),
        field.int32('port', '16+'),
        field.nullableString('rack', '16+', '16+', { default: null }),
      ],
      { tag: 0, taggedVersions: '16+' },
    ),
  ],
});
