import { ErrorCode, ListGroups } from '@trunkline/kafka-protocol';
import type { BrokerState } from '../broker-state';
import { defineHandler } from './handler';

export const listGroupsHandler = defineHandler<typeof ListGroups, BrokerState>({
  api: ListGroups,
  versions: '0-5',
  handle(request, { state }) {
    const states = request.statesFilter.map((s) => s.toLowerCase());
    const types = request.typesFilter.map((t) => t.toLowerCase());
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      groups: state.groups
        .list()
        .filter((g) => states.length === 0 || states.includes(g.state.toLowerCase()))
        // Every group here speaks the classic protocol.
        .filter(() => types.length === 0 || types.includes('classic'))
        .map((g) => ({
          groupId: g.groupId,
          protocolType: g.protocolType,
          groupState: g.state,
          groupType: 'classic',
        })),
    };
  },
});
