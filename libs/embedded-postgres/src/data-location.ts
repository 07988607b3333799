import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { canTraverse, type OsUser } from './os-user';

/** Where a data directory's cluster actually lives. */
export interface DataLocation {
  /** Absolute path of the cluster's files. */
  readonly path: string;
  /** True when the files live under the OS temp dir instead of the requested directory. */
  readonly relocated: boolean;
}

/**
 * The asked-for directory when `user` (the OS user Postgres runs as) can reach it; otherwise
 * a directory under the OS temp dir named after the asked-for absolute path, so every start
 * with the same data dir finds the same cluster. (When running as root, a data dir inside a
 * 0700 directory such as /root or a mkdtemp folder is out of the postgres user's reach.)
 */
export function dataLocation(dataDir: string, user: OsUser | undefined): DataLocation {
  const path = resolve(dataDir);
  if (canTraverse(user, path)) return { path, relocated: false };
  const digest = createHash('sha256').update(path).digest('hex').slice(0, 16);
  return { path: join(tmpdir(), `trunkline-postgres-data-${digest}`), relocated: true };
}
