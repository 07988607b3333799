import { field } from '../schema/fields';
import { defineApi } from '../schema/message';

/**
 * Carries one SASL token each way, after a v1 SaslHandshake (KIP-152). v1 adds the session
 * lifetime, after which the client must re-authenticate (KIP-368); v2 is flexible.
 */
export const SaslAuthenticate = defineApi({
  apiKey: 36,
  name: 'SaslAuthenticate',
  validVersions: '0-2',
  flexibleVersions: '2+',
  request: [field.bytes('authBytes', '0+')],
  response: [
    field.int16('errorCode', '0+'),
    field.nullableString('errorMessage', '0+', '0+'),
    field.bytes('authBytes', '0+'),
    field.int64('sessionLifetimeMs', '1+'),
  ],
});
