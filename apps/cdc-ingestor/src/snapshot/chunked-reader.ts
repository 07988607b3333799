import type { Client } from 'pg';

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

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function qualifiedName(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}

/**
 * Reads a table in key order, `chunkSize` rows at a time, on a connection whose transaction
 * holds the snapshot (keyset pagination: each chunk starts after the last key read, so a
 * chunk costs an index range scan however deep the table). Values come back in their text
 * form, the same form pgoutput streams, so one set of parsers reads both.
 */
export async function* readChunks(
  client: Client,
  table: SnapshotTable,
  chunkSize: number,
  after?: readonly (string | null)[],
): AsyncGenerator<TextRow[]> {
  if (table.key.length === 0)
    throw new Error(`${table.schema}.${table.table} has no key to read it in order by`);
  // Output columns get names of their own (c0, c1, ...): ORDER BY a name that is also an
  // output column sorts by the output, here the text form, not by the key's own type.
  const select = table.columns.map((c, i) => `t.${quoteIdent(c.name)}::text AS c${i}`).join(', ');
  const from = `${qualifiedName(table.schema, table.table)} AS t`;
  const keyList = table.key.map((k) => `t.${quoteIdent(k)}`).join(', ');
  const keyIndexes = table.key.map((k) => table.columns.findIndex((c) => c.name === k));
  const keyTypes = table.key.map((k) => table.columns.find((c) => c.name === k)!.typeName);
  let last = after;
  for (;;) {
    const params: (string | null)[] = last === undefined ? [] : [...last];
    const where =
      last === undefined
        ? ''
        : `WHERE (${keyList}) > (${keyTypes.map((type, i) => `$${i + 1}::${type}`).join(', ')})`;
    const { rows } = await client.query<TextRow>({
      text: `SELECT ${select} FROM ${from} ${where} ORDER BY ${keyList} LIMIT ${chunkSize}`,
      values: params,
      rowMode: 'array',
    });
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < chunkSize) return;
    const tail = rows[rows.length - 1]!;
    last = keyIndexes.map((i) => tail[i] ?? null);
  }
}
