import { CdcAdminService, type GetStatusResponse } from '@trunkline/contracts/cdc/v1/cdc_admin';
import { createGrpcClient, type GrpcClient } from '@trunkline/runtime';
import { CdcTestStack, describeEachBroker, describeWithEngine } from '@trunkline/testing';
import { Client } from 'pg';
import { ChangeReader, type ReadChange } from '../testing/change-reader';
import { replayItems } from '../testing/replay';

const ITEMS = 20_000;
const BIG = 30_000;

async function tableState(db: Client, table: string): Promise<Map<number, string>> {
  const { rows } = await db.query<{ id: number; value: number; label: string | null }>(
    `SELECT id, value, label FROM ${table}`,
  );
  return new Map(rows.map((r) => [r.id, `${r.value}:${r.label}`]));
}

function sameState(a: Map<number, string>, b: Map<number, string>): boolean {
  return a.size === b.size && [...a].every(([id, v]) => b.get(id) === v);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithEngine('postgres', 'incremental snapshots', (pg) => {
  describeEachBroker('incremental snapshots while streaming', (broker) => {
    const stack = new CdcTestStack(pg.POSTGRES_URL!, broker);
    const { db } = stack;
    let admin: GrpcClient<typeof CdcAdminService>;

    async function startIngestor(): Promise<void> {
      await stack.startIngestor([
        '--snapshot-mode',
        'never',
        '--tables',
        'public.items,public.tags,public.big',
        '--signal-table',
        'public.trunkline_signal',
      ]);
      admin = createGrpcClient(CdcAdminService, stack.ingestor.grpcAddress);
    }

    /** Stops (or SIGKILLs) the ingestor and starts it again with the same slot and state. */
    async function restartIngestor(how: 'stop' | 'kill', whileDown = async () => {}): Promise<void> {
      admin.close();
      await (how === 'kill' ? stack.ingestor.kill() : stack.ingestor.stop());
      await whileDown();
      await stack.ingestor.start();
      await stack.ingestor.process.waitForLog((entry) => entry.msg === 'streaming', 60_000);
      admin = createGrpcClient(CdcAdminService, stack.ingestor.grpcAddress);
    }

    async function statusWhen(what: string, done: (s: GetStatusResponse) => boolean, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const status = await admin.getStatus({});
        if (done(status)) return status;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: phase ${status.phase}`);
        await sleep(100);
      }
    }

    async function readTopic(
      table: string,
      until: (changes: ReadChange[]) => boolean,
    ): Promise<ReadChange[]> {
      const reader = new ChangeReader(broker.bootstrap, stack.registry.url);
      await reader.start([stack.ingestor.topic('public', table)]);
      try {
        return [...(await reader.waitFor(until, 120_000))];
      } finally {
        await reader.stop();
      }
    }

    beforeAll(async () => {
      await stack.prepare(`
        CREATE TABLE items (id int PRIMARY KEY, value int NOT NULL, label text);
        INSERT INTO items SELECT g, g, 'item ' || g FROM generate_series(1, ${ITEMS}) g;
        CREATE TABLE tags (id int PRIMARY KEY, value int NOT NULL, label text);
        INSERT INTO tags SELECT g, g, 'tag ' || g FROM generate_series(1, 50) g;
        CREATE TABLE big (id int PRIMARY KEY, value int NOT NULL, label text);
        INSERT INTO big SELECT g, g, 'big ' || g FROM generate_series(1, ${BIG}) g;
        CREATE TABLE late (id int PRIMARY KEY, value int NOT NULL, label text);
        INSERT INTO late SELECT g, g, 'late ' || g FROM generate_series(1, 3) g;
        CREATE TABLE trunkline_signal (id varchar(42) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048));
        ANALYZE;
      `);
      await startIngestor();
    }, 120_000);

    afterAll(async () => {
      admin?.close();
      await stack.stop();
    }, 60_000);

    it('reads a table in chunks while it is written to, and the topic ends equal to the table', async () => {
      const writer = new Client({ connectionString: db.url });
      await writer.connect();
      let writes = 0;
      let next = ITEMS + 1;
      let writing = true;
      const load = (async () => {
        while (writing) {
          const id = 1 + Math.floor(Math.random() * ITEMS);
          await writer.query('UPDATE items SET value = value + 1, label = $2 WHERE id = $1', [
            id,
            `w${writes}`,
          ]);
          await writer.query('INSERT INTO items VALUES ($1, 0, NULL)', [next++]);
          await writer.query('DELETE FROM items WHERE id = $1', [1 + Math.floor(Math.random() * ITEMS)]);
          writes += 3;
        }
      })();
      const { snapshotId } = await admin.triggerSnapshot({ tables: ['public.items'], chunkSize: 500 });
      expect(snapshotId).not.toBe('');
      const running = await statusWhen('the snapshot to run', (s) =>
        s.tables.some((t) => t.table === 'public.items' && t.state === 'snapshotting'),
      );
      expect(running.incrementalSnapshots).toEqual([
        expect.objectContaining({ id: snapshotId, tables: ['public.items'], chunkSize: 500 }),
      ]);
      const done = await statusWhen('the snapshot to finish', (s) => s.incrementalSnapshots.length === 0);
      writing = false;
      await load;
      const expected = await tableState(writer, 'items');
      await writer.end();
      expect(done.tables.find((t) => t.table === 'public.items')).toMatchObject({
        state: 'capturing',
        snapshotDone: true,
      });

      const changes = await readTopic('items', (c) => sameState(replayItems(c), expected));
      const reads = changes.filter((c) => c.value?.op === 'r');
      expect(reads.length).toBeGreaterThanOrEqual(ITEMS - writes);
      expect(reads.length).toBeLessThanOrEqual(ITEMS);
      expect(reads.every((c) => c.value?.source.snapshot === 'incremental')).toBe(true);
      // Chunk rows come in key order within the snapshot.
      const ids = reads.map((c) => Number(c.key?.id));
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      process.stderr.write(`incremental snapshot: ${reads.length} rows read, ${writes} concurrent writes\n`);
    }, 300_000);

    it('takes a snapshot asked for by a row in the signal table, once', async () => {
      await db.sql.query(
        `INSERT INTO trunkline_signal VALUES ('sig-1', 'execute-snapshot', '{"data-collections": ["public.tags"], "type": "incremental"}')`,
      );
      const changes = await readTopic('tags', (c) => c.filter((e) => e.value?.op === 'r').length >= 50);
      expect(changes.filter((c) => c.value?.op === 'r').map((c) => Number(c.key?.id))).toEqual(
        Array.from({ length: 50 }, (_, i) => i + 1),
      );
      await statusWhen('the signalled snapshot to finish', (s) => s.incrementalSnapshots.length === 0);
      // The signal table is not captured as a table of its own.
      expect((await admin.getStatus({})).tables.map((t) => t.table)).not.toContain('public.trunkline_signal');
    }, 120_000);

    it('goes on from its last chunk after the ingestor is killed', async () => {
      const { snapshotId } = await admin.triggerSnapshot({ tables: ['public.big'], chunkSize: 1000 });
      await statusWhen(
        'a third of the table',
        (s) => Number(s.tables.find((t) => t.table === 'public.big')?.snapshotRows ?? 0) >= BIG / 3,
      );
      await restartIngestor('kill', async () => {
        await db.sql.query("UPDATE big SET value = -1, label = 'after the kill' WHERE id % 1000 = 7");
      });
      const resumed = await admin.getStatus({});
      expect(resumed.incrementalSnapshots.map((r) => r.id)).toEqual([snapshotId]);
      await statusWhen('the resumed snapshot to finish', (s) => s.incrementalSnapshots.length === 0);

      const expected = await tableState(db.sql, 'big');
      const changes = await readTopic('big', (c) => sameState(replayItems(c), expected));
      const reads = changes.filter((c) => c.value?.op === 'r').length;
      // Started over, it would have read the first third twice.
      expect(reads).toBeLessThan(BIG + 2 * 1000);
      expect(reads).toBeGreaterThanOrEqual(BIG);
    }, 300_000);

    it('adds a table at runtime, snapshots it, streams it; removes it for good', async () => {
      const added = await admin.addTables({ tables: ['public.late'] });
      expect(added.tables).toContain('public.late');
      await db.sql.query("INSERT INTO late VALUES (4, 4, 'streamed')");
      const changes = await readTopic('late', (c) => c.length >= 4);
      expect(
        changes
          .map((c) => `${c.value?.op}${c.key?.id}`)
          .sort()
          .slice(0, 4),
      ).toEqual(['c4', 'r1', 'r2', 'r3']);

      const removed = await admin.removeTables({ tables: ['public.late'] });
      expect(removed.tables).not.toContain('public.late');
      await db.sql.query("INSERT INTO late VALUES (5, 5, 'not captured')");
      // A change of a captured table after it proves the stream went past the insert above.
      await db.sql.query("INSERT INTO tags VALUES (1000, 0, 'marker')");
      await readTopic('tags', (c) => c.some((e) => Number(e.key?.id) === 1000));
      const late = await readTopic('late', (c) => c.length >= 4);
      expect(late.some((c) => Number(c.key?.id) === 5)).toBe(false);

      // The removal outlives a restart.
      await restartIngestor('stop');
      expect((await admin.getStatus({})).tables.map((t) => t.table)).toEqual([
        'public.big',
        'public.items',
        'public.tags',
      ]);
    }, 180_000);
  });
});
