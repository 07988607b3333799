import { randomUUID } from 'node:crypto';
import { describeWithEngine } from '@trunkline/testing';
import { Client } from 'pg';

/** pgoutput message types (first byte of each message) in the order one transaction yields them. */
const BEGIN = 'B';
const RELATION = 'R';
const INSERT = 'I';
const COMMIT = 'C';

describeWithEngine('postgres', 'the postgres engine', (env) => {
  let client: Client;

  beforeAll(async () => {
    client = new Client({ connectionString: env.POSTGRES_URL });
    await client.connect();
  });

  afterAll(async () => {
    await client.end();
  });

  it('runs with wal_level=logical as a superuser', async () => {
    const { rows } = await client.query<{ wal_level: string; superuser: boolean }>(
      "select current_setting('wal_level') as wal_level, rolsuper as superuser from pg_roles where rolname = current_user",
    );
    expect(rows[0]).toEqual({ wal_level: 'logical', superuser: true });
  });

  it('streams a change through a pgoutput logical replication slot', async () => {
    const suffix = randomUUID().replace(/-/g, '').slice(0, 8);
    const table = `orders_${suffix}`;
    const slot = `slot_${suffix}`;
    const publication = `pub_${suffix}`;
    await client.query(`create table ${table} (id int primary key, item text not null)`);
    await client.query(`create publication ${publication} for table ${table}`);
    await client.query(`select pg_create_logical_replication_slot('${slot}', 'pgoutput')`);
    try {
      await client.query(`insert into ${table} values (1, 'kayak')`);
      const { rows } = await client.query<{ data: Buffer }>(
        `select data from pg_logical_slot_get_binary_changes('${slot}', null, null,
           'proto_version', '1', 'publication_names', '${publication}')`,
      );
      const messages = rows.map((row) => String.fromCharCode(row.data[0]!));
      expect(messages).toEqual([BEGIN, RELATION, INSERT, COMMIT]);
      const relation = rows[1]!.data.toString('latin1');
      expect(relation).toContain(table);
      const insert = rows[2]!.data.toString('latin1');
      expect(insert).toContain('kayak');
    } finally {
      await client.query(`select pg_drop_replication_slot('${slot}')`);
      await client.query(`drop publication ${publication}`);
      await client.query(`drop table ${table}`);
    }
  });
});
