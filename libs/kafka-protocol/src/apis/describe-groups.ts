import { field } from '../schema/fields';
import { defineApi } from '../schema/message';

const UNKNOWN_OPERATIONS = -2147483648;

/**
 * v1 adds throttle time; v3 can return the operations the caller may perform on each group;
 * v4 the members' group instance ids; v5 is flexible; v6 answers GROUP_ID_NOT_FOUND, with a
 * message, for a group that does not exist (KIP-1043) where older versions said "Dead".
 */
export const DescribeGroups = defineApi({
  apiKey: 15,
  name: 'DescribeGroups',
  validVersions: '0-6',
  flexibleVersions: '5+',
  request: [field.arrayOf('groups', '0+', 'string'), field.bool('includeAuthorizedOperations', '3+')],
  response: [
    field.int32('throttleTimeMs', '1+'),
    field.array('groups', '0+', [
      field.int16('errorCode', '0+'),
      field.nullableString('errorMessage', '6+', '6+', { default: null }),
      field.string('groupId', '0+'),
      field.string('groupState', '0+'),
      field.string('protocolType', '0+'),
      field.string('protocolData', '0+'),
      field.array('members', '0+', [
        field.string('memberId', '0+'),
        field.nullableString('groupInstanceId', '4+', '4+', { default: null }),
        field.string('clientId', '0+'),
        field.string('clientHost', '0+'),
        field.bytes('memberMetadata', '0+'),
        field.bytes('memberAssignment', '0+'),
      ]),
      field.int32('authorizedOperations', '3+', { default: UNKNOWN_OPERATIONS }),
    ]),
  ],
});
