import { Client } from 'pg';

/** How often the load commits; every tick is one transaction. */
const TICK_MS = 10;

export interface DocumentLoadOptions {
  /** Database to write to. */
  url: string;
  /** Tables of shape (id bigint PRIMARY KEY, title text, body text, version int), written in turn. */
  tables: readonly string[];
  /** Row changes a second, split as 50% inserts, 40% updates, 10% deletes. */
  changesPerSecond: number;
}

/**
 * A steady write load on document tables, as sinks see in production: inserts of new rows, updates
 * of recent ones (bumping `version`, rewriting `body`) and deletes, in one transaction per tick.
 * Sink crash tests run it while killing the sink, then compare the sink with the tables.
 */
export class DocumentLoad {
  private client: Client | undefined;
  private running: Promise<void> | undefined;
  private writing = false;
  private nextId = 1;
  /** Row changes committed so far. */
  committed = 0;

  constructor(private readonly options: DocumentLoadOptions) {}

  /** Creates the tables (if missing) on an open connection. */
  static async createTables(client: Client, tables: readonly string[]): Promise<void> {
    for (const table of tables) {
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${table} (id bigint PRIMARY KEY, title text NOT NULL, body text, version int NOT NULL)`,
      );
    }
  }

  async start(): Promise<void> {
    this.client = new Client({ connectionString: this.options.url });
    await this.client.connect();
    this.writing = true;
    this.running = this.run(this.client);
  }

  async stop(): Promise<void> {
    this.writing = false;
    await this.running;
    await this.client?.end();
  }

  private async run(client: Client): Promise<void> {
    const perTick = Math.max(10, Math.round((this.options.changesPerSecond * TICK_MS) / 1000));
    const inserts = Math.round(perTick * 0.5);
    const updates = Math.round(perTick * 0.4);
    const deletes = perTick - inserts - updates;
    let tick = 0;
    while (this.writing) {
      const started = Date.now();
      const table = this.options.tables[tick % this.options.tables.length]!;
      const ids = Array.from({ length: inserts }, () => this.nextId++);
      const recent = Math.max(1, this.nextId - 5000);
      const pick = (n: number) =>
        Array.from({ length: n }, () => recent + Math.floor(Math.random() * (this.nextId - recent)));
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO ${table} SELECT id, 'document ' || id, 'words of document ' || id, 1 FROM unnest($1::bigint[]) AS id`,
        [ids],
      );
      const updated = await client.query(
        `UPDATE ${table} SET version = version + 1, body = 'revised ' || (version + 1) || ' of document ' || id WHERE id = ANY($1::bigint[])`,
        [pick(updates)],
      );
      const deleted = await client.query(`DELETE FROM ${table} WHERE id = ANY($1::bigint[])`, [
        pick(deletes),
      ]);
      await client.query('COMMIT');
      this.committed += inserts + (updated.rowCount ?? 0) + (deleted.rowCount ?? 0);
      tick += 1;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, TICK_MS - (Date.now() - started))));
    }
  }
}
