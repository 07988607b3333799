import { field } from '../schema/fields';
import { defineApi } from '../schema/message';

/**
 * DeleteTopics (key 20). v4 is the first flexible version; v5 adds error messages; v6 names
 * each topic by name or by id. Apache Kafka 4.x serves v1+.
 */
export const DeleteTopics = defineApi({
  apiKey: 20,
  name: 'DeleteTopics',
  validVersions: '0-6',
  flexibleVersions: '4+',
  request: [
    field.array('topics', '6+', [
      field.nullableString('name', '6+', '6+', { default: null }),
      field.uuid('topicId', '6+'),
    ]),
    field.arrayOf('topicNames', '0-5', 'string'),
    field.int32('timeoutMs', '0+'),
  ],
  response: [
    field.int32('throttleTimeMs', '1+'),
    field.array('responses', '0+', [
      field.nullableString('name', '0+', '6+'),
      field.uuid('topicId', '6+'),
      field.int16('errorCode', '0+'),
      field.nullableString('errorMessage', '5+', '5+', { default: null }),
    ]),
  ],
});
