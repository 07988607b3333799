import { field } from '../schema/fields';
import { defineApi } from '../schema/message';

/**
 * v1 adds the rebalance timeout; v2 throttle time; v4 answers a join without a member id with
 * MEMBER_ID_REQUIRED and the id to rejoin with (KIP-394); v5 static membership (KIP-345);
 * v6 is flexible; v7 returns the protocol type (and the protocol name may be null); v8 adds
 * a reason (KIP-800); v9 lets the leader skip running the assignment (KIP-848 migration).
 */
export const JoinGroup = defineApi({
  apiKey: 11,
  name: 'JoinGroup',
  validVersions: '0-9',
  flexibleVersions: '6+',
  request: [
    field.string('groupId', '0+'),
    field.int32('sessionTimeoutMs', '0+'),
    field.int32('rebalanceTimeoutMs', '1+', { default: -1 }),
    field.string('memberId', '0+'),
    field.nullableString('groupInstanceId', '5+', '5+', { default: null }),
    field.string('protocolType', '0+'),
    field.array('protocols', '0+', [field.string('name', '0+'), field.bytes('metadata', '0+')]),
    field.nullableString('reason', '8+', '8+', { default: null }),
  ],
  response: [
    field.int32('throttleTimeMs', '2+'),
    field.int16('errorCode', '0+'),
    field.int32('generationId', '0+', { default: -1 }),
    field.nullableString('protocolType', '7+', '7+', { default: null }),
    field.nullableString('protocolName', '0+', '7+'),
    field.string('leader', '0+'),
    field.bool('skipAssignment', '9+'),
    field.string('memberId', '0+'),
    field.array('members', '0+', [
      field.string('memberId', '0+'),
      field.nullableString('groupInstanceId', '5+', '5+', { default: null }),
      field.bytes('metadata', '0+'),
    ]),
  ],
});
