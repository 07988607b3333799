import { ErrorCode, SaslAuthenticate, SaslHandshake } from '@trunkline/kafka-protocol';
import type { BrokerState } from '../broker-state';
import { defineHandler } from './handler';

/** No SASL mechanism is enabled yet: the handshake answers cleanly with the (empty) list. */
export const saslHandshakeHandler = defineHandler<typeof SaslHandshake, BrokerState>({
  api: SaslHandshake,
  versions: '0-1',
  handle: () => ({
    errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM,
    mechanisms: [],
  }),
});

export const saslAuthenticateHandler = defineHandler<typeof SaslAuthenticate, BrokerState>({
  api: SaslAuthenticate,
  versions: '0-2',
  handle: () => ({
    errorCode: ErrorCode.ILLEGAL_SASL_STATE,
    errorMessage: 'SASL authentication is not enabled on this listener',
    authBytes: Buffer.alloc(0),
  }),
});
