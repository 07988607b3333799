// Log compaction with the same expectations on both brokers: the newest value per key,
// offsets unchanged, tombstones dropped only delete.retention.ms after the pass that kept
// them, batch offsets and producer sequences preserved, keyless records refused.
import { randomUUID } from 'node:crypto';
import {
  describeEachBroker,
  type PartitionContents,
  readPartitionContents,
  waitUntil,
} from '@trunkline/testing';
import { type Admin, Kafka, logLevel, type Message, Partitioners, type Producer } from 'kafkajs';

const DELETE_RETENTION_MS = 5000;

/** [offset, key, value] of every record, the value `null` for a tombstone. */
function entries(contents: PartitionContents): [number, string, string | null][] {
  return contents.records.map((r) => [Number(r.offset), r.key!.toString(), r.value?.toString() ?? null]);
}

describeEachBroker(
  'log compaction',
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

    async function createCompactedTopic(): Promise<string> {
      const topic = `compacted-${randomUUID()}`;
      const configs = {
        'cleanup.policy': 'compact',
        // Segments are cut by record time: batches a second apart land in their own segments.
        'segment.ms': '100',
        'min.cleanable.dirty.ratio': '0.01',
        'delete.retention.ms': String(DELETE_RETENTION_MS),
      };
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic,
            numPartitions: 1,
            configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })),
          },
        ],
      });
      return topic;
    }

    /** Sends each group of messages as one batch, a second of record time after the previous one. */
    async function sendBatches(send: Producer, topic: string, batches: Message[][]): Promise<void> {
      const start = Date.now() - 60_000;
      for (const [i, messages] of batches.entries()) {
        const timestamp = String(start + i * 1000);
        await send.send({ topic, acks: -1, messages: messages.map((m) => ({ ...m, timestamp })) });
      }
    }

    /** What a consumer replaying the topic from the start ends up believing. */
    async function replayState(topic: string, highWatermark: bigint): Promise<Record<string, string>> {
      const consumer = kafka().consumer({ groupId: `replay-${randomUUID()}`, maxWaitTimeInMs: 100 });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const state: Record<string, string> = {};
      let last = -1n;
      await consumer.run({
        eachMessage: async ({ message }) => {
          const key = message.key!.toString();
          if (message.value === null) delete state[key];
          else state[key] = message.value.toString();
          last = BigInt(message.offset);
        },
      });
      await waitUntil(
        'the replay to reach the high watermark',
        async () => last,
        (offset) => offset >= highWatermark - 1n,
      );
      await consumer.disconnect();
      return state;
    }

    it('keeps the newest value per key at its offset, and drops tombstones only after delete.retention.ms', async () => {
      const topic = await createCompactedTopic();
      await sendBatches(producer, topic, [
        [
          { key: 'k1', value: 'a1' },
          { key: 'k2', value: 'b1' },
          { key: 'k3', value: 'c1' },
        ],
        [{ key: 'k1', value: 'a2' }],
        [{ key: 'k2', value: null }],
        [
          { key: 'k3', value: 'c2' },
          { key: 'k4', value: 'd1' },
        ],
        // The active segment: never cleaned.
        [{ key: 'k5', value: 'e1' }],
      ]);
      const cleaned = await waitUntil(
        'the cleaner to drop superseded values',
        () => readPartitionContents(broker.bootstrap, topic),
        (c) => !entries(c).some(([, , value]) => value === 'a1'),
      );
      const cleanedSeenAt = Date.now();
      expect(entries(cleaned)).toEqual([
        [3, 'k1', 'a2'],
        [4, 'k2', null],
        [5, 'k3', 'c2'],
        [6, 'k4', 'd1'],
        [7, 'k5', 'e1'],
      ]);
      expect(cleaned.logStartOffset).toBe(0n);
      expect(cleaned.highWatermark).toBe(8n);
      expect(await replayState(topic, 8n)).toEqual({ k1: 'a2', k3: 'c2', k4: 'd1', k5: 'e1' });
      // Well inside delete.retention.ms of the pass, the tombstone is still there for late readers.
      await new Promise((resolve) => setTimeout(resolve, cleanedSeenAt + 2000 - Date.now()));
      expect(entries(await readPartitionContents(broker.bootstrap, topic))).toContainEqual([4, 'k2', null]);

      // Past the horizon, the next pass drops it (new dirty data makes Kafka run one).
      await new Promise((resolve) => setTimeout(resolve, cleanedSeenAt + DELETE_RETENTION_MS - Date.now()));
      await producer.send({ topic, acks: -1, messages: [{ key: 'k6', value: 'f1' }] });
      const final = await waitUntil(
        'the tombstone to go',
        () => readPartitionContents(broker.bootstrap, topic),
        (c) => !entries(c).some(([, key]) => key === 'k2'),
      );
      expect(entries(final)).toEqual([
        [3, 'k1', 'a2'],
        [5, 'k3', 'c2'],
        [6, 'k4', 'd1'],
        [7, 'k5', 'e1'],
        [8, 'k6', 'f1'],
      ]);
      expect(await replayState(topic, 9n)).toEqual({ k1: 'a2', k3: 'c2', k4: 'd1', k5: 'e1', k6: 'f1' });
    }, 90_000);

    it('keeps batch offsets and producer sequences, so an idempotent producer carries on', async () => {
      const topic = await createCompactedTopic();
      const idempotent = kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
      await idempotent.connect();
      await sendBatches(idempotent, topic, [
        [
          { key: 'p', value: '1' },
          { key: 'q', value: '1' },
        ],
        [{ key: 'q', value: '2' }],
        [
          { key: 'r', value: '1' },
          { key: 's', value: '1' },
        ],
        [{ key: 's', value: '2' }],
        [{ key: 'active', value: '1' }],
      ]);
      const cleaned = await waitUntil(
        'the cleaner to drop superseded values',
        () => readPartitionContents(broker.bootstrap, topic),
        (c) => c.records.length === 5,
      );
      // Each kept batch spans its original offsets and sequences, whatever records it lost.
      expect(
        cleaned.batches.map((b) => [b.baseOffset, b.lastOffset, b.baseSequence, b.recordsCount]),
      ).toEqual([
        [0n, 1n, 0, 1],
        [2n, 2n, 2, 1],
        [3n, 4n, 3, 1],
        [5n, 5n, 5, 1],
        [6n, 6n, 6, 1],
      ]);
      expect(entries(cleaned).map(([offset, key]) => [offset, key])).toEqual([
        [0, 'p'],
        [2, 'q'],
        [3, 'r'],
        [5, 's'],
        [6, 'active'],
      ]);
      await idempotent.send({ topic, acks: -1, messages: [{ key: 'after', value: '1' }] });
      const after = await readPartitionContents(broker.bootstrap, topic);
      expect(after.batches[after.batches.length - 1]).toMatchObject({ baseOffset: 7n, baseSequence: 7 });
      await idempotent.disconnect();
    });

    it('refuses records without a key with INVALID_RECORD', async () => {
      const topic = await createCompactedTopic();
      const noRetry = new Kafka({
        brokers: [broker.bootstrap],
        logLevel: logLevel.NOTHING,
        retry: { retries: 0 },
      });
      const strict = noRetry.producer({
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: { retries: 0 },
      });
      await strict.connect();
      await expect(strict.send({ topic, acks: -1, messages: [{ value: 'no key' }] })).rejects.toMatchObject({
        type: 'INVALID_RECORD',
      });
      await strict.send({ topic, acks: -1, messages: [{ key: 'k', value: 'keyed' }] });
      expect(entries(await readPartitionContents(broker.bootstrap, topic))).toEqual([[0, 'k', 'keyed']]);
      await strict.disconnect();
    });
  },
  { trunklineArgs: ['--log-cleaner-backoff', '250ms'] },
);
