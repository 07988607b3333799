/** Why the embedded Postgres could not be set up or started. */
export type EmbeddedPostgresFailure =
  /** The npm package with this platform's Postgres binaries is not installed. */
  | 'binaries-missing'
  /** Something else already listens on the port. */
  | 'port-in-use'
  /** A Postgres from an earlier run still holds the data directory. */
  | 'already-running'
  /** The data directory holds files, but not a Postgres cluster. */
  | 'not-a-data-dir'
  /** The data directory cannot be made reachable by the `postgres` OS user. */
  | 'data-dir-unreachable'
  | 'initdb-failed'
  | 'start-failed';

/** One error type for every failure, with the reason as data (callers branch on `reason`). */
export class EmbeddedPostgresError extends Error {
  override readonly name = 'EmbeddedPostgresError';

  constructor(
    readonly reason: EmbeddedPostgresFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
