import { CdcTestStack, describeEachBroker, describeWithEngine } from '@trunkline/testing';
import { Client } from 'pg';
import { ChangeReader } from '../testing/change-reader';
import { replayItems } from '../testing/replay';

const ROWS = 100_000;

describeWithEngine('postgres', 'snapshot', (pg) => {
  describeEachBroker('a 100k-row snapshot while the table is written to', (broker) => {
    const stack = new CdcTestStack(pg.POSTGRES_URL!, broker);
    const { db } = stack;

    beforeAll(async () => {
      await stack.prepare(`
        CREATE TABLE items (id int PRIMARY KEY, value int NOT NULL, label text);
        INSERT INTO items SELECT g, g, 'item ' || g FROM generate_series(1, ${ROWS}) g;
        ANALYZE items;
      `);
    }, 90_000);

    afterAll(async () => {
      await stack.stop();
    }, 60_000);

    it('ends with the topic equal to the table, key by key', async () => {
      const writer = new Client({ connectionString: db.url });
      await writer.connect();
      await stack.startIngestor(['--snapshot-chunk-size', '5000'], { waitForStreaming: false });
      // Writes while the snapshot runs: updates anywhere in the table, inserts past its end, deletes.
      let writes = 0;
      let next = ROWS + 1;
      const deadline = Date.now() + 4000;
      while (Date.now() < deadline) {
        const id = 1 + Math.floor(Math.random() * ROWS);
        await writer.query('UPDATE items SET value = value + 1, label = $2 WHERE id = $1', [
          id,
          `updated ${writes}`,
        ]);
        await writer.query('INSERT INTO items VALUES ($1, 0, NULL)', [next++]);
        await writer.query('DELETE FROM items WHERE id = $1', [1 + Math.floor(Math.random() * ROWS)]);
        writes += 3;
      }
      const { rows } = await writer.query<{ id: number; value: number; label: string | null }>(
        'SELECT id, value, label FROM items',
      );
      await writer.end();
      const table = new Map(rows.map((r) => [r.id, `${r.value}:${r.label}`]));
      const snapshotLog = stack.ingestor.process.logs().filter((e) => e.msg === 'snapshot progress');

      const reader = new ChangeReader(broker.bootstrap, stack.registry.url);
      await reader.start([stack.ingestor.topic('public', 'items')]);
      try {
        await reader.waitFor((changes) => {
          const topic = replayItems(changes);
          return topic.size === table.size && [...table].every(([id, v]) => topic.get(id) === v);
        }, 180_000);
      } finally {
        await reader.stop();
      }
      const snapshotRows = reader.changes.filter((c) => c.value?.op === 'r').length;
      expect(snapshotRows).toBeGreaterThanOrEqual(ROWS - writes);
      expect(snapshotLog.length).toBeGreaterThan(0);
      process.stderr.write(`snapshot test: ${snapshotRows} snapshot rows, ${writes} concurrent writes\n`);
    }, 300_000);
  });
});
