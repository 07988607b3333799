import { field } from '../schema/fields';
import { defineApi } from '../schema/message';

/**
 * CreateTopics (key 19). v1 adds validateOnly and error messages; v4 lets numPartitions and
 * replicationFactor be -1 (the broker's defaults, KIP-464); v5 is the first flexible version and
 * returns the topic's configs (KIP-525); v7 returns its topic id. Apache Kafka 4.x serves v2+.
 */
export const CreateTopics = defineApi({
  apiKey: 19,
  name: 'CreateTopics',
  validVersions: '0-7',
  flexibleVersions: '5+',
  request: [
    field.array('topics', '0+', [
      field.string('name', '0+'),
      // -1 with manual assignments, or for the broker's default.
      field.int32('numPartitions', '0+'),
      field.int16('replicationFactor', '0+'),
      field.array('assignments', '0+', [
        field.int32('partitionIndex', '0+'),
        field.arrayOf('brokerIds', '0+', 'int32'),
      ]),
      field.array('configs', '0+', [field.string('name', '0+'), field.nullableString('value', '0+', '0+')]),
    ]),
    field.int32('timeoutMs', '0+', { default: 60000 }),
    field.bool('validateOnly', '1+', { default: false }),
  ],
  response: [
    field.int32('throttleTimeMs', '2+'),
    field.array('topics', '0+', [
      field.string('name', '0+'),
      field.uuid('topicId', '7+'),
      field.int16('errorCode', '0+'),
      field.nullableString('errorMessage', '1+', '0+'),
      field.int16('topicConfigErrorCode', '5+', { tag: 0, taggedVersions: '5+' }),
      field.int32('numPartitions', '5+', { default: -1 }),
      field.int16('replicationFactor', '5+', { default: -1 }),
      field.nullableArray(
        'configs',
        '5+',
        [
          field.string('name', '5+'),
          field.nullableString('value', '5+', '5+'),
          field.bool('readOnly', '5+'),
          field.int8('configSource', '5+', { default: -1 }),
          field.bool('isSensitive', '5+'),
        ],
        '5+',
      ),
    ]),
  ],
});
