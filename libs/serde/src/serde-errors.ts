/** A value that cannot be serialized with its schema (it does not match it, or the schema does not parse). */
export class SerializationError extends Error {
  override readonly name = 'SerializationError';
}

/**
 * A framed value whose payload cannot be decoded with the schema its id names (or whose schema is
 * of another format than the deserializer's); the record goes to the dead-letter topic.
 */
export class DeserializationError extends Error {
  override readonly name = 'DeserializationError';
}

/** The message of anything thrown, checked by shape: errors made in Node's own realm fail instanceof under Jest. */
export function errorMessage(error: unknown): string {
  if (
    typeof error === 'object' &&
    error !== null &&
    'message' in error &&
    typeof error.message === 'string'
  ) {
    return error.message;
  }
  return String(error);
}
