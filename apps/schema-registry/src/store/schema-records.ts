import type { SchemaType } from '@trunkline/schema-compat';

/**
 * The records of the `_schemas` topic, in the Confluent Schema Registry's own format so that
 * a topic written by Confluent or Karapace is served as-is. Keys are JSON with Jackson's
 * property order (`keytype`, `subject`, [`version`], `magic`) and null fields left out.
 */
export type RegistryKey =
  | { keytype: 'SCHEMA'; subject: string; version: number }
  | { keytype: 'CONFIG'; subject: string | null }
  | { keytype: 'MODE'; subject: string | null }
  | { keytype: 'DELETE_SUBJECT'; subject: string }
  | { keytype: 'CLEAR_SUBJECT'; subject: string }
  | { keytype: 'NOOP' }
  /** Any key type this registry does not act on (CONTEXT, ASSOC, ...), kept for its offset. */
  | { keytype: 'OTHER'; raw: string };

export interface SchemaReference {
  name: string;
  subject: string;
  version: number;
}

export interface SchemaValue {
  subject: string;
  version: number;
  id: number;
  schemaType: SchemaType;
  references: SchemaReference[];
  schema: string;
  deleted: boolean;
}

/** A subject's or the global configuration; fields other than the level are kept as written. */
export interface ConfigValue {
  compatibilityLevel?: string;
  normalize?: boolean;
  [field: string]: unknown;
}

export type Mode = 'READWRITE' | 'READONLY' | 'READONLY_OVERRIDE' | 'IMPORT';
export const MODES: readonly Mode[] = ['READWRITE', 'READONLY', 'READONLY_OVERRIDE', 'IMPORT'];

export type RegistryRecord =
  | { key: Extract<RegistryKey, { keytype: 'SCHEMA' }>; value: SchemaValue | null }
  | { key: Extract<RegistryKey, { keytype: 'CONFIG' }>; value: ConfigValue | null }
  | { key: Extract<RegistryKey, { keytype: 'MODE' }>; value: { mode: Mode } | null }
  | {
      key: Extract<RegistryKey, { keytype: 'DELETE_SUBJECT' }>;
      value: { subject: string; version: number } | null;
    }
  | { key: Extract<RegistryKey, { keytype: 'CLEAR_SUBJECT' }>; value: { subject: string } | null }
  | { key: Extract<RegistryKey, { keytype: 'NOOP' }>; value: null }
  | { key: Extract<RegistryKey, { keytype: 'OTHER' }>; value: unknown };

/** A `_schemas` record that cannot be read; the reader logs it and goes on, as Confluent does. */
export class SchemaRecordError extends Error {
  override readonly name = 'SchemaRecordError';
}

const SCHEMA_TYPES: readonly SchemaType[] = ['AVRO', 'PROTOBUF', 'JSON'];

export function encodeKey(key: RegistryKey): Buffer {
  switch (key.keytype) {
    case 'SCHEMA':
      return json({ keytype: 'SCHEMA', subject: key.subject, version: key.version, magic: 1 });
    case 'CONFIG':
    case 'MODE':
      return json({
        keytype: key.keytype,
        ...(key.subject === null ? {} : { subject: key.subject }),
        magic: 0,
      });
    case 'DELETE_SUBJECT':
    case 'CLEAR_SUBJECT':
      return json({ keytype: key.keytype, subject: key.subject, magic: 0 });
    case 'NOOP':
      return json({ keytype: 'NOOP', magic: 0 });
    case 'OTHER':
      return Buffer.from(key.raw);
  }
}

/** Values as Confluent writes them: `schemaType` and `references` only when not the defaults. */
export function encodeValue(record: RegistryRecord): Buffer | null {
  if (record.value === null) return null;
  if (record.key.keytype !== 'SCHEMA') return json(record.value);
  const value = record.value as SchemaValue;
  return json({
    subject: value.subject,
    version: value.version,
    id: value.id,
    ...(value.schemaType === 'AVRO' ? {} : { schemaType: value.schemaType }),
    ...(value.references.length === 0 ? {} : { references: value.references }),
    schema: value.schema,
    deleted: value.deleted,
  });
}

export function decodeRecord(keyBytes: Buffer | null, valueBytes: Buffer | null): RegistryRecord {
  if (keyBytes === null) throw new SchemaRecordError('a record without a key');
  const key = parseObject(keyBytes, 'key');
  const value = valueBytes === null ? null : parseObject(valueBytes, 'value');
  const subject = key.subject;
  switch (key.keytype) {
    case 'SCHEMA': {
      if (key.magic !== 1)
        throw new SchemaRecordError(`SCHEMA key with unsupported magic ${String(key.magic)}`);
      if (typeof subject !== 'string' || !Number.isInteger(key.version))
        throw new SchemaRecordError('SCHEMA key without subject and version');
      return {
        key: { keytype: 'SCHEMA', subject, version: key.version as number },
        value: value === null ? null : schemaValue(value, subject, key.version as number),
      };
    }
    case 'CONFIG':
    case 'MODE': {
      const scope = typeof subject === 'string' ? subject : null;
      if (key.keytype === 'CONFIG')
        return { key: { keytype: 'CONFIG', subject: scope }, value: value as ConfigValue | null };
      if (value !== null && !MODES.includes(value.mode as Mode))
        throw new SchemaRecordError(`MODE value with unknown mode ${String(value.mode)}`);
      return {
        key: { keytype: 'MODE', subject: scope },
        value: value === null ? null : { mode: value.mode as Mode },
      };
    }
    case 'DELETE_SUBJECT':
    case 'CLEAR_SUBJECT': {
      if (typeof subject !== 'string') throw new SchemaRecordError(`${key.keytype} key without a subject`);
      if (key.keytype === 'CLEAR_SUBJECT')
        return { key: { keytype: 'CLEAR_SUBJECT', subject }, value: value === null ? null : { subject } };
      const version = value?.version;
      if (value !== null && !Number.isInteger(version))
        throw new SchemaRecordError('DELETE_SUBJECT value without a version');
      return {
        key: { keytype: 'DELETE_SUBJECT', subject },
        value: value === null ? null : { subject, version: version as number },
      };
    }
    case 'NOOP':
      return { key: { keytype: 'NOOP' }, value: null };
    default:
      return { key: { keytype: 'OTHER', raw: keyBytes.toString('utf8') }, value };
  }
}

function schemaValue(value: Record<string, unknown>, subject: string, version: number): SchemaValue {
  const schemaType = (value.schemaType ?? 'AVRO') as SchemaType;
  if (!SCHEMA_TYPES.includes(schemaType))
    throw new SchemaRecordError(`unknown schemaType ${String(schemaType)}`);
  if (!Number.isInteger(value.id) || typeof value.schema !== 'string')
    throw new SchemaRecordError(`SCHEMA value of ${subject} v${version} without id and schema`);
  const references = Array.isArray(value.references) ? (value.references as SchemaReference[]) : [];
  return {
    subject,
    version,
    id: value.id as number,
    schemaType,
    references: references.map((r) => ({ name: r.name, subject: r.subject, version: r.version })),
    schema: value.schema,
    deleted: value.deleted === true,
  };
}

function parseObject(bytes: Buffer, what: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new SchemaRecordError(`${what} is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new SchemaRecordError(`${what} is not a JSON object`);
  return parsed as Record<string, unknown>;
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}
