import { field } from '../schema/fields';
import { defineApi } from '../schema/message';

/**
 * v1 returns each config's source and synonyms (KIP-226) instead of v0's isDefault; v2 is the
 * same as v1; v3 can return the config's type and documentation (KIP-569); v4 is flexible.
 * Apache Kafka 4 serves v1 and later only (KIP-896).
 *
 * Resource types: 2 topic, 4 broker, 8 broker logger, 16 client metrics, 32 group.
 * Config sources: 0 unknown, 1 dynamic topic, 2 dynamic broker, 3 dynamic default broker,
 * 4 static broker, 5 default, 6 dynamic broker logger, 7 client metrics, 8 group.
 */
export const DescribeConfigs = defineApi({
  apiKey: 32,
  name: 'DescribeConfigs',
  validVersions: '0-4',
  flexibleVersions: '4+',
  request: [
    field.array('resources', '0+', [
      field.int8('resourceType', '0+'),
      field.string('resourceName', '0+'),
      // null lists every key.
      field.nullableArrayOf('configurationKeys', '0+', 'string', '0+'),
    ]),
    field.bool('includeSynonyms', '1+'),
    field.bool('includeDocumentation', '3+'),
  ],
  response: [
    field.int32('throttleTimeMs', '0+'),
    field.array('results', '0+', [
      field.int16('errorCode', '0+'),
      field.nullableString('errorMessage', '0+', '0+'),
      field.int8('resourceType', '0+'),
      field.string('resourceName', '0+'),
      field.array('configs', '0+', [
        field.string('name', '0+'),
        field.nullableString('value', '0+', '0+'),
        field.bool('readOnly', '0+'),
        field.bool('isDefault', '0'),
        field.int8('configSource', '1+', { default: -1 }),
        field.bool('isSensitive', '0+'),
        field.array('synonyms', '1+', [
          field.string('name', '1+'),
          field.nullableString('value', '1+', '1+'),
          field.int8('source', '1+'),
        ]),
        // 0 unknown, 1 boolean, 2 string, 3 int, 4 short, 5 long, 6 double, 7 list, 8 class, 9 password.
        field.int8('configType', '3+'),
        field.nullableString('documentation', '3+', '3+'),
      ]),
    ]),
  ],
});
