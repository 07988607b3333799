import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../engine';
import { runToCompletion } from '../engine-process';
import { installMavenDependencies, javaBinary } from '../java';
import { freePort, isListening } from '../ports';

/** Keep in step with infra/engines/kafka/pom.xml. */
export const KAFKA_VERSION = '4.1.1';

const ENGINE_DIR = join(__dirname, '..', '..', 'kafka');

export function kafkaClasspath(cacheDir: string): string {
  return join(kafkaLibs(cacheDir), '*');
}

function kafkaLibs(cacheDir: string): string {
  return join(cacheDir, `kafka-${KAFKA_VERSION}`, 'libs');
}

/** JVM options of the broker (log to stdout, kept in the engine log) or a tool (warnings to stderr). */
export function kafkaJvmOptions(role: 'broker' | 'tool'): string[] {
  const config = role === 'broker' ? 'log4j2.properties' : 'log4j2-tools.properties';
  return [`-Dlog4j2.configurationFile=${join(ENGINE_DIR, config)}`, '-Djava.awt.headless=true'];
}

/** A KRaft cluster id: 16 random bytes, base64url without padding, as kafka-storage random-uuid prints. */
function clusterId(): string {
  return randomBytes(16).toString('base64url');
}

export interface KafkaEngineOptions {
  /**
   * Port put in metadata for clients, when it differs from the listener's: a proxy in front
   * of the broker (recording frames, say) stays in the path after bootstrap only if clients
   * are told to connect to it. Default: the listener's port.
   */
  readonly advertisedPort?: number;
  /** Engine name, for running a variant beside the default one (benchmarks). Default: kafka. */
  readonly name?: string;
  /** Extra server.properties, e.g. `log.flush.interval.messages=1` to fsync every batch. */
  readonly properties?: Readonly<Record<string, string>>;
}

export function createKafkaEngine(options: KafkaEngineOptions = {}): Engine {
  return {
    name: options.name ?? 'kafka',
    description: `Apache Kafka ${KAFKA_VERSION} (KRaft, combined controller and broker, single node)`,
    source: 'Maven Central (org.apache.kafka:kafka_2.13 and kafka-tools, fetched with Maven, run with java)',
    defaultPort: 19092,

    async install({ cacheDir, progress }) {
      progress(`kafka: fetching Apache Kafka ${KAFKA_VERSION} from Maven Central unless cached`);
      await installMavenDependencies(
        join(ENGINE_DIR, 'pom.xml'),
        kafkaLibs(cacheDir),
        `Apache Kafka ${KAFKA_VERSION}`,
      );
    },

    async prepare({ cacheDir, runDir, port }) {
      const controllerPort = await freePort();
      const properties = join(runDir, 'server.properties');
      writeFileSync(
        properties,
        [
          'process.roles=broker,controller',
          'node.id=1',
          `controller.quorum.bootstrap.servers=127.0.0.1:${controllerPort}`,
          `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
          `advertised.listeners=PLAINTEXT://127.0.0.1:${options.advertisedPort ?? port}`,
          'controller.listener.names=CONTROLLER',
          'inter.broker.listener.name=PLAINTEXT',
          'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
          `log.dirs=${join(runDir, 'data')}`,
          // One node: internal topics cannot have more replicas than that.
          'offsets.topic.replication.factor=1',
          'transaction.state.log.replication.factor=1',
          'transaction.state.log.min.isr=1',
          'share.coordinator.state.topic.replication.factor=1',
          'share.coordinator.state.topic.min.isr=1',
          // Tests form groups often; don't wait 3 s for more members each time.
          'group.initial.rebalance.delay.ms=0',
          // Tests of retention and compaction watch them happen: check often (defaults: 5 min, 15 s).
          'log.retention.check.interval.ms=250',
          'log.cleaner.backoff.ms=250',
          ...Object.entries(options.properties ?? {}).map(([key, value]) => `${key}=${value}`),
          '',
        ].join('\n'),
      );
      const classpath = kafkaClasspath(cacheDir);
      await runToCompletion(
        {
          command: javaBinary(),
          args: [
            ...kafkaJvmOptions('tool'),
            '-cp',
            classpath,
            'kafka.tools.StorageTool',
            'format',
            '--standalone',
            // `=` form: a random id may start with '-', which would read as an option.
            `--cluster-id=${clusterId()}`,
            '-c',
            properties,
          ],
        },
        'formatting Kafka storage',
      );
      return {
        launch: {
          command: javaBinary(),
          args: [
            '-Xms256m',
            '-Xmx1g',
            ...kafkaJvmOptions('broker'),
            '-cp',
            classpath,
            'kafka.Kafka',
            properties,
          ],
        },
        env: { KAFKA_BOOTSTRAP: `127.0.0.1:${port}` },
      };
    },

    async isReady({ port, log }) {
      return log().includes('Kafka Server started') && (await isListening(port));
    },
  };
}

export const kafkaEngine: Engine = createKafkaEngine();
