import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { dataLocation } from './data-location';
import { EmbeddedPostgres } from './embedded-postgres';
import { EmbeddedPostgresError } from './embedded-postgres-error';
import { postgresOsUser } from './os-user';

async function query<R extends object>(url: string, sql: string): Promise<R[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('EmbeddedPostgres', () => {
  let parent: string;

  beforeEach(() => {
    parent = mkdtempSync(join(tmpdir(), 'trunkline-embedded-pg-'));
  });

  afterEach(() => {
    const location = dataLocation(join(parent, 'pg'), postgresOsUser());
    if (location.relocated) rmSync(location.path, { recursive: true, force: true });
    rmSync(parent, { recursive: true, force: true });
  });

  it('keeps its data across a stop and a start, with wal_level=logical on 127.0.0.1', async () => {
    const dataDir = join(parent, 'pg');
    const first = await EmbeddedPostgres.start({ dataDir, port: 0 });
    try {
      expect(first.port).toBeGreaterThan(0);
      expect(first.url('shop')).toBe(`postgres://postgres:postgres@127.0.0.1:${first.port}/shop`);
      await query(first.url('postgres'), 'create database shop');
      await query(
        first.url('shop'),
        "create table kayaks (id int primary key, name text); insert into kayaks values (1, 'sea')",
      );
      const [settings] = await query<{ wal_level: string; listen: string }>(
        first.url('shop'),
        "select current_setting('wal_level') as wal_level, current_setting('listen_addresses') as listen",
      );
      expect(settings).toEqual({ wal_level: 'logical', listen: '127.0.0.1' });
    } finally {
      expect(await first.stop()).toBe(true);
    }
    await expect(query(first.url('shop'), 'select 1')).rejects.toThrow();

    const again = await EmbeddedPostgres.start({ dataDir, port: 0 });
    try {
      expect(again.location).toEqual(first.location);
      expect(await query(again.url('shop'), 'select id, name from kayaks')).toEqual([{ id: 1, name: 'sea' }]);
    } finally {
      expect(await again.stop()).toBe(true);
    }
  }, 120_000);

  it('refuses a port that is in use, saying so', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const failure = await EmbeddedPostgres.start({ dataDir: join(parent, 'pg'), port }).catch((e) => e);
      expect(failure).toBeInstanceOf(EmbeddedPostgresError);
      expect(failure).toMatchObject({ reason: 'port-in-use' });
      expect((failure as Error).message).toContain(`port ${port} on 127.0.0.1 is in use`);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  }, 120_000);

  it('refuses a data dir that holds something other than a cluster', async () => {
    const dataDir = join(parent, 'pg');
    const location = dataLocation(dataDir, postgresOsUser());
    rmSync(location.path, { recursive: true, force: true });
    await EmbeddedPostgres.start({ dataDir, port: 0 }).then((pg) => pg.stop());
    rmSync(join(location.path, 'PG_VERSION'));
    writeFileSync(join(location.path, 'notes.txt'), 'mine');
    await expect(EmbeddedPostgres.start({ dataDir, port: 0 })).rejects.toMatchObject({
      reason: 'not-a-data-dir',
    });
  }, 120_000);
});
