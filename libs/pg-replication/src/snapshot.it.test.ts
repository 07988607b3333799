import { describeWithEngine } from '@trunkline/testing';
import type { Client } from 'pg';
import { connectAdmin, dropAll, readTransactions, uniqueSuffix } from './it-fixtures';
import { ReplicationConnection } from './replication-connection';
import { ReplicationError } from './replication-error';
import {
  createPublication,
  getSlot,
  publicationExists,
  publicationTables,
  setPublicationTables,
} from './slots';

describeWithEngine('postgres', 'slots, publications and exported snapshots', (env) => {
  let admin: Client;

  beforeAll(async () => {
    admin = await connectAdmin(env.POSTGRES_URL!);
  });

  afterAll(async () => {
    await admin.end();
  });

  it('identifies the system', async () => {
    const connection = await ReplicationConnection.open(env.POSTGRES_URL!);
    try {
      const identity = await connection.identifySystem();
      expect(identity.systemId).toMatch(/^\d+$/);
      expect(identity.timeline).toBeGreaterThanOrEqual(1);
      expect(identity.xlogpos).toBeGreaterThan(0n);
      expect(identity.dbname).toBe(new URL(env.POSTGRES_URL!).pathname.slice(1));
    } finally {
      await connection.close();
    }
  });

  it('exports a snapshot holding exactly the rows committed before the slot', async () => {
    const suffix = uniqueSuffix();
    const table = `snap_${suffix}`;
    const slot = `slot_${suffix}`;
    const publication = `pub_${suffix}`;
    await admin.query(`create table ${table} (id int primary key, note text)`);
    await createPublication(admin, publication, [table]);
    await admin.query(`insert into ${table} values (1, 'before'), (2, 'before')`);
    const connection = await ReplicationConnection.open({ connectionString: env.POSTGRES_URL! });
    const reader = await connectAdmin(env.POSTGRES_URL!);
    try {
      const created = await connection.createSlot(slot, { exportSnapshot: true });
      expect(created.slotName).toBe(slot);
      expect(created.snapshotName).toEqual(expect.any(String));
      expect(created.consistentPoint).toBeGreaterThan(0n);

      // Committed after the slot: not in the snapshot, but streamed.
      await admin.query(`insert into ${table} values (3, 'after')`);
      await admin.query(`update ${table} set note = 'changed after' where id = 1`);

      await reader.query('begin isolation level repeatable read');
      await reader.query(`set transaction snapshot '${created.snapshotName}'`);
      const { rows } = await reader.query(`select id, note from ${table} order by id`);
      await reader.query('commit');
      expect(rows).toEqual([
        { id: 1, note: 'before' },
        { id: 2, note: 'before' },
      ]);

      const stream = await connection.startReplication(slot, {
        publications: [publication],
        protoVersion: 1,
      });
      const events = await readTransactions(stream, 2);
      const changes = events.filter((e) => e.message.tag === 'insert' || e.message.tag === 'update');
      expect(changes.map((e) => e.message)).toMatchObject([
        { tag: 'insert', newTuple: ['3', 'after'] },
        { tag: 'update', newTuple: ['1', 'changed after'] },
      ]);
      expect(events[0]!.walStart).toBeGreaterThanOrEqual(created.consistentPoint);
    } finally {
      await reader.end();
      await connection.close();
      await dropAll(admin, { slot, publication, tables: [table] });
    }
  });

  it('creates temporary slots without a snapshot, gone when the connection closes', async () => {
    const slot = `tmp_${uniqueSuffix()}`;
    const connection = await ReplicationConnection.open(env.POSTGRES_URL!);
    try {
      const created = await connection.createSlot(slot, { exportSnapshot: false, temporary: true });
      expect(created.snapshotName).toBeUndefined();
      expect(await getSlot(admin, slot)).toMatchObject({
        slotName: slot,
        plugin: 'pgoutput',
        temporary: true,
      });
    } finally {
      await connection.close();
    }
    const deadline = Date.now() + 5000;
    while ((await getSlot(admin, slot)) !== undefined && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await getSlot(admin, slot)).toBeUndefined();
  });

  it('reports server errors with their SQLSTATE', async () => {
    const suffix = uniqueSuffix();
    const connection = await ReplicationConnection.open(env.POSTGRES_URL!);
    try {
      await connection.createSlot(`dup_${suffix}`, { exportSnapshot: false, temporary: true });
      const duplicate = await connection
        .createSlot(`dup_${suffix}`, { exportSnapshot: false, temporary: true })
        .catch((error: unknown) => error);
      expect(duplicate).toBeInstanceOf(ReplicationError);
      expect(duplicate).toMatchObject({ kind: 'server', code: '42710' });
    } finally {
      await connection.close();
    }
    const missing = await ReplicationConnection.open(env.POSTGRES_URL!);
    try {
      const error = await missing
        .startReplication(`missing_${suffix}`, { publications: ['p'], protoVersion: 1 })
        .catch((caught: unknown) => caught);
      expect(error).toMatchObject({ name: 'ReplicationError', kind: 'server', code: '42704' });
    } finally {
      await missing.close();
    }
  });

  it('creates and alters publications with quoted identifiers', async () => {
    const suffix = uniqueSuffix();
    const publication = `Pub "${suffix}"`;
    const tables = [`Mixed Case ${suffix}`, `plain_${suffix}`];
    await admin.query(`create table "${tables[0]}" (id int primary key)`);
    await admin.query(`create table ${tables[1]} (id int primary key)`);
    try {
      await createPublication(admin, publication, [{ schema: 'public', name: tables[0]! }]);
      expect(await publicationExists(admin, publication)).toBe(true);
      expect(await publicationTables(admin, publication)).toEqual([{ schema: 'public', name: tables[0] }]);
      await setPublicationTables(admin, publication, [tables[1]!]);
      expect(await publicationTables(admin, publication)).toEqual([{ schema: 'public', name: tables[1] }]);
    } finally {
      await dropAll(admin, { publication, tables: [`"${tables[0]}"`, tables[1]!] });
    }
    expect(await publicationExists(admin, publication)).toBe(false);
  });
});
