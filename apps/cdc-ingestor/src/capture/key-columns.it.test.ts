import {
  CdcTestStack,
  ChildService,
  describeEachBroker,
  describeWithEngine,
  trunklineCommand,
} from '@trunkline/testing';
import { ChangeReader, type ReadChange } from '../testing/change-reader';

const ops = (changes: ReadChange[]) => changes.map((c) => (c.value === null ? 'tombstone' : c.value.op));

/** --key-columns (Debezium's message.key.columns): tables without a primary key, or keyed over it. */
describeWithEngine('postgres', 'configured key columns', (pg) => {
  describeEachBroker('a table keyed by --key-columns', (broker) => {
    const stack = new CdcTestStack(pg.POSTGRES_URL!, broker);
    const { db } = stack;
    let reader: ChangeReader;

    beforeAll(async () => {
      await stack.prepare(`
        CREATE TABLE readings (device text NOT NULL, at int NOT NULL, value int);
        ALTER TABLE readings REPLICA IDENTITY FULL;
        INSERT INTO readings VALUES ('b', 1, 30), ('a', 2, 20), ('a', 1, 10), ('a', 10, 40);
        CREATE TABLE accounts (id int PRIMARY KEY, tenant int NOT NULL, name text);
        ALTER TABLE accounts REPLICA IDENTITY FULL;
        INSERT INTO accounts VALUES (1, 7, 'one');
        CREATE TABLE loose (a int, b text);
        INSERT INTO loose VALUES (1, 'x');
      `);
      // Chunks of 3 rows: the snapshot pages through readings by (device, at).
      await stack.startIngestor([
        '--key-columns',
        'public.readings:device,at;public.accounts:tenant,id',
        '--snapshot-chunk-size',
        '3',
      ]);
      reader = new ChangeReader(broker.bootstrap, stack.registry.url);
      await reader.start([
        stack.ingestor.topic('public', 'readings'),
        stack.ingestor.topic('public', 'accounts'),
      ]);
    }, 90_000);

    afterAll(async () => {
      await reader?.stop();
      await stack.stop();
    }, 60_000);

    const readings = () =>
      reader.changes.filter((c) => c.value === null || c.value.source.table === 'readings');

    it('snapshots the rows keyed by the configured columns, in key order', async () => {
      await reader.waitFor(() => readings().length >= 4);
      expect(readings().map((c) => [c.key, c.value?.op, c.value?.after?.value])).toEqual([
        [{ device: 'a', at: 1 }, 'r', 10],
        [{ device: 'a', at: 2 }, 'r', 20],
        [{ device: 'a', at: 10 }, 'r', 40],
        [{ device: 'b', at: 1 }, 'r', 30],
      ]);
      const subject = `${stack.ingestor.topic('public', 'readings')}-key`;
      const key = (await (
        await fetch(`${stack.registry.url}/subjects/${subject}/versions/latest`)
      ).json()) as {
        schema: string;
      };
      expect((JSON.parse(key.schema) as { fields: { name: string }[] }).fields.map((f) => f.name)).toEqual([
        'device',
        'at',
      ]);
    });

    it('streams inserts, updates, deletes (with a tombstone) and key changes with the configured key', async () => {
      await db.sql.query("INSERT INTO readings VALUES ('c', 5, 1)");
      await db.sql.query("UPDATE readings SET value = 2 WHERE device = 'c'");
      await db.sql.query("DELETE FROM readings WHERE device = 'c'");
      await db.sql.query("UPDATE readings SET at = 3 WHERE device = 'b'");
      await reader.waitFor(() => readings().length >= 4 + 4 + 3);
      const streamed = readings().slice(4);
      expect(streamed.map((c) => [c.key, c.value === null ? 'tombstone' : c.value.op])).toEqual([
        [{ device: 'c', at: 5 }, 'c'],
        [{ device: 'c', at: 5 }, 'u'],
        [{ device: 'c', at: 5 }, 'd'],
        [{ device: 'c', at: 5 }, 'tombstone'],
        [{ device: 'b', at: 1 }, 'd'],
        [{ device: 'b', at: 1 }, 'tombstone'],
        [{ device: 'b', at: 3 }, 'c'],
      ]);
      expect(streamed[1]!.value).toMatchObject({
        before: { device: 'c', at: 5, value: 1 },
        after: { device: 'c', at: 5, value: 2 },
      });
      expect(streamed[2]!.value).toMatchObject({ before: { device: 'c', at: 5, value: 2 }, after: null });
    });

    it('keys a table by the configured columns over its primary key', async () => {
      await db.sql.query("UPDATE accounts SET name = 'uno' WHERE id = 1");
      const accounts = () => reader.changes.filter((c) => c.value?.source.table === 'accounts');
      await reader.waitFor(() => accounts().length >= 2);
      expect(accounts().map((c) => [c.key, c.value?.op])).toEqual([
        [{ tenant: 7, id: 1 }, 'r'],
        [{ tenant: 7, id: 1 }, 'u'],
      ]);
    });

    it('warns at start when a configured key is not backed by a unique index', () => {
      const warnings = stack.ingestor.process
        .logs()
        .filter((e) => e.level === 'warn' && e.table !== undefined);
      expect(warnings.map((e) => [e.table, e.msg])).toEqual([
        [
          'public.readings',
          expect.stringMatching(
            /^the configured key of public.readings \(device, at\) is not backed by a unique index/,
          ),
        ],
      ]);
    });

    it('refuses a table with neither a primary key nor configured columns, says how to fix it, and leaves it alone', async () => {
      const refusal = stack.ingestor.process.logs().find((e) => e.table === 'public.loose');
      expect(refusal).toMatchObject({
        level: 'error',
        msg: 'public.loose is not captured: it has no primary key. Name its key columns with --key-columns public.loose:<column>[,<column>...], add a primary key, or leave it out with --exclude-tables public.loose',
      });
      // Not in the publication: Postgres still lets it be updated (a published table without a
      // replica identity would refuse it).
      await db.sql.query("UPDATE loose SET b = 'y'");
      const { rows } = await db.sql.query('SELECT tablename FROM pg_publication_tables WHERE pubname = $1', [
        stack.ingestor.publicationName,
      ]);
      expect(rows.map((r) => r.tablename).sort()).toEqual(['accounts', 'readings']);
      expect(ops(reader.changes.filter((c) => c.value?.source.table === 'loose'))).toEqual([]);
    });
  });
});

describe('a bad --key-columns value', () => {
  it('stops the start with a message naming the setting', async () => {
    const service = ChildService.spawn({
      command: trunklineCommand(
        'serve',
        'cdc-ingestor',
        '--source-url',
        'postgres://127.0.0.1:1/none',
        '--key-columns',
        'public.readings',
      ),
    });
    const exit = await service.exited;
    expect(exit.code).toBe(2);
    expect(service.output()).toContain(
      'trunkline serve cdc-ingestor: --key-columns "public.readings" is invalid: expected schema.table:column[,column...] entries separated by ;',
    );
  }, 30_000);
});
