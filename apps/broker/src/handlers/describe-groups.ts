import { DescribeGroups, ErrorCode } from '@trunkline/kafka-protocol';
import type { BrokerState } from '../broker-state';
import { defineHandler } from './handler';

export const describeGroupsHandler = defineHandler<typeof DescribeGroups, BrokerState>({
  api: DescribeGroups,
  versions: '0-6',
  handle(request, { state, version }) {
    return {
      throttleTimeMs: 0,
      groups: request.groups.map((groupId) => {
        const view = state.groups.describe(groupId);
        if (view === undefined) {
          // v6 reports a missing group as such; earlier versions describe it as Dead.
          return version >= 6
            ? {
                errorCode: ErrorCode.GROUP_ID_NOT_FOUND,
                errorMessage: `Group ${groupId} not found.`,
                groupId,
                groupState: 'Dead',
                protocolType: '',
                protocolData: '',
                members: [],
              }
            : {
                errorCode: ErrorCode.NONE,
                groupId,
                groupState: 'Dead',
                protocolType: '',
                protocolData: '',
                members: [],
              };
        }
        return {
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          groupId,
          groupState: view.state,
          protocolType: view.protocolType,
          protocolData: view.protocol,
          members: view.members.map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            clientId: m.clientId,
            clientHost: m.clientHost,
            memberMetadata: m.metadata,
            memberAssignment: m.assignment,
          })),
        };
      }),
    };
  },
});
