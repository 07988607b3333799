import { randomBytes } from 'node:crypto';
import { describeWithEngine } from '@trunkline/testing';
import type { Client } from 'pg';
import { connectAdmin, dropAll, readTransactions, readUntil, uniqueSuffix } from './it-fixtures';
import type { PgoutputMessage, RelationMessage } from './pgoutput-messages';
import { UNCHANGED_TOAST } from './pgoutput-messages';
import { ReplicationConnection } from './replication-connection';
import type { ReplicationStream } from './replication-stream';
import { createPublication } from './slots';

/** Leaves out what differs between runs (LSNs, xids, times, OIDs) to compare message shapes. */
function shape(message: PgoutputMessage): unknown {
  switch (message.tag) {
    case 'begin':
    case 'commit':
      return { tag: message.tag };
    case 'relation':
      return {
        tag: message.tag,
        namespace: message.namespace,
        name: message.name,
        identity: message.replicaIdentity,
      };
    case 'truncate':
      return { tag: message.tag, relations: message.relationIds.length, cascade: message.cascade };
    default: {
      const { relationId: _relationId, ...rest } = message as { relationId?: number };
      return rest;
    }
  }
}

describeWithEngine('postgres', 'streaming pgoutput from a real Postgres', (env) => {
  let admin: Client;
  let connection: ReplicationConnection;
  let stream: ReplicationStream;
  const suffix = uniqueSuffix();
  const orders = `orders_${suffix}`;
  const docs = `docs_${suffix}`;
  const slot = `slot_${suffix}`;
  const publication = `Stream Pub ${suffix}`;

  beforeAll(async () => {
    admin = await connectAdmin(env.POSTGRES_URL!);
    await admin.query(`create table ${orders} (id int primary key, item text not null, qty int)`);
    await admin.query(`alter table ${orders} replica identity full`);
    await admin.query(`create table ${docs} (id int primary key, title text, body text)`);
    await admin.query(`alter table ${docs} alter column body set storage external`);
    await createPublication(admin, publication, [orders, docs]);
    connection = await ReplicationConnection.open(env.POSTGRES_URL!);
    await connection.createSlot(slot, { exportSnapshot: false });
    stream = await connection.startReplication(slot, {
      publications: [publication],
      protoVersion: 1,
      messages: true,
    });
  });

  afterAll(async () => {
    await connection.close();
    await dropAll(admin, { slot, publication, tables: [orders, docs] });
    await admin.end();
  });

  it('streams begin, relation, insert, update with the old row, delete, truncate and commit', async () => {
    await admin.query('begin');
    await admin.query(`insert into ${orders} values (1, 'kayak', 2), (2, 'paddle', null)`);
    await admin.query(`update ${orders} set qty = 3 where id = 1`);
    await admin.query(`delete from ${orders} where id = 2`);
    await admin.query('commit');
    await admin.query(`truncate ${orders}`);

    const events = await readTransactions(stream, 2);
    expect(events.map((e) => shape(e.message))).toEqual([
      { tag: 'begin' },
      { tag: 'relation', namespace: 'public', name: orders, identity: 'f' },
      { tag: 'insert', newTuple: ['1', 'kayak', '2'] },
      { tag: 'insert', newTuple: ['2', 'paddle', null] },
      { tag: 'update', oldTuple: ['1', 'kayak', '2'], newTuple: ['1', 'kayak', '3'] },
      { tag: 'delete', oldTuple: ['2', 'paddle', null] },
      { tag: 'commit' },
      { tag: 'begin' },
      // TRUNCATE invalidates the relation cache entry: pgoutput describes the relation again.
      { tag: 'relation', namespace: 'public', name: orders, identity: 'f' },
      { tag: 'truncate', relations: 1, cascade: false },
      { tag: 'commit' },
    ]);

    const relation = events[1]!.message as RelationMessage;
    expect(relation.columns).toEqual([
      { flags: 1, isKey: true, name: 'id', typeOid: 23, typeModifier: -1 },
      { flags: 1, isKey: true, name: 'item', typeOid: 25, typeModifier: -1 },
      { flags: 1, isKey: true, name: 'qty', typeOid: 23, typeModifier: -1 },
    ]);
    for (const event of events.slice(2, 6)) {
      expect(event.message).toMatchObject({ relationId: relation.relationId });
    }
    expect(events[9]!.message).toMatchObject({ relationIds: [relation.relationId] });

    const begin = events[0]!.message;
    const commit = events[6]!.message;
    if (begin.tag !== 'begin' || commit.tag !== 'commit') throw new Error('expected begin … commit');
    expect(begin.finalLsn).toBe(commit.commitLsn);
    expect(commit.endLsn).toBeGreaterThan(commit.commitLsn);
    expect(commit.commitTime).toBe(begin.commitTime);
    const nowMicros = BigInt(Date.now()) * 1000n;
    expect(nowMicros - commit.commitTime).toBeLessThan(60_000_000n);
    expect(nowMicros - events[0]!.serverClock).toBeLessThan(60_000_000n);
  });

  it('marks an unchanged TOASTed value', async () => {
    // Stored out of line (EXTERNAL: TOASTed without compression) once above ~2 kB.
    const big = randomBytes(10_000).toString('hex');
    await admin.query(`insert into ${docs} values (1, 'draft', $1)`, [big]);
    await admin.query(`update ${docs} set title = 'final' where id = 1`);

    const events = await readTransactions(stream, 2);
    const changes = events.filter((e) => e.message.tag === 'insert' || e.message.tag === 'update');
    expect(changes.map((e) => e.message.tag)).toEqual(['insert', 'update']);
    const [insert, update] = changes.map((e) => shape(e.message)) as { newTuple: unknown[] }[];
    expect(insert!.newTuple[2] === big).toBe(true);
    expect(update!.newTuple).toEqual(['1', 'final', UNCHANGED_TOAST]);
  });

  it('streams logical decoding messages, transactional and not', async () => {
    await admin.query(`select pg_logical_emit_message(false, 'trunkline', 'héllo'::bytea)`);
    await admin.query(`select pg_logical_emit_message(true, 'trunkline', 'in tx')`);
    const events = await readUntil(stream, (e) => e.message.tag === 'commit');
    expect(events.map((e) => shape(e.message))).toEqual([
      {
        tag: 'message',
        transactional: false,
        lsn: expect.any(BigInt),
        prefix: 'trunkline',
        content: Buffer.from('héllo'),
      },
      { tag: 'begin' },
      {
        tag: 'message',
        transactional: true,
        lsn: expect.any(BigInt),
        prefix: 'trunkline',
        content: Buffer.from('in tx'),
      },
      { tag: 'commit' },
    ]);
  });
});
