import { describeWithEngine } from '@trunkline/testing';
import type { Client } from 'pg';
import { connectAdmin, dropAll, readTransactions, uniqueSuffix, waitFor } from './it-fixtures';
import type { CommitMessage, PgoutputMessage } from './pgoutput-messages';
import { ReplicationConnection } from './replication-connection';
import type { ReplicationEvent } from './replication-stream';
import { confirmedFlushLsn, createPublication } from './slots';

function commits(events: ReplicationEvent[]): CommitMessage[] {
  return events.map((e) => e.message).filter((m): m is CommitMessage => m.tag === 'commit');
}

function insertedIds(events: ReplicationEvent[]): unknown[] {
  return events
    .map((e) => e.message)
    .filter((m): m is Extract<PgoutputMessage, { tag: 'insert' }> => m.tag === 'insert')
    .map((m) => m.newTuple[0]);
}

describeWithEngine('postgres', 'acknowledging and resuming', (env) => {
  let admin: Client;

  beforeAll(async () => {
    admin = await connectAdmin(env.POSTGRES_URL!);
  });

  afterAll(async () => {
    await admin.end();
  });

  async function replyTime(slot: string): Promise<string | undefined> {
    const { rows } = await admin.query<{ reply_time: string | null }>(
      `select r.reply_time::text from pg_stat_replication r
         join pg_replication_slots s on s.active_pid = r.pid where s.slot_name = $1`,
      [slot],
    );
    return rows[0]?.reply_time ?? undefined;
  }

  it('advances confirmed_flush_lsn only to what was acknowledged, and resumes from there', async () => {
    const suffix = uniqueSuffix();
    const table = `ack_${suffix}`;
    const slot = `slot_${suffix}`;
    const publication = `pub_${suffix}`;
    await admin.query(`create table ${table} (id int primary key)`);
    await createPublication(admin, publication, [table]);
    const options = { publications: [publication], protoVersion: 1, statusIntervalMs: 100 } as const;
    let connection = await ReplicationConnection.open(env.POSTGRES_URL!);
    try {
      const { consistentPoint } = await connection.createSlot(slot, { exportSnapshot: false });
      const stream = await connection.startReplication(slot, options);
      await admin.query(`insert into ${table} values (1)`);
      await admin.query(`insert into ${table} values (2)`);
      const first = await readTransactions(stream, 2);
      expect(insertedIds(first)).toEqual(['1', '2']);
      const [commit1, commit2] = commits(first);

      // Periodic status updates keep flowing, and report nothing the caller did not acknowledge.
      const before = await waitFor(() => replyTime(slot), 'a status update');
      await waitFor(
        async () => ((await replyTime(slot)) !== before ? true : undefined),
        'another status update',
      );
      expect(await confirmedFlushLsn(admin, slot)).toBe(consistentPoint);
      expect(stream.acknowledgedLsn).toBe(0n);

      connection.acknowledge(commit1!.endLsn);
      stream.acknowledge(commit1!.endLsn - 1n); // lower: ignored
      expect(stream.acknowledgedLsn).toBe(commit1!.endLsn);
      await waitFor(
        async () => ((await confirmedFlushLsn(admin, slot)) === commit1!.endLsn ? true : undefined),
        'confirmed_flush_lsn to reach the acknowledged LSN',
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await confirmedFlushLsn(admin, slot)).toBe(commit1!.endLsn);
      expect(commit2!.endLsn).toBeGreaterThan(commit1!.endLsn);

      await connection.close();
      await waitFor(
        async () =>
          (await admin.query(`select active from pg_replication_slots where slot_name = $1`, [slot])).rows[0]
            ?.active === false
            ? true
            : undefined,
        'the walsender to exit',
      );
      await admin.query(`insert into ${table} values (3)`);

      connection = await ReplicationConnection.open(env.POSTGRES_URL!);
      const resumed = await connection.startReplication(slot, { ...options, startLsn: commit1!.endLsn });
      const again = await readTransactions(resumed, 2);
      // Transaction 1 was acknowledged; 2 was not and comes again; 3 is new.
      expect(insertedIds(again)).toEqual(['2', '3']);
      expect(commits(again)[0]!.endLsn).toBe(commit2!.endLsn);
    } finally {
      await connection.close();
      await dropAll(admin, { slot, publication, tables: [table] });
    }
  });

  it('answers keepalive requests, so a short wal_sender_timeout does not end the stream', async () => {
    const suffix = uniqueSuffix();
    const table = `alive_${suffix}`;
    const slot = `slot_${suffix}`;
    const publication = `pub_${suffix}`;
    await admin.query(`create table ${table} (id int primary key)`);
    await createPublication(admin, publication, [table]);
    // The walsender asks for a reply after half the timeout and gives up after all of it; our own
    // periodic update is far too rare to save it, only answering the requests does.
    const connection = await ReplicationConnection.open({
      connectionString: env.POSTGRES_URL!,
      options: '-c wal_sender_timeout=1000',
    });
    try {
      await connection.createSlot(slot, { exportSnapshot: false });
      const stream = await connection.startReplication(slot, {
        publications: [publication],
        protoVersion: 1,
        statusIntervalMs: 60_000,
      });
      await new Promise((resolve) => setTimeout(resolve, 3000));
      await admin.query(`insert into ${table} values (7)`);
      expect(insertedIds(await readTransactions(stream, 1))).toEqual(['7']);
    } finally {
      await connection.close();
      await dropAll(admin, { slot, publication, tables: [table] });
    }
  });

  it('reports a closed socket as a connection error', async () => {
    const suffix = uniqueSuffix();
    const table = `gone_${suffix}`;
    const slot = `slot_${suffix}`;
    const publication = `pub_${suffix}`;
    await admin.query(`create table ${table} (id int primary key)`);
    await createPublication(admin, publication, [table]);
    const connection = await ReplicationConnection.open(env.POSTGRES_URL!);
    try {
      await connection.createSlot(slot, { exportSnapshot: false });
      const stream = await connection.startReplication(slot, {
        publications: [publication],
        protoVersion: 1,
      });
      await admin.query(
        'select pg_terminate_backend(active_pid) from pg_replication_slots where slot_name = $1',
        [slot],
      );
      const error = await stream.next().catch((caught: unknown) => caught);
      expect(error).toMatchObject({ name: 'ReplicationError' });
      // Postgres says why (57P01 admin_shutdown) before it closes the socket.
      expect(['server', 'connection']).toContain((error as { kind: string }).kind);
      if ((error as { kind: string }).kind === 'server') expect(error).toMatchObject({ code: '57P01' });
    } finally {
      await connection.close();
      await dropAll(admin, { slot, publication, tables: [table] });
    }
  });
});
