// The Trunkline side: broker, schema registry and CDC ingestor as child processes, and a
// kafkajs consumer reading the change topic as any Kafka consumer would.
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import {
  TrunklineTestBroker,
  TrunklineTestCdcIngestor,
  TrunklineTestSchemaRegistry,
} from '@trunkline/testing';
import { type Consumer, Kafka, logLevel } from 'kafkajs';
import { latencyFigures } from './latency';
import { type EngineResult, progress, type Workload } from './result';
import { insertAtRate, insertRows, loadDatabase, TABLE, waitUntil } from './workload';

/**
 * Counts the topic's records from the start: the first `snapshotRows` are the snapshot's
 * (nothing is written to the table while it runs); after those it decodes each value with
 * the registry's schema and keeps [source.ts_ms, time received] of every streamed event.
 */
class ChangeTopicReader {
  count = 0;
  firstAt = 0;
  snapshotAt = 0;
  samples: [number, number][] = [];
  private readonly consumer: Consumer;
  private readonly registry: SchemaRegistry;

  constructor(
    kafka: Kafka,
    registryUrl: string,
    private readonly snapshotRows: number,
  ) {
    this.consumer = kafka.consumer({
      groupId: `bench-cdc-${Date.now().toString(36)}`,
      maxWaitTimeInMs: 100,
      maxBytes: 50 * 1024 * 1024,
      maxBytesPerPartition: 10 * 1024 * 1024,
    });
    this.registry = new SchemaRegistry({ host: registryUrl });
  }

  async start(topic: string): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [topic], fromBeginning: true });
    await this.consumer.run({
      eachBatch: async ({ batch }) => {
        const seen = Date.now();
        for (const message of batch.messages) {
          this.count++;
          if (this.count === 1) this.firstAt = seen;
          if (this.count <= this.snapshotRows) {
            if (this.count === this.snapshotRows) this.snapshotAt = seen;
            continue;
          }
          if (message.value === null) continue;
          const value = (await this.registry.decode(message.value)) as {
            op: string;
            source: { ts_ms: number | bigint };
          };
          if (value.op !== 'r') this.samples.push([Number(value.source.ts_ms), seen]);
        }
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

export async function measureTrunkline(postgresUrl: string, workload: Workload): Promise<EngineResult> {
  const { rows, rate, seconds } = workload;
  progress(`trunkline: loading ${rows} rows into a fresh database`);
  const db = await loadDatabase(postgresUrl, rows);
  const broker = new TrunklineTestBroker();
  let registry: TrunklineTestSchemaRegistry | undefined;
  let ingestor: TrunklineTestCdcIngestor | undefined;
  let reader: ChangeTopicReader | undefined;
  try {
    await broker.start();
    registry = new TrunklineTestSchemaRegistry(broker.bootstrap);
    await registry.start();
    ingestor = new TrunklineTestCdcIngestor({
      sourceUrl: db.url,
      bootstrap: broker.bootstrap,
      schemaRegistryUrl: registry.url,
      extraArgs: ['--log-level', 'info', '--tables', `public.${TABLE}`],
    });
    const topic = ingestor.topic('public', TABLE);
    const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    // Created before the ingestor starts, so the consumer is in place when the first row lands.
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    await admin.disconnect();
    reader = new ChangeTopicReader(kafka, registry.url, rows);
    await reader.start(topic);

    progress('trunkline: snapshot');
    const launched = Date.now();
    await ingestor.start();
    const current = reader;
    await waitUntil(() => current.snapshotAt > 0, Math.max(120_000, rows), 'the snapshot rows');
    const snapshotSeconds = (current.snapshotAt - launched) / 1000;
    progress(`trunkline: ${rows} snapshot rows consumed after ${snapshotSeconds.toFixed(2)} s`);

    const done = await ingestor.process.waitForLog((entry) => entry.msg === 'snapshot done', 60_000);
    const doneAt = typeof done.time === 'string' ? Date.parse(done.time) : Number.NaN;
    await ingestor.process.waitForLog((entry) => entry.msg === 'streaming', 60_000);
    // One row through the stream before the measured load, so it starts on a live stream.
    await insertRows(db.sql, rows + 1, 1);
    await waitUntil(() => current.samples.length > 0, 60_000, 'the first streamed change');
    current.samples = [];
    progress(`trunkline: streaming ${rate} rows/s for ${seconds} s`);
    const load = await insertAtRate(db.sql, rows + 2, rate, seconds);
    await waitUntil(() => current.samples.length >= load.rows, 60_000, 'every streamed change');
    return {
      engine: 'trunkline',
      snapshot: {
        rows,
        seconds: snapshotSeconds,
        rowsPerSec: rows / snapshotSeconds,
        firstRowSeconds: (current.firstAt - launched) / 1000,
        doneLoggedSeconds: (doneAt - launched) / 1000,
      },
      streaming: { load, latency: latencyFigures(current.samples) },
    };
  } finally {
    await reader?.stop().catch(() => undefined);
    await ingestor?.stop();
    await registry?.stop();
    await broker.destroy();
    await db.drop();
  }
}
