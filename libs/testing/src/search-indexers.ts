import { randomUUID } from 'node:crypto';
import { trunklineCommand } from './child-service';
import { ServiceProcess } from './service-process';

export interface SearchIndexerOptions {
  bootstrap: string;
  schemaRegistryUrl: string;
  /** `--topics`: a list or a pattern. */
  topics: string;
  /** The embedded engine's folder; else `opensearchUrl`, else `extraArgs` choose the engine. */
  dataDir?: string;
  opensearchUrl?: string;
  /** Unique per indexer unless given; instances sharing partitions give the same one. */
  group?: string;
  extraArgs?: readonly string[];
}

/** A `trunkline serve search-indexer` process for a test, on free ports. */
export class TrunklineTestSearchIndexer extends ServiceProcess {
  protected readonly description = 'the search indexer';
  readonly group: string;

  constructor(private readonly options: SearchIndexerOptions) {
    super();
    this.group = options.group ?? `search_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  }

  /** Starts it and waits until it is ready (consuming may start a moment later). */
  async start(extraArgs: readonly string[] = []): Promise<void> {
    const { bootstrap, schemaRegistryUrl, topics, dataDir, opensearchUrl } = this.options;
    const engine =
      dataDir !== undefined
        ? ['--data-dir', dataDir]
        : opensearchUrl !== undefined
          ? ['--opensearch-url', opensearchUrl]
          : [];
    await this.launch(
      trunklineCommand(
        'serve',
        'search-indexer',
        '--kafka-brokers',
        bootstrap,
        '--schema-registry-url',
        schemaRegistryUrl,
        '--topics',
        topics,
        '--group',
        this.group,
        '--topic-refresh-interval',
        '1s',
        ...engine,
        '--grpc-port',
        '0',
        '--http-port',
        '0',
        ...(this.options.extraArgs ?? []),
        ...extraArgs,
      ),
    );
  }
}
