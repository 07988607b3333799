import { Heartbeat } from '@trunkline/kafka-protocol';
import type { BrokerState } from '../broker-state';
import { defineHandler } from './handler';

export const heartbeatHandler = defineHandler<typeof Heartbeat, BrokerState>({
  api: Heartbeat,
  versions: '0-4',
  handle: (request, { state }) => ({
    throttleTimeMs: 0,
    errorCode: state.groups.heartbeat(request.groupId, request.memberId, request.generationId),
  }),
});
