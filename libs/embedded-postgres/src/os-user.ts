import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname, parse, resolve } from 'node:path';

/** The OS user Postgres runs as. */
export interface OsUser {
  readonly uid: number;
  readonly gid: number;
}

/**
 * Postgres refuses to run as root; when this process is root, Postgres runs as the
 * `postgres` OS user, created (a system user without a home) if missing. Undefined otherwise:
 * Postgres then runs as the current user.
 */
export function postgresOsUser(): OsUser | undefined {
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

/**
 * True if `user` may enter every existing directory on the way to `path` (and `path` itself
 * if it exists). Judged from owner, group and mode bits: a process started with a uid and gid
 * by Node has no supplementary groups, so those bits are what the kernel checks (ACLs aside).
 */
export function canTraverse(user: OsUser | undefined, path: string): boolean {
  if (user === undefined || user.uid === 0) return true;
  let dir = resolve(path);
  const root = parse(dir).root;
  for (;;) {
    let stat: ReturnType<typeof statSync> | undefined;
    try {
      stat = statSync(dir);
    } catch {
      stat = undefined; // Not there yet: created later, by us, with mode 0755.
    }
    if (stat !== undefined) {
      const bit = stat.uid === user.uid ? 0o100 : stat.gid === user.gid ? 0o010 : 0o001;
      if ((stat.mode & bit) === 0) return false;
    }
    if (dir === root) return true;
    dir = dirname(dir);
  }
}
