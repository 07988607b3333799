import { ChildService, trunklineCommand } from './child-service';
import { untrack } from './cleanup';

/**
 * A Trunkline schema registry for a test: a `trunkline serve schema-registry` process on
 * free ports, its state in the `_schemas` topic of the broker it is given.
 */
export class TrunklineTestSchemaRegistry {
  private service: ChildService | undefined;

  constructor(
    private readonly bootstrap: string,
    private readonly extraArgs: readonly string[] = [],
  ) {}

  async start(): Promise<void> {
    this.service = await ChildService.start({
      command: trunklineCommand(
        'serve',
        'schema-registry',
        '--kafka-brokers',
        this.bootstrap,
        '--port',
        '0',
        '--grpc-port',
        '0',
        '--http-port',
        '0',
        ...this.extraArgs,
      ),
    });
  }

  get process(): ChildService {
    if (this.service === undefined) throw new Error('the schema registry is not started');
    return this.service;
  }

  /** Base URL of the REST API, e.g. http://127.0.0.1:40123 */
  get url(): string {
    return `http://${this.process.address('rest')}`;
  }

  get grpcAddress(): string {
    return this.process.address('grpc');
  }

  /** SIGTERM and wait. */
  async stop(): Promise<void> {
    await this.service?.stop();
  }

  /** SIGKILL, as a crash would. */
  async kill(): Promise<void> {
    const service = this.process;
    service.signal('SIGKILL');
    await service.exited;
    untrack(service);
  }
}
