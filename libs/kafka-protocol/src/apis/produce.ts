import { field } from '../schema/fields';
import { defineApi } from '../schema/message';

/**
 * Produce (key 0). v3 adds the transactional id and requires record batches of magic 2; v9 is
 * the first flexible version; v10 adds the leader hints of KIP-951 (tagged); v13 names topics by
 * id instead of by name (KIP-516). Apache Kafka 4.x still advertises v0 (for librdkafka,
 * KAFKA-18659) but refuses v0-2 requests.
 */
export const Produce = defineApi({
  apiKey: 0,
  name: 'Produce',
  validVersions: '0-13',
  flexibleVersions: '9+',
  request: [
    field.nullableString('transactionalId', '3+', '3+', { default: null }),
    // 0: no acknowledgment, 1: the leader's, -1: the full ISR's.
    field.int16('acks', '0+'),
    field.int32('timeoutMs', '0+'),
    field.array('topicData', '0+', [
      field.string('name', '0-12'),
      field.uuid('topicId', '13+'),
      field.array('partitionData', '0+', [field.int32('index', '0+'), field.records('records', '0+')]),
    ]),
  ],
  response: [
    field.array('responses', '0+', [
      field.string('name', '0-12'),
      field.uuid('topicId', '13+'),
      field.array('partitionResponses', '0+', [
        field.int32('index', '0+'),
        field.int16('errorCode', '0+'),
        field.int64('baseOffset', '0+'),
        // -1 unless the topic uses LogAppendTime.
        field.int64('logAppendTimeMs', '2+', { default: -1n }),
        field.int64('logStartOffset', '5+', { default: -1n }),
        field.array('recordErrors', '8+', [
          field.int32('batchIndex', '8+'),
          field.nullableString('batchIndexErrorMessage', '8+', '8+', { default: null }),
        ]),
        field.nullableString('errorMessage', '8+', '8+', { default: null }),
        field.struct(
          'currentLeader',
          '10+',
          [
            field.int32('leaderId', '10+', { default: -1 }),
            field.int32('leaderEpoch', '10+', { default: -1 }),
          ],
          { tag: 0, taggedVersions: '10+' },
        ),
      ]),
    ]),
    field.int32('throttleTimeMs', '1+'),
    // The leaders named by currentLeader, for partitions answered NOT_LEADER_OR_FOLLOWER.
    field.array(
      'nodeEndpoints',
      '10+',
      [
        field.int32('nodeId', '10+'),
        field.string('host', '10+'),
        field.int32('port', '10+'),
        field.nullableString('rack', '10+', '10+', { default: null }),
      ],
      { tag: 0, taggedVersions: '10+' },
    ),
  ],
});
