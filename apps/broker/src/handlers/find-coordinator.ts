import { ErrorCode, FindCoordinator } from '@trunkline/kafka-protocol';
import type { BrokerState } from '../broker-state';
import { defineHandler } from './handler';

/** Every group (and transactional id) is coordinated by this broker. */
export const findCoordinatorHandler = defineHandler<typeof FindCoordinator, BrokerState>({
  api: FindCoordinator,
  versions: '0-6',
  handle(request, { state, version }) {
    const { host, port } = state.advertised;
    if (version < 4) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        errorMessage: version >= 1 ? 'NONE' : null,
        nodeId: state.nodeId,
        host,
        port,
      };
    }
    return {
      throttleTimeMs: 0,
      coordinators: request.coordinatorKeys.map((key) => ({
        key,
        nodeId: state.nodeId,
        host,
        port,
        errorCode: ErrorCode.NONE,
        errorMessage: '',
      })),
    };
  },
});
