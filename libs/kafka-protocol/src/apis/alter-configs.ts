import { field } from '../schema/fields';
import { defineApi } from '../schema/message';

/**
 * Replaces every config of each resource with those given (unset ones return to their
 * defaults); IncrementalAlterConfigs changes single keys. v1 is the same as v0; v2 is flexible.
 */
export const AlterConfigs = defineApi({
  apiKey: 33,
  name: 'AlterConfigs',
  validVersions: '0-2',
  flexibleVersions: '2+',
  request: [
    field.array('resources', '0+', [
      field.int8('resourceType', '0+'),
      field.string('resourceName', '0+'),
      field.array('configs', '0+', [field.string('name', '0+'), field.nullableString('value', '0+', '0+')]),
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
