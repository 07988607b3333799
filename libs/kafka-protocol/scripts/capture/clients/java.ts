import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type KafkaTool, kafkaToolCommand } from '@trunkline/engines';
import { runClientOk } from '../client-processes';
import type { Step } from '../step';

const TOPIC = 'java-events';
const SCRATCH = 'java-scratch';
const VERIFIABLE = 'java-verifiable';
const CLASSIC_GROUP = 'java-classic-group';
// KIP-848's consumer protocol: ConsumerGroupHeartbeat instead of JoinGroup and SyncGroup.
const CONSUMER_GROUP = 'java-consumer-group';
const RECORDS = 5;

async function tool(name: KafkaTool, args: string[], input?: string): Promise<string> {
  const result = await runClientOk(await kafkaToolCommand(name, args), {
    ...(input === undefined ? {} : { input }),
    timeoutMs: 90_000,
  });
  return result.stdout;
}

function step(name: string, run: (bootstrap: string, workDir: string) => Promise<unknown>): Step {
  return {
    client: 'java',
    name,
    run: ({ bootstrap, workDir }) => run(bootstrap, workDir).then(() => undefined),
  };
}

async function consumeInGroup(
  bootstrap: string,
  group: string,
  protocol: 'classic' | 'consumer',
): Promise<void> {
  const stdout = await tool('console-consumer', [
    '--bootstrap-server',
    bootstrap,
    '--topic',
    TOPIC,
    '--group',
    group,
    '--from-beginning',
    '--consumer-property',
    `group.protocol=${protocol}`,
    // Classic members heartbeat every 3 s by default, longer than reading a few records
    // takes: beat often and stay in the group until idle for 2 s. The consumer protocol
    // takes its interval from the broker (and refuses the setting); it stops at the last record.
    ...(protocol === 'classic'
      ? ['--consumer-property', 'heartbeat.interval.ms=100', '--timeout-ms', '2000']
      : ['--max-messages', String(RECORDS), '--timeout-ms', '30000']),
  ]);
  const read = stdout.split('\n').filter(Boolean).length;
  if (read !== RECORDS) throw new Error(`console-consumer read ${read} of ${RECORDS} records`);
}

function groups(bootstrap: string, ...args: string[]): Promise<string> {
  return tool('consumer-groups', ['--bootstrap-server', bootstrap, ...args]);
}

export const javaSteps: Step[] = [
  step('java topics --create, --describe', async (bootstrap) => {
    for (const [topic, partitions] of [
      [TOPIC, '2'],
      [SCRATCH, '1'],
    ] as const) {
      await tool('topics', [
        '--bootstrap-server',
        bootstrap,
        '--create',
        '--topic',
        topic,
        '--partitions',
        partitions,
      ]);
    }
    await tool('topics', ['--bootstrap-server', bootstrap, '--describe', '--topic', TOPIC]);
  }),
  step('java console-producer', (bootstrap) => {
    // parse.headers: each line is "headers<TAB>key<TAB>value", headers as "name:value,...".
    const lines = Array.from(
      { length: RECORDS },
      (_, i) => `origin:java,index:${i}\tkey-${i}\tjava-value-${i}`,
    );
    return tool(
      'console-producer',
      [
        '--bootstrap-server',
        bootstrap,
        '--topic',
        TOPIC,
        '--property',
        'parse.key=true',
        '--property',
        'parse.headers=true',
      ],
      `${lines.join('\n')}\n`,
    );
  }),
  step('java console-consumer --group (classic protocol)', (bootstrap) =>
    consumeInGroup(bootstrap, CLASSIC_GROUP, 'classic'),
  ),
  step('java console-consumer --group (consumer protocol)', (bootstrap) =>
    consumeInGroup(bootstrap, CONSUMER_GROUP, 'consumer'),
  ),
  step('java verifiable-producer --acks -1', (bootstrap) =>
    tool('verifiable-producer', [
      '--bootstrap-server',
      bootstrap,
      '--topic',
      VERIFIABLE,
      '--max-messages',
      '10',
      '--acks',
      '-1',
    ]),
  ),
  step('java verifiable-consumer', (bootstrap) =>
    tool('verifiable-consumer', [
      '--bootstrap-server',
      bootstrap,
      '--topic',
      VERIFIABLE,
      '--group-id',
      'java-verifiable-group',
      '--max-messages',
      '10',
      '--reset-policy',
      'earliest',
    ]),
  ),
  step('java configs --alter, --describe', async (bootstrap) => {
    const topic = ['--bootstrap-server', bootstrap, '--entity-type', 'topics', '--entity-name', TOPIC];
    await tool('configs', [...topic, '--alter', '--add-config', 'retention.ms=86400000']);
    await tool('configs', [...topic, '--describe']);
  }),
  step(
    'java consumer-groups --list, --describe, --reset-offsets, --delete-offsets, --delete',
    async (bootstrap) => {
      await groups(bootstrap, '--list');
      // The consumer-protocol group first: describing a classic group also starts with
      // ConsumerGroupDescribe, which then answers GROUP_ID_NOT_FOUND.
      await groups(bootstrap, '--describe', '--group', CONSUMER_GROUP);
      await groups(bootstrap, '--describe', '--group', CLASSIC_GROUP);
      await groups(
        bootstrap,
        '--reset-offsets',
        '--group',
        CLASSIC_GROUP,
        '--topic',
        TOPIC,
        '--to-earliest',
        '--execute',
      );
      await groups(bootstrap, '--delete-offsets', '--group', CLASSIC_GROUP, '--topic', TOPIC);
      await groups(bootstrap, '--delete', '--group', CONSUMER_GROUP);
    },
  ),
  step('java delete-records', (bootstrap, workDir) => {
    const file = join(workDir, 'delete-records.json');
    writeFileSync(
      file,
      JSON.stringify({ version: 1, partitions: [{ topic: VERIFIABLE, partition: 0, offset: 1 }] }),
    );
    return tool('delete-records', ['--bootstrap-server', bootstrap, '--offset-json-file', file]);
  }),
  step('java topics --delete', (bootstrap) =>
    tool('topics', ['--bootstrap-server', bootstrap, '--delete', '--topic', SCRATCH]),
  ),
];
