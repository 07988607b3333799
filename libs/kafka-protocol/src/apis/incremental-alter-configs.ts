import { field } from '../schema/fields';
import { defineApi } from '../schema/message';

/**
 * Changes single config keys (KIP-339). Operations: 0 set, 1 delete, 2 append, 3 subtract
 * (the last two for list-valued configs). v1 is flexible.
 */
export const IncrementalAlterConfigs = defineApi({
  apiKey: 44,
  name: 'IncrementalAlterConfigs',
  validVersions: '0-1',
  flexibleVersions: '1+',
  request: [
    field.array('resources', '0+', [
      field.int8('resourceType', '0+'),
      field.string('resourceName', '0+'),
      field.array('configs', '0+', [
        field.string('name', '0+'),
        field.int8('configOperation', '0+'),
        field.nullableString('value', '0+', '0+'),
      ]),
    ]),
    field.bool('validateOnly', '0+'),
  ],
  response: [
    field.int32('throttleTimeMs', '0+'),
    field.array('responses', '0+', [
      field.int16('errorCode', '0+'),
      field.nullableString('errorMessage', '0+', '0+'),
      field.int8('resourceType', '0+'),
      field.string('resourceName', '0+'),
    ]),
  ],
});
