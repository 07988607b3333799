import { trunklineCommand } from './child-service';
import { ServiceProcess } from './service-process';

/**
 * A Trunkline schema registry for a test: a `trunkline serve schema-registry` process on
 * free ports, its state in the `_schemas` topic of the broker it is given.
 */
export class TrunklineTestSchemaRegistry extends ServiceProcess {
  protected readonly description = 'the schema registry';

  constructor(
    private readonly bootstrap: string,
    private readonly extraArgs: readonly string[] = [],
  ) {
    super();
  }

  async start(): Promise<void> {
    await this.launch(
      trunklineCommand(
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
    );
  }

  /** Base URL of the REST API, e.g. http://127.0.0.1:40123 */
  get url(): string {
    return `http://${this.process.address('rest')}`;
  }
}
