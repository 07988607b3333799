import type { Client } from 'pg';
import type { CapturedTable } from '../capture/captured-table';

/** What a snapshot reads of one table: its columns and the key that orders the chunks. */
export interface SnapshotTable {
  schema: string;
  table: string;
  /** Every column, in the order rows are returned, with its type as format_type() prints it. */
  columns: readonly { name: string; typeName: string }[];
  /** Columns of the primary key (or the configured key), in key order. */
  key: readonly string[];
}

/** A row as Postgres prints it: each column's text form, or null. */
export type TextRow = (string | null)[];

/** A key as its columns' text forms, in key order: where a chunk starts or a table ends. */
export type KeyText = (string | null)[];

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function qualifiedName(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}

/** The SQL pieces every chunk query of one table is made of. */
export interface ChunkSource {
  from: string;
  /**
   * Every column as `::text`, named c0, c1, ...: ORDER BY a name that is also an output column
   * sorts by the output, here the text form, not by the key's own type.
   */
  select: string;
  keyList: string;
  keyListDescending: string;
  keyTypes: string[];
  /** Where each key column is in a selected row. */
  keyIndexes: number[];
}

export function chunkSourceOf(table: SnapshotTable): ChunkSource {
  if (table.key.length === 0)
    throw new Error(`${table.schema}.${table.table} has no key to read it in order by`);
  const columns = table.columns.map((c) => c.name);
  return {
    from: `${qualifiedName(table.schema, table.table)} AS t`,
    select: columns.map((c, i) => `t.${quoteIdent(c)}::text AS c${i}`).join(', '),
    keyList: table.key.map((k) => `t.${quoteIdent(k)}`).join(', '),
    keyListDescending: table.key.map((k) => `t.${quoteIdent(k)} DESC`).join(', '),
    keyTypes: table.key.map((k) => table.columns.find((c) => c.name === k)?.typeName ?? 'text'),
    keyIndexes: table.key.map((k) => columns.indexOf(k)),
  };
}

/** `($n::type, ...)`: a key as query parameters, cast to the key columns' types. */
export function keyRow(source: ChunkSource, firstParam: number): string {
  return `(${source.keyTypes.map((type, i) => `$${firstParam + i}::${type}`).join(', ')})`;
}

/** Each column's type as format_type() prints it: what a key value is cast to in a chunk query. */
export async function columnTypes(client: Client, relationId: number): Promise<Map<string, string>> {
  const { rows } = await client.query<{ attname: string; type: string }>(
    `SELECT attname, format_type(atttypid, atttypmod) AS type FROM pg_attribute
      WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped`,
    [relationId],
  );
  return new Map(rows.map((r) => [r.attname, r.type]));
}

/** The table's row count as the planner estimates it (pg_class.reltuples): a progress total. */
export async function estimateRows(client: Client, relationId: number): Promise<number> {
  const { rows } = await client.query<{ estimate: string }>(
    'SELECT greatest(reltuples, 0)::bigint AS estimate FROM pg_class WHERE oid = $1',
    [relationId],
  );
  return Number(rows[0]?.estimate ?? 0);
}

/** A captured table as a snapshot reads it: the codec's columns with their types, and its key. */
export async function snapshotTable(client: Client, table: CapturedTable): Promise<SnapshotTable> {
  const types = await columnTypes(client, table.relationId);
  return {
    schema: table.codec.table.schema,
    table: table.codec.table.table,
    columns: table.codec.fields.map(({ column }) => ({
      name: column.name,
      typeName: types.get(column.name)!,
    })),
    key: table.codec.table.primaryKey,
  };
}

/** The largest key now, or undefined for an empty table: an incremental snapshot reads up to it. */
export async function lastKey(client: Client, source: ChunkSource): Promise<KeyText | undefined> {
  const { rows } = await client.query<TextRow>({
    text: `SELECT ${source.select} FROM ${source.from} ORDER BY ${source.keyListDescending} LIMIT 1`,
    rowMode: 'array',
  });
  return rows[0] === undefined ? undefined : keyOfText(source, rows[0]);
}

/** Up to `limit` rows after `after` (from the start when null) and no further than `upTo`, in key order. */
export async function readChunk(
  client: Client,
  source: ChunkSource,
  after: KeyText | null,
  upTo: KeyText,
  limit: number,
): Promise<TextRow[]> {
  const bounds = [`(${source.keyList}) <= ${keyRow(source, 1)}`];
  if (after !== null) bounds.push(`(${source.keyList}) > ${keyRow(source, upTo.length + 1)}`);
  const { rows } = await client.query<TextRow>({
    text: `SELECT ${source.select} FROM ${source.from} WHERE ${bounds.join(' AND ')}
            ORDER BY ${source.keyList} LIMIT ${limit}`,
    values: after === null ? [...upTo] : [...upTo, ...after],
    rowMode: 'array',
  });
  return rows;
}

export function keyOfText(source: ChunkSource, row: TextRow): KeyText {
  return source.keyIndexes.map((i) => row[i] ?? null);
}
