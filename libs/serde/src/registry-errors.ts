/**
 * Error codes of the Confluent Schema Registry API, as a table (the registry answers them in
 * `error_code`). Not exhaustive: any other code is carried through as a number.
 */
export const SCHEMA_REGISTRY_ERROR_CODES = {
  SUBJECT_NOT_FOUND: 40401,
  VERSION_NOT_FOUND: 40402,
  SCHEMA_NOT_FOUND: 40403,
  SUBJECT_SOFT_DELETED: 40404,
  SUBJECT_NOT_SOFT_DELETED: 40405,
  SCHEMA_VERSION_SOFT_DELETED: 40406,
  SCHEMA_VERSION_NOT_SOFT_DELETED: 40407,
  SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED: 40408,
  SUBJECT_LEVEL_MODE_NOT_CONFIGURED: 40409,
  INCOMPATIBLE_SCHEMA: 409,
  INVALID_SCHEMA: 42201,
  INVALID_VERSION: 42202,
  INVALID_COMPATIBILITY_LEVEL: 42203,
  INVALID_MODE: 42204,
  OPERATION_NOT_PERMITTED: 42205,
  REFERENCE_EXISTS: 42206,
  BACKEND_STORE_ERROR: 50001,
  OPERATION_TIMED_OUT: 50002,
  FORWARDING_ERROR: 50003,
} as const;

/** An error response of the registry: HTTP status, Confluent error code and message. */
export class SchemaRegistryError extends Error {
  override readonly name = 'SchemaRegistryError';

  constructor(
    readonly status: number,
    /** The body's `error_code`; the HTTP status when the body carries none. */
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The registry could not be reached (connection refused or reset, timeout) even after retrying.
 * Retriable: the request may succeed later.
 */
export class SchemaRegistryUnavailableError extends Error {
  override readonly name = 'SchemaRegistryUnavailableError';
  readonly retriable = true;

  constructor(
    message: string,
    readonly attempts: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The SchemaRegistryError for a non-2xx response, from its body `{"error_code", "message"}`. */
export function schemaRegistryErrorFrom(status: number, body: string, request: string): SchemaRegistryError {
  let errorCode = status;
  let message = body.trim() || `HTTP ${status}`;
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null) {
      const fields = parsed as { error_code?: unknown; message?: unknown };
      if (typeof fields.error_code === 'number') errorCode = fields.error_code;
      if (typeof fields.message === 'string') message = fields.message;
    }
  } catch {
    // not JSON (a proxy's HTML page, say): keep the text as the message
  }
  return new SchemaRegistryError(
    status,
    errorCode,
    `${request}: ${message} (HTTP ${status}, error ${errorCode})`,
  );
}
