import { join } from 'node:path';
import { EmbeddedPostgres, type RunningPostgres } from '@trunkline/embedded-postgres';
import {
  createLogger,
  type Listener,
  type LogLevel,
  newInstanceId,
  parseSettings,
  type ServiceDefinition,
  type ServiceHandle,
  type StartOptions,
  serviceSettings,
  startService,
} from '@trunkline/runtime';
import { type DemoLoad, startDemoLoad } from './demo/demo-load';
import { ensureDemoDatabase } from './demo/demo-schema';
import { renderTable } from './table';

/** Change topics of the demo database are `demo.public.<table>`. */
const DEMO_TOPIC_PREFIX = 'demo';

export interface PlatformOptions {
  host: string;
  logLevel: LogLevel;
  /** Each service with a --data-dir setting keeps its data in `<dataDir>/<service>`. */
  dataDir: string;
  logDestination?: StartOptions['logDestination'];
  /**
   * Runs an embedded Postgres first (data in `<dataDir>/postgres`) with the demo database,
   * which services with a --source-url setting capture.
   */
  postgres?: {
    port: number;
    /** Demo inserts, updates and deletes per second once the services run; 0: none. */
    demoLoad: number;
  };
}

/** An engine the platform runs beside its services, shown with them. */
export interface PlatformEngine {
  readonly name: string;
  readonly listeners: readonly Listener[];
}

/** Every service of the platform running in this process. */
export interface Platform {
  readonly services: readonly ServiceHandle[];
  /** Engines started before the services (the embedded Postgres). */
  readonly engines: readonly PlatformEngine[];
  /**
   * Stops the demo load, the services in reverse start order, then the engines; resolves true
   * if all drained in time.
   */
  stop(): Promise<boolean>;
}

/**
 * Starts the embedded Postgres (when asked), then services in order, each on its default
 * ports; if one fails, stops those started.
 */
export async function startPlatform(
  definitions: readonly ServiceDefinition[],
  options: PlatformOptions,
): Promise<Platform> {
  const started: ServiceHandle[] = [];
  const engines: PlatformEngine[] = [];
  let postgres: RunningPostgres | undefined;
  let demoLoad: DemoLoad | undefined;
  let sourceUrl: string | undefined;
  const stop = async () => {
    const results = [];
    await demoLoad?.stop();
    for (const handle of [...started].reverse()) results.push(await handle.stop());
    if (postgres !== undefined) results.push(await postgres.stop());
    return results.every(Boolean);
  };
  const logger = (name: string) =>
    createLogger({
      service: name,
      instanceId: newInstanceId(),
      level: options.logLevel,
      ...(options.logDestination === undefined ? {} : { destination: options.logDestination }),
    });
  try {
    if (options.postgres !== undefined) {
      postgres = await EmbeddedPostgres.start({
        dataDir: join(options.dataDir, 'postgres'),
        port: options.postgres.port,
        logger: logger('postgres'),
      });
      engines.push({
        name: 'postgres',
        listeners: [{ protocol: 'postgres', address: `${postgres.host}:${postgres.port}` }],
      });
      sourceUrl = await ensureDemoDatabase(postgres);
    }
    for (const definition of definitions) {
      const argv = ['--host', options.host, '--log-level', options.logLevel];
      if ('dataDir' in definition.settings) argv.push('--data-dir', join(options.dataDir, definition.name));
      argv.push(...wiring(definition, started, sourceUrl));
      const settings = parseSettings(serviceSettings(definition), argv, {});
      if (settings.help) throw new Error('unreachable: no --help given');
      const startOptions =
        options.logDestination === undefined ? {} : { logDestination: options.logDestination };
      started.push(await startService(definition, settings.config, startOptions));
    }
    if (sourceUrl !== undefined && options.postgres !== undefined && options.postgres.demoLoad > 0) {
      demoLoad = await startDemoLoad({
        url: sourceUrl,
        opsPerSecond: options.postgres.demoLoad,
        logger: logger('demo-load'),
      });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { services: started, engines, stop };
}

/**
 * Points a service at the ones started before it: Kafka clients at the broker's Kafka
 * listener, registry clients at the schema registry's REST listener, and a service that
 * captures a database at the embedded one, with demo topics.
 */
function wiring(
  definition: ServiceDefinition,
  started: readonly ServiceHandle[],
  sourceUrl: string | undefined,
): string[] {
  const find = (protocol: string) =>
    started.flatMap((s) => s.listeners).find((listener) => listener.protocol === protocol)?.address;
  const kafka = find('kafka');
  const rest = started
    .find((s) => s.name === 'schema-registry')
    ?.listeners.find((l) => l.protocol === 'rest');
  const argv: string[] = [];
  if ('kafkaBrokers' in definition.settings && kafka !== undefined) argv.push('--kafka-brokers', kafka);
  if ('schemaRegistryUrl' in definition.settings && rest !== undefined)
    argv.push('--schema-registry-url', `http://${rest.address}`);
  if ('sourceUrl' in definition.settings && sourceUrl !== undefined) {
    argv.push('--source-url', sourceUrl);
    if ('topicPrefix' in definition.settings) argv.push('--topic-prefix', DEMO_TOPIC_PREFIX);
  }
  // Sinks consume the demo database's change topics.
  if ('topics' in definition.settings && sourceUrl !== undefined)
    argv.push('--topics', `${DEMO_TOPIC_PREFIX}\\..*`);
  return argv;
}

/** Where each service listens, as a table for people. */
export function listenersTable(platform: Platform): string {
  return renderTable(
    ['SERVICE', 'LISTENS ON'],
    [...platform.engines, ...platform.services].map((handle) => [
      handle.name,
      handle.listeners.map((l) => `${l.protocol} ${l.address}`).join(', '),
    ]),
  );
}
