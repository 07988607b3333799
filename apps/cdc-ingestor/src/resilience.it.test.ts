import { readFileSync } from 'node:fs';
import { CdcAdminService, type GetStatusResponse } from '@trunkline/contracts/cdc/v1/cdc_admin';
import { parseLsn } from '@trunkline/pg-replication';
import { createGrpcClient, type GrpcClient } from '@trunkline/runtime';
import {
  CdcTestStack,
  describeEachBroker,
  describeWithEngine,
  TrunklineTestBroker,
  type TrunklineTestCdcIngestor,
} from '@trunkline/testing';
import { Client } from 'pg';
import { ChangeReader, type ReadChange } from './testing/change-reader';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resident memory of a process, in bytes. */
function rssOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) * 1024;
}

const MiB = 1024 * 1024;

/** Polls GetStatus until `done` holds; fails with the last status after `timeoutMs`. */
async function statusWhen(
  admin: GrpcClient<typeof CdcAdminService>,
  what: string,
  done: (status: GetStatusResponse) => boolean,
  timeoutMs = 60_000,
): Promise<GetStatusResponse> {
  const deadline = Date.now() + timeoutMs;
  let last: GetStatusResponse | undefined;
  for (;;) {
    last = await admin.getStatus({}).catch(() => last);
    if (last !== undefined && done(last)) return last;
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${what}; last status: ${JSON.stringify(last, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`,
      );
    await sleep(100);
  }
}

const idsOf = (changes: ReadChange[], table: string) =>
  new Set(
    changes
      .filter((c) => c.value?.source.table === table && c.value.after)
      .map((c) => Number(c.value!.after!.id)),
  );

describeWithEngine('postgres', 'the CDC ingestor when the broker or the source goes away', (pg) => {
  /**
   * The broker is killed while rows keep being committed, some of them large: the ingestor
   * stays up, stops reading the slot once --max-buffered-bytes of events wait (its memory stays
   * bounded), confirms nothing (the slot keeps the WAL), and delivers every row once the broker
   * is back on the same port and data.
   */
  describe('broker down [trunkline]', () => {
    const broker = new TrunklineTestBroker();
    const stack = new CdcTestStack(pg.POSTGRES_URL!, broker);
    const { db } = stack;
    let ingestor: TrunklineTestCdcIngestor;
    let admin: GrpcClient<typeof CdcAdminService>;

    const SMALL_BEFORE = 200;
    const SMALL_DURING = 2000;
    /** Rows of 25 KiB committed while the broker is down: ~200 MiB held back by a 1 MiB buffer. */
    const BIG_DURING = 8000;
    const BIG_BYTES = 25 * 1024;

    beforeAll(async () => {
      await broker.start();
      await stack.prepare(`
        CREATE TABLE items (id bigint PRIMARY KEY, note text NOT NULL);
        CREATE TABLE blobs (id bigint PRIMARY KEY, body text NOT NULL);
        ALTER TABLE blobs ALTER COLUMN body SET STORAGE EXTERNAL;
      `);
      // No heartbeats: the confirmed position moves only with commits of the captured tables.
      ingestor = await stack.startIngestor([
        '--max-buffered-bytes',
        String(MiB),
        '--heartbeat-interval',
        '0s',
      ]);
      admin = createGrpcClient(CdcAdminService, ingestor.grpcAddress);
    }, 120_000);

    afterAll(async () => {
      admin?.close();
      await stack.stop();
      await broker.destroy();
    }, 60_000);

    async function currentLsn(): Promise<bigint> {
      const { rows } = await db.sql.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
      return parseLsn(rows[0]!.lsn);
    }

    it('pauses reading with bounded memory, keeps the WAL, and delivers every row when the broker returns', async () => {
      await db.sql.query(
        `INSERT INTO items SELECT g, 'before ' || g FROM generate_series(1, ${SMALL_BEFORE}) g`,
      );
      const flowing = await statusWhen(admin, 'the first rows', (s) => s.eventsSent >= BigInt(SMALL_BEFORE));
      await sleep(2000); // let the heap settle into its working size
      const rssBefore = rssOf(ingestor.process.pid);

      await broker.kill();
      const outageStarted = Date.now();
      // Nothing written from here on can be confirmed while the broker is down.
      const walAtKill = await currentLsn();
      for (let i = 0; i < 20; i++) {
        const from = SMALL_BEFORE + (i * SMALL_DURING) / 20 + 1;
        await db.sql.query(
          `INSERT INTO items SELECT g, 'during ' || g FROM generate_series(${from}, ${from + SMALL_DURING / 20 - 1}) g`,
        );
      }
      let maxRss = rssOf(ingestor.process.pid);
      /** A position inside the last transaction: its commit, after it, must be confirmed in the end. */
      let lastWrite = 0n;
      for (let i = 0; i < BIG_DURING / 100; i++) {
        // Each transaction 100 rows of 25 KiB, text that does not compress away in the WAL.
        const from = i * 100 + 1;
        await db.sql.query('BEGIN');
        await db.sql.query(
          `INSERT INTO blobs SELECT g, left(repeat(md5(g::text || 'x'), ${BIG_BYTES / 32 + 1}), ${BIG_BYTES})
             FROM generate_series(${from}, ${from + 99}) g`,
        );
        const { rows } = await db.sql.query<{ lsn: string }>(
          'SELECT pg_current_wal_insert_lsn()::text AS lsn',
        );
        lastWrite = parseLsn(rows[0]!.lsn);
        await db.sql.query('COMMIT');
        maxRss = Math.max(maxRss, rssOf(ingestor.process.pid));
      }
      const writtenEnd = await currentLsn();
      // The ingestor reads until its buffers are full, then waits: sample while it does.
      const samples: GetStatusResponse[] = [];
      for (let i = 0; i < 30; i++) {
        await sleep(200);
        maxRss = Math.max(maxRss, rssOf(ingestor.process.pid));
        samples.push(await admin.getStatus({}));
      }
      const during = samples[samples.length - 1]!;
      expect(during.phase).toBe('streaming');
      const confirmed = parseLsn(during.confirmedLsn);
      expect(confirmed).toBeLessThanOrEqual(walAtKill);
      expect(samples.every((s) => parseLsn(s.confirmedLsn) === confirmed)).toBe(true);
      expect(during.lagBytes).toBeGreaterThanOrEqual(writtenEnd - walAtKill);
      expect(samples.every((s) => s.lagBytes >= samples[0]!.lagBytes)).toBe(true);
      // The slot keeps what is not confirmed.
      const { rows: slot } = await db.sql.query<{ confirmed: string }>(
        'SELECT confirmed_flush_lsn::text AS confirmed FROM pg_replication_slots WHERE slot_name = $1',
        [ingestor.slotName],
      );
      expect(parseLsn(slot[0]!.confirmed)).toBeLessThanOrEqual(walAtKill);
      const heldBack = SMALL_DURING * 60 + BIG_DURING * BIG_BYTES;
      process.stderr.write(
        `broker down for ${Date.now() - outageStarted} ms: ${Math.round(heldBack / MiB)} MiB of changes held back; ingestor RSS ${Math.round(rssBefore / MiB)} MiB before, at most ${Math.round(maxRss / MiB)} MiB during\n`,
      );
      // Bounded: far less growth than the changes waiting (the event buffer is 1 MiB, the
      // replication stream holds at most 1,000 decoded messages).
      expect(maxRss - rssBefore).toBeLessThan(heldBack / 3);

      await broker.start();
      const total = SMALL_BEFORE + SMALL_DURING + BIG_DURING;
      const after = await statusWhen(
        admin,
        'every row to be acknowledged and confirmed',
        (s) =>
          s.eventsSent >= flowing.eventsSent + BigInt(SMALL_DURING + BIG_DURING) &&
          parseLsn(s.confirmedLsn) > lastWrite,
        120_000,
      );
      expect(after.phase).toBe('streaming');
      const reader = new ChangeReader(broker.bootstrap, stack.registry.url);
      await reader.start([ingestor.topic('public', 'items'), ingestor.topic('public', 'blobs')]);
      try {
        await reader.waitFor(
          (changes) =>
            changes.length >= total && idsOf(changes, 'items').size + idsOf(changes, 'blobs').size === total,
          120_000,
        );
        expect(idsOf(reader.changes, 'items').size).toBe(SMALL_BEFORE + SMALL_DURING);
        expect(idsOf(reader.changes, 'blobs').size).toBe(BIG_DURING);
        const blob = reader.changes.find((c) => c.value?.source.table === 'blobs')!;
        expect((blob.value!.after!.body as string).length).toBe(BIG_BYTES);
      } finally {
        await reader.stop();
      }
    }, 300_000);
  });

  /**
   * The ingestor's connections to Postgres are terminated again and again while a steady load
   * commits: it reconnects with backoff and streams on; every committed row arrives, each key's
   * changes in commit order (a change sent again carries the LSN it had).
   */
  describeEachBroker('source connections terminated under load', (broker) => {
    const stack = new CdcTestStack(pg.POSTGRES_URL!, broker);
    const { db } = stack;
    const TERMINATIONS = 5;
    /** The round in which the database also refuses new connections for a few seconds. */
    const OUTAGE_ROUND = 3;
    const COUNTERS = 50;
    let ingestor: TrunklineTestCdcIngestor;
    let admin: GrpcClient<typeof CdcAdminService>;

    beforeAll(async () => {
      await stack.prepare(`
        CREATE TABLE ledger (id bigint PRIMARY KEY, amount int NOT NULL);
        CREATE TABLE counters (id int PRIMARY KEY, version int NOT NULL);
        INSERT INTO counters SELECT g, 0 FROM generate_series(1, ${COUNTERS}) g;
      `);
      ingestor = await stack.startIngestor(['--heartbeat-interval', '500ms']);
      admin = createGrpcClient(CdcAdminService, ingestor.grpcAddress);
    }, 120_000);

    afterAll(async () => {
      admin?.close();
      await stack.stop();
    }, 60_000);

    it('reconnects with backoff and loses no committed change', async () => {
      const writer = new Client({ connectionString: db.url });
      writer.on('error', () => undefined); // if the test fails, dropping the database ends it
      await writer.connect();
      const own = [
        (await writer.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid,
        (await db.sql.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid,
      ];
      let writing = true;
      let nextId = 1;
      let ticks = 0;
      const load = (async () => {
        while (writing) {
          const ids = Array.from({ length: 10 }, () => nextId++);
          const counters = Array.from({ length: 5 }, (_, i) => ((ticks * 5 + i) % COUNTERS) + 1);
          await writer.query('BEGIN');
          await writer.query('INSERT INTO ledger SELECT id, id % 100 FROM unnest($1::bigint[]) AS id', [ids]);
          await writer.query('UPDATE counters SET version = version + 1 WHERE id = ANY($1::int[])', [
            counters,
          ]);
          await writer.query('COMMIT');
          ticks++;
          await sleep(10);
        }
      })();

      const reconnects = () =>
        ingestor.process.logs().filter((e) => e.msg === 'replication interrupted; reconnecting').length;
      const terminateOthers = async () => {
        // Every backend of the test database but the test's own: the replication connection and
        // the ingestor's plain connections (catalog and heartbeats, admin status).
        const { rows } = await db.sql.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> ALL($1::int[])`,
          [own],
        );
        expect(rows.length).toBeGreaterThanOrEqual(3);
      };
      /** The phases GetStatus reports from now until the ingestor streams again. */
      const phasesUntilStreaming = async () => {
        const seen: string[] = [];
        const deadline = Date.now() + 30_000;
        while (Date.now() < deadline) {
          const status = await admin.getStatus({}).catch(() => undefined);
          if (status !== undefined && seen[seen.length - 1] !== status.phase) seen.push(status.phase);
          if (status?.phase === 'streaming' && seen.includes('reconnecting')) break;
          await sleep(50);
        }
        return seen.slice(seen.indexOf('reconnecting'));
      };
      try {
        for (let round = 1; round <= TERMINATIONS; round++) {
          await sleep(1000 + Math.random() * 1000);
          if (round !== OUTAGE_ROUND) {
            const before = reconnects();
            await terminateOthers();
            expect(await phasesUntilStreaming()).toEqual(['reconnecting', 'streaming']);
            expect(reconnects()).toBe(before + 1);
            continue;
          }
          // A longer outage: the database refuses connections for a while, so reconnecting
          // fails and the ingestor waits longer between attempts; the status still answers.
          const before = reconnects();
          const engine = new Client({ connectionString: pg.POSTGRES_URL! });
          await engine.connect();
          await engine.query(`ALTER DATABASE ${db.name} ALLOW_CONNECTIONS false`);
          try {
            await terminateOthers();
            await ingestor.process.waitForLog(() => reconnects() >= before + 3, 20_000);
            expect((await admin.getStatus({})).phase).toBe('reconnecting');
          } finally {
            await engine.query(`ALTER DATABASE ${db.name} ALLOW_CONNECTIONS true`);
            await engine.end();
          }
          await statusWhen(admin, 'streaming after the outage', (s) => s.phase === 'streaming', 30_000);
        }
      } finally {
        writing = false;
        await load;
      }
      const committedIds = nextId - 1;
      const { rows: finalCounters } = await writer.query<{ id: number; version: number }>(
        'SELECT id, version FROM counters ORDER BY id',
      );
      await writer.end();
      const lastWrite = parseLsn(
        (await db.sql.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn,
      );
      const status = await statusWhen(
        admin,
        'everything written to be confirmed',
        (s) => parseLsn(s.confirmedLsn) >= lastWrite,
      );
      expect(status.phase).toBe('streaming');
      expect(ingestor.process.logs().some((e) => e.level === 'fatal')).toBe(false);
      // Backoff: each failed attempt doubles the wait; a successful one starts over.
      const waits = ingestor.process
        .logs()
        .filter((e) => e.msg === 'replication interrupted; reconnecting')
        .map((e) => e.retryInMs as number);
      expect(waits.length).toBeGreaterThanOrEqual(TERMINATIONS + 2);
      expect(
        waits.some((ms, i) => i >= 2 && ms === 4 * waits[i - 2]! && waits[i - 1] === 2 * waits[i - 2]!),
      ).toBe(true);
      expect(waits[waits.length - 1]).toBe(500);

      const reader = new ChangeReader(broker.bootstrap, stack.registry.url);
      await reader.start([ingestor.topic('public', 'ledger'), ingestor.topic('public', 'counters')]);
      try {
        const expected = new Map(finalCounters.map((r) => [r.id, r.version]));
        await reader.waitFor((changes) => {
          if (idsOf(changes, 'ledger').size !== committedIds) return false;
          const versions = new Map<number, number>();
          for (const c of changes)
            if (c.value?.source.table === 'counters' && c.value.after)
              versions.set(Number(c.value.after.id), Number(c.value.after.version));
          return [...expected].every(([id, v]) => versions.get(id) === v);
        }, 120_000);

        // Per key, in commit order; a repeated LSN is a replay of the same change.
        let replays = 0;
        const byKey = new Map<number, { lsn: bigint; version: number }[]>();
        for (const c of reader.changes) {
          if (c.value?.source.table !== 'counters' || c.value.op !== 'u') continue;
          const id = Number(c.value.after!.id);
          byKey.set(id, [
            ...(byKey.get(id) ?? []),
            { lsn: BigInt(c.value.source.lsn as number), version: Number(c.value.after!.version) },
          ]);
        }
        for (const [id, events] of byKey) {
          const versionAt = new Map<bigint, number>();
          let lastLsn = -1n;
          const seen: number[] = [];
          for (const { lsn, version } of events) {
            if (versionAt.has(lsn)) {
              expect(versionAt.get(lsn)).toBe(version);
              replays++;
            }
            versionAt.set(lsn, version);
            if (lsn <= lastLsn) continue;
            lastLsn = lsn;
            seen.push(version);
          }
          expect(seen).toEqual(Array.from({ length: expected.get(id)! }, (_, i) => i + 1));
        }
        process.stderr.write(
          `source terminations [${broker.name}]: ${committedIds} inserts and ${ticks * 5} updates committed, ${TERMINATIONS} terminations, ${waits.length} reconnects (waits ${waits.join(', ')} ms), ${replays} replayed update events\n`,
        );
      } finally {
        await reader.stop();
      }
    }, 300_000);
  });
});
