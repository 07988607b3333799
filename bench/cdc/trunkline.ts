// The Trunkline side: broker, schema registry and CDC ingestor as child processes, and a
// kafkajs consumer reading the change topic as any Kafka consumer would.

import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import {
  TrunklineTestBroker,
  TrunklineTestCdcIngestor,
  TrunklineTestSchemaRegistry,
} from '@trunkline/testing';
import { type Consumer, Kafka, logLevel } from 'kafkajs';
import { HighWatermark } from './high-watermark';
import { latencyFigures } from './latency';
import { cpuSeconds } from './process-cpu';
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
  /** Distinct keys among the snapshot records: equal to their count when none is missing or doubled. */
  readonly snapshotKeys = new Set<string>();
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
            this.snapshotKeys.add(message.key?.toString('latin1') ?? '');
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

/**
 * How the snapshot is timed: `acknowledged`, until the broker acknowledged every snapshot record
 * (the topic's high watermark reached the row count; the broker fsyncs before it answers), the
 * consumer reading the topic only afterwards to check every row is there; `consumed`, until a
 * kafkajs consumer reading while the snapshot runs had every row (it then competes for the CPU).
 */
export type SnapshotTiming = 'acknowledged' | 'consumed';

export async function measureTrunkline(
  postgresUrl: string,
  workload: Workload,
  timing: SnapshotTiming,
): Promise<EngineResult> {
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
    if (timing === 'consumed') await reader.start(topic);

    progress(`trunkline: snapshot (timed until ${timing})`);
    const brokerCpuBefore = cpuSeconds(broker.process.pid);
    const launched = Date.now();
    await ingestor.start();
    const current = reader;
    let firstAt = 0;
    let snapshotAt = 0;
    if (timing === 'consumed') {
      await waitUntil(() => current.snapshotAt > 0, Math.max(120_000, rows), 'the snapshot rows');
      firstAt = current.firstAt;
      snapshotAt = current.snapshotAt;
    } else {
      const watermarks = await watchHighWatermark(broker.bootstrap, topic, rows, Math.max(120_000, rows));
      firstAt = watermarks.firstAt;
      snapshotAt = watermarks.allAt;
    }
    const snapshotSeconds = (snapshotAt - launched) / 1000;
    // CPU each process used until then: on a shared machine wall time moves with the neighbours' load.
    const cpu = {
      ingestor: cpuSeconds(ingestor.process.pid),
      broker: cpuSeconds(broker.process.pid) - brokerCpuBefore,
    };
    progress(
      `trunkline: ${rows} snapshot rows ${timing} after ${snapshotSeconds.toFixed(2)} s; CPU s used: ingestor ${cpu.ingestor.toFixed(2)} (start-up included), broker ${cpu.broker.toFixed(2)}`,
    );

    const done = await ingestor.process.waitForLog((entry) => entry.msg === 'snapshot done', 60_000);
    const doneAt = typeof done.time === 'string' ? Date.parse(done.time) : Number.NaN;
    if (timing === 'acknowledged') {
      await reader.start(topic);
      await waitUntil(() => current.snapshotAt > 0, Math.max(120_000, rows), 'the snapshot rows (consumer)');
    }
    if (current.snapshotKeys.size !== rows)
      throw new Error(
        `the consumer read ${rows} snapshot records but only ${current.snapshotKeys.size} keys`,
      );
    progress(`trunkline: the consumer read every snapshot row (${current.snapshotKeys.size} distinct keys)`);
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
        firstRowSeconds: (firstAt - launched) / 1000,
        doneLoggedSeconds: (doneAt - launched) / 1000,
        cpuSeconds: cpu,
      },
      streaming: { load, latency: latencyFigures(current.samples) },
    };
  } finally {
    // For looking into a run: BENCH_CDC_INGESTOR_LOG=<file> keeps the ingestor's log lines.
    const logFile = process.env.BENCH_CDC_INGESTOR_LOG;
    if (logFile !== undefined && ingestor !== undefined) writeFileSync(logFile, ingestor.process.output());
    await reader?.stop().catch(() => undefined);
    await ingestor?.stop();
    await registry?.stop();
    await broker.destroy();
    await db.drop();
  }
}

/**
 * Polls the topic's high watermark (every 10 ms, one ListOffsets request) until it reaches
 * `rows`: the times it first moved and reached `rows`. The broker moves it only for records it
 * acknowledged (acks=all, after its fsync), so this is when every snapshot record was acknowledged.
 */
async function watchHighWatermark(
  bootstrap: string,
  topic: string,
  rows: number,
  timeoutMs: number,
): Promise<{ firstAt: number; allAt: number }> {
  const watermark = await HighWatermark.open(bootstrap, topic);
  try {
    const deadline = Date.now() + timeoutMs;
    let firstAt = 0;
    for (;;) {
      const high = await watermark.read();
      const now = Date.now();
      if (high > 0n && firstAt === 0) firstAt = now;
      if (high >= BigInt(rows)) return { firstAt, allAt: now };
      if (now > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for the snapshot rows`);
      await sleep(10);
    }
  } finally {
    watermark.close();
  }
}
