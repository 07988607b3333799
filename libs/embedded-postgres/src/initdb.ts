import { spawn } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { postgresBinary } from './binaries';
import { EmbeddedPostgresError } from './embedded-postgres-error';
import type { OsUser } from './os-user';

/** The superuser every embedded cluster has; it listens on 127.0.0.1 only. */
export const POSTGRES_SUPERUSER = 'postgres';
export const POSTGRES_PASSWORD = 'postgres';

export interface InitdbOptions {
  /** Created by initdb, or empty; its parent must be reachable (and writable) by `user`. */
  dataDir: string;
  /** Run as this OS user (see postgresOsUser); the current user when undefined. */
  user: OsUser | undefined;
  /** Where the binaries are; the embedded-postgres package's by default. */
  installDir?: string;
}

/** Creates a cluster: superuser postgres/postgres with scram-sha-256, UTF-8, locale C.UTF-8. */
export async function initdb({ dataDir, user, installDir }: InitdbOptions): Promise<void> {
  const command = postgresBinary('initdb', installDir);
  const scratch = mkdtempSync(join(tmpdir(), 'trunkline-initdb-'));
  try {
    const pwfile = join(scratch, 'pwfile');
    writeFileSync(pwfile, `${POSTGRES_PASSWORD}\n`, { mode: 0o600 });
    if (user !== undefined) {
      chownSync(scratch, user.uid, user.gid);
      chownSync(pwfile, user.uid, user.gid);
    }
    const args = [
      '-D',
      dataDir,
      '-U',
      POSTGRES_SUPERUSER,
      `--pwfile=${pwfile}`,
      '--auth=scram-sha-256',
      '-E',
      'UTF8',
      '--locale=C.UTF-8',
    ];
    await runToCompletion(command, args, user, dirname(dataDir));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function runToCompletion(command: string, args: string[], user: OsUser | undefined, cwd: string) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(user === undefined ? {} : { uid: user.uid, gid: user.gid }),
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk;
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (error) =>
      reject(new EmbeddedPostgresError('initdb-failed', `initdb: cannot run ${command}: ${error.message}`)),
    );
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(
            new EmbeddedPostgresError('initdb-failed', `initdb failed (exit ${code}):\n${output.trim()}`),
          ),
    );
  });
}
