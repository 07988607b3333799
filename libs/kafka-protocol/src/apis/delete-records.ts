import { field } from '../schema/fields';
import { defineApi } from '../schema/message';

/** DeleteRecords (key 21): moves log start offsets forward. v2 is the first flexible version. */
export const DeleteRecords = defineApi({
  apiKey: 21,
  name: 'DeleteRecords',
  validVersions: '0-2',
  flexibleVersions: '2+',
  request: [
    field.array('topics', '0+', [
      field.string('name', '0+'),
      field.array('partitions', '0+', [
        field.int32('partitionIndex', '0+'),
        // Records before this offset are deleted; -1 means the high watermark.
        field.int64('offset', '0+'),
      ]),
    ]),
    field.int32('timeoutMs', '0+'),
  ],
  response: [
    field.int32('throttleTimeMs', '0+'),
    field.array('topics', '0+', [
      field.string('name', '0+'),
      field.array('partitions', '0+', [
        field.int32('partitionIndex', '0+'),
        field.int64('lowWatermark', '0+'),
        field.int16('errorCode', '0+'),
      ]),
    ]),
  ],
});
