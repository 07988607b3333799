// kafkajs admin operations, kcat metadata, LogAppendTime topics and oversize batches, with
// the same expectations on both brokers.
import { describeEachBroker, runCommand } from '@trunkline/testing';
import { Kafka, logLevel, Partitioners } from 'kafkajs';

describeEachBroker('topics and records', (broker) => {
  const run = Date.now().toString(36);
  const kafka = () => new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });

  it('kafkajs admin creates, grows, describes and deletes topics', async () => {
    const admin = kafka().admin();
    await admin.connect();
    const topic = `admin-${run}`;
    expect(
      await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic, numPartitions: 2, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
      }),
    ).toBe(true);
    // Creating it again is refused (kafkajs answers false for TOPIC_ALREADY_EXISTS).
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] })).toBe(false);
    await admin.createPartitions({ topicPartitions: [{ topic, count: 4 }] });
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(metadata.topics[0]!.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2, 3]);
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2, name: topic }],
    });
    expect(
      configs.resources[0]!.configEntries.find((c) => c.configName === 'cleanup.policy')?.configValue,
    ).toBe('compact');
    await admin.deleteTopics({ topics: [topic] });
    expect(await admin.listTopics()).not.toContain(topic);
    await admin.disconnect();
  });

  it("takes a kafkajs idempotent producer's records exactly once", async () => {
    const topic = `idempotent-kafkajs-${run}`;
    const producer = kafka().producer({
      idempotent: true,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    for (let i = 0; i < 5; i++) {
      await producer.send({
        topic,
        messages: Array.from({ length: 10 }, (_, j) => ({ key: `k${j}`, value: `${i}-${j}` })),
      });
    }
    await producer.disconnect();
    const admin = kafka().admin();
    await admin.connect();
    const total = (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
    await admin.disconnect();
    expect(total).toBe(50);
  });

  it('kcat lists brokers and topics', async () => {
    const admin = kafka().admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: `listed-${run}`, numPartitions: 3 }],
    });
    await admin.disconnect();
    const listing = await runCommand(['kcat', '-L', '-b', broker.bootstrap, '-t', `listed-${run}`]);
    expect(listing.code).toBe(0);
    expect(listing.stdout).toMatch(/ 1 brokers:/);
    expect(listing.stdout).toContain(`topic "listed-${run}" with 3 partitions:`);
  });

  it('stamps records of a LogAppendTime topic with the broker time', async () => {
    const admin = kafka().admin();
    await admin.connect();
    const topic = `append-time-${run}`;
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          numPartitions: 1,
          configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }],
        },
      ],
    });
    await admin.disconnect();
    const before = Date.now();
    const producer = kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const [sent] = await producer.send({ topic, acks: -1, messages: [{ value: 'old', timestamp: '1000' }] });
    await producer.disconnect();
    expect(Number(sent!.logAppendTime)).toBeGreaterThanOrEqual(before - 1000);
    const consumer = kafka().consumer({ groupId: `append-time-${run}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const timestamp = await new Promise<number>((resolve) => {
      void consumer.run({ eachMessage: async ({ message }) => resolve(Number(message.timestamp)) });
    });
    await consumer.disconnect();
    expect(timestamp).toBeGreaterThanOrEqual(before - 1000);
  });

  it('refuses a batch over max.message.bytes and keeps nothing of it', async () => {
    const admin = kafka().admin();
    await admin.connect();
    const topic = `small-${run}`;
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '2048' }] }],
    });
    const producer = kafka().producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: 0 },
    });
    await producer.connect();
    await expect(producer.send({ topic, messages: [{ value: 'x'.repeat(10_000) }] })).rejects.toMatchObject({
      type: 'MESSAGE_TOO_LARGE',
    });
    await producer.disconnect();
    expect((await admin.fetchTopicOffsets(topic))[0]!.high).toBe('0');
    await admin.disconnect();
  });
});
