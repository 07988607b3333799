import { describeEachBroker, TrunklineTestBroker } from '@trunkline/testing';
import { Kafka, logLevel } from 'kafkajs';
import { IdempotentProducer } from './idempotent-producer';

interface Received {
  partition: number;
  offset: bigint;
  key: string;
  value: string;
  headers: Record<string, string>;
}

async function readAll(bootstrap: string, topic: string, count: number): Promise<Received[]> {
  const kafka = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `it-${topic}` });
  const received: Received[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
      received.push({
        partition,
        offset: BigInt(message.offset),
        key: message.key?.toString() ?? '',
        value: message.value?.toString() ?? '',
        headers,
      });
    },
  });
  const deadline = Date.now() + 60_000;
  while (received.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await consumer.disconnect();
  return received;
}

async function createTopic(bootstrap: string, topic: string, partitions: number): Promise<void> {
  const admin = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  await admin.disconnect();
}

/** Each key's values, in the order the topic holds them (per partition, by offset). */
function valuesByKey(received: Received[]): Map<string, string[]> {
  const sorted = [...received].sort((a, b) =>
    a.partition !== b.partition ? a.partition - b.partition : a.offset < b.offset ? -1 : 1,
  );
  const byKey = new Map<string, string[]>();
  for (const r of sorted) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r.value]);
  return byKey;
}

describeEachBroker('IdempotentProducer', (broker) => {
  it('delivers every record once, each key in order, acknowledging in order per partition', async () => {
    const topic = `idem-${Date.now().toString(36)}`;
    await createTopic(broker.bootstrap, topic, 3);
    const producer = new IdempotentProducer({
      brokers: [broker.bootstrap],
      clientId: 'it',
      requestTimeoutMs: 30_000,
      // Small batches: many requests in flight per partition.
      maxBatchBytes: 16 * 1024,
    });
    await producer.connect();
    const KEYS = 50;
    const PER_KEY = 400;
    const acked: number[] = [];
    for (let round = 0; round < PER_KEY; round++) {
      for (let k = 0; k < KEYS; k++) {
        const n = round * KEYS + k;
        producer.send(
          topic,
          {
            key: Buffer.from(`key-${k}`),
            value: Buffer.from(`${round}`.padEnd(40, '.')),
            ...(n % 97 === 0 ? { headers: [{ key: Buffer.from('n'), value: Buffer.from(String(n)) }] } : {}),
          },
          () => acked.push(n),
        );
      }
      // Yield now and then, as a real source does between reads.
      if (round % 50 === 0) await new Promise((r) => setImmediate(r));
    }
    await producer.flush();
    expect(producer.pendingRecords).toBe(0);
    expect(acked).toHaveLength(KEYS * PER_KEY);
    producer.close();

    const received = await readAll(broker.bootstrap, topic, KEYS * PER_KEY);
    expect(received).toHaveLength(KEYS * PER_KEY);
    const byKey = valuesByKey(received);
    expect(byKey.size).toBe(KEYS);
    for (const values of byKey.values())
      expect(values.map((v) => Number.parseInt(v, 10))).toEqual(Array.from({ length: PER_KEY }, (_, i) => i));
    expect(received.filter((r) => r.headers.n !== undefined)).toHaveLength(
      Array.from({ length: KEYS * PER_KEY }, (_, n) => n).filter((n) => n % 97 === 0).length,
    );
    // Acknowledgments of one key's records come in the order they were sent.
    const ackedRound = new Map<number, number>();
    for (const n of acked) {
      const k = n % KEYS;
      const round = Math.floor(n / KEYS);
      expect(round).toBeGreaterThan(ackedRound.get(k) ?? -1);
      ackedRound.set(k, round);
    }
  }, 120_000);

  it('waits for a topic that does not exist yet, without losing what was sent meanwhile', async () => {
    const topic = `late-${Date.now().toString(36)}`;
    const producer = new IdempotentProducer({
      brokers: [broker.bootstrap],
      clientId: 'it',
      requestTimeoutMs: 30_000,
    });
    await producer.connect();
    for (let i = 0; i < 100; i++)
      producer.send(topic, { key: Buffer.from(`k${i % 5}`), value: Buffer.from(`${i}`) }, () => {});
    // Auto-created on first metadata request by brokers that allow it; created here otherwise.
    await new Promise((r) => setTimeout(r, 500));
    if (producer.pendingRecords > 0) await createTopic(broker.bootstrap, topic, 1).catch(() => undefined);
    await producer.flush();
    producer.close();
    const received = await readAll(broker.bootstrap, topic, 100);
    expect(received.map((r) => Number(r.value))).toEqual(Array.from({ length: 100 }, (_, i) => i));
  }, 60_000);
});

describe('IdempotentProducer when the broker goes away [trunkline]', () => {
  const broker = new TrunklineTestBroker();
  beforeAll(() => broker.start(), 60_000);
  afterAll(() => broker.destroy(), 30_000);

  it('keeps sending through kills of the broker: nothing lost, nothing doubled, each key in order', async () => {
    const topic = 'through-kills';
    await createTopic(broker.bootstrap, topic, 2);
    const warnings: string[] = [];
    const logger = { warn: (_o: unknown, msg: string) => warnings.push(msg) } as never;
    const producer = new IdempotentProducer({
      brokers: [broker.bootstrap],
      clientId: 'it',
      requestTimeoutMs: 10_000,
      maxBatchBytes: 8 * 1024,
      logger,
    });
    await producer.connect();
    const TOTAL = 50_000;
    let acked = 0;
    let sent = 0;
    const sending = (async () => {
      while (sent < TOTAL) {
        for (let i = 0; i < 100 && sent < TOTAL; i++, sent++)
          producer.send(
            topic,
            { key: Buffer.from(`k${sent % 10}`), value: Buffer.from(String(sent)) },
            () => acked++,
          );
        // Bounded, as EventProducer bounds it: wait while too much is unacknowledged.
        while (producer.pendingRecords > 5000) await new Promise((r) => setTimeout(r, 5));
        // 100 records every 10 ms: the sending spans the kills below.
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    for (let kill = 0; kill < 3; kill++) {
      await new Promise((r) => setTimeout(r, 300));
      await broker.kill();
      await new Promise((r) => setTimeout(r, 500));
      await broker.start();
    }
    await sending;
    await producer.flush();
    producer.close();
    expect(acked).toBe(TOTAL);
    const received = await readAll(broker.bootstrap, topic, TOTAL);
    const values = received.map((r) => Number(r.value));
    // Kills land between an append and its answer: the resent batch is recognised by its
    // sequence numbers (the broker rebuilds them from its log), so nothing is doubled.
    expect(new Set(values).size).toBe(TOTAL);
    expect(received).toHaveLength(TOTAL);
    for (const [key, list] of valuesByKey(received)) {
      const numbers = list.map(Number);
      expect([key, numbers]).toEqual([key, [...numbers].sort((a, b) => a - b)]);
    }
    expect(warnings.length).toBeGreaterThan(0);
  }, 180_000);
});
