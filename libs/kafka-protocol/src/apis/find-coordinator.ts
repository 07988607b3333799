import { field } from '../schema/fields';
import { defineApi } from '../schema/message';

/**
 * v1 adds the key type (0 group, 1 transaction; 2 share group from v6) and an error message;
 * v3 is flexible; v4 looks up several keys at once (KIP-699), so the single-key fields end at v3;
 * v5 and v6 only widen the errors and key types a broker may answer with.
 */
export const FindCoordinator = defineApi({
  apiKey: 10,
  name: 'FindCoordinator',
  validVersions: '0-6',
  flexibleVersions: '3+',
  request: [
    field.string('key', '0-3'),
    field.int8('keyType', '1+'),
    field.arrayOf('coordinatorKeys', '4+', 'string'),
  ],
  response: [
    field.int32('throttleTimeMs', '1+'),
    field.int16('errorCode', '0-3'),
    field.nullableString('errorMessage', '1-3', '1-3'),
    field.int32('nodeId', '0-3'),
    field.string('host', '0-3'),
    field.int32('port', '0-3'),
    field.array('coordinators', '4+', [
      field.string('key', '4+'),
      field.int32('nodeId', '4+'),
      field.string('host', '4+'),
      field.int32('port', '4+'),
      field.int16('errorCode', '4+'),
      field.nullableString('errorMessage', '4+', '4+'),
    ]),
  ],
});
