// Replay throughput from the tier vs from local disk: a consumer reads a topic from offset 0
// to its end where (a) every segment is on local disk, vs (b) the first ~90% of the topic is
// only in the tier (a folder; S3 when the s3 engine runs), read back by the broker.
//   npm run bench:broker:tier -- [--megabytes 256] [--record-size 1024] [--partitions 1] [--s3 false] [--json]
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { BrokerAdminService } from '@trunkline/contracts/broker/v1/broker_admin';
import { type EngineEnv, kafkaToolCommand } from '@trunkline/engines';
import { createGrpcClient, type GrpcClient, parseSettings, setting, settingsHelp } from '@trunkline/runtime';
import { ChildService, engineEnv, runCommand, s3TierFlags, trunklineCommand } from '@trunkline/testing';
import { Kafka, logLevel } from 'kafkajs';
import { parseProducerPerformance } from './perf-output';
import {
  describeState,
  joinToggleValues,
  mb,
  parseConsumerPerformance,
  type ReplayFigures,
  segmentBytesFor,
  type TopicState,
  tierNotReady,
  tierReport,
  topicState,
  type VariantResult,
} from './tier-figures';

const MIB = 1024 * 1024;

const spec = {
  megabytes: setting.integer({ describe: 'MiB of record payload per topic', default: 256, min: 1 }),
  recordSize: setting.integer({ describe: 'bytes per record', default: 1024, min: 1 }),
  partitions: setting.integer({ describe: 'partitions of the topic', default: 1, min: 1, max: 64 }),
  segmentBytes: setting.byteSize({
    describe: 'segment.bytes of the topic (made smaller when a partition would get fewer than 20)',
    default: 8 * MIB,
    min: 64 * 1024,
  }),
  s3: setting.toggle({
    describe: 'also run the S3 tier variant (default: when the s3 engine is available)',
  }),
  tierTimeout: setting.duration({
    describe: 'how long to wait for the tier to hold ~90% of the topic',
    default: 10 * 60_000,
  }),
  json: setting.toggle({ describe: 'print JSON instead of tables', default: false }),
};

let parsed: ReturnType<typeof parseSettings<typeof spec>>;
try {
  parsed = parseSettings(spec, joinToggleValues(process.argv.slice(2), ['s3', 'json']), {});
} catch (error) {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
if (parsed.help) {
  process.stdout.write(`npm run bench:broker:tier -- [flags]\n\n${settingsHelp(spec)}\n`);
  process.exit(0);
}
const options = parsed.config;
const records = Math.floor((options.megabytes * MIB) / options.recordSize);
const perPartitionBytes = (records * options.recordSize) / options.partitions;
const segmentBytes = segmentBytesFor(perPartitionBytes, options.segmentBytes);
// Local disk keeps ~5% of each partition once uploaded: about one segment with the active one.
const localRetentionBytes = Math.max(1, Math.floor(perPartitionBytes * 0.05));

const progress = (message: string) => process.stderr.write(`${message}\n`);

/** A line rewritten in place on a terminal, or printed every few seconds into a log. */
class ProgressLine {
  private lastPrinted = 0;
  private shown = false;

  update(message: string): void {
    if (process.stderr.isTTY) {
      process.stderr.write(`\r\x1b[K${message}`);
      this.shown = true;
    } else if (Date.now() - this.lastPrinted >= 2000) {
      process.stderr.write(`${message}\n`);
      this.lastPrinted = Date.now();
    }
  }

  done(message: string): void {
    if (this.shown) process.stderr.write('\r\x1b[K');
    process.stderr.write(`${message}\n`);
  }
}

interface Variant {
  name: string;
  tier: string;
  brokerArgs: string[];
  topicConfigs: Record<string, string>;
  tiered: boolean;
  cleanup?: () => Promise<void>;
}

function s3Variant(env: EngineEnv): Variant {
  const prefix = `bench-tier-replay/${Date.now().toString(36)}-${randomUUID().slice(0, 8)}/`;
  return {
    name: 'tier-s3',
    tier: `s3://${env.S3_BUCKET}/${prefix} at ${env.S3_ENDPOINT}`,
    tiered: true,
    brokerArgs: s3TierFlags(env, prefix),
    topicConfigs: {},
    cleanup: () => deleteS3Prefix(env, prefix),
  };
}

async function deleteS3Prefix(env: EngineEnv, prefix: string): Promise<void> {
  const client = new S3Client({
    endpoint: env.S3_ENDPOINT!,
    region: env.S3_REGION ?? 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: env.S3_ACCESS_KEY_ID!, secretAccessKey: env.S3_SECRET_ACCESS_KEY! },
  });
  let deleted = 0;
  try {
    // Each round lists from the start: what the last one deleted is gone.
    for (;;) {
      const listed = await client.send(
        new ListObjectsV2Command({ Bucket: env.S3_BUCKET!, Prefix: prefix, MaxKeys: 1000 }),
      );
      const keys = (listed.Contents ?? []).flatMap((object) => (object.Key ? [{ Key: object.Key }] : []));
      if (keys.length === 0) break;
      const result = await client.send(
        new DeleteObjectsCommand({ Bucket: env.S3_BUCKET!, Delete: { Objects: keys, Quiet: true } }),
      );
      if ((result.Errors ?? []).length > 0) {
        const first = result.Errors![0]!;
        throw new Error(`deleting ${first.Key} failed: ${first.Code} ${first.Message}`);
      }
      deleted += keys.length;
    }
    progress(`[tier-s3] deleted ${deleted} objects under s3://${env.S3_BUCKET}/${prefix}`);
  } finally {
    client.destroy();
  }
}

async function startBroker(variant: Variant, dataDir: string): Promise<ChildService> {
  const command = trunklineCommand(
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
    ...variant.brokerArgs,
  );
  try {
    return await ChildService.start({ command, readyTimeoutMs: 60_000 });
  } catch (error) {
    throw new Error(
      `[${variant.name}] the broker did not start (a flag it does not know yet?): ` +
        redact(error instanceof Error ? error.message : String(error)),
    );
  }
}

function redact(text: string): string {
  return text.replace(/(--tier-s3-secret-access-key )\S+/g, '$1***');
}

async function describe(admin: GrpcClient<typeof BrokerAdminService>, topic: string): Promise<TopicState> {
  const { topic: description } = await admin.describeTopic({ name: topic }, { timeoutMs: 30_000 });
  if (description === undefined) throw new Error(`DescribeTopic ${topic} returned no topic`);
  return topicState(description.partitions);
}

async function produce(bootstrap: string, topic: string): Promise<void> {
  const result = await runCommand(
    await kafkaToolCommand('producer-perf', [
      '--topic',
      topic,
      '--num-records',
      String(records),
      '--record-size',
      String(options.recordSize),
      '--throughput',
      '-1',
      '--producer-props',
      `bootstrap.servers=${bootstrap}`,
      'acks=1',
      'linger.ms=5',
      'batch.size=262144',
    ]),
    { timeoutMs: 30 * 60_000 },
  );
  if (result.code !== 0) {
    throw new Error(
      `ProducerPerformance exited with ${result.code}:\n${(result.stdout + result.stderr).slice(-4000)}`,
    );
  }
  const figures = parseProducerPerformance(result.stdout);
  progress(
    `  filled: ${figures.recordsPerSec.toFixed(0)} records/s (${figures.mbPerSec.toFixed(2)} MB/s, acks=1)`,
  );
}

/** Waits until the tier holds ≥85% of the topic, nothing is left to upload and local disk holds ≤15%. */
async function waitForTier(
  admin: GrpcClient<typeof BrokerAdminService>,
  topic: string,
  variant: Variant,
): Promise<number> {
  const started = performance.now();
  const line = new ProgressLine();
  for (;;) {
    const state = await describe(admin, topic);
    const waiting = tierNotReady(state, records);
    const elapsed = (performance.now() - started) / 1000;
    if (waiting === undefined) {
      line.done(`[${variant.name}] tier ready after ${elapsed.toFixed(1)}s: ${describeState(state)}`);
      return elapsed;
    }
    if (elapsed * 1000 > options.tierTimeout) {
      line.done(`[${variant.name}] ${describeState(state)}`);
      throw new Error(
        `[${variant.name}] the tier was not ready within ${options.tierTimeout / 1000}s (${waiting}); ` +
          'is the topic tiered (remote.storage.enable) and are uploads and local retention running?',
      );
    }
    line.update(
      `[${variant.name}] waiting for the tier (${elapsed.toFixed(0)}s): ${describeState(state)} — ${waiting}`,
    );
    await sleep(500);
  }
}

async function replayWithConsumerPerformance(
  bootstrap: string,
  topic: string,
  run: number,
): Promise<ReplayFigures> {
  const result = await runCommand(
    await kafkaToolCommand('consumer-perf', [
      '--bootstrap-server',
      bootstrap,
      '--topic',
      topic,
      '--messages',
      String(records),
      '--group',
      `bench-tier-cp-${run}-${randomUUID().slice(0, 8)}`,
      // Longest gap between fetched records before giving up; a tier read may pause.
      '--timeout',
      '120000',
    ]),
    { timeoutMs: 60 * 60_000 },
  );
  const output = result.stdout + result.stderr;
  if (result.code !== 0)
    throw new Error(`ConsumerPerformance exited with ${result.code}:\n${output.slice(-4000)}`);
  const figures = parseConsumerPerformance(result.stdout);
  if (figures.records < records) {
    throw new Error(
      `ConsumerPerformance read ${figures.records} of ${records} records:\n${output.slice(-4000)}`,
    );
  }
  // fetch.* leaves out the group join, which is the same for local and tiered topics.
  return {
    records: figures.records,
    mb: figures.mb,
    seconds: figures.fetchMs / 1000,
    mbPerSec: figures.fetchMbPerSec,
    recordsPerSec: figures.fetchRecordsPerSec,
  };
}

async function replayWithKafkajs(bootstrap: string, topic: string, run: number): Promise<ReplayFigures> {
  const kafka = new Kafka({
    clientId: 'bench-tier-replay',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({
    groupId: `bench-tier-kafkajs-${run}-${randomUUID().slice(0, 8)}`,
    maxBytes: 64 * MIB,
    maxBytesPerPartition: 16 * MIB,
    maxWaitTimeInMs: 100,
    sessionTimeout: 120_000,
  });
  let joinedAt: number | undefined;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joinedAt ??= performance.now();
  });
  let count = 0;
  let bytes = 0;
  let lastProgress = performance.now();
  let finish: (at: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => {
    finish = resolve;
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: options.partitions,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages)
          bytes += (message.value?.length ?? 0) + (message.key?.length ?? 0);
        count += batch.messages.length;
        lastProgress = performance.now();
        if (count >= records) finish(lastProgress);
      },
    });
    const started = performance.now();
    for (;;) {
      const done = await Promise.race([finished, sleep(1000).then(() => undefined)]);
      if (done !== undefined) {
        const seconds = (done - (joinedAt ?? started)) / 1000;
        return {
          records: count,
          mb: bytes / MIB,
          seconds,
          mbPerSec: bytes / MIB / seconds,
          recordsPerSec: count / seconds,
        };
      }
      if (performance.now() - lastProgress > 120_000) {
        throw new Error(`kafkajs read ${count} of ${records} records, then nothing for 120s`);
      }
    }
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

async function runVariant(variant: Variant): Promise<VariantResult> {
  const dataDir = mkdtempSync(join(tmpdir(), `bench-tier-${variant.name}-`));
  const tierDir =
    variant.name === 'tier-folder' ? mkdtempSync(join(tmpdir(), 'bench-tier-folder-')) : undefined;
  if (tierDir !== undefined) {
    variant.brokerArgs.push('--tier-dir', tierDir);
    variant.tier = tierDir;
  }
  let broker: ChildService | undefined;
  let admin: GrpcClient<typeof BrokerAdminService> | undefined;
  try {
    progress(`[${variant.name}] starting the Trunkline broker (tier: ${variant.tier})`);
    broker = await startBroker(variant, dataDir);
    admin = createGrpcClient(BrokerAdminService, broker.address('grpc'));
    const bootstrap = broker.address('kafka');
    const topic = `bench-tier-${variant.name}-${Date.now().toString(36)}`;
    const configs = {
      'segment.bytes': String(segmentBytes),
      'retention.ms': '-1',
      ...variant.topicConfigs,
    };
    try {
      await admin.createTopic(
        { name: topic, partitions: options.partitions, replicationFactor: 1, configs },
        { timeoutMs: 30_000 },
      );
    } catch (error) {
      throw new Error(
        `[${variant.name}] CreateTopic ${topic} with ${JSON.stringify(configs)} failed: ` +
          `${error instanceof Error ? error.message : String(error)}`,
      );
    }
    progress(
      `[${variant.name}] filling ${topic}: ${records} records of ${options.recordSize} bytes (ProducerPerformance, acks=1)`,
    );
    await produce(bootstrap, topic);
    let tierWaitSeconds: number | undefined;
    if (variant.tiered) tierWaitSeconds = await waitForTier(admin, topic, variant);
    const atReplay = await describe(admin, topic);
    if (atReplay.records < records) {
      throw new Error(`[${variant.name}] the log holds ${atReplay.records} of ${records} records`);
    }
    progress(`[${variant.name}] replaying: ${describeState(atReplay)}`);
    const consumerPerformance: ReplayFigures[] = [];
    const kafkajs: ReplayFigures[] = [];
    for (const run of [1, 2]) {
      const cp = await replayWithConsumerPerformance(bootstrap, topic, run);
      consumerPerformance.push(cp);
      progress(
        `[${variant.name}] ConsumerPerformance replay ${run}: ${cp.mbPerSec.toFixed(2)} MB/s, ${cp.recordsPerSec.toFixed(0)} records/s`,
      );
      const js = await replayWithKafkajs(bootstrap, topic, run);
      kafkajs.push(js);
      progress(
        `[${variant.name}] kafkajs replay ${run}: ${js.mbPerSec.toFixed(2)} MB/s, ${js.recordsPerSec.toFixed(0)} records/s`,
      );
    }
    return {
      variant: variant.name,
      tier: variant.tier,
      records,
      mb: (records * options.recordSize) / MIB,
      segmentBytes,
      atReplay,
      ...(tierWaitSeconds === undefined ? {} : { tierWaitSeconds }),
      consumerPerformance,
      kafkajs,
    };
  } finally {
    admin?.close();
    await broker?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (tierDir !== undefined) rmSync(tierDir, { recursive: true, force: true });
    await variant.cleanup?.().catch((error: unknown) => {
      progress(`[${variant.name}] cleanup failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
}

function variants(): Variant[] {
  const tierArgs = ['--tier-upload-interval', '250ms', '--log-retention-check-interval', '250ms'];
  const tierConfigs = {
    'remote.storage.enable': 'true',
    'local.retention.bytes': String(localRetentionBytes),
  };
  const list: Variant[] = [
    { name: 'local', tier: 'none', tiered: false, brokerArgs: [], topicConfigs: {} },
    { name: 'tier-folder', tier: '', tiered: true, brokerArgs: [...tierArgs], topicConfigs: tierConfigs },
  ];
  const s3 = engineEnv('s3');
  if (s3 === undefined) {
    if (options.s3 === true) {
      throw new Error('--s3 was asked for but the s3 engine is not running (npm run -s engine -- start s3)');
    }
    progress(
      'note: the s3 engine is not running, so the tier-s3 variant is skipped (npm run -s engine -- start s3)',
    );
  } else if (options.s3 === false) {
    progress('note: --s3 false, so the tier-s3 variant is skipped');
  } else {
    const variant = s3Variant(s3);
    variant.brokerArgs.unshift(...tierArgs);
    variant.topicConfigs = tierConfigs;
    list.push(variant);
  }
  return list;
}

function heading(): string {
  return (
    '```\n' +
    `megabytes=${options.megabytes} record-size=${options.recordSize} partitions=${options.partitions} ` +
    `records=${records} segment.bytes=${segmentBytes} local.retention.bytes=${localRetentionBytes} ` +
    '(filled by ProducerPerformance at acks=1; replay figures are the better of 2 runs each, ' +
    'ConsumerPerformance fetch.MB.sec / fetch.nMsg.sec, kafkajs from its group join)\n```'
  );
}

function output(results: VariantResult[]): void {
  if (results.length === 0) return;
  process.stdout.write(
    options.json
      ? `${JSON.stringify(
          {
            megabytes: options.megabytes,
            recordSize: options.recordSize,
            partitions: options.partitions,
            records,
            segmentBytes,
            localRetentionBytes,
            producerAcks: 1,
            replay: 'two runs per reader; tables use the better (by records/s)',
            results,
          },
          null,
          2,
        )}\n`
      : tierReport(heading(), results),
  );
}

async function main(): Promise<number> {
  const results: VariantResult[] = [];
  const list = variants();
  if (segmentBytes !== options.segmentBytes) {
    progress(
      `note: segment.bytes ${segmentBytes} instead of ${options.segmentBytes}, for ~20 segments per partition`,
    );
  }
  progress(
    `${records} records per topic (${mb(records * options.recordSize)} MB), variants: ${list.map((v) => v.name).join(', ')}`,
  );
  try {
    for (const variant of list) results.push(await runVariant(variant));
  } catch (error) {
    output(results);
    if (results.length > 0) progress(`bench: stopped after ${results.map((r) => r.variant).join(', ')}`);
    progress(`bench: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  output(results);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
