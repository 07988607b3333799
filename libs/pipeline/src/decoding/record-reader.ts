import type { StoredSchema } from '@trunkline/serde';
import type { ChangeOperation, Row, SinkColumn } from '../sink-change';

/** A change event's envelope as every format reads it, row values in the sinks' forms. */
export interface DecodedEnvelope {
  before: Row | null;
  after: Row | null;
  op: ChangeOperation;
  /** `source.schema` and `source.table`. */
  schema: string;
  table: string;
  /** `source.lsn`; null when the source gave none. */
  lsn: bigint | null;
  /** `source.ts_ms`. */
  commitTimeMs: number;
}

/**
 * Reads the values written with one registered envelope schema. Row values come out as the
 * adapters expect them, whatever the format: 64-bit integers, microsecond times and timestamps
 * as bigints, dates as days since the epoch, decimals as their decimal text, JSON as its text,
 * bytes as Buffers.
 */
export interface ValueReader {
  /** The row's columns, from the schema of `before`/`after`. */
  readonly columns: SinkColumn[];
  read(framed: Buffer): DecodedEnvelope;
}

/** Reads the keys written with one registered key schema. */
export interface KeyReader {
  /** Key fields, in key order. */
  readonly fields: string[];
  read(framed: Buffer): Row;
}

/** One of the registry's schema types, as sinks read it. */
export interface RecordFormat {
  valueReader(schemaId: number, schema: StoredSchema): Promise<ValueReader>;
  keyReader(schemaId: number, schema: StoredSchema): Promise<KeyReader>;
}

const OPERATIONS: ReadonlySet<string> = new Set(['c', 'u', 'd', 'r', 't']);

/** Checks an envelope's `op`. */
export function operationOf(value: unknown): ChangeOperation {
  if (typeof value !== 'string' || !OPERATIONS.has(value)) {
    throw new Error(`op ${JSON.stringify(value)} is not one of c, u, d, r, t`);
  }
  return value as ChangeOperation;
}

/** A `long`/`integer` field that may come as a number, a bigint or a decimal string. */
export function bigintOf(value: unknown): bigint | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  throw new Error(`${JSON.stringify(value)} is not an integer`);
}

/**
 * The envelope of a decoded change event, whatever its format: `readRow` turns `before` and
 * `after` into the sinks' row forms.
 */
export function envelopeOf(
  value: Record<string, unknown>,
  readRow: (row: unknown) => Row | null,
): DecodedEnvelope {
  const source = (typeof value.source === 'object' && value.source !== null ? value.source : {}) as Record<
    string,
    unknown
  >;
  return {
    before: readRow(value.before),
    after: readRow(value.after),
    op: operationOf(value.op),
    schema: String(source.schema),
    table: String(source.table),
    lsn: bigintOf(source.lsn),
    commitTimeMs: Number(source.ts_ms),
  };
}
