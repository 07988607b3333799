// Records real Kafka protocol frames as golden fixtures for byte-exact round-trip tests:
// starts a private Apache Kafka that advertises a recording proxy in front of it, drives
// kafkajs, kcat and Kafka's Java clients through the proxy, and rewrites fixtures/ with the
// first request and response of every (API, version) seen. Needs kcat on PATH, java and mvn.
//   npm run -w @trunkline/kafka-protocol capture-frames
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafkaEngine, EngineManager, freePort, KAFKA_VERSION } from '@trunkline/engines';
import { killClients } from './capture/client-processes';
import { javaSteps } from './capture/clients/java';
import { kafkajsSteps } from './capture/clients/kafkajs';
import { kcatSteps } from './capture/clients/kcat';
import { warmUp } from './capture/clients/warm-up';
import { FixtureSet } from './capture/fixture-set';
import { RecordingProxy } from './capture/recording-proxy';
import type { Step } from './capture/step';
import { type StepFailure, summary } from './capture/summary';

const FIXTURES_DIR = join(__dirname, '..', 'fixtures');
// The first exchange of an (API, version) is kept, so order matters where clients share a
// version: kcat goes first so that Produce v7 and Fetch v11 carry its compressed batches
// (gzip, snappy, lz4, zstd in one fetch) rather than kafkajs's uncompressed ones.
const STEPS: readonly Step[] = [warmUp, ...kcatSteps, ...kafkajsSteps, ...javaSteps];
// kafkajs retries internally and can wait a long time; a stuck step must not stall the rest.
const STEP_TIMEOUT_MS = 120_000;

const progress = (message: string) => process.stderr.write(`capture-frames: ${message}\n`);

/** What to undo, run once in reverse order: on success, failure or a signal. */
const teardown: [string, () => unknown][] = [];
let tornDown: Promise<void> | undefined;

function tearDown(): Promise<void> {
  tornDown ??= (async () => {
    for (const [what, undo] of teardown.reverse()) {
      try {
        await undo();
      } catch (error) {
        progress(`could not stop ${what}: ${(error as Error).message}`);
      }
    }
  })();
  return tornDown;
}

function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no result within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function capture(): Promise<number> {
  const began = Date.now();
  const workDir = mkdtempSync(join(tmpdir(), 'trunkline-capture-'));
  teardown.push(['the scratch directory', () => rmSync(workDir, { recursive: true, force: true })]);
  // A private run directory: an engine someone left running in .engines/run is not touched.
  process.env.TRUNKLINE_ENGINES_RUN_DIR = join(workDir, 'engines');

  const fixtures = new FixtureSet();
  const kafkaPort = await freePort();
  const proxy = await RecordingProxy.start(kafkaPort, (exchange) => {
    if (exchange.client !== warmUp.client) fixtures.add(exchange);
  });
  teardown.push(['the proxy', () => proxy.close()]);
  const manager = new EngineManager([createKafkaEngine({ advertisedPort: proxy.port })]);
  const kafka = manager.start('kafka', { port: kafkaPort, progress });
  // Stopped once its start has settled: a stop during the start could miss the process it launches.
  teardown.push(['Kafka', () => kafka.catch(() => undefined).then(() => manager.stop('kafka', progress))]);
  teardown.push(['the clients', killClients]);
  await kafka;
  const bootstrap = `127.0.0.1:${proxy.port}`;
  progress(`Kafka listens on ${kafkaPort} and advertises the proxy at ${bootstrap}`);

  const failures: StepFailure[] = [];
  for (const step of STEPS) {
    if (tornDown !== undefined) break; // a signal arrived
    proxy.label = { client: step.client, step: step.name };
    const started = Date.now();
    try {
      await withTimeout(step.run({ bootstrap, workDir }), STEP_TIMEOUT_MS);
      progress(`${step.name}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    } catch (error) {
      failures.push({ step: step.name, message: (error as Error).message });
      progress(`${step.name}: FAILED: ${(error as Error).message}`);
    }
  }
  killClients();
  // An interrupted capture is partial: keep the fixtures that are there.
  if (tornDown !== undefined) return 130;

  // A failed step would silently drop the fixtures only it produces: keep the old set instead.
  if (failures.length === 0) fixtures.write(FIXTURES_DIR, `Apache Kafka ${KAFKA_VERSION}`);
  else progress(`${failures.length} step(s) failed; ${FIXTURES_DIR} is left as it was`);
  process.stdout.write(
    `${summary(fixtures, {
      failures,
      problems: proxy.problems,
      unanswered: proxy.unanswered,
      seconds: (Date.now() - began) / 1000,
    })}\n`,
  );
  return failures.length > 0 ? 1 : 0;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    progress(`${signal}: stopping what was started`);
    void tearDown().finally(() => process.exit(130));
  });
}

const began = Date.now();
capture()
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      progress(`failed: ${(error as Error).stack ?? error}`);
      process.exitCode = 1;
    },
  )
  .finally(async () => {
    await tearDown();
    progress(`finished in ${((Date.now() - began) / 1000).toFixed(1)} s, teardown included`);
  });
