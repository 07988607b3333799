import { SyncGroup } from '@trunkline/kafka-protocol';
import type { BrokerState } from '../broker-state';
import { defineHandler } from './handler';

export const syncGroupHandler = defineHandler<typeof SyncGroup, BrokerState>({
  api: SyncGroup,
  versions: '0-5',
  async handle(request, { state }) {
    const result = await state.groups.sync(
      request.groupId,
      request.memberId,
      request.generationId,
      request.protocolType,
      request.protocolName,
      request.assignments,
    );
    return { throttleTimeMs: 0, ...result };
  },
});
