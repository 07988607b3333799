import { Code, TrunklineError } from '@trunkline/runtime';
import type { SinkChange } from './sink-change';

/**
 * A record that is not a change event the pipeline can read: bad framing, an unknown schema,
 * a payload its schema does not decode. Permanent for that record: it goes to the dead-letter
 * topic and the pipeline goes on.
 */
export class UndecodableRecord extends TrunklineError {
  /** The kind of failure underneath, written to the dead-letter record's headers. */
  readonly errorClass: string;

  constructor(message: string, cause?: unknown) {
    super(Code.InvalidArgument, message, cause === undefined ? {} : { cause });
    this.errorClass = cause instanceof Error ? cause.name : 'UndecodableRecord';
  }
}

/** One change an engine refused, and why. */
export interface RejectedChange {
  change: SinkChange;
  reason: string;
}

/**
 * Changes an engine refused for good (a document it cannot map, a value out of range); every
 * other change of the batch was applied. The pipeline sends these to the dead-letter topic.
 */
export class ChangesRejected extends TrunklineError {
  constructor(
    message: string,
    readonly rejected: RejectedChange[],
    details: Record<string, string> = {},
  ) {
    super(Code.InvalidArgument, message, { details });
  }
}

const TRANSIENT_CODES: ReadonlySet<Code> = new Set([
  Code.Unavailable,
  Code.DeadlineExceeded,
  Code.ResourceExhausted,
  Code.Aborted,
]);

const TRANSIENT_ERRNOS: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * Whether a failure may go away by itself (an engine or the registry unavailable, a timeout):
 * the pipeline then retries with backoff and never skips the records.
 */
export function isTransient(error: unknown): boolean {
  if (error instanceof TrunklineError) return TRANSIENT_CODES.has(error.code);
  if (typeof error !== 'object' || error === null) return false;
  const { retriable, code, cause } = error as { retriable?: unknown; code?: unknown; cause?: unknown };
  if (retriable === true) return true;
  if (typeof code === 'string' && TRANSIENT_ERRNOS.has(code)) return true;
  return cause !== undefined && cause !== error && isTransient(cause);
}
