import { CdcTestStack, describeEachBroker, describeWithEngine } from '@trunkline/testing';
import { Client } from 'pg';
import { ChangeReader } from './testing/change-reader';

const KILLS = 10;
const COUNTERS = 100;
/** Each tick commits one transaction of 10 inserts and 10 updates: 2,000 row changes a second. */
const TICK_MS = 10;

/**
 * SIGKILL the ingestor again and again while a steady load commits: afterwards every committed
 * row is in its topic, each key's changes are in commit order, and the only duplicates are
 * replays that carry the LSN of the event they repeat.
 */
describeWithEngine('postgres', 'change capture through crashes', (pg) => {
  describeEachBroker('the CDC ingestor killed 10 times under load', (broker) => {
    const stack = new CdcTestStack(pg.POSTGRES_URL!, broker);
    const { db } = stack;

    beforeAll(async () => {
      await stack.prepare(`
        CREATE TABLE ledger (id bigint PRIMARY KEY, account int NOT NULL, amount numeric(12,2) NOT NULL);
        CREATE TABLE counters (id int PRIMARY KEY, version int NOT NULL);
        INSERT INTO counters SELECT g, 0 FROM generate_series(1, ${COUNTERS}) g;
      `);
      // Waits until it streams: the kills below hit streaming (a kill during the first
      // snapshot starts the snapshot over).
      await stack.startIngestor(['--heartbeat-interval', '1s']);
    }, 90_000);

    afterAll(async () => {
      await stack.stop();
    }, 60_000);

    it('loses no committed change and keeps each key in order', async () => {
      const writer = new Client({ connectionString: db.url });
      await writer.connect();
      let writing = true;
      let nextId = 1;
      let ticks = 0;
      const load = (async () => {
        while (writing) {
          const started = Date.now();
          const ids = Array.from({ length: 10 }, () => nextId++);
          const counters = Array.from({ length: 10 }, (_, i) => ((ticks * 10 + i) % COUNTERS) + 1);
          await writer.query('BEGIN');
          await writer.query(
            'INSERT INTO ledger SELECT id, id % 7, (id % 1000) / 10.0 FROM unnest($1::bigint[]) AS id',
            [ids],
          );
          await writer.query('UPDATE counters SET version = version + 1 WHERE id = ANY($1::int[])', [
            counters,
          ]);
          await writer.query('COMMIT');
          ticks++;
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, TICK_MS - (Date.now() - started))));
        }
      })();

      for (let kill = 0; kill < KILLS; kill++) {
        await new Promise((resolve) => setTimeout(resolve, 1000 + Math.random() * 1500));
        await stack.ingestor.kill();
        await stack.ingestor.start();
      }
      writing = false;
      await load;
      const committedIds = nextId - 1;
      const { rows: finalCounters } = await writer.query<{ id: number; version: number }>(
        'SELECT id, version FROM counters ORDER BY id',
      );
      await writer.end();

      const reader = new ChangeReader(broker.bootstrap, stack.registry.url);
      await reader.start([
        stack.ingestor.topic('public', 'ledger'),
        stack.ingestor.topic('public', 'counters'),
      ]);
      try {
        const expectedVersion = new Map(finalCounters.map((r) => [r.id, r.version]));
        await reader.waitFor((changes) => {
          const ledger = new Set<number>();
          const versions = new Map<number, number>();
          for (const c of changes) {
            const after = c.value?.after;
            if (!after) continue;
            if (c.value!.source.table === 'ledger') ledger.add(Number(after.id));
            else
              versions.set(
                Number(after.id),
                Math.max(versions.get(Number(after.id)) ?? 0, Number(after.version)),
              );
          }
          return (
            ledger.size === committedIds && [...expectedVersion].every(([id, v]) => versions.get(id) === v)
          );
        }, 120_000);

        // Per key: dropping replays (an LSN already seen for the key) leaves every version once, in order.
        const byKey = new Map<number, { lsn: number; version: number }[]>();
        for (const c of reader.changes) {
          if (c.value?.source.table !== 'counters' || c.value.op !== 'u') continue;
          const id = Number(c.value.after!.id);
          const list = byKey.get(id) ?? [];
          list.push({ lsn: Number(c.value.source.lsn), version: Number(c.value.after!.version) });
          byKey.set(id, list);
        }
        let duplicates = 0;
        for (const [id, events] of byKey) {
          const versionAt = new Map<number, number>();
          let lastLsn = -1;
          const seen: number[] = [];
          for (const { lsn, version } of events) {
            if (versionAt.has(lsn)) {
              expect(versionAt.get(lsn)).toBe(version); // a replay repeats the event it replays
              duplicates++;
              if (lsn <= lastLsn) continue;
            }
            versionAt.set(lsn, version);
            if (lsn <= lastLsn) continue;
            lastLsn = lsn;
            seen.push(version);
          }
          expect(seen).toEqual(Array.from({ length: expectedVersion.get(id)! }, (_, i) => i + 1));
        }
        process.stderr.write(
          `crash test: ${committedIds} inserts and ${ticks * 10} updates committed, ${KILLS} kills, ${duplicates} replayed update events\n`,
        );
      } finally {
        await reader.stop();
      }
    }, 300_000);
  });
});
