import {
  AlterTopicConfigResponseSchema,
  DescribeTopicResponseSchema,
  ListTopicsResponseSchema,
} from '@trunkline/contracts/broker/v1/broker_admin';
import { setting, settingsHelp } from '@trunkline/runtime';
import {
  adminSettings,
  keyValues,
  parseFlags,
  printJson,
  single,
  verbCommand,
  withBroker,
} from '../admin/admin-command';

import { renderTable } from '../table';

const createSettings = {
  partitions: setting.integer({
    describe: 'number of partitions (0: the broker default)',
    default: 0,
    min: 0,
  }),
  config: setting.text({ describe: 'topic configs as name=value,name=value' }),
  validateOnly: setting.toggle({ describe: 'check the request without creating anything', default: false }),
};
const listSettings = {
  internal: setting.toggle({ describe: 'include internal topics', default: false }),
  prefix: setting.text({ describe: 'only topics whose name starts with this' }),
};
const alterSettings = {
  set: setting.text({ describe: 'configs to set, name=value,name=value' }),
  delete: setting.text({ describe: 'configs to remove, name,name' }),
};

const HELP = `Usage: trunkline topics <verb> [arguments] [flags]

Verbs:
  list                           topics with partitions and size
  create <name>                  create a topic
  describe <name>                partitions (offsets, sizes) and effective configs
  alter-config <name>            set or remove config overrides
  delete <name>                  delete a topic and its data

Flags of every verb:
${settingsHelp(adminSettings)}

list:
${settingsHelp(listSettings)}

create:
${settingsHelp(createSettings)}

alter-config:
${settingsHelp(alterSettings)}
`;

export const topicsCommand = verbCommand(
  'topics',
  'list, create, describe, reconfigure and delete topics',
  HELP,
  {
    list: async (_positional, flags) => {
      const config = parseFlags(listSettings, flags);
      const response = await withBroker(config.brokerAdmin, (c) =>
        c.listTopics({ includeInternal: config.internal, prefix: config.prefix ?? '' }),
      );
      if (config.json) printJson(ListTopicsResponseSchema, response);
      else {
        const rows = response.topics.map((t) => [
          t.name,
          String(t.partitions),
          String(t.sizeBytes),
          t.internal ? 'yes' : '',
        ]);
        process.stdout.write(`${renderTable(['TOPIC', 'PARTITIONS', 'BYTES', 'INTERNAL'], rows)}\n`);
      }
      return 0;
    },
    create: async (positional, flags) => {
      const name = single(positional, 'topics create takes one topic name');
      const config = parseFlags(createSettings, flags);
      const response = await withBroker(config.brokerAdmin, (c) =>
        c.createTopic({
          name,
          partitions: config.partitions,
          configs: keyValues(config.config, '--config'),
          validateOnly: config.validateOnly,
        }),
      );
      if (config.json)
        printJson(DescribeTopicResponseSchema, {
          $typeName: 'trunkline.broker.v1.DescribeTopicResponse',
          topic: response.topic,
        });
      else
        process.stdout.write(
          `${config.validateOnly ? 'valid' : 'created'}: ${name} (${response.topic?.partitions.length} partitions)\n`,
        );
      return 0;
    },
    describe: async (positional, flags) => {
      const name = single(positional, 'topics describe takes one topic name');
      const config = parseFlags({}, flags);
      const response = await withBroker(config.brokerAdmin, (c) => c.describeTopic({ name }));
      if (config.json) {
        printJson(DescribeTopicResponseSchema, response);
        return 0;
      }
      const topic = response.topic!;
      const tiered = topic.configs.some((c) => c.name === 'remote.storage.enable' && c.value === 'true');
      // A tiered topic's data is in two places: show both, and what waits for upload.
      const partitions = topic.partitions.map((p) => [
        String(p.partition),
        String(p.leader),
        String(p.logStartOffset),
        String(p.logEndOffset),
        String(p.sizeBytes),
        String(p.segments),
        ...(tiered
          ? [
              String(p.localLogStartOffset),
              String(p.remoteLogStartOffset),
              String(p.remoteLogEndOffset),
              String(p.remoteBytes),
              String(p.remoteSegments),
              `${p.uploadLagSegments} (${p.uploadLagBytes} B)`,
            ]
          : []),
      ]);
      const headers = ['PARTITION', 'LEADER', 'LOG START', 'LOG END', 'BYTES', 'SEGMENTS'];
      if (tiered)
        headers.push(
          'LOCAL START',
          'REMOTE START',
          'REMOTE END',
          'REMOTE BYTES',
          'REMOTE SEGMENTS',
          'UPLOAD LAG',
        );
      const overrides = topic.configs.filter((c) => c.source === 3).map((c) => [c.name, c.value]);
      process.stdout.write(
        `${topic.name}${topic.internal ? ' (internal)' : ''}\n\n${renderTable(
          headers,
          partitions,
        )}\n\n${overrides.length === 0 ? 'configs: all defaults' : renderTable(['CONFIG', 'VALUE'], overrides)}\n`,
      );
      return 0;
    },
    'alter-config': async (positional, flags) => {
      const name = single(positional, 'topics alter-config takes one topic name');
      const config = parseFlags(alterSettings, flags);
      const remove = config.delete === undefined ? [] : config.delete.split(',').filter(Boolean);
      const response = await withBroker(config.brokerAdmin, (c) =>
        c.alterTopicConfig({ name, set: keyValues(config.set, '--set'), delete: remove }),
      );
      if (config.json) printJson(AlterTopicConfigResponseSchema, response);
      else
        process.stdout.write(
          `${renderTable(
            ['CONFIG', 'VALUE'],
            response.configs.map((c) => [c.name, c.value]),
          )}\n`,
        );
      return 0;
    },
    delete: async (positional, flags) => {
      const name = single(positional, 'topics delete takes one topic name');
      const config = parseFlags({}, flags);
      await withBroker(config.brokerAdmin, (c) => c.deleteTopic({ name }));
      process.stdout.write(config.json ? `${JSON.stringify({ deleted: name })}\n` : `deleted: ${name}\n`);
      return 0;
    },
  },
);
