import { field } from '../schema/fields';
import { defineApi } from '../schema/message';

/**
 * Picks the SASL mechanism. After a v0 handshake the SASL tokens follow as raw size-prefixed
 * frames; after v1 they travel in SaslAuthenticate requests (KIP-152). Never flexible.
 */
export const SaslHandshake = defineApi({
  apiKey: 17,
  name: 'SaslHandshake',
  validVersions: '0-1',
  flexibleVersions: 'none',
  request: [field.string('mechanism', '0+')],
  response: [field.int16('errorCode', '0+'), field.arrayOf('mechanisms', '0+', 'string')],
});
