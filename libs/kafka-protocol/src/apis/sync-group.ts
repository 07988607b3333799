import { field } from '../schema/fields';
import { defineApi } from '../schema/message';

/**
 * v1 adds throttle time; v3 static membership (KIP-345); v4 is flexible; v5 carries the
 * protocol type and name both ways, so that each side can check them (KIP-559).
 */
export const SyncGroup = defineApi({
  apiKey: 14,
  name: 'SyncGroup',
  validVersions: '0-5',
  flexibleVersions: '4+',
  request: [
    field.string('groupId', '0+'),
    field.int32('generationId', '0+'),
    field.string('memberId', '0+'),
    field.nullableString('groupInstanceId', '3+', '3+', { default: null }),
    field.nullableString('protocolType', '5+', '5+', { default: null }),
    field.nullableString('protocolName', '5+', '5+', { default: null }),
    field.array('assignments', '0+', [field.string('memberId', '0+'), field.bytes('assignment', '0+')]),
  ],
  response: [
    field.int32('throttleTimeMs', '1+'),
    field.int16('errorCode', '0+'),
    field.nullableString('protocolType', '5+', '5+', { default: null }),
    field.nullableString('protocolName', '5+', '5+', { default: null }),
    field.bytes('assignment', '0+'),
  ],
});
