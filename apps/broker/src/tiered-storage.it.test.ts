// Tiered storage end to end through the broker process: a topic whose first 90% lives only
// in the tier (a folder, and S3) is replayed from offset 0 by a kafkajs consumer, and
// SIGKILLs in the middle of uploads lose no acknowledged record.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerAdminService, type PartitionDescription } from '@trunkline/contracts/broker/v1/broker_admin';
import { createGrpcClient, type GrpcClient } from '@trunkline/runtime';
import {
  describeWithEngine,
  readPartitionContents,
  s3TierFlags,
  TrunklineTestBroker,
  waitUntil,
} from '@trunkline/testing';
import { Kafka, logLevel, Partitioners } from 'kafkajs';

const FAST = ['--tier-upload-interval', '200ms', '--log-retention-check-interval', '200ms'];

function describeTieredBroker(name: string, tierArgs: () => string[]): void {
  describe(`a broker tiering to ${name}`, () => {
    const broker = new TrunklineTestBroker();
    let admin: GrpcClient<typeof BrokerAdminService>;
    let tier: string[] | undefined;
    // Restarts keep the same tier.
    const start = async () => {
      tier ??= tierArgs();
      await broker.start([...tier, ...FAST]);
      admin?.close();
      admin = createGrpcClient(BrokerAdminService, broker.grpcAddress);
    };
    const kafka = () => new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const partition = async (topic: string): Promise<PartitionDescription> =>
      (await admin.describeTopic({ name: topic })).topic!.partitions[0]!;

    beforeAll(start, 60_000);
    afterAll(async () => {
      admin.close();
      await broker.destroy();
    });

    async function createTieredTopic(localRetentionBytes: number): Promise<string> {
      const topic = `tiered-${randomUUID()}`;
      await admin.createTopic({
        name: topic,
        partitions: 1,
        configs: {
          'remote.storage.enable': 'true',
          'segment.bytes': String(32 * 1024),
          'local.retention.bytes': String(localRetentionBytes),
          'retention.ms': '-1',
        },
      });
      return topic;
    }

    it('replays from offset 0, record for record, a topic whose first 90% lives only in the tier', async () => {
      const topic = await createTieredTopic(40 * 1024);
      const producer = kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      const sent: [string, string][] = [];
      for (let batch = 0; batch < 40; batch++) {
        const messages = Array.from({ length: 100 }, (_, i) => {
          const n = batch * 100 + i;
          return { key: `key-${n}`, value: `${n}:${'x'.repeat(200 + (n % 50))}` };
        });
        await producer.send({ topic, acks: -1, messages });
        sent.push(...messages.map((m): [string, string] => [m.key, m.value]));
      }
      await producer.disconnect();
      const settled = await waitUntil(
        'the first 90% to live only in the tier',
        () => partition(topic),
        (p) => p.uploadLagSegments === 0 && p.localLogStartOffset >= (p.logEndOffset * 9n) / 10n,
      );
      expect(settled.logStartOffset).toBe(0n);
      expect(settled.remoteLogStartOffset).toBe(0n);
      expect(settled.remoteBytes).toBeGreaterThan(settled.sizeBytes * 9n);

      const consumer = kafka().consumer({ groupId: `replay-${randomUUID()}`, maxWaitTimeInMs: 100 });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const received: [string, string, string][] = [];
      await new Promise<void>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) => {
            received.push([message.offset, message.key!.toString(), message.value!.toString()]);
            if (received.length === sent.length) resolve();
          },
        });
      });
      await consumer.disconnect();
      expect(received).toEqual(sent.map(([key, value], offset) => [String(offset), key, value]));

      // A restarted broker still serves it all, from the tier's manifest.
      await broker.stop();
      await start();
      const contents = await readPartitionContents(broker.bootstrap, topic);
      expect(contents.logStartOffset).toBe(0n);
      expect(contents.records.map((r) => [r.key!.toString(), r.value!.toString()])).toEqual(sent);
    }, 120_000);

    it('refuses remote storage on a compacted topic, and turning it off', async () => {
      await expect(
        admin.createTopic({
          name: `compacted-${randomUUID()}`,
          configs: { 'remote.storage.enable': 'true', 'cleanup.policy': 'compact' },
        }),
      ).rejects.toThrow(/not supported on compacted topics/);
      const topic = await createTieredTopic(1024);
      await expect(
        admin.alterTopicConfig({ name: topic, set: { 'remote.storage.enable': 'false' } }),
      ).rejects.toThrow(/cannot be turned off/);
    });

    it('keeps every acknowledged record across SIGKILLs in the middle of uploads', async () => {
      const topic = await createTieredTopic(16 * 1024);
      const acked = new Map<bigint, string>();
      for (let round = 0; round < 5; round++) {
        const producer = kafka().producer({
          createPartitioner: Partitioners.DefaultPartitioner,
          retry: { retries: 0 },
        });
        await producer.connect();
        const killed = new Promise<void>((resolve) =>
          setTimeout(() => void broker.kill().then(resolve), 400 + Math.floor(Math.random() * 1200)),
        );
        for (let n = 0; ; n++) {
          const values = Array.from({ length: 20 }, (_, i) => `r${round}-${n}-${i}-${'y'.repeat(300)}`);
          try {
            const [result] = await producer.send({
              topic,
              acks: -1,
              messages: values.map((value) => ({ value })),
            });
            const base = BigInt(result!.baseOffset!);
            for (const [i, value] of values.entries()) acked.set(base + BigInt(i), value);
          } catch {
            break;
          }
        }
        await killed;
        await producer.disconnect().catch(() => undefined);
        await start();
      }
      const settled = await waitUntil(
        'uploads to catch up after the last restart',
        () => partition(topic),
        (p) => p.uploadLagSegments === 0 && p.remoteSegments > 0 && p.localLogStartOffset > 0n,
      );
      expect(settled.logStartOffset).toBe(0n);
      const contents = await readPartitionContents(broker.bootstrap, topic);
      const offsets = contents.records.map((r) => r.offset);
      expect(offsets).toEqual(offsets.map((_, i) => BigInt(i)));
      for (const [offset, value] of acked)
        expect(contents.records[Number(offset)]?.value?.toString()).toBe(value);
      expect(acked.size).toBeGreaterThan(500);
    }, 240_000);
  });
}

const folders: string[] = [];
afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

describeTieredBroker('a folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'broker-tier-'));
  folders.push(dir);
  return ['--tier-dir', dir];
});

describeWithEngine('s3', 'tiering to S3', (env) => {
  const prefix = `broker-tier-${randomUUID()}`;
  describeTieredBroker('S3', () => s3TierFlags(env, prefix));
});
