// Producers at acks=all while the broker is SIGKILLed at random moments, ten times: after
// every restart each acknowledged record is read back at its acknowledged offset, and
// offsets are contiguous.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, Fetch, readRecords, validateRecordBatches } from '@trunkline/kafka-protocol';
import { RawKafkaConnection, TrunklineTestBroker } from '@trunkline/testing';
import { Kafka, logLevel, Partitioners } from 'kafkajs';

const PARTITIONS = 3;
const broker = new TrunklineTestBroker();
afterAll(() => broker.destroy());

interface Acked {
  partition: number;
  offset: bigint;
  value: string;
}

/** Every record of a partition, by offset, fetched through the Kafka protocol. */
async function readPartition(partition: number): Promise<Map<bigint, string>> {
  const connection = await RawKafkaConnection.open(broker.bootstrap);
  const records = new Map<bigint, string>();
  let offset = 0n;
  for (;;) {
    const response = (await connection.request(Fetch, 11, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      topics: [
        { topic: 'crash', partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: 1 << 20 }] },
      ],
    })) as {
      responses: { partitions: { errorCode: number; highWatermark: bigint; records: Buffer | null }[] }[];
    };
    const data = response.responses[0]!.partitions[0]!;
    expect(data.errorCode).toBe(ErrorCode.NONE);
    const batches = validateRecordBatches(data.records ?? Buffer.alloc(0));
    if (batches.length === 0) break;
    for (const batch of batches) {
      expect(batch.baseOffset).toBe(offset);
      for (const record of readRecords(batch)) records.set(record.offset, record.value!.toString());
      offset = batch.lastOffset + 1n;
    }
  }
  connection.close();
  return records;
}

async function produceUntilKilled(acked: Acked[], round: number): Promise<void> {
  const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const producers = await Promise.all(
    Array.from({ length: PARTITIONS }, async () => {
      const producer = kafka.producer({
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: { retries: 0 },
      });
      await producer.connect();
      return producer;
    }),
  );
  const killAfter = 150 + Math.floor(Math.random() * 900);
  const killed = new Promise<void>((resolve) =>
    setTimeout(() => void broker.kill().then(resolve), killAfter),
  );
  let sequence = 0;
  await Promise.all(
    producers.map(async (producer, partition) => {
      for (;;) {
        const values = Array.from(
          { length: 1 + (sequence % 5) },
          () => `r${round}-p${partition}-${sequence++}`,
        );
        try {
          const [result] = await producer.send({
            topic: 'crash',
            acks: -1,
            messages: values.map((value) => ({ value, partition })),
          });
          const base = BigInt(result!.baseOffset!);
          for (const [i, value] of values.entries())
            acked.push({ partition, offset: base + BigInt(i), value });
        } catch {
          return; // The broker is gone: what was not acknowledged may or may not have been kept.
        }
      }
    }),
  );
  await killed;
  await Promise.all(producers.map((p) => p.disconnect().catch(() => undefined)));
}

describe('the broker killed mid-production', () => {
  it('keeps every acknowledged record at its offset across 10 SIGKILLs', async () => {
    await broker.start(['--fsync', 'always']);
    const admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'crash', numPartitions: PARTITIONS }] });
    await admin.disconnect();

    const acked: Acked[] = [];
    for (let round = 0; round < 10; round++) {
      await produceUntilKilled(acked, round);
      await broker.start(['--fsync', 'always']);
      for (let partition = 0; partition < PARTITIONS; partition++) {
        const stored = await readPartition(partition);
        const offsets = [...stored.keys()];
        // Contiguous from 0: no gap, no duplicate offset.
        expect(offsets).toEqual(offsets.map((_, i) => BigInt(i)));
        for (const record of acked.filter((a) => a.partition === partition)) {
          expect(stored.get(record.offset)).toBe(record.value);
        }
      }
      const truncations = broker.process
        .logs()
        .filter((e) => e.msg === 'recovery truncated a torn or corrupt log tail');
      for (const entry of truncations)
        expect(entry).toMatchObject({ segment: expect.any(String), truncatedBytes: expect.any(Number) });
    }
    expect(acked.length).toBeGreaterThan(100);
  }, 300_000);
});

describe('a torn write at the end of a segment', () => {
  it('is cut off at restart, and the log names the segment and the bytes removed', async () => {
    const torn = new TrunklineTestBroker();
    await torn.start();
    const kafka = new Kafka({ brokers: [torn.bootstrap], logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic: 'torn', acks: -1, messages: [{ value: 'kept-1' }, { value: 'kept-2' }] });
    await producer.disconnect();
    await torn.kill();
    // What a power cut can leave: the start of a batch that never finished.
    const segment = join(torn.dataDirectory, 'logs', 'torn-0', '00000000000000000000.log');
    appendFileSync(segment, Buffer.from([0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 90, 0, 0]));
    await torn.start();
    const entry = await torn.process.waitForLog(
      (e) => e.msg === 'recovery truncated a torn or corrupt log tail',
    );
    expect(entry).toMatchObject({ topic: 'torn', partition: 0, truncatedBytes: 14, segment });
    // A restarted broker listens on a new port: a new client.
    const consumer = new Kafka({ brokers: [torn.bootstrap], logLevel: logLevel.NOTHING }).consumer({
      groupId: 'torn-reader',
    });
    await consumer.connect();
    await consumer.subscribe({ topic: 'torn', fromBeginning: true });
    const values: string[] = [];
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          values.push(message.value!.toString());
          if (values.length === 2) resolve();
        },
      });
    });
    await consumer.disconnect();
    expect(values).toEqual(['kept-1', 'kept-2']);
    await torn.destroy();
  }, 60_000);
});
