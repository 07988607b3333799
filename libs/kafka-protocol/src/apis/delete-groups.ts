import { field } from '../schema/fields';
import { defineApi } from '../schema/message';

/** v1 is the same as v0 (throttling happens after the response); v2 is flexible. */
export const DeleteGroups = defineApi({
  apiKey: 42,
  name: 'DeleteGroups',
  validVersions: '0-2',
  flexibleVersions: '2+',
  request: [field.arrayOf('groupsNames', '0+', 'string')],
  response: [
    field.int32('throttleTimeMs', '0+'),
    field.array('results', '0+', [field.string('groupId', '0+'), field.int16('errorCode', '0+')]),
  ],
});
