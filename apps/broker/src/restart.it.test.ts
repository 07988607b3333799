// Restart keeps topics, configs, data and committed group offsets.
import { BrokerAdminService } from '@trunkline/contracts/broker/v1/broker_admin';
import { createGrpcClient } from '@trunkline/runtime';
import { ChildService, TrunklineTestBroker, trunklineCommand } from '@trunkline/testing';
import { Kafka, logLevel, Partitioners } from 'kafkajs';

const broker = new TrunklineTestBroker();
afterAll(() => broker.destroy());

function kafka() {
  return new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
}

async function readAll(topic: string, partitions: number): Promise<string[]> {
  const consumer = kafka().consumer({ groupId: `reader-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: string[] = [];
  const admin = kafka().admin();
  await admin.connect();
  const total = (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
  await admin.disconnect();
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        seen.push(`${partition}:${message.offset}:${message.value?.toString()}`);
        if (seen.length === total) resolve();
      },
    });
  });
  await consumer.disconnect();
  expect(partitions).toBeGreaterThan(0);
  return seen.sort();
}

describe('a restarted broker', () => {
  it('keeps topics, configs, records at their offsets and committed offsets', async () => {
    await broker.start();
    const admin = kafka().admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: 'kept', numPartitions: 3, configEntries: [{ name: 'retention.ms', value: '3600000' }] },
      ],
    });
    const producer = kafka().producer({
      idempotent: true,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    await producer.send({
      topic: 'kept',
      acks: -1,
      messages: Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
    });
    await producer.disconnect();
    const before = await readAll('kept', 3);
    await admin.setOffsets({ groupId: 'keeper', topic: 'kept', partitions: [{ partition: 1, offset: '4' }] });
    await admin.disconnect();

    const exit = await broker.process.stop();
    expect(exit.code).toBe(0);
    await broker.start();

    const again = kafka().admin();
    await again.connect();
    expect(await again.listTopics()).toContain('kept');
    const configs = await again.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2, name: 'kept' }],
    });
    expect(
      configs.resources[0]!.configEntries.find((c) => c.configName === 'retention.ms')?.configValue,
    ).toBe('3600000');
    expect(await readAll('kept', 3)).toEqual(before);
    const offsets = await again.fetchOffsets({ groupId: 'keeper', topics: ['kept'] });
    expect(offsets[0]!.partitions.find((p) => p.partition === 1)?.offset).toBe('4');
    await again.disconnect();

    // Offsets keep counting where they stopped.
    const producer2 = kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer2.connect();
    const [result] = await producer2.send({
      topic: 'kept',
      acks: -1,
      messages: [{ value: 'after', partition: 0 }],
    });
    await producer2.disconnect();
    const partition0 = before.filter((r) => r.startsWith('0:')).length;
    expect(result!.baseOffset).toBe(String(partition0));

    const grpc = createGrpcClient(BrokerAdminService, broker.grpcAddress);
    const info = await grpc.getBrokerInfo({});
    expect(info.storage?.topics).toBeGreaterThanOrEqual(2);
    grpc.close();
  }, 120_000);
});

describe('a second broker on the same data directory', () => {
  it('refuses to start and names the directory and the process holding it', async () => {
    const first = new TrunklineTestBroker();
    await first.start();
    const second = ChildService.spawn({
      command: trunklineCommand(
        'serve',
        'broker',
        '--data-dir',
        first.dataDirectory,
        '--kafka-port',
        '0',
        '--grpc-port',
        '0',
        '--http-port',
        '0',
      ),
    });
    expect((await second.exited).code).toBe(1);
    expect(second.output()).toContain(
      `trunkline serve broker: data directory ${first.dataDirectory} is in use by process`,
    );
    await first.destroy();
  }, 60_000);
});
