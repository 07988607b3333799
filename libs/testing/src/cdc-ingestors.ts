import { randomUUID } from 'node:crypto';
import { ChildService, trunklineCommand } from './child-service';
import { untrack } from './cleanup';

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
export class TrunklineTestCdcIngestor {
  private service: ChildService | undefined;
  readonly topicPrefix: string;
  readonly slotName: string;
  readonly publicationName: string;
  readonly stateTopic: string;

  constructor(private readonly options: CdcIngestorOptions) {
    const suffix = randomUUID().replace(/-/g, '').slice(0, 10);
    this.topicPrefix = options.topicPrefix ?? `cdc_${suffix}`;
    this.slotName = options.slotName ?? `slot_${suffix}`;
    this.publicationName = `pub_${this.slotName}`;
    this.stateTopic = `__cdc_state_${this.slotName}`;
  }

  /** Starts it and waits until it is ready (its snapshot, if any, runs after that). */
  async start(extraArgs: readonly string[] = []): Promise<void> {
    const { sourceUrl, bootstrap, schemaRegistryUrl } = this.options;
    this.service = await ChildService.start({
      command: trunklineCommand(
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
    });
  }

  get process(): ChildService {
    if (this.service === undefined) throw new Error('the CDC ingestor is not started');
    return this.service;
  }

  get grpcAddress(): string {
    return this.process.address('grpc');
  }

  /** The change topic of a table. */
  topic(schema: string, table: string): string {
    return `${this.topicPrefix}.${schema}.${table}`;
  }

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
