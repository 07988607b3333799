import { ErrorCode, InitProducerId } from '@trunkline/kafka-protocol';
import type { BrokerState } from '../broker-state';
import { defineHandler } from './handler';

/** Idempotent producers get a fresh, never reused id at epoch 0. Transactions are not supported. */
export const initProducerIdHandler = defineHandler<typeof InitProducerId, BrokerState>({
  api: InitProducerId,
  versions: '0-5',
  async handle(request, { state }) {
    if (request.transactionalId !== null) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
        producerId: -1n,
        producerEpoch: -1,
      };
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      producerId: await state.producerIds.allocate(),
      producerEpoch: 0,
    };
  },
});
