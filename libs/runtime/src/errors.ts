/**
 * gRPC status codes. Every Trunkline error carries the code its caller will see, so
 * services throw a TrunklineError and the transports (gRPC, HTTP) map it.
 */
export enum Code {
  Ok = 0,
  Cancelled = 1,
  Unknown = 2,
  InvalidArgument = 3,
  DeadlineExceeded = 4,
  NotFound = 5,
  AlreadyExists = 6,
  PermissionDenied = 7,
  ResourceExhausted = 8,
  FailedPrecondition = 9,
  Aborted = 10,
  OutOfRange = 11,
  Unimplemented = 12,
  Internal = 13,
  Unavailable = 14,
  DataLoss = 15,
  Unauthenticated = 16,
}

const httpStatusByCode: Record<Code, number> = {
  [Code.Ok]: 200,
  [Code.Cancelled]: 499,
  [Code.Unknown]: 500,
  [Code.InvalidArgument]: 400,
  [Code.DeadlineExceeded]: 504,
  [Code.NotFound]: 404,
  [Code.AlreadyExists]: 409,
  [Code.PermissionDenied]: 403,
  [Code.ResourceExhausted]: 429,
  [Code.FailedPrecondition]: 412,
  [Code.Aborted]: 409,
  [Code.OutOfRange]: 400,
  [Code.Unimplemented]: 501,
  [Code.Internal]: 500,
  [Code.Unavailable]: 503,
  [Code.DataLoss]: 500,
  [Code.Unauthenticated]: 401,
};

/** The HTTP status a REST transport answers for a code (as grpc-gateway maps them). */
export function httpStatusOf(code: Code): number {
  return httpStatusByCode[code];
}

export interface TrunklineErrorOptions {
  /** Machine-readable context, e.g. `{ topic: 'orders' }`; sent to gRPC callers as metadata. */
  details?: Record<string, string>;
  cause?: unknown;
}

/** The one error type services throw: a status code, a message for people, optional details. */
export class TrunklineError extends Error {
  override readonly name = 'TrunklineError';
  readonly code: Code;
  readonly details: Record<string, string>;

  constructor(code: Code, message: string, options: TrunklineErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }

  /** Wraps anything thrown into a TrunklineError; unknown failures become INTERNAL. */
  static from(error: unknown): TrunklineError {
    if (error instanceof TrunklineError) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new TrunklineError(Code.Internal, message, { cause: error });
  }
}
