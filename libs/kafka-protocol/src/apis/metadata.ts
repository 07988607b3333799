import { field } from '../schema/fields';
import { defineApi } from '../schema/message';

const UNKNOWN_OPERATIONS = -2147483648;

export const Metadata = defineApi({
  apiKey: 3,
  name: 'Metadata',
  validVersions: '0-12',
  flexibleVersions: '9+',
  request: [
    // v0: an empty array means every topic; v1+: null does.
    field.nullableArray(
      'topics',
      '0+',
      [field.uuid('topicId', '10+'), field.nullableString('name', '0+', '10+')],
      '1+',
    ),
    field.bool('allowAutoTopicCreation', '4+', { default: true }),
    field.bool('includeClusterAuthorizedOperations', '8-10'),
    field.bool('includeTopicAuthorizedOperations', '8+'),
  ],
  response: [
    field.int32('throttleTimeMs', '3+'),
    field.array('brokers', '0+', [
      field.int32('nodeId', '0+'),
      field.string('host', '0+'),
      field.int32('port', '0+'),
      field.nullableString('rack', '1+', '1+', { default: null }),
    ]),
    field.nullableString('clusterId', '2+', '2+', { default: null }),
    field.int32('controllerId', '1+', { default: -1 }),
    field.array('topics', '0+', [
      field.int16('errorCode', '0+'),
      field.nullableString('name', '0+', '12+'),
      field.uuid('topicId', '10+'),
      field.bool('isInternal', '1+'),
      field.array('partitions', '0+', [
        field.int16('errorCode', '0+'),
        field.int32('partitionIndex', '0+'),
        field.int32('leaderId', '0+'),
        field.int32('leaderEpoch', '7+', { default: -1 }),
        field.arrayOf('replicaNodes', '0+', 'int32'),
        field.arrayOf('isrNodes', '0+', 'int32'),
        field.arrayOf('offlineReplicas', '5+', 'int32'),
      ]),
      field.int32('topicAuthorizedOperations', '8+', { default: UNKNOWN_OPERATIONS }),
    ]),
    field.int32('clusterAuthorizedOperations', '8-10', { default: UNKNOWN_OPERATIONS }),
  ],
});
