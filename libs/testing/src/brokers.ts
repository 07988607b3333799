import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trunklineCommand } from './child-service';
import { describeUnavailable, engineEnv } from './engines';
import { ServiceProcess } from './service-process';

/** A Kafka-protocol broker an integration test runs against. */
export interface TestBroker {
  /** "trunkline" or "apache" (Apache Kafka, the reference). */
  readonly name: string;
  /** host:port for Kafka clients; read it inside tests or hooks, once the broker runs. */
  readonly bootstrap: string;
}

const KNOWN_BROKERS = ['trunkline', 'apache'] as const;

/** The brokers named by TRUNKLINE_TEST_BROKERS (comma-separated; default: trunkline,apache). */
export function testBrokerNames(): string[] {
  const names = (process.env.TRUNKLINE_TEST_BROKERS ?? KNOWN_BROKERS.join(','))
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!(KNOWN_BROKERS as readonly string[]).includes(name)) {
      throw new Error(
        `TRUNKLINE_TEST_BROKERS names "${name}"; brokers available: ${KNOWN_BROKERS.join(', ')}`,
      );
    }
  }
  return names;
}

/**
 * A Trunkline broker for one test file: a `trunkline serve broker` process on free ports and a
 * fresh data dir. Started again (after `stop` or `kill`), it keeps its Kafka port and its data,
 * as a restarted broker would, so clients reconnect to the same address.
 */
export class TrunklineTestBroker extends ServiceProcess {
  protected readonly description = 'the Trunkline broker';
  private dataDir: string | undefined;
  private kafkaPort = 0;

  async start(extraArgs: readonly string[] = []): Promise<void> {
    this.dataDir ??= mkdtempSync(join(tmpdir(), 'trunkline-broker-'));
    await this.launch(
      trunklineCommand(
        'serve',
        'broker',
        '--data-dir',
        this.dataDir,
        '--kafka-port',
        String(this.kafkaPort),
        '--grpc-port',
        '0',
        '--http-port',
        '0',
        ...extraArgs,
      ),
    );
    this.kafkaPort = Number(this.bootstrap.slice(this.bootstrap.lastIndexOf(':') + 1));
  }

  get bootstrap(): string {
    return this.process.address('kafka');
  }

  get dataDirectory(): string {
    return this.dataDir!;
  }

  /** Stops it and removes its data. */
  async destroy(): Promise<void> {
    await this.stop();
    if (this.dataDir !== undefined) rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export interface EachBrokerOptions {
  /** Flags for the Trunkline broker, e.g. to run retention as often as the test engine's Kafka does. */
  trunklineArgs?: readonly string[];
}

/**
 * Runs the same describe block once per broker in TRUNKLINE_TEST_BROKERS, with identical
 * expectations. The Trunkline broker is started for the block; Apache Kafka must be running
 * (npm run engine), else the block is skipped with the reason printed (or fails when
 * engines are required).
 */
export function describeEachBroker(
  title: string,
  body: (broker: TestBroker) => void,
  options: EachBrokerOptions = {},
): void {
  for (const name of testBrokerNames()) {
    const blockTitle = `${title} [${name}]`;
    if (name === 'trunkline') {
      describe(blockTitle, () => {
        const broker = new TrunklineTestBroker();
        beforeAll(() => broker.start(options.trunklineArgs), 60_000);
        afterAll(() => broker.destroy(), 30_000);
        body({
          name,
          get bootstrap() {
            return broker.bootstrap;
          },
        });
      });
      continue;
    }
    const bootstrap = engineEnv('kafka')?.KAFKA_BOOTSTRAP;
    if (bootstrap === undefined) {
      describeUnavailable(
        blockTitle,
        'Apache Kafka is not running (start it: npm run -s engine -- start kafka)',
      );
      continue;
    }
    describe(blockTitle, () => body({ name, bootstrap }));
  }
}

/**
 * A describe block that runs against Apache Kafka only: for checks of this project's
 * understanding of Kafka itself (protocol descriptions byte-exact against the reference),
 * where the Trunkline broker is not what is under test.
 */
export function describeWithApacheKafka(title: string, body: (broker: TestBroker) => void): void {
  const bootstrap = engineEnv('kafka')?.KAFKA_BOOTSTRAP;
  if (bootstrap === undefined) {
    describeUnavailable(title, 'Apache Kafka is not running (start it: npm run -s engine -- start kafka)');
    return;
  }
  describe(title, () => body({ name: 'apache', bootstrap }));
}
