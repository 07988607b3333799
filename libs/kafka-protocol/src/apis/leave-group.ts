import { field } from '../schema/fields';
import { defineApi } from '../schema/message';

/**
 * v1 adds throttle time; v3 removes several members at once, by member id or group instance
 * id, each answered on its own (KIP-345); v4 is flexible; v5 adds a reason (KIP-800).
 */
export const LeaveGroup = defineApi({
  apiKey: 13,
  name: 'LeaveGroup',
  validVersions: '0-5',
  flexibleVersions: '4+',
  request: [
    field.string('groupId', '0+'),
    field.string('memberId', '0-2'),
    field.array('members', '3+', [
      field.string('memberId', '3+'),
      field.nullableString('groupInstanceId', '3+', '3+', { default: null }),
      field.nullableString('reason', '5+', '5+', { default: null }),
    ]),
  ],
  response: [
    field.int32('throttleTimeMs', '1+'),
    field.int16('errorCode', '0+'),
    field.array('members', '3+', [
      field.string('memberId', '3+'),
      field.nullableString('groupInstanceId', '3+', '3+', { default: null }),
      field.int16('errorCode', '3+'),
    ]),
  ],
});
