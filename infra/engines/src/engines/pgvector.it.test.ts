import { randomUUID } from 'node:crypto';
import { describeWithEngine } from '@trunkline/testing';
import { Client } from 'pg';
import { PGVECTOR_VERSION } from './pgvector';

/** pgoutput message types (first byte of each message) in the order one transaction yields them. */
const BEGIN = 'B';
/** Sent before a relation with a column of a type outside pg_catalog, such as `vector`. */
const TYPE = 'Y';
const RELATION = 'R';
const INSERT = 'I';
const COMMIT = 'C';

describeWithEngine('pgvector', 'the pgvector engine', (env) => {
  let client: Client;

  beforeAll(async () => {
    client = new Client({ connectionString: env.PGVECTOR_POSTGRES_URL });
    await client.connect();
  });

  afterAll(async () => {
    await client.end();
  });

  it('runs Postgres 15 with wal_level=logical as a superuser', async () => {
    const { rows } = await client.query<{ wal_level: string; superuser: boolean; major: string }>(
      `select current_setting('wal_level') as wal_level, rolsuper as superuser,
              current_setting('server_version_num')::int / 10000 as major
         from pg_roles where rolname = current_user`,
    );
    expect(rows[0]).toEqual({ wal_level: 'logical', superuser: true, major: 15 });
  });

  it('has the vector extension in the test database, and it computes', async () => {
    const { rows } = await client.query<{ extversion: string }>(
      "select extversion from pg_extension where extname = 'vector'",
    );
    expect(rows).toEqual([{ extversion: PGVECTOR_VERSION.replace(/^v/, '') }]);
    const distance = await client.query<{ l2: number; text: string }>(
      "select '[1,2,3]'::vector <-> '[1,2,5]'::vector as l2, '[0.5,-1.25,3]'::vector(3)::text as text",
    );
    expect(distance.rows[0]).toEqual({ l2: 2, text: '[0.5,-1.25,3]' });
  });

  it('streams a vector column through a pgoutput logical replication slot', async () => {
    const suffix = randomUUID().replace(/-/g, '').slice(0, 8);
    const table = `items_${suffix}`;
    const slot = `slot_${suffix}`;
    const publication = `pub_${suffix}`;
    await client.query(`create table ${table} (id int primary key, embedding vector(3))`);
    await client.query(`create publication ${publication} for table ${table}`);
    await client.query(`select pg_create_logical_replication_slot('${slot}', 'pgoutput')`);
    try {
      await client.query(`insert into ${table} values (1, '[0.5,-1.25,3]')`);
      const { rows } = await client.query<{ data: Buffer }>(
        `select data from pg_logical_slot_get_binary_changes('${slot}', null, null,
           'proto_version', '1', 'publication_names', '${publication}')`,
      );
      const messages = rows.map((row) => String.fromCharCode(row.data[0]!));
      expect(messages).toEqual([BEGIN, TYPE, RELATION, INSERT, COMMIT]);
      expect(rows[1]!.data.toString('latin1')).toContain('vector');
      const relation = rows[2]!.data.toString('latin1');
      expect(relation).toContain(table);
      expect(relation).toContain('embedding');
      // pgoutput sends column values in their text form: the vector's is `[0.5,-1.25,3]`.
      const insert = rows[3]!.data.toString('latin1');
      expect(insert).toContain('[0.5,-1.25,3]');
    } finally {
      await client.query(`select pg_drop_replication_slot('${slot}')`);
      await client.query(`drop publication ${publication}`);
      await client.query(`drop table ${table}`);
    }
  });
});
