import { Code, TrunklineError } from '@trunkline/runtime';

/**
 * An error the registry answers with Confluent's body `{"error_code", "message"}`: the
 * error code its clients switch on, the HTTP status, and the gRPC code the admin API sends.
 */
export class RegistryError extends TrunklineError {
  constructor(
    readonly errorCode: number,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(grpcCodeOf(errorCode), message, { details: { errorCode: String(errorCode) }, ...options });
  }

  /** 40401 → 404, 42201 → 422, 409 and 40901 → 409, 50001 → 500. */
  get httpStatus(): number {
    return this.errorCode < 1000 ? this.errorCode : Math.floor(this.errorCode / 100);
  }
}

function grpcCodeOf(errorCode: number): Code {
  const status = errorCode < 1000 ? errorCode : Math.floor(errorCode / 100);
  if (status === 404) return Code.NotFound;
  if (status === 409) return Code.FailedPrecondition;
  if (status === 422 || status === 400 || status === 415) return Code.InvalidArgument;
  if (status === 405) return Code.Unimplemented;
  if (errorCode === 50002) return Code.DeadlineExceeded;
  if (errorCode === 50003 || errorCode === 50004) return Code.Unavailable;
  return Code.Internal;
}

/** Confluent's error codes, with the messages its server gives. */
export const errors = {
  subjectNotFound: (subject: string) => new RegistryError(40401, `Subject '${subject}' not found.`),
  versionNotFound: (subject: string, version: number | string) =>
    new RegistryError(40402, `Version ${version} not found for subject '${subject}'.`),
  schemaNotFound: (detail = 'Schema not found') => new RegistryError(40403, detail),
  subjectSoftDeleted: (subject: string) =>
    new RegistryError(
      40404,
      `Subject '${subject}' was soft deleted.Set permanent=true to delete permanently`,
    ),
  subjectNotSoftDeleted: (subject: string) =>
    new RegistryError(40405, `Subject '${subject}' was not deleted first before being permanently deleted`),
  versionSoftDeleted: (subject: string, version: number) =>
    new RegistryError(
      40406,
      `Subject '${subject}' Version ${version} was soft deleted.Set permanent=true to delete permanently`,
    ),
  versionNotSoftDeleted: (subject: string, version: number) =>
    new RegistryError(
      40407,
      `Subject '${subject}' Version ${version} was not deleted first before being permanently deleted`,
    ),
  subjectCompatibilityNotConfigured: (subject: string) =>
    new RegistryError(40408, `Subject '${subject}' does not have subject-level compatibility configured`),
  subjectModeNotConfigured: (subject: string) =>
    new RegistryError(40409, `Subject '${subject}' does not have subject-level mode configured`),
  incompatibleSchema: (subject: string, details: readonly string[]) =>
    new RegistryError(
      40901,
      `Schema being registered is incompatible with an earlier schema for subject "${subject}", details: [${details.join('; ')}]`,
    ),
  invalidSchema: (detail: string) => new RegistryError(42201, `Invalid schema: ${detail}`),
  invalidVersion: (version: string) =>
    new RegistryError(
      42202,
      `The specified version '${version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`,
    ),
  invalidCompatibilityLevel: () =>
    new RegistryError(
      42203,
      'Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive',
    ),
  invalidMode: () =>
    new RegistryError(42204, 'Invalid mode. Valid values are READWRITE, READONLY, READONLY_OVERRIDE, IMPORT'),
  operationNotPermitted: (detail: string) => new RegistryError(42205, detail),
  referenceExists: (detail: string) => new RegistryError(42206, detail),
  idDoesNotMatch: (detail: string) => new RegistryError(42207, detail),
  invalidSubject: (subject: string) =>
    new RegistryError(42208, `The specified subject '${subject}' is not a valid subject name`),
  schemaTooLarge: (bytes: number, limit: number) =>
    new RegistryError(42209, `Schema too large: ${bytes} bytes, the limit is ${limit}`),
  storeError: (detail: string, cause?: unknown) =>
    new RegistryError(50001, `Error in the backend data store: ${detail}`, { cause }),
  timeout: (detail: string) => new RegistryError(50002, `Operation timed out: ${detail}`),
  forwardingFailed: (detail: string, cause?: unknown) =>
    new RegistryError(50003, `Error while forwarding the request to the leader: ${detail}`, { cause }),
  unknownLeader: () =>
    new RegistryError(50004, 'Unknown leader: no schema registry instance is elected to write yet'),
  badRequest: (detail: string) => new RegistryError(400, detail),
  notFound: (detail: string) => new RegistryError(404, detail),
  methodNotAllowed: (detail: string) => new RegistryError(405, detail),
  unsupportedMediaType: (detail: string) => new RegistryError(415, detail),
};
