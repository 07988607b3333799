import { JoinGroup } from '@trunkline/kafka-protocol';
import type { BrokerState } from '../broker-state';
import { defineHandler } from './handler';

export const joinGroupHandler = defineHandler<typeof JoinGroup, BrokerState>({
  api: JoinGroup,
  versions: '0-9',
  async handle(request, { state, version, header, clientHost }) {
    const result = await state.groups.join({
      groupId: request.groupId,
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId,
      sessionTimeoutMs: request.sessionTimeoutMs,
      // v0 has no rebalance timeout: the session timeout served as both.
      rebalanceTimeoutMs:
        request.rebalanceTimeoutMs < 0 ? request.sessionTimeoutMs : request.rebalanceTimeoutMs,
      protocolType: request.protocolType,
      protocols: request.protocols,
      clientId: header.clientId ?? '',
      clientHost: `/${clientHost}`,
      requireKnownMemberId: version >= 4,
    });
    return {
      throttleTimeMs: 0,
      skipAssignment: false,
      ...result,
      protocolName: result.protocolName ?? (version >= 7 ? null : ''),
    };
  },
});
