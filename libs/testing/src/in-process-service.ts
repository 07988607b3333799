import {
  parseSettings,
  type ServiceDefinition,
  type ServiceHandle,
  type SettingsSpec,
  serviceSettings,
  startService,
} from '@trunkline/runtime';
import { type Stoppable, track, untrack } from './cleanup';

/** A service started in the test's own process, its logs captured in memory. */
export class InProcessService implements Stoppable {
  readonly description: string;

  private constructor(
    readonly handle: ServiceHandle,
    private readonly captured: string[],
  ) {
    this.description = `${handle.name} (in process)`;
  }

  /**
   * Starts a service through the same settings parser as `trunkline serve`, on free ports
   * unless `argv` chooses them.
   */
  static async start<S extends SettingsSpec>(
    definition: ServiceDefinition<S>,
    argv: readonly string[] = [],
  ): Promise<InProcessService> {
    const withPorts = [
      ...(argv.includes('--grpc-port') ? [] : ['--grpc-port', '0']),
      ...(argv.includes('--http-port') ? [] : ['--http-port', '0']),
      ...argv,
    ];
    const parsed = parseSettings(serviceSettings(definition), withPorts, {});
    if (parsed.help) throw new Error('--help is not a way to start a service');
    const captured: string[] = [];
    const handle = await startService(definition, parsed.config, {
      logDestination: { write: (line: string) => captured.push(line) },
    });
    return track(new InProcessService(handle, captured));
  }

  get grpcAddress(): string {
    return `127.0.0.1:${this.handle.grpcPort}`;
  }

  get httpUrl(): string {
    return `http://127.0.0.1:${this.handle.httpPort}`;
  }

  output(): string {
    return this.captured.join('');
  }

  logs(): Record<string, unknown>[] {
    return this.captured.map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  async stop(): Promise<boolean> {
    untrack(this);
    return this.handle.stop();
  }
}
