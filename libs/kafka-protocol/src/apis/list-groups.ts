import { field } from '../schema/fields';
import { defineApi } from '../schema/message';

/**
 * v1 adds throttle time; v3 is flexible; v4 filters by state and returns each group's state
 * (KIP-518); v5 filters by type ("classic", "consumer", "share", "streams") and returns each
 * group's type (KIP-848).
 */
export const ListGroups = defineApi({
  apiKey: 16,
  name: 'ListGroups',
  validVersions: '0-5',
  flexibleVersions: '3+',
  request: [field.arrayOf('statesFilter', '4+', 'string'), field.arrayOf('typesFilter', '5+', 'string')],
  response: [
    field.int32('throttleTimeMs', '1+'),
    field.int16('errorCode', '0+'),
    field.array('groups', '0+', [
      field.string('groupId', '0+'),
      field.string('protocolType', '0+'),
      field.string('groupState', '4+'),
      field.string('groupType', '5+'),
    ]),
  ],
});
