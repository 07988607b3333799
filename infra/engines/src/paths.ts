import { join } from 'node:path';

const REPO_ROOT = join(__dirname, '..', '..', '..');

/** Root of everything engines keep on disk (git-ignored): downloads and builds, and running engines. */
export function enginesHome(): string {
  return process.env.TRUNKLINE_ENGINES_DIR ?? join(REPO_ROOT, '.engines');
}

/** Downloads and builds, kept across starts so a second start downloads nothing. */
export function cacheDir(): string {
  return join(enginesHome(), 'cache');
}

/** State, config, logs and data of running engines, removed when an engine stops. */
export function runRoot(): string {
  return process.env.TRUNKLINE_ENGINES_RUN_DIR ?? join(enginesHome(), 'run');
}

export function repoRoot(): string {
  return REPO_ROOT;
}
