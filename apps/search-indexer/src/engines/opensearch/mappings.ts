import { createHash } from 'node:crypto';
import type { Row, SinkColumn, SinkColumnType, SinkTable } from '@trunkline/pipeline';
import { Code, TrunklineError } from '@trunkline/runtime';

/** The field every document carries beside the row: the source LSN it was written from. */
export const INTERNAL_FIELD = '_trunkline';

/** One field's mapping, as OpenSearch takes it in `properties`. */
export type FieldMapping = Record<string, unknown> & { type: string };

/**
 * A column as the pipeline may describe it later: `SinkColumn` has no element type for arrays
 * and no dimension for vectors yet; when it gets them under these names, they are used.
 */
type DescribedColumn = SinkColumn & { items?: SinkColumnType };

/** Longest string kept in a `.keyword` subfield: 32766 bytes (Lucene's term limit) / 4. */
const KEYWORD_IGNORE_ABOVE = 8191;

/** The subfield exact filters use on string columns. */
export const KEYWORD_SUBFIELD = 'keyword';

/**
 * How each column type is indexed:
 *
 * | column    | field                                                   | value in `_source`             |
 * |-----------|---------------------------------------------------------|--------------------------------|
 * | string    | `text` (standard analyzer) + `.keyword` for filters      | the string                     |
 * | integer   | `long`                                                  | number (string beyond 2^53)    |
 * | float     | `double`                                                | number                         |
 * | boolean   | `boolean`                                               | boolean                        |
 * | decimal   | `keyword`: exact and lossless, filterable by its text    | decimal text ("12.30")         |
 * | timestamp | `date` (millisecond precision when queried)             | ISO-8601 UTC, microseconds     |
 * | date      | `date` (`strict_date`)                                  | `YYYY-MM-DD`                   |
 * | time      | `keyword`                                               | `HH:MM:SS.ffffff`              |
 * | json      | `text`: the JSON is searchable as words                 | the JSON text                  |
 * | bytes     | `binary` (stored, not indexed)                          | base64                         |
 * | array     | the element's field when known, else not indexed        | array of converted elements    |
 * | vector    | `float`, not indexed, no doc values (kept for reading)  | array of numbers               |
 *
 * `decimal` is a keyword rather than `scaled_float` because a scaled float needs one scale for
 * the whole field and rounds to it, and `double` loses digits: a keyword keeps the exact value
 * and still answers exact filters. Timestamps are `date`, not `date_nanos`, because
 * `date_nanos` cannot hold instants before 1970; `_source` keeps the microseconds.
 */
export function fieldMapping(column: SinkColumn): FieldMapping {
  if (column.type === 'array') {
    const items = (column as DescribedColumn).items;
    if (items !== undefined && items !== 'array') return fieldMapping({ ...column, type: items });
    return { type: 'object', enabled: false };
  }
  return scalarMapping(column.type);
}

function scalarMapping(type: SinkColumnType): FieldMapping {
  switch (type) {
    case 'string':
      return {
        type: 'text',
        fields: { [KEYWORD_SUBFIELD]: { type: 'keyword', ignore_above: KEYWORD_IGNORE_ABOVE } },
      };
    case 'integer':
      return { type: 'long' };
    case 'float':
      return { type: 'double' };
    case 'boolean':
      return { type: 'boolean' };
    case 'decimal':
      return { type: 'keyword', ignore_above: KEYWORD_IGNORE_ABOVE };
    case 'timestamp':
      return { type: 'date', format: 'strict_date_optional_time' };
    case 'date':
      return { type: 'date', format: 'strict_date' };
    case 'time':
      return { type: 'keyword' };
    case 'json':
      return { type: 'text' };
    case 'bytes':
      return { type: 'binary' };
    case 'vector':
      return { type: 'float', index: false, doc_values: false };
    case 'array':
      return { type: 'object', enabled: false };
  }
}

/** What the index records about its table in the mapping's `_meta`. */
export interface IndexMeta {
  table: string;
  key: string[];
  schemaId: number;
  /** Fields searched by full-text queries (the text fields), and highlighted. */
  textFields: string[];
  /** Fields filtered through their `.keyword` subfield (string columns). */
  keywordFields: string[];
}

/** Columns whose values are searched as words. */
export function textFields(table: SinkTable): string[] {
  return table.columns.filter((c) => fieldMapping(c).type === 'text').map((c) => c.name);
}

export function indexMeta(table: SinkTable): IndexMeta {
  const text = textFields(table);
  return {
    table: table.name,
    key: [...table.key],
    schemaId: table.schemaId,
    textFields: text,
    keywordFields: table.columns.filter((c) => c.type === 'string').map((c) => c.name),
  };
}

/**
 * The whole mapping of a table's index. `dynamic: false` keeps fields the table does not declare
 * in `_source` without indexing them, so an unexpected value never fails a document.
 */
export function tableMappings(table: SinkTable): Record<string, unknown> {
  for (const column of table.columns) {
    if (column.name === INTERNAL_FIELD) {
      throw new TrunklineError(
        Code.InvalidArgument,
        `table ${table.name} has a column named ${INTERNAL_FIELD}, which the OpenSearch adapter keeps for itself`,
        { details: { table: table.name, column: column.name } },
      );
    }
  }
  const properties: Record<string, FieldMapping> = {
    [INTERNAL_FIELD]: { type: 'object', properties: { lsn: { type: 'long' } } } as FieldMapping,
  };
  for (const column of table.columns) properties[column.name] = fieldMapping(column);
  return { dynamic: false, _meta: { trunkline: indexMeta(table) }, properties };
}

/**
 * The properties `table` needs that `existing` (an index's current properties) lacks. A column
 * whose type changed cannot be remapped in place: that throws FAILED_PRECONDITION (the index has
 * to be rebuilt into a new generation).
 */
export function missingProperties(
  table: SinkTable,
  existing: Record<string, { type?: string }>,
): Record<string, FieldMapping> {
  const missing: Record<string, FieldMapping> = {};
  for (const column of table.columns) {
    const wanted = fieldMapping(column);
    const current = existing[column.name];
    if (current === undefined) {
      missing[column.name] = wanted;
      continue;
    }
    const currentType = current.type ?? 'object';
    if (currentType !== wanted.type) {
      throw new TrunklineError(
        Code.FailedPrecondition,
        `column ${table.name}.${column.name} is now ${column.type} (OpenSearch ${wanted.type}) but its index maps it as ${currentType}: the index must be rebuilt`,
        { details: { table: table.name, column: column.name, mapped: currentType, wanted: wanted.type } },
      );
    }
  }
  return missing;
}

const MICROS_PER_MS = 1000n;
const MICROS_PER_DAY = 86_400_000_000n;
const MS_PER_DAY = 86_400_000;

/** A JSON-safe integer: a number when exact, else its decimal text (OpenSearch coerces it). */
function integerValue(value: bigint): number | string {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value.toString();
}

function toBigInt(value: unknown): bigint | undefined {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  return undefined;
}

/** Microseconds since the epoch as ISO-8601 UTC with six fraction digits. */
export function timestampText(micros: bigint): string {
  let ms = micros / MICROS_PER_MS;
  let rest = micros % MICROS_PER_MS;
  if (rest < 0n) {
    rest += MICROS_PER_MS;
    ms -= 1n;
  }
  const iso = new Date(Number(ms)).toISOString(); // …T12:34:56.789Z
  return `${iso.slice(0, -1)}${rest.toString().padStart(3, '0')}Z`;
}

/** Days since the epoch as `YYYY-MM-DD`. */
export function dateText(days: number): string {
  return new Date(days * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Microseconds since midnight as `HH:MM:SS.ffffff`. */
export function timeText(micros: bigint): string {
  const total = ((micros % MICROS_PER_DAY) + MICROS_PER_DAY) % MICROS_PER_DAY;
  const seconds = total / 1_000_000n;
  const fraction = (total % 1_000_000n).toString().padStart(6, '0');
  const pad = (n: bigint) => n.toString().padStart(2, '0');
  return `${pad(seconds / 3600n)}:${pad((seconds / 60n) % 60n)}:${pad(seconds % 60n)}.${fraction}`;
}

/** A value without a declared column: bigints made JSON-safe, bytes as base64, the rest as is. */
function genericValue(value: unknown): unknown {
  if (typeof value === 'bigint') return integerValue(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(genericValue);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, genericValue(v)]));
  }
  return value;
}

/** One value of a column as the document holds it (see `fieldMapping` for the table). */
export function fieldValue(type: SinkColumnType, value: unknown, items?: SinkColumnType): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'integer': {
      const n = toBigInt(value);
      return n === undefined ? genericValue(value) : integerValue(n);
    }
    case 'float':
      return typeof value === 'bigint' ? Number(value) : value;
    case 'decimal':
      return typeof value === 'string' ? value : String(value);
    case 'timestamp': {
      if (value instanceof Date) return value.toISOString();
      const micros = toBigInt(value);
      return micros === undefined ? value : timestampText(micros);
    }
    case 'date': {
      if (value instanceof Date) return value.toISOString().slice(0, 10);
      return typeof value === 'number' ? dateText(value) : genericValue(value);
    }
    case 'time': {
      const micros = toBigInt(value);
      return micros === undefined ? value : timeText(micros);
    }
    case 'json':
      return typeof value === 'string' ? value : JSON.stringify(genericValue(value));
    case 'bytes':
      return value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value;
    case 'array':
      if (!Array.isArray(value)) return genericValue(value);
      return items === undefined || items === 'array'
        ? value.map(genericValue)
        : value.map((v) => fieldValue(items, v));
    case 'vector':
      return Array.isArray(value) ? value.map(Number) : genericValue(value);
    default:
      return genericValue(value);
  }
}

/** The document for a row: declared columns converted, other fields kept, and the LSN. */
export function toDocument(table: SinkTable, row: Row, lsn: bigint): Record<string, unknown> {
  const columns = new Map(table.columns.map((c) => [c.name, c]));
  const document: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) {
    if (name === INTERNAL_FIELD) continue;
    const column = columns.get(name) as DescribedColumn | undefined;
    document[name] =
      column === undefined ? genericValue(value) : fieldValue(column.type, value, column.items);
  }
  document[INTERNAL_FIELD] = { lsn: integerValue(lsn) };
  return document;
}

/** A stored document without the adapter's own fields: the row as indexed. */
export function fromDocument(source: Record<string, unknown>): Row {
  const { [INTERNAL_FIELD]: _internal, ...row } = source;
  return row;
}

/** OpenSearch refuses `_id`s over 512 bytes. */
const MAX_ID_BYTES = 512;

/**
 * The document id of a key: JSON of the key fields in the table's key order, integers written
 * as integers whether they came as numbers or bigints (`{"id":1}`). A key whose JSON is over 512
 * bytes becomes `sha256:<hex>` of it.
 */
export function documentId(keyFields: readonly string[], key: Row): string {
  const fields = [...keyFields];
  // Key fields the table does not declare (it should not happen): sorted, after the declared ones.
  for (const field of Object.keys(key).sort()) if (!fields.includes(field)) fields.push(field);
  const json = `{${fields.map((f) => `${JSON.stringify(f)}:${idValue(key[f])}`).join(',')}}`;
  if (Buffer.byteLength(json) <= MAX_ID_BYTES) return json;
  return `sha256:${createHash('sha256').update(json).digest('hex')}`;
}

function idValue(value: unknown): string {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && Number.isInteger(value)) return value.toString();
  return JSON.stringify(genericValue(value ?? null));
}
