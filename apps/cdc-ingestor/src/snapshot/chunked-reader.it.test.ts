import { describeWithEngine, TestDatabase } from '@trunkline/testing';
import { readChunks, readChunksAhead, type SnapshotTable, type TextRow } from './chunked-reader';

const TABLE: SnapshotTable = {
  schema: 'public',
  table: 'pairs',
  columns: [
    { name: 'region', typeName: 'text' },
    { name: 'n', typeName: 'integer' },
    { name: 'note', typeName: 'text' },
  ],
  key: ['region', 'n'],
};

async function collect(chunks: AsyncGenerator<TextRow[]>): Promise<TextRow[][]> {
  const all: TextRow[][] = [];
  for await (const rows of chunks) all.push(rows);
  return all;
}

describeWithEngine('postgres', 'readChunksAhead', (pg) => {
  const db = new TestDatabase(pg.POSTGRES_URL!);

  beforeAll(async () => {
    await db.create();
    // A two-column key whose text order differs from its typed order (n = 9 < 10 < 100).
    await db.sql.query(`
      CREATE TABLE pairs (region text, n integer, note text, PRIMARY KEY (region, n));
      INSERT INTO pairs SELECT r, g, CASE WHEN g % 7 = 0 THEN NULL ELSE 'note ' || g END
        FROM unnest(ARRAY['b', 'a', 'c']) r, generate_series(1, 1000) g;
    `);
  }, 60_000);

  afterAll(() => db.drop(), 30_000);

  it('reads the same chunks as readChunks, from the start and after a key', async () => {
    for (const after of [undefined, ['a', '999'], ['c', '1000']]) {
      const serial = await collect(readChunks(db.sql, TABLE, 128, after));
      const ahead = await collect(readChunksAhead(db.sql, TABLE, 128, after));
      expect(ahead).toEqual(serial);
    }
    const all = (await collect(readChunksAhead(db.sql, TABLE, 128))).flat();
    expect(all).toHaveLength(3000);
    expect(all.slice(8, 11).map((r) => r[1])).toEqual(['9', '10', '11']);
  });

  it('can be left after any chunk, and the connection stays usable', async () => {
    for await (const rows of readChunksAhead(db.sql, TABLE, 100)) {
      expect(rows).toHaveLength(100);
      break;
    }
    const { rows } = await db.sql.query('SELECT count(*)::int AS n FROM pairs');
    expect(rows[0].n).toBe(3000);
  });

  it('throws a failed query to the caller, not as an unhandled rejection', async () => {
    const missing = { ...TABLE, table: 'no_such_table' };
    await expect(collect(readChunksAhead(db.sql, missing, 100))).rejects.toThrow('no_such_table');
    // The second query (the first with a WHERE on the key's type) fails while the caller is
    // still on the first chunk.
    const badType = {
      ...TABLE,
      columns: TABLE.columns.map((c) => (c.name === 'n' ? { ...c, typeName: 'no_such_type' } : c)),
    };
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const chunks = readChunksAhead(db.sql, badType, 100);
      const first = await chunks.next();
      expect(first.value).toHaveLength(100);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await expect(chunks.next()).rejects.toThrow('no_such_type');
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
