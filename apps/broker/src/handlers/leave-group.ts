import { ErrorCode, LeaveGroup } from '@trunkline/kafka-protocol';
import type { BrokerState } from '../broker-state';
import { defineHandler } from './handler';

export const leaveGroupHandler = defineHandler<typeof LeaveGroup, BrokerState>({
  api: LeaveGroup,
  versions: '0-5',
  handle(request, { state, version }) {
    if (version < 3) {
      return { throttleTimeMs: 0, errorCode: state.groups.leave(request.groupId, request.memberId, null) };
    }
    const members = request.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      errorCode: state.groups.leave(request.groupId, m.memberId, m.groupInstanceId),
    }));
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, members };
  },
});
