import { DatabaseError } from 'pg';

/** Where a replication failure came from. */
export type ReplicationErrorKind =
  /** The server answered with an ErrorResponse; `code` holds its SQLSTATE. */
  | 'server'
  /** The socket failed or closed while the stream was open. */
  | 'connection'
  /** The server sent bytes this library cannot decode. */
  | 'protocol'
  /** The caller used the API wrongly (bad name, wrong state). */
  | 'usage';

/** The one error type of replication connections: a kind, the SQLSTATE when Postgres gave one, a cause. */
export class ReplicationError extends Error {
  override readonly name = 'ReplicationError';

  constructor(
    readonly kind: ReplicationErrorKind,
    message: string,
    /** The Postgres SQLSTATE (e.g. '42704' undefined object), when the server reported the error. */
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Wraps anything thrown by `pg` or the socket; a pg DatabaseError keeps its SQLSTATE. */
  static from(error: unknown, context: string): ReplicationError {
    if (error instanceof ReplicationError) return error;
    const message = error instanceof Error ? error.message : String(error);
    const code = sqlState(error);
    if (code !== undefined) {
      return new ReplicationError('server', `${context}: ${message} (SQLSTATE ${code})`, code, {
        cause: error,
      });
    }
    return new ReplicationError('connection', `${context}: ${message}`, undefined, { cause: error });
  }
}

function sqlState(error: unknown): string | undefined {
  // Only a server ErrorResponse carries a SQLSTATE; Node's socket errors also have a `code` (EPIPE).
  return error instanceof DatabaseError ? error.code : undefined;
}
