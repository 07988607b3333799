import { normalizeProtobufInput, type SchemaType } from '@trunkline/schema-compat';
import type { SchemaReference } from '../store/schema-records';
import { SCHEMA_TYPES } from './parsed-schemas';
import { errors } from './registry-error';

/** The body of a registration, lookup or compatibility test. */
export interface SchemaRequest {
  schema: string;
  schemaType: SchemaType;
  references: SchemaReference[];
  /** IMPORT mode only: the id and version to register under. */
  id?: number;
  version?: number;
}

/** A version in a path: a number from 1, or `latest` / `-1`. */
export type VersionSpec = number | 'latest';

export function parseVersion(raw: string): VersionSpec {
  if (raw === 'latest' || raw === '-1') return 'latest';
  if (/^\d{1,10}$/.test(raw)) {
    const version = Number(raw);
    if (version >= 1 && version <= 2147483647) return version;
  }
  throw errors.invalidVersion(raw);
}

/** A request value in an error message; String() throws on objects like {"toString": 0}. */
function printed(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Checks a request body the way Confluent's server does, with its error codes. */
export function schemaRequestFrom(body: unknown): SchemaRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw errors.badRequest('The request body must be a JSON object with a "schema" field');
  const fields = body as Record<string, unknown>;
  if (typeof fields.schema !== 'string' || fields.schema.trim() === '')
    throw errors.invalidSchema('Empty schema');
  const schemaType = fields.schemaType ?? 'AVRO';
  if (typeof schemaType !== 'string' || !SCHEMA_TYPES.includes(schemaType.toUpperCase() as SchemaType))
    throw errors.invalidSchema(
      `Invalid schema type ${printed(schemaType)}; the types are ${SCHEMA_TYPES.join(', ')}`,
    );
  const references = fields.references ?? [];
  if (!Array.isArray(references)) throw errors.invalidSchema('references must be an array');
  const type = schemaType.toUpperCase() as SchemaType;
  const request: SchemaRequest = {
    // confluent-kafka-python sends Protobuf as a serialized descriptor: kept as .proto text
    schema: type === 'PROTOBUF' ? normalizeProtobufInput(fields.schema) : fields.schema,
    schemaType: type,
    references: references.map((r) => {
      const ref = (r ?? {}) as Record<string, unknown>;
      if (typeof ref.name !== 'string' || typeof ref.subject !== 'string' || !Number.isInteger(ref.version))
        throw errors.invalidSchema('each reference needs a name, a subject and an integer version');
      return { name: ref.name, subject: ref.subject, version: ref.version as number };
    }),
  };
  if (fields.id !== undefined && fields.id !== null && fields.id !== -1) {
    if (!Number.isInteger(fields.id) || (fields.id as number) < 1)
      throw errors.badRequest('id must be a positive integer');
    request.id = fields.id as number;
  }
  if (fields.version !== undefined && fields.version !== null && fields.version !== -1) {
    if (!Number.isInteger(fields.version) || (fields.version as number) < 1)
      throw errors.invalidVersion(printed(fields.version));
    request.version = fields.version as number;
  }
  return request;
}

/** Subject names are any non-empty text without control characters. */
export function checkSubject(subject: string): string {
  if (
    subject.length === 0 ||
    subject.length > 4096 ||
    [...subject].some((c) => c.charCodeAt(0) < 0x20) ||
    subject === '__GLOBAL'
  )
    throw errors.invalidSubject(subject);
  return subject;
}
