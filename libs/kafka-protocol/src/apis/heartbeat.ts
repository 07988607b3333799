import { field } from '../schema/fields';
import { defineApi } from '../schema/message';

/** v1 adds throttle time; v3 static membership (KIP-345); v4 is flexible. */
export const Heartbeat = defineApi({
  apiKey: 12,
  name: 'Heartbeat',
  validVersions: '0-4',
  flexibleVersions: '4+',
  request: [
    field.string('groupId', '0+'),
    field.int32('generationId', '0+'),
    field.string('memberId', '0+'),
    field.nullableString('groupInstanceId', '3+', '3+', { default: null }),
  ],
  response: [field.int32('throttleTimeMs', '1+'), field.int16('errorCode', '0+')],
});
