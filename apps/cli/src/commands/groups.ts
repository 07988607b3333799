import {
  DescribeGroupResponseSchema,
  GroupState,
  ListGroupsResponseSchema,
  ResetGroupOffsetsResponseSchema,
} from '@trunkline/contracts/broker/v1/broker_admin';
import { setting, settingsHelp } from '@trunkline/runtime';
import {
  adminSettings,
  parseFlags,
  printJson,
  single,
  verbCommand,
  withBroker,
} from '../admin/admin-command';
import { OFFSET_SPEC_HELP, parseOffsetSpec } from '../admin/offset-spec-arg';

import { renderTable } from '../table';

const resetSettings = {
  to: setting.text({ describe: `where to move the offsets: ${OFFSET_SPEC_HELP}`, required: true }),
  topic: setting.text({
    describe: 'only these topics, topic,topic (default: every topic the group committed)',
  }),
  dryRun: setting.toggle({ describe: 'show the plan without applying it', default: false }),
};

const HELP = `Usage: trunkline groups <verb> [arguments] [flags]

Verbs:
  list                           consumer groups and their state
  describe <group>               members, assignments, committed offsets and lag
  reset-offsets <group>          move an inactive group's offsets (--dry-run shows the plan)
  delete <group>                 delete an empty group and its offsets

Flags of every verb:
${settingsHelp(adminSettings)}

reset-offsets:
${settingsHelp(resetSettings)}
`;

const stateName = (state: GroupState) => GroupState[state] ?? 'UNSPECIFIED';

export const groupsCommand = verbCommand('groups', 'list, describe, reset and delete consumer groups', HELP, {
  list: async (_positional, flags) => {
    const config = parseFlags({}, flags);
    const response = await withBroker(config.brokerAdmin, (c) => c.listGroups({}));
    if (config.json) printJson(ListGroupsResponseSchema, response);
    else {
      const rows = response.groups.map((g) => [
        g.groupId,
        stateName(g.state),
        g.protocolType,
        String(g.members),
      ]);
      process.stdout.write(`${renderTable(['GROUP', 'STATE', 'TYPE', 'MEMBERS'], rows)}\n`);
    }
    return 0;
  },
  describe: async (positional, flags) => {
    const groupId = single(positional, 'groups describe takes one group id');
    const config = parseFlags({}, flags);
    const group = await withBroker(config.brokerAdmin, (c) => c.describeGroup({ groupId }));
    if (config.json) {
      printJson(DescribeGroupResponseSchema, group);
      return 0;
    }
    const members = group.members.map((m) => [
      m.memberId,
      m.clientId,
      m.clientHost,
      m.assignments.map((a) => `${a.topic}-${a.partition}`).join(','),
    ]);
    const offsets = group.offsets.map((o) => [
      o.topic,
      String(o.partition),
      String(o.committedOffset),
      String(o.logEndOffset),
      String(o.lag),
    ]);
    process.stdout.write(
      `${group.groupId}: ${stateName(group.state)}, generation ${group.generation}, protocol ${group.protocol || '-'}\n\n` +
        `${members.length === 0 ? 'no members' : renderTable(['MEMBER', 'CLIENT', 'HOST', 'PARTITIONS'], members)}\n\n` +
        `${offsets.length === 0 ? 'no committed offsets' : renderTable(['TOPIC', 'PARTITION', 'COMMITTED', 'LOG END', 'LAG'], offsets)}\n`,
    );
    return 0;
  },
  'reset-offsets': async (positional, flags) => {
    const groupId = single(positional, 'groups reset-offsets takes one group id');
    const config = parseFlags(resetSettings, flags);
    const response = await withBroker(config.brokerAdmin, (c) =>
      c.resetGroupOffsets({
        groupId,
        to: parseOffsetSpec(config.to, '--to'),
        topics: config.topic === undefined ? [] : config.topic.split(',').filter(Boolean),
        dryRun: config.dryRun,
      }),
    );
    if (config.json) printJson(ResetGroupOffsetsResponseSchema, response);
    else {
      const rows = response.resets.map((r) => [
        r.topic,
        String(r.partition),
        String(r.previousOffset),
        String(r.newOffset),
      ]);
      process.stdout.write(
        `${renderTable(['TOPIC', 'PARTITION', 'FROM', 'TO'], rows)}\n\n${response.applied ? 'applied' : 'dry run: nothing changed'}\n`,
      );
    }
    return 0;
  },
  delete: async (positional, flags) => {
    const groupId = single(positional, 'groups delete takes one group id');
    const config = parseFlags({}, flags);
    await withBroker(config.brokerAdmin, (c) => c.deleteGroup({ groupId }));
    process.stdout.write(config.json ? `${JSON.stringify({ deleted: groupId })}\n` : `deleted: ${groupId}\n`);
    return 0;
  },
});
