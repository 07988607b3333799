import { randomUUID } from 'node:crypto';
import { trunklineCommand } from './child-service';
import { ServiceProcess } from './service-process';

export interface CdcIngestorOptions {
  sourceUrl: string;
  bootstrap: string;
  schemaRegistryUrl: string;
  /** Topic prefix, slot, publication and state topic are unique per ingestor unless given. */
  topicPrefix?: string;
  slotName?: string;
  extraArgs?: readonly string[];
}

/** A `trunkline serve cdc-ingestor` process for a test, on free ports. */
export class TrunklineTestCdcIngestor extends ServiceProcess {
  protected readonly description = 'the CDC ingestor';
  readonly topicPrefix: string;
  readonly slotName: string;
  readonly publicationName: string;
  readonly stateTopic: string;

  constructor(private readonly options: CdcIngestorOptions) {
    super();
    const suffix = randomUUID().replace(/-/g, '').slice(0, 10);
    this.topicPrefix = options.topicPrefix ?? `cdc_${suffix}`;
    this.slotName = options.slotName ?? `slot_${suffix}`;
    this.publicationName = `pub_${this.slotName}`;
    this.stateTopic = `__cdc_state_${this.slotName}`;
  }

  /** Starts it and waits until it is ready (its snapshot, if any, runs after that). */
  async start(extraArgs: readonly string[] = []): Promise<void> {
    const { sourceUrl, bootstrap, schemaRegistryUrl } = this.options;
    await this.launch(
      trunklineCommand(
        'serve',
        'cdc-ingestor',
        '--source-url',
        sourceUrl,
        '--kafka-brokers',
        bootstrap,
        '--schema-registry-url',
        schemaRegistryUrl,
        '--topic-prefix',
        this.topicPrefix,
        '--slot-name',
        this.slotName,
        '--publication-name',
        this.publicationName,
        '--state-topic',
        this.stateTopic,
        '--grpc-port',
        '0',
        '--http-port',
        '0',
        ...(this.options.extraArgs ?? []),
        ...extraArgs,
      ),
    );
  }

  /** The change topic of a table. */
  topic(schema: string, table: string): string {
    return `${this.topicPrefix}.${schema}.${table}`;
  }
}
