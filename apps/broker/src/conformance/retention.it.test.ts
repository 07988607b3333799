// Time and size retention, and a consumer left below the log start, with the same
// expectations on both brokers. Segments are cut by record time (segment.ms), as Kafka
// cuts them, so both brokers hold the same segments.
import { randomUUID } from 'node:crypto';
import { buildRecordBatch } from '@trunkline/kafka-protocol';
import { describeEachBroker, readPartitionContents, waitUntil } from '@trunkline/testing';
import { type Admin, Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';

const MINUTE = 60_000;

describeEachBroker(
  'retention',
  (broker) => {
    let admin: Admin;
    let producer: Producer;
    const kafka = () => new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });

    beforeAll(async () => {
      admin = kafka().admin();
      producer = kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await Promise.all([admin.connect(), producer.connect()]);
    });

    afterAll(async () => {
      await Promise.all([admin.disconnect(), producer.disconnect()]);
    });

    /** One batch per send; each batch is `segment.ms` later than the last, so each gets its own segment. */
    async function produceSegments(topic: string, ages: readonly number[], value = 'v'.repeat(100)) {
      const now = Date.now();
      for (const [i, age] of ages.entries()) {
        await producer.send({
          topic,
          acks: -1,
          messages: [{ key: `k${i}`, value, timestamp: String(now - age) }],
        });
      }
    }

    async function createTopic(configs: Record<string, string>): Promise<string> {
      const topic = `retention-${randomUUID()}`;
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic,
            numPartitions: 1,
            configEntries: Object.entries({ 'segment.ms': '1000', ...configs }).map(([name, value]) => ({
              name,
              value,
            })),
          },
        ],
      });
      return topic;
    }

    it('deletes the segments whose newest record is older than retention.ms, and no others', async () => {
      const topic = await createTopic({ 'retention.ms': String(60 * MINUTE) });
      // Segments 0..2 are hours old, 3..5 minutes old; the last record starts the active segment.
      await produceSegments(topic, [
        300 * MINUTE,
        240 * MINUTE,
        180 * MINUTE,
        30 * MINUTE,
        20 * MINUTE,
        10 * MINUTE,
        0,
      ]);
      const after = await waitUntil(
        'retention to move the log start',
        () => readPartitionContents(broker.bootstrap, topic),
        (c) => c.logStartOffset >= 3n,
      );
      expect(after.logStartOffset).toBe(3n);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const later = await readPartitionContents(broker.bootstrap, topic);
      expect(later.logStartOffset).toBe(3n);
      expect(later.highWatermark).toBe(7n);
      expect(later.records.map((r) => r.key!.toString())).toEqual(['k3', 'k4', 'k5', 'k6']);
    });

    it('deletes the oldest segments while the partition keeps at least retention.bytes', async () => {
      const value = 'v'.repeat(100);
      // Every batch holds one record of the same size; the log stores it byte for byte.
      const batchBytes = buildRecordBatch([{ key: Buffer.from('k0'), value: Buffer.from(value) }]).length;
      // Seven segments of one batch: keeping 3.5 batches' worth lets the three oldest go.
      const topic = await createTopic({
        'retention.ms': '-1',
        'retention.bytes': String(Math.floor(3.5 * batchBytes)),
      });
      await produceSegments(topic, [60_000, 50_000, 40_000, 30_000, 20_000, 10_000, 0], value);
      const after = await waitUntil(
        'retention to move the log start',
        () => readPartitionContents(broker.bootstrap, topic),
        (c) => c.logStartOffset >= 3n,
      );
      expect(after.logStartOffset).toBe(3n);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect((await readPartitionContents(broker.bootstrap, topic)).logStartOffset).toBe(3n);
    });

    it.each([
      [true, 'k3'],
      [false, 'latest'],
    ])(
      'resets a group whose committed offset fell below the log start (fromBeginning %p)',
      async (fromBeginning, expected) => {
        const topic = await createTopic({ 'retention.ms': String(60 * MINUTE) });
        await produceSegments(topic, [300 * MINUTE, 240 * MINUTE, 180 * MINUTE, 30 * MINUTE, 0]);
        await waitUntil(
          'retention to move the log start',
          () => readPartitionContents(broker.bootstrap, topic),
          (c) => c.logStartOffset === 3n,
        );
        const groupId = `below-start-${randomUUID()}`;
        await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '1' }] });
        const consumer = kafka().consumer({ groupId, maxWaitTimeInMs: 100 });
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning });
        const seen: string[] = [];
        await consumer.run({
          eachMessage: async ({ message }) => {
            seen.push(message.key!.toString());
          },
        });
        if (fromBeginning) {
          await waitUntil(
            'the consumer to reset to the log start',
            async () => seen.length,
            (n) => n >= 2,
          );
          expect(seen.slice(0, 2)).toEqual(['k3', 'k4']);
        } else {
          // Reset to the end: only what is produced from now on arrives.
          await new Promise((resolve) => setTimeout(resolve, 2000));
          await producer.send({ topic, messages: [{ key: 'latest', value: 'x' }] });
          await waitUntil(
            'the record produced after the reset',
            async () => seen.length,
            (n) => n >= 1,
          );
          expect(seen).toEqual([expected]);
        }
        await consumer.disconnect();
      },
    );
  },
  { trunklineArgs: ['--log-retention-check-interval', '250ms'] },
);
