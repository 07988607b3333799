// Kafka's own ProducerPerformance and EndToEndLatency against the Trunkline broker and
// Apache Kafka in the same run, at matched durability, printing figures and ratios.
//   npm run bench:broker -- [--records 300000] [--record-size 1024] [--latency-records 5000] [--json]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafkaEngine, EngineManager, kafkaToolCommand } from '@trunkline/engines';
import { parseSettings, setting } from '@trunkline/runtime';
import { ChildService, runCommand, trunklineCommand } from '@trunkline/testing';
import {
  type LatencyFigures,
  type ProducerFigures,
  parseEndToEndLatency,
  parseProducerPerformance,
} from './perf-output';

const options = parseSettings(
  {
    records: setting.integer({
      describe: 'records per ProducerPerformance run',
      default: 300_000,
      min: 1000,
    }),
    recordSize: setting.integer({ describe: 'bytes per record', default: 1024, min: 1 }),
    latencyRecords: setting.integer({
      describe: 'round trips per EndToEndLatency run',
      default: 5000,
      min: 100,
    }),
    json: setting.toggle({ describe: 'print JSON instead of tables', default: false }),
  },
  process.argv.slice(2),
  {},
);
if (options.help) {
  process.stdout.write(
    'npm run bench:broker -- [--records N] [--record-size BYTES] [--latency-records N] [--json]\n',
  );
  process.exit(0);
}
const { records, recordSize, latencyRecords, json } = options.config;

interface Mode {
  name: string;
  trunklineArgs: string[];
  kafkaProperties: Record<string, string>;
}

const MODES: Mode[] = [
  {
    name: 'fsync per batch',
    trunklineArgs: ['--fsync', 'always'],
    kafkaProperties: { 'log.flush.interval.messages': '1' },
  },
  { name: 'no fsync', trunklineArgs: ['--fsync', 'never'], kafkaProperties: {} },
];

interface Result {
  mode: string;
  broker: 'trunkline' | 'apache';
  producer: ProducerFigures;
  endToEnd: LatencyFigures;
}

const progress = (message: string) => process.stderr.write(`${message}\n`);

async function measure(bootstrap: string): Promise<{ producer: ProducerFigures; endToEnd: LatencyFigures }> {
  const topic = `bench-${Date.now().toString(36)}`;
  const create = await runCommand(
    await kafkaToolCommand('topics', [
      '--bootstrap-server',
      bootstrap,
      '--create',
      '--topic',
      topic,
      '--partitions',
      '1',
    ]),
  );
  if (create.code !== 0) throw new Error(`creating ${topic} failed:\n${create.stderr}`);
  const producer = await runCommand(
    await kafkaToolCommand('producer-perf', [
      '--topic',
      topic,
      '--num-records',
      String(records),
      '--record-size',
      String(recordSize),
      '--throughput',
      '-1',
      '--producer-props',
      `bootstrap.servers=${bootstrap}`,
      'acks=all',
    ]),
    { timeoutMs: 600_000 },
  );
  const endToEnd = await runCommand(
    await kafkaToolCommand('end-to-end-latency', [
      bootstrap,
      `${topic}-e2e`,
      String(latencyRecords),
      'all',
      String(recordSize),
    ]),
    { timeoutMs: 600_000 },
  );
  return {
    producer: parseProducerPerformance(producer.stdout),
    endToEnd: parseEndToEndLatency(endToEnd.stdout),
  };
}

async function runMode(mode: Mode): Promise<Result[]> {
  const results: Result[] = [];
  const runDir = mkdtempSync(join(tmpdir(), 'bench-engines-'));
  process.env.TRUNKLINE_ENGINES_RUN_DIR = runDir;
  const kafka = new EngineManager([
    createKafkaEngine({ name: 'kafka-bench', properties: mode.kafkaProperties }),
  ]);
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-trunkline-'));
  let trunkline: ChildService | undefined;
  try {
    progress(`[${mode.name}] starting Apache Kafka`);
    const env = await kafka.start('kafka-bench', { port: 0, progress });
    progress(`[${mode.name}] measuring Apache Kafka`);
    results.push({ mode: mode.name, broker: 'apache', ...(await measure(env.KAFKA_BOOTSTRAP!)) });
    await kafka.stop('kafka-bench');

    progress(`[${mode.name}] starting the Trunkline broker`);
    trunkline = await ChildService.start({
      command: trunklineCommand(
        'serve',
        'broker',
        '--data-dir',
        dataDir,
        '--kafka-port',
        '0',
        '--grpc-port',
        '0',
        '--http-port',
        '0',
        ...mode.trunklineArgs,
      ),
    });
    progress(`[${mode.name}] measuring the Trunkline broker`);
    results.push({ mode: mode.name, broker: 'trunkline', ...(await measure(trunkline.address('kafka'))) });
  } finally {
    await trunkline?.stop();
    await kafka.stopAll();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(runDir, { recursive: true, force: true });
  }
  return results;
}

function ratio(ours: number, theirs: number): string {
  return theirs === 0 ? 'n/a' : (ours / theirs).toFixed(2);
}

function report(results: Result[]): string {
  const lines = [
    `records=${records} record-size=${recordSize} latency-records=${latencyRecords} (acks=all, 1 partition)`,
    '',
    '| durability | broker | records/s | MB/s | produce p50 ms | produce p99 ms | produce p99.9 ms | e2e avg ms | e2e p50 ms | e2e p99 ms | e2e p99.9 ms |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    lines.push(
      `| ${r.mode} | ${r.broker} | ${r.producer.recordsPerSec.toFixed(0)} | ${r.producer.mbPerSec.toFixed(2)} | ${r.producer.p50Ms} | ${r.producer.p99Ms} | ${r.producer.p999Ms} | ${r.endToEnd.avgMs.toFixed(2)} | ${r.endToEnd.p50Ms} | ${r.endToEnd.p99Ms} | ${r.endToEnd.p999Ms} |`,
    );
  }
  lines.push(
    '',
    '| durability | throughput ratio (Trunkline/Kafka) | produce p99 ratio | e2e p99 ratio |',
    '|---|---|---|---|',
  );
  for (const mode of MODES) {
    const ours = results.find((r) => r.mode === mode.name && r.broker === 'trunkline')!;
    const theirs = results.find((r) => r.mode === mode.name && r.broker === 'apache')!;
    lines.push(
      `| ${mode.name} | ${ratio(ours.producer.recordsPerSec, theirs.producer.recordsPerSec)} | ${ratio(ours.producer.p99Ms, theirs.producer.p99Ms)} | ${ratio(ours.endToEnd.p99Ms, theirs.endToEnd.p99Ms)} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const results: Result[] = [];
  for (const mode of MODES) results.push(...(await runMode(mode)));
  process.stdout.write(json ? `${JSON.stringify(results, null, 2)}\n` : report(results));
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
