import { CdcTestStack, describeEachBroker, describeWithEngine } from '@trunkline/testing';
import { ChangeReader, type ReadChange } from '../testing/change-reader';

describeWithEngine('postgres', 'transaction metadata', (pg) => {
  describeEachBroker('--provide-transaction-metadata', (broker) => {
    const stack = new CdcTestStack(pg.POSTGRES_URL!, broker);
    const { db } = stack;

    beforeAll(async () => {
      await stack.prepare(`
        CREATE TABLE orders (id int PRIMARY KEY, item text NOT NULL);
        CREATE TABLE lines (id int PRIMARY KEY, qty int NOT NULL);
        CREATE TABLE other (id int PRIMARY KEY);
      `);
      await stack.startIngestor(['--tables', 'public.orders,public.lines', '--provide-transaction-metadata']);
    }, 120_000);

    afterAll(async () => {
      await stack.stop();
    }, 60_000);

    async function read(topics: string[], until: (changes: ReadChange[]) => boolean) {
      const reader = new ChangeReader(broker.bootstrap, stack.registry.url);
      await reader.start(topics);
      try {
        return [...(await reader.waitFor(until, 30_000))];
      } finally {
        await reader.stop();
      }
    }

    it('brackets each transaction with BEGIN and END and numbers its events', async () => {
      const ingestor = stack.ingestor;
      await db.sql.query('BEGIN');
      await db.sql.query("INSERT INTO orders VALUES (1, 'kayak'), (2, 'paddle')");
      await db.sql.query('INSERT INTO lines VALUES (10, 1)');
      await db.sql.query("UPDATE orders SET item = 'red kayak' WHERE id = 1");
      await db.sql.query('COMMIT');
      // Touches no captured table: no BEGIN/END of its own.
      await db.sql.query('INSERT INTO other VALUES (1)');
      await db.sql.query('DELETE FROM lines WHERE id = 10');

      const transactionTopic = `${ingestor.topicPrefix}.transaction`;
      const records = await read([transactionTopic], (c) => c.length >= 4);
      const [begin, end, secondBegin, secondEnd] = records.map(
        (r) => r.value as unknown as Record<string, unknown>,
      );
      const id = begin!.id as string;
      expect(id).toMatch(/^\d+:\d+$/);
      expect(records[0]!.key).toEqual({ id });
      expect(begin).toEqual({
        status: 'BEGIN',
        id,
        event_count: null,
        data_collections: null,
        ts_ms: expect.any(Number),
      });
      expect(end).toEqual({
        status: 'END',
        id,
        event_count: 4,
        data_collections: [
          { data_collection: 'public.orders', event_count: 3 },
          { data_collection: 'public.lines', event_count: 1 },
        ],
        ts_ms: begin!.ts_ms,
      });
      expect(secondBegin).toMatchObject({ status: 'BEGIN' });
      expect(secondEnd).toMatchObject({
        status: 'END',
        event_count: 1,
        data_collections: [{ data_collection: 'public.lines', event_count: 1 }],
      });
      expect(records).toHaveLength(4);

      const orders = await read([ingestor.topic('public', 'orders')], (c) => c.length >= 3);
      expect(orders.map((c) => c.value?.transaction)).toEqual([
        { id, total_order: 1, data_collection_order: 1 },
        { id, total_order: 2, data_collection_order: 2 },
        { id, total_order: 4, data_collection_order: 3 },
      ]);
      const lines = await read([ingestor.topic('public', 'lines')], (c) => c.length >= 3);
      expect(lines[0]!.value?.transaction).toEqual({ id, total_order: 3, data_collection_order: 1 });
      // The delete and its tombstone: the tombstone has no value, so no transaction block.
      expect(lines[1]!.value?.transaction).toMatchObject({ id: secondBegin!.id, total_order: 1 });
      expect(lines[2]!.value).toBeNull();
    }, 60_000);
  });
});
