import { CdcTestStack, describeEachBroker, describeWithEngine } from '@trunkline/testing';
import { ChangeReader, type ReadChange } from '../testing/change-reader';

const ops = (changes: ReadChange[]) => changes.map((c) => (c.value === null ? 'tombstone' : c.value.op));

describeWithEngine('postgres', 'change capture', (pg) => {
  describeEachBroker('Postgres changes become Debezium change events', (broker) => {
    const stack = new CdcTestStack(pg.POSTGRES_URL!, broker);
    const { db } = stack;
    let reader: ChangeReader;

    beforeAll(async () => {
      await stack.prepare(`
        CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, email text, balance numeric(12,2), notes text);
        CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int, total numeric(10,2) NOT NULL, placed_at timestamptz NOT NULL);
        CREATE TABLE events_full (id int PRIMARY KEY, payload text);
        ALTER TABLE events_full REPLICA IDENTITY FULL;
        ALTER TABLE customers ALTER COLUMN notes SET STORAGE EXTERNAL;
        INSERT INTO customers VALUES (1, 'Ada', 'ada@example.com', 10.50, repeat('n', 5000)), (2, 'Bob', NULL, 0, NULL);
      `);
      await stack.startIngestor();
      reader = new ChangeReader(broker.bootstrap, stack.registry.url);
      await reader.start([
        stack.ingestor.topic('public', 'customers'),
        stack.ingestor.topic('public', 'orders'),
        stack.ingestor.topic('public', 'events_full'),
      ]);
    }, 90_000);

    afterAll(async () => {
      await reader?.stop();
      await stack.stop();
    }, 60_000);

    const topicChanges = (table: string) =>
      reader.changes.filter((c) => c.value === null || c.value.source.table === table);

    it('snapshots existing rows as r events, marking each table’s last one as Debezium 2 does', async () => {
      await reader.waitFor((all) => all.length >= 2);
      const snapshot = topicChanges('customers').slice(0, 2);
      expect(snapshot.map((c) => [c.key, c.value?.op, c.value?.source.snapshot])).toEqual([
        [{ id: 1 }, 'r', 'true'],
        [{ id: 2 }, 'r', 'last_in_data_collection'],
      ]);
      expect(snapshot[0]!.value!.after).toMatchObject({ id: 1, name: 'Ada', email: 'ada@example.com' });
      expect(snapshot[0]!.value!.source).toMatchObject({
        connector: 'postgresql',
        db: db.name,
        schema: 'public',
      });
    });

    it('streams inserts, updates and deletes with keys, before/after and a tombstone after each delete', async () => {
      await db.sql.query("INSERT INTO orders VALUES (100, 1, 25.00, '2026-01-02T03:04:05.123456Z')");
      await db.sql.query('UPDATE orders SET total = 30.00 WHERE id = 100');
      await db.sql.query('DELETE FROM orders WHERE id = 100');
      const changes = await reader.waitFor(() => topicChanges('orders').length >= 4);
      const orders = changes.filter((c) => c.key?.id === 100n || c.key?.id === 100);
      expect(ops(orders)).toEqual(['c', 'u', 'd', 'tombstone']);
      const [created, updated, deleted] = orders;
      expect(created!.value!.before).toBeNull();
      expect(created!.value!.after).toMatchObject({ customer_id: 1 });
      expect(Number(created!.value!.after!.placed_at)).toBe(1767323045123456);
      expect(updated!.value!.before).toBeNull(); // REPLICA IDENTITY DEFAULT sends no old row
      expect(Number(deleted!.value!.before!.id)).toBe(100);
      expect(deleted!.value!.after).toBeNull();
      const lsns = orders.slice(0, 3).map((c) => BigInt(c.value!.source.lsn as number));
      expect([...lsns].sort((a, b) => (a < b ? -1 : 1))).toEqual(lsns);
      expect(orders.slice(0, 3).every((c) => c.value!.source.txId !== null)).toBe(true);
    });

    it('keeps full old rows under REPLICA IDENTITY FULL, and turns a key change into delete, tombstone, create', async () => {
      await db.sql.query("INSERT INTO events_full VALUES (1, 'first')");
      await db.sql.query("UPDATE events_full SET payload = 'second' WHERE id = 1");
      await db.sql.query('UPDATE events_full SET id = 2 WHERE id = 1');
      await reader.waitFor(() => topicChanges('events_full').length >= 5);
      const full = reader.changes.filter(
        (c) =>
          (c.value?.source.table ?? '') === 'events_full' ||
          (c.value === null && (c.key?.id === 1 || c.key?.id === 2)),
      );
      expect(ops(full)).toEqual(['c', 'u', 'd', 'tombstone', 'c']);
      expect(full[1]!.value!.before).toEqual({ id: 1, payload: 'first' });
      expect(full[1]!.value!.after).toEqual({ id: 1, payload: 'second' });
      expect(full[2]!.key).toEqual({ id: 1 });
      expect(full[4]!.key).toEqual({ id: 2 });
    });

    it('marks an unchanged TOASTed value with the placeholder, never null', async () => {
      await db.sql.query("UPDATE customers SET email = 'ada@new.example' WHERE id = 1");
      await reader.waitFor(() => topicChanges('customers').some((c) => c.value?.op === 'u'));
      const update = topicChanges('customers').find((c) => c.value?.op === 'u')!;
      expect(update.value!.after).toMatchObject({
        email: 'ada@new.example',
        notes: '__debezium_unavailable_value',
      });
    });

    it('sends a truncate event', async () => {
      await db.sql.query('TRUNCATE orders');
      await reader.waitFor(() => topicChanges('orders').some((c) => c.value?.op === 't'));
      const truncate = topicChanges('orders').find((c) => c.value?.op === 't')!;
      expect(truncate.key).toBeNull();
      expect(truncate.value).toMatchObject({ before: null, after: null });
    });

    it('registers a new schema version when a column is added, before the first event that has it', async () => {
      await db.sql.query('ALTER TABLE customers ADD COLUMN tier text');
      await db.sql.query("INSERT INTO customers VALUES (3, 'Cy', NULL, 1, NULL, 'gold')");
      await reader.waitFor(() => topicChanges('customers').some((c) => c.value?.after?.tier === 'gold'));
      const versions = (await (
        await fetch(
          `${stack.registry.url}/subjects/${stack.ingestor.topic('public', 'customers')}-value/versions`,
        )
      ).json()) as number[];
      expect(versions).toEqual([1, 2]);
    });
  });
});
