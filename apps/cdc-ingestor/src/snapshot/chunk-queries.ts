import type { Client } from 'pg';
import type { CapturedTable } from '../capture/captured-table';
import { qualifiedName, quoteIdent, type TextRow } from './chunked-reader';

/** A key as its columns' text forms, in key order: where a chunk starts or a table ends. */
export type KeyText = (string | null)[];

/** What chunk queries of one table need: its columns and the key's columns with their types. */
export interface ChunkSource {
  from: string;
  /** Every codec column as `::text`, named c0, c1, ... (never sorted by their text form). */
  select: string;
  keyList: string;
  keyListDescending: string;
  keyTypes: string[];
  /** Where each key column is in a selected row. */
  keyIndexes: number[];
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

/** Reads the column types a chunk query casts key values to. */
export async function chunkSource(client: Client, table: CapturedTable): Promise<ChunkSource> {
  const types = await columnTypes(client, table.relationId);
  const columns = table.codec.fields.map(({ column }) => column.name);
  const key = table.codec.table.primaryKey;
  if (key.length === 0) throw new Error(`${table.name} has no key to read it in chunks by`);
  return {
    from: `${qualifiedName(table.codec.table.schema, table.codec.table.table)} AS t`,
    select: columns.map((c, i) => `t.${quoteIdent(c)}::text AS c${i}`).join(', '),
    keyList: key.map((k) => `t.${quoteIdent(k)}`).join(', '),
    keyListDescending: key.map((k) => `t.${quoteIdent(k)} DESC`).join(', '),
    keyTypes: key.map((k) => types.get(k) ?? 'text'),
    keyIndexes: key.map((k) => columns.indexOf(k)),
  };
}

function keyRow(source: ChunkSource, firstParam: number): string {
  return `(${source.keyTypes.map((type, i) => `$${firstParam + i}::${type}`).join(', ')})`;
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
