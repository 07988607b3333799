import { CdcTestStack, describeEachBroker, describeWithEngine } from '@trunkline/testing';
import { ChangeReader, type ReadChange } from '../testing/change-reader';

const ops = (changes: ReadChange[]) => changes.map((c) => (c.value === null ? 'tombstone' : c.value.op));

describeWithEngine('pgvector', 'pgvector vectors in change events', (pg) => {
  describeEachBroker('a vector column becomes an array of floats', (broker) => {
    const stack = new CdcTestStack(pg.PGVECTOR_POSTGRES_URL!, broker);
    const { db } = stack;
    let reader: ChangeReader;

    beforeAll(async () => {
      // FULL: updates and deletes carry the old row, so `before` holds a vector too.
      await stack.prepare(`
        CREATE EXTENSION IF NOT EXISTS vector;
        CREATE TABLE items (id int PRIMARY KEY, embedding vector(3));
        ALTER TABLE items REPLICA IDENTITY FULL;
        INSERT INTO items VALUES (1, '[0.5,-1.25,3]'), (2, NULL);
      `);
      await stack.startIngestor();
      reader = new ChangeReader(broker.bootstrap, stack.registry.url);
      await reader.start([stack.ingestor.topic('public', 'items')]);
    }, 90_000);

    afterAll(async () => {
      await reader?.stop();
      await stack.stop();
    }, 60_000);

    const changesOf = (id: number) => reader.changes.filter((c) => c.key?.id === id);

    it('snapshots existing rows, a vector and a null one', async () => {
      await reader.waitFor((all) => all.filter((c) => c.value?.op === 'r').length >= 2);
      const snapshot = reader.changes.filter((c) => c.value?.op === 'r');
      expect(snapshot.map((c) => [c.key, c.value!.after])).toEqual([
        [{ id: 1 }, { id: 1, embedding: [0.5, -1.25, 3] }],
        [{ id: 2 }, { id: 2, embedding: null }],
      ]);
    });

    it('registers the column as a nullable Avro array of float', async () => {
      const response = await fetch(
        `${stack.registry.url}/subjects/${stack.ingestor.topic('public', 'items')}-value/versions/latest`,
      );
      const { schema } = (await response.json()) as { schema: string };
      const text = JSON.stringify(JSON.parse(schema));
      expect(text).toContain('{"name":"embedding","type":["null",{"type":"array","items":"float"}]');
    });

    it('streams inserts, updates and deletes with the vectors exactly', async () => {
      await db.sql.query("INSERT INTO items VALUES (3, '[1,2,3]')");
      // 0.1 is not a float4: pgvector keeps the nearest float4, and so does the event.
      await db.sql.query("UPDATE items SET embedding = '[0.1,-2.5,100]' WHERE id = 3");
      await db.sql.query('DELETE FROM items WHERE id = 3');
      await reader.waitFor(() => changesOf(3).length >= 4);
      const changes = changesOf(3);
      expect(ops(changes)).toEqual(['c', 'u', 'd', 'tombstone']);
      const [created, updated, deleted] = changes;
      expect(created!.value!.before).toBeNull();
      expect(created!.value!.after).toEqual({ id: 3, embedding: [1, 2, 3] });
      expect(updated!.value!.before).toEqual({ id: 3, embedding: [1, 2, 3] });
      expect(updated!.value!.after).toEqual({ id: 3, embedding: [Math.fround(0.1), -2.5, 100] });
      expect(deleted!.value!.before).toEqual({ id: 3, embedding: [Math.fround(0.1), -2.5, 100] });
      expect(deleted!.value!.after).toBeNull();
    });

    it('carries a null vector, and a vector replacing it', async () => {
      await db.sql.query('INSERT INTO items VALUES (4, NULL)');
      await db.sql.query("UPDATE items SET embedding = '[-0.5,0,1e-3]' WHERE id = 4");
      await db.sql.query('UPDATE items SET embedding = NULL WHERE id = 4');
      await reader.waitFor(() => changesOf(4).length >= 3);
      const changes = changesOf(4);
      expect(ops(changes)).toEqual(['c', 'u', 'u']);
      expect(changes.map((c) => c.value!.after)).toEqual([
        { id: 4, embedding: null },
        { id: 4, embedding: [-0.5, 0, Math.fround(0.001)] },
        { id: 4, embedding: null },
      ]);
    });
  });
});
