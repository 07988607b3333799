import { DeleteGroups } from '@trunkline/kafka-protocol';
import type { BrokerState } from '../broker-state';
import { defineHandler } from './handler';

export const deleteGroupsHandler = defineHandler<typeof DeleteGroups, BrokerState>({
  api: DeleteGroups,
  versions: '0-2',
  async handle(request, { state }) {
    const results = [];
    for (const groupId of request.groupsNames)
      results.push({ groupId, errorCode: await state.groups.delete(groupId) });
    return { throttleTimeMs: 0, results };
  },
});
