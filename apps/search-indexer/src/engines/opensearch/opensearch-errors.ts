import { errors } from '@opensearch-project/opensearch';
import { Code, TrunklineError } from '@trunkline/runtime';

/** HTTP statuses that say "try again later": throttled, or the cluster is not answering well. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** The `error` object of an OpenSearch answer: `{ type, reason, caused_by }`. */
export interface OpenSearchErrorBody {
  type?: string;
  reason?: string;
  caused_by?: OpenSearchErrorBody;
}

/** "type: reason (caused by type: reason)", for people. */
export function describeErrorBody(error: OpenSearchErrorBody | string | undefined): string {
  if (error === undefined) return 'no reason given';
  if (typeof error === 'string') return error;
  const own = [error.type, error.reason].filter(Boolean).join(': ') || 'no reason given';
  return error.caused_by === undefined ? own : `${own} (caused by ${describeErrorBody(error.caused_by)})`;
}

/**
 * Turns what the OpenSearch client threw into a TrunklineError: UNAVAILABLE when the cluster
 * could not be reached, timed out, throttled or failed on its side (the pipeline retries those),
 * NOT_FOUND for a missing index, else the HTTP status's meaning (INVALID_ARGUMENT for 400,
 * FAILED_PRECONDITION for 409, INTERNAL for the rest). `what` says what was being done.
 */
export function fromClientError(error: unknown, what: string): TrunklineError {
  if (error instanceof TrunklineError) return error;
  const details: Record<string, string> = { engine: 'opensearch' };
  if (
    error instanceof errors.ConnectionError ||
    error instanceof errors.NoLivingConnectionsError ||
    error instanceof errors.TimeoutError
  ) {
    return new TrunklineError(Code.Unavailable, `OpenSearch is unavailable (${what}): ${error.message}`, {
      details,
      cause: error,
    });
  }
  if (error instanceof errors.ResponseError) {
    const status = error.statusCode;
    const body = error.body as { error?: OpenSearchErrorBody | string } | undefined;
    const reason = describeErrorBody(body?.error ?? error.message);
    details.status = String(status);
    const code = isTransientStatus(status)
      ? Code.Unavailable
      : status === 404
        ? Code.NotFound
        : status === 409
          ? Code.FailedPrecondition
          : status === 400
            ? Code.InvalidArgument
            : status === 401
              ? Code.Unauthenticated
              : status === 403
                ? Code.PermissionDenied
                : Code.Internal;
    return new TrunklineError(code, `OpenSearch refused to ${what} (HTTP ${status}): ${reason}`, {
      details,
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new TrunklineError(Code.Internal, `OpenSearch failed to ${what}: ${message}`, {
    details,
    cause: error,
  });
}

/** The status of a ResponseError, or undefined for anything else. */
export function statusOf(error: unknown): number | undefined {
  return error instanceof errors.ResponseError ? error.statusCode : undefined;
}

/** The error `type` in a ResponseError's body (`resource_already_exists_exception`, …). */
export function errorTypeOf(error: unknown): string | undefined {
  if (!(error instanceof errors.ResponseError)) return undefined;
  const body = error.body as { error?: OpenSearchErrorBody | string } | undefined;
  return typeof body?.error === 'object' ? body.error.type : undefined;
}
