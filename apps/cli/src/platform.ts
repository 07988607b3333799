import { join } from 'node:path';
import {
  type LogLevel,
  parseSettings,
  type ServiceDefinition,
  type ServiceHandle,
  type StartOptions,
  serviceSettings,
  startService,
} from '@trunkline/runtime';
import { renderTable } from './table';

export interface PlatformOptions {
  host: string;
  logLevel: LogLevel;
  /** Each service with a --data-dir setting keeps its data in `<dataDir>/<service>`. */
  dataDir: string;
  logDestination?: StartOptions['logDestination'];
}

/** Every service of the platform running in this process. */
export interface Platform {
  readonly services: readonly ServiceHandle[];
  /** Stops services in reverse start order; resolves true if all drained in time. */
  stop(): Promise<boolean>;
}

/** Starts services in order, each on its default ports; if one fails, stops those started. */
export async function startPlatform(
  definitions: readonly ServiceDefinition[],
  options: PlatformOptions,
): Promise<Platform> {
  const started: ServiceHandle[] = [];
  const stop = async () => {
    const results = [];
    for (const handle of [...started].reverse()) results.push(await handle.stop());
    return results.every(Boolean);
  };
  try {
    for (const definition of definitions) {
      const argv = ['--host', options.host, '--log-level', options.logLevel];
      if ('dataDir' in definition.settings) argv.push('--data-dir', join(options.dataDir, definition.name));
      argv.push(...wiring(definition, started));
      const settings = parseSettings(serviceSettings(definition), argv, {});
      if (settings.help) throw new Error('unreachable: no --help given');
      const startOptions =
        options.logDestination === undefined ? {} : { logDestination: options.logDestination };
      started.push(await startService(definition, settings.config, startOptions));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { services: started, stop };
}

/**
 * Points a service at the ones started before it: Kafka clients at the broker's Kafka
 * listener, registry clients at the schema registry's REST listener.
 */
function wiring(definition: ServiceDefinition, started: readonly ServiceHandle[]): string[] {
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
  return argv;
}

/** Where each service listens, as a table for people. */
export function listenersTable(platform: Platform): string {
  return renderTable(
    ['SERVICE', 'LISTENS ON'],
    platform.services.map((handle) => [
      handle.name,
      handle.listeners.map((l) => `${l.protocol} ${l.address}`).join(', '),
    ]),
  );
}
