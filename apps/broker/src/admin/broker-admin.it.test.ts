import { LogBoundary } from '@trunkline/contracts';
import { BrokerAdminService, GroupState } from '@trunkline/contracts/broker/v1/broker_admin';
import { Code, checkHealth, createGrpcClient, type GrpcClient } from '@trunkline/runtime';
import { listServicesByReflection, TrunklineTestBroker } from '@trunkline/testing';
import { Kafka, logLevel, Partitioners } from 'kafkajs';

const broker = new TrunklineTestBroker();
let admin: GrpcClient<typeof BrokerAdminService>;
let kafka: Kafka;

beforeAll(async () => {
  await broker.start();
  admin = createGrpcClient(BrokerAdminService, broker.grpcAddress);
  kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
}, 60_000);

afterAll(async () => {
  admin.close();
  await broker.destroy();
});

async function produce(topic: string, count: number): Promise<void> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  await producer.send({
    topic,
    acks: -1,
    messages: Array.from({ length: count }, (_, i) => ({ key: `k${i}`, value: `v${i}`, partition: i % 2 })),
  });
  await producer.disconnect();
}

describe('the broker admin API', () => {
  it('is served with health and reflection', async () => {
    expect(await checkHealth(broker.grpcAddress, 'trunkline.broker.v1.BrokerAdminService')).toBe('SERVING');
    expect(await listServicesByReflection(broker.grpcAddress)).toContain(
      'trunkline.broker.v1.BrokerAdminService',
    );
  });

  it('reports version, listeners and storage', async () => {
    const info = await admin.getBrokerInfo({});
    expect(info.info?.service).toBe('broker');
    expect(info.info?.listeners.map((l) => l.protocol).sort()).toEqual(['grpc', 'http', 'kafka']);
    expect(info.storage?.dataDir).toBe(broker.dataDirectory);
    expect(info.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('creates, lists, describes, reconfigures and deletes topics', async () => {
    const created = await admin.createTopic({
      name: 'orders',
      partitions: 2,
      configs: { 'retention.ms': '3600000' },
    });
    expect(created.topic?.partitions).toHaveLength(2);
    await expect(admin.createTopic({ name: 'orders', partitions: 1 })).rejects.toMatchObject({
      code: Code.AlreadyExists,
    });
    await expect(admin.createTopic({ name: 'bad/name', partitions: 1 })).rejects.toMatchObject({
      code: Code.InvalidArgument,
    });
    await expect(
      admin.createTopic({ name: 'x', partitions: 1, configs: { 'retention.ms': 'soon' } }),
    ).rejects.toMatchObject({
      code: Code.InvalidArgument,
      message: expect.stringContaining('retention.ms=soon is invalid'),
    });
    await expect(
      admin.createTopic({ name: 'x', partitions: 1, configs: { 'remote.storage.enable': 'true' } }),
    ).rejects.toMatchObject({
      code: Code.InvalidArgument,
      message: expect.stringContaining('needs a tier: start the broker with --tier-dir or --tier-s3-bucket'),
    });

    expect((await admin.listTopics({})).topics.map((t) => t.name)).toContain('orders');
    expect((await admin.listTopics({})).topics.map((t) => t.name)).not.toContain('__consumer_offsets');
    expect((await admin.listTopics({ includeInternal: true })).topics.map((t) => t.name)).toContain(
      '__consumer_offsets',
    );

    await produce('orders', 10);
    const described = (await admin.describeTopic({ name: 'orders' })).topic!;
    expect(described.partitions.map((p) => p.logEndOffset)).toEqual([5n, 5n]);
    expect(described.configs.find((c) => c.name === 'retention.ms')?.value).toBe('3600000');

    const altered = await admin.alterTopicConfig({
      name: 'orders',
      set: { 'cleanup.policy': 'compact' },
      delete: ['retention.ms'],
    });
    expect(altered.configs.find((c) => c.name === 'cleanup.policy')?.value).toBe('compact');
    expect(altered.configs.find((c) => c.name === 'retention.ms')?.value).toBe('604800000');

    await admin.deleteTopic({ name: 'orders' });
    await expect(admin.describeTopic({ name: 'orders' })).rejects.toMatchObject({ code: Code.NotFound });
  });

  it('tails records from a position', async () => {
    await admin.createTopic({ name: 'tailed', partitions: 2 });
    await produce('tailed', 6);
    const records = [];
    for await (const response of admin.tail({
      topic: 'tailed',
      partitions: [1],
      from: { spec: { case: 'boundary', value: LogBoundary.EARLIEST } },
      maxRecords: 3n,
    })) {
      records.push(response.record!);
    }
    expect(records.map((r) => [r.partition, r.offset, Buffer.from(r.value!).toString()])).toEqual([
      [1, 0n, 'v1'],
      [1, 1n, 'v3'],
      [1, 2n, 'v5'],
    ]);
  });

  it('describes a group with lag, resets its offsets (dry run first) and deletes it', async () => {
    await admin.createTopic({ name: 'grouped', partitions: 2 });
    await produce('grouped', 10);
    const consumer = kafka.consumer({ groupId: 'readers' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'grouped', fromBeginning: true });
    let seen = 0;
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async () => {
          if (++seen === 10) resolve();
        },
      });
    });
    const active = await admin.describeGroup({ groupId: 'readers' });
    expect(active.state).toBe(GroupState.STABLE);
    expect(active.members).toHaveLength(1);
    expect(active.members[0]!.assignments.map((a) => a.partition).sort()).toEqual([0, 1]);
    await expect(
      admin.resetGroupOffsets({ groupId: 'readers', to: { spec: { case: 'offset', value: 0n } } }),
    ).rejects.toMatchObject({
      code: Code.FailedPrecondition,
    });
    await consumer.disconnect();

    const idle = await admin.describeGroup({ groupId: 'readers' });
    expect(idle.state).toBe(GroupState.EMPTY);
    expect(idle.offsets.map((o) => [o.partition, o.committedOffset, o.lag])).toEqual([
      [0, 5n, 0n],
      [1, 5n, 0n],
    ]);

    const plan = await admin.resetGroupOffsets({
      groupId: 'readers',
      to: { spec: { case: 'boundary', value: LogBoundary.EARLIEST } },
      dryRun: true,
    });
    expect(plan.applied).toBe(false);
    expect(plan.resets.map((r) => [r.partition, r.previousOffset, r.newOffset])).toEqual([
      [0, 5n, 0n],
      [1, 5n, 0n],
    ]);
    expect((await admin.describeGroup({ groupId: 'readers' })).offsets[0]!.committedOffset).toBe(5n);
    await admin.resetGroupOffsets({
      groupId: 'readers',
      to: { spec: { case: 'boundary', value: LogBoundary.EARLIEST } },
    });
    expect((await admin.describeGroup({ groupId: 'readers' })).offsets.map((o) => o.lag)).toEqual([5n, 5n]);

    await admin.deleteGroup({ groupId: 'readers' });
    await expect(admin.describeGroup({ groupId: 'readers' })).rejects.toMatchObject({ code: Code.NotFound });
  }, 60_000);

  it('deletes records before an offset', async () => {
    await admin.createTopic({ name: 'trimmed', partitions: 2 });
    await produce('trimmed', 10);
    const result = await admin.deleteRecords({
      topic: 'trimmed',
      partitions: [{ partition: 0, beforeOffset: 3n }],
    });
    expect(result.partitions).toEqual([expect.objectContaining({ partition: 0, lowWatermark: 3n })]);
    expect((await admin.describeTopic({ name: 'trimmed' })).topic!.partitions[0]!.logStartOffset).toBe(3n);
    await expect(
      admin.deleteRecords({ topic: 'trimmed', partitions: [{ partition: 0, beforeOffset: 99n }] }),
    ).rejects.toMatchObject({
      code: Code.OutOfRange,
    });
  });
});
