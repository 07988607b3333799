import { randomUUID } from 'node:crypto';
import { Client } from 'pg';

/**
 * A database of its own on the Postgres engine for one test file, dropped afterwards with
 * every replication slot in it (a slot keeps its database from being dropped).
 */
export class TestDatabase {
  readonly name = `t_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  readonly url: string;
  private client: Client | undefined;

  constructor(private readonly engineUrl: string) {
    const url = new URL(engineUrl);
    url.pathname = `/${this.name}`;
    this.url = url.toString();
  }

  async create(): Promise<void> {
    await this.admin(async (client) => {
      await client.query(`CREATE DATABASE ${this.name}`);
    });
    this.client = new Client({ connectionString: this.url });
    await this.client.connect();
  }

  /** A connection to the database, open until drop(). */
  get sql(): Client {
    if (this.client === undefined) throw new Error('the test database is not created');
    return this.client;
  }

  async drop(): Promise<void> {
    await this.client?.end().catch(() => undefined);
    await this.admin(async (client) => {
      await client.query(
        `SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = $1 AND active_pid IS NOT NULL`,
        [this.name],
      );
      await client.query(
        'SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = $1',
        [this.name],
      );
      await client.query(`DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`);
    });
  }

  private async admin(work: (client: Client) => Promise<void>): Promise<void> {
    const client = new Client({ connectionString: this.engineUrl });
    await client.connect();
    try {
      await work(client);
    } finally {
      await client.end();
    }
  }
}
