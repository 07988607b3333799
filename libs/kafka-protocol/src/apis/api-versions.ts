import { field } from '../schema/fields';
import { defineApi } from '../schema/message';

export const ApiVersions = defineApi({
  apiKey: 18,
  name: 'ApiVersions',
  validVersions: '0-4',
  flexibleVersions: '3+',
  request: [field.string('clientSoftwareName', '3+'), field.string('clientSoftwareVersion', '3+')],
  response: [
    field.int16('errorCode', '0+'),
    field.array('apiKeys', '0+', [
      field.int16('apiKey', '0+'),
      field.int16('minVersion', '0+'),
      field.int16('maxVersion', '0+'),
    ]),
    field.int32('throttleTimeMs', '1+'),
    field.array(
      'supportedFeatures',
      '3+',
      [field.string('name', '3+'), field.int16('minVersion', '3+'), field.int16('maxVersion', '3+')],
      { tag: 0, taggedVersions: '3+' },
    ),
    field.int64('finalizedFeaturesEpoch', '3+', { tag: 1, taggedVersions: '3+', default: -1n }),
    field.array(
      'finalizedFeatures',
      '3+',
      [
        field.string('name', '3+'),
        field.int16('maxVersionLevel', '3+'),
        field.int16('minVersionLevel', '3+'),
      ],
      { tag: 2, taggedVersions: '3+' },
    ),
    field.bool('zkMigrationReady', '3+', { tag: 3, taggedVersions: '3+' }),
  ],
});
