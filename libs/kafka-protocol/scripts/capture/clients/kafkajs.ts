import { type Admin, ConfigResourceTypes, Kafka, logLevel, Partitioners } from 'kafkajs';
import type { Step } from '../step';

const TOPIC = 'kafkajs-events';
const SCRATCH = 'kafkajs-scratch';
const GROUP = 'kafkajs-group';
const RECORDS = 6;

function kafka(bootstrap: string): Kafka {
  return new Kafka({ clientId: 'capture-kafkajs', brokers: [bootstrap], logLevel: logLevel.NOTHING });
}

async function withAdmin(bootstrap: string, use: (admin: Admin) => Promise<unknown>): Promise<void> {
  const admin = kafka(bootstrap).admin();
  await admin.connect();
  try {
    await use(admin);
  } finally {
    await admin.disconnect();
  }
}

async function produceIdempotently(bootstrap: string): Promise<void> {
  const producer = kafka(bootstrap).producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    await producer.send({
      topic: TOPIC,
      acks: -1,
      messages: Array.from({ length: RECORDS }, (_, i) => ({
        key: `key-${i}`,
        value: `kafkajs-value-${i}`,
        headers: { origin: 'kafkajs', index: String(i) },
      })),
    });
  } finally {
    await producer.disconnect();
  }
}

async function consumeInGroup(bootstrap: string): Promise<void> {
  // Heartbeats every 3 s by default: more often, so that this short run sends some.
  const consumer = kafka(bootstrap).consumer({ groupId: GROUP, heartbeatInterval: 300 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    let consumed = 0;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumed ${consumed} of ${RECORDS} records`)), 30_000);
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ topic, partition, message }) => {
            const next = (BigInt(message.offset) + 1n).toString();
            await consumer.commitOffsets([{ topic, partition, offset: next }]);
            if (++consumed === RECORDS) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
  } finally {
    await consumer.disconnect();
  }
}

export const kafkajsSteps: Step[] = [
  {
    client: 'kafkajs',
    name: 'kafkajs admin: createTopics, createPartitions, describeConfigs, alterConfigs',
    run: ({ bootstrap }) =>
      withAdmin(bootstrap, async (admin) => {
        await admin.createTopics({
          waitForLeaders: true,
          topics: [
            { topic: TOPIC, numPartitions: 1 },
            { topic: SCRATCH, numPartitions: 1 },
          ],
        });
        await admin.createPartitions({ topicPartitions: [{ topic: TOPIC, count: 2 }] });
        await admin.describeConfigs({
          includeSynonyms: false,
          resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPIC }],
        });
        await admin.alterConfigs({
          validateOnly: false,
          resources: [
            {
              type: ConfigResourceTypes.TOPIC,
              name: TOPIC,
              configEntries: [{ name: 'retention.ms', value: '86400000' }],
            },
          ],
        });
      }),
  },
  {
    client: 'kafkajs',
    name: 'kafkajs idempotent producer',
    run: ({ bootstrap }) => produceIdempotently(bootstrap),
  },
  { client: 'kafkajs', name: 'kafkajs consumer group', run: ({ bootstrap }) => consumeInGroup(bootstrap) },
  {
    client: 'kafkajs',
    name: 'kafkajs admin: groups, offsets, deleteTopicRecords, deleteTopics',
    run: ({ bootstrap }) =>
      withAdmin(bootstrap, async (admin) => {
        await admin.listGroups();
        await admin.describeGroups([GROUP]);
        await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
        await admin.resetOffsets({ groupId: GROUP, topic: TOPIC, earliest: true });
        const offsets = await admin.fetchTopicOffsets(TOPIC);
        const filled = offsets.find((p) => BigInt(p.high) > 0n);
        if (filled === undefined) throw new Error(`${TOPIC} has no records to delete`);
        await admin.deleteTopicRecords({
          topic: TOPIC,
          partitions: [{ partition: filled.partition, offset: '1' }],
        });
        await admin.deleteGroups([GROUP]);
        await admin.deleteTopics({ topics: [SCRATCH] });
      }),
  },
];
