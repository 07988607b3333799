import { TrunklineTestCdcIngestor } from './cdc-ingestors';
import { TestDatabase } from './postgres-databases';
import { TrunklineTestSchemaRegistry } from './schema-registries';

/**
 * What a CDC integration test runs against: a database of its own on the Postgres engine, a
 * schema registry on the broker under test (its own `_schemas` topic and group), and an ingestor.
 */
export class CdcTestStack {
  readonly db: TestDatabase;
  private registryProcess: TrunklineTestSchemaRegistry | undefined;
  private ingestorProcess: TrunklineTestCdcIngestor | undefined;

  constructor(
    postgresUrl: string,
    /** The broker under test; read once it runs. */
    private readonly broker: { readonly bootstrap: string },
  ) {
    this.db = new TestDatabase(postgresUrl);
  }

  get registry(): TrunklineTestSchemaRegistry {
    if (this.registryProcess === undefined) throw new Error('the stack is not started');
    return this.registryProcess;
  }

  get ingestor(): TrunklineTestCdcIngestor {
    if (this.ingestorProcess === undefined) throw new Error('the ingestor is not started');
    return this.ingestorProcess;
  }

  /** Creates the database with `setupSql`, then starts the registry. */
  async prepare(setupSql: string): Promise<void> {
    await this.db.create();
    await this.db.sql.query(setupSql);
    const name = this.db.name;
    this.registryProcess = new TrunklineTestSchemaRegistry(this.broker.bootstrap, [
      '--topic',
      `_schemas_${name}`,
      '--group-id',
      name,
    ]);
    await this.registryProcess.start();
  }

  /** Starts the ingestor; by default waits until it streams (its snapshot, if any, is done). */
  async startIngestor(extraArgs: readonly string[] = [], options: { waitForStreaming?: boolean } = {}) {
    this.ingestorProcess = new TrunklineTestCdcIngestor({
      sourceUrl: this.db.url,
      bootstrap: this.broker.bootstrap,
      schemaRegistryUrl: this.registry.url,
      extraArgs,
    });
    await this.ingestorProcess.start();
    if (options.waitForStreaming ?? true)
      await this.ingestorProcess.process.waitForLog((entry) => entry.msg === 'streaming', 60_000);
    return this.ingestorProcess;
  }

  async stop(): Promise<void> {
    await this.ingestorProcess?.stop();
    await this.registryProcess?.stop();
    await this.db.drop();
  }
}
