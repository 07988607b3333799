import { field } from '../schema/fields';
import { defineApi } from '../schema/message';

/** CreatePartitions (key 37): raises topics' partition counts. v2 is the first flexible version. */
export const CreatePartitions = defineApi({
  apiKey: 37,
  name: 'CreatePartitions',
  validVersions: '0-3',
  flexibleVersions: '2+',
  request: [
    field.array('topics', '0+', [
      field.string('name', '0+'),
      field.int32('count', '0+'),
      // One entry per new partition, or null for the broker to place them.
      field.nullableArray('assignments', '0+', [field.arrayOf('brokerIds', '0+', 'int32')], '0+'),
    ]),
    field.int32('timeoutMs', '0+'),
    field.bool('validateOnly', '0+'),
  ],
  response: [
    field.int32('throttleTimeMs', '0+'),
    field.array('results', '0+', [
      field.string('name', '0+'),
      field.int16('errorCode', '0+'),
      field.nullableString('errorMessage', '0+', '0+', { default: null }),
    ]),
  ],
});
