import { field } from '../schema/fields';
import { defineApi } from '../schema/message';

/**
 * InitProducerId (key 22): a producer id and epoch for idempotent or transactional producing.
 * v2 is the first flexible version; v3 lets a producer resume with its current id and epoch
 * (KIP-360). (Apache Kafka 4.1 also defines an unstable v6, for two-phase commit (KIP-939), that
 * it does not advertise; it is not described here.)
 */
export const InitProducerId = defineApi({
  apiKey: 22,
  name: 'InitProducerId',
  validVersions: '0-5',
  flexibleVersions: '2+',
  request: [
    field.nullableString('transactionalId', '0+', '0+'),
    field.int32('transactionTimeoutMs', '0+'),
    field.int64('producerId', '3+', { default: -1n }),
    field.int16('producerEpoch', '3+', { default: -1 }),
  ],
  response: [
    field.int32('throttleTimeMs', '0+'),
    field.int16('errorCode', '0+'),
    field.int64('producerId', '0+', { default: -1n }),
    field.int16('producerEpoch', '0+'),
  ],
});
