import type { Client } from 'pg';
import { chunkSourceOf, keyOfText, keyRow, type SnapshotTable, type TextRow } from './chunk-queries';

export { qualifiedName, quoteIdent, type SnapshotTable, type TextRow } from './chunk-queries';

/** One chunk's query: the first when `after` is undefined, otherwise the one after that key. */
type ChunkQuery = (after: readonly (string | null)[] | undefined) => {
  text: string;
  values: (string | null)[];
  rowMode: 'array';
};

/** The key of a chunk's last row, in the text form the next chunk's query takes. */
type TailKey = (rows: TextRow[]) => (string | null)[];

function chunkQueries(table: SnapshotTable, chunkSize: number): { query: ChunkQuery; tailKey: TailKey } {
  const source = chunkSourceOf(table);
  const { select, from, keyList } = source;
  return {
    query: (last) => {
      const where = last === undefined ? '' : `WHERE (${keyList}) > ${keyRow(source, 1)}`;
      return {
        text: `SELECT ${select} FROM ${from} ${where} ORDER BY ${keyList} LIMIT ${chunkSize}`,
        values: last === undefined ? [] : [...last],
        rowMode: 'array',
      };
    },
    tailKey: (rows) => keyOfText(source, rows[rows.length - 1]!),
  };
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
  const { query, tailKey } = chunkQueries(table, chunkSize);
  let last = after;
  for (;;) {
    const { rows } = await client.query<TextRow>(query(last));
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < chunkSize) return;
    last = tailKey(rows);
  }
}

/**
 * readChunks, one chunk ahead: the next chunk's query is sent as soon as a chunk arrives,
 * before the caller works on it, so Postgres (a process of its own) reads and prints the next
 * rows while this one encodes and sends the current ones. Same rows, same order.
 */
export async function* readChunksAhead(
  client: Client,
  table: SnapshotTable,
  chunkSize: number,
  after?: readonly (string | null)[],
): AsyncGenerator<TextRow[]> {
  const { query, tailKey } = chunkQueries(table, chunkSize);
  const send = (last: readonly (string | null)[] | undefined) => {
    const pending = client.query<TextRow>(query(last));
    // A failure while the caller still works on the previous chunk is not "unhandled" (which
    // would end the process): it is thrown to the caller when it asks for this chunk.
    pending.catch(() => undefined);
    return pending;
  };
  let next: Promise<{ rows: TextRow[] }> | undefined = send(after);
  while (next !== undefined) {
    const { rows }: { rows: TextRow[] } = await next;
    next = undefined;
    if (rows.length === 0) return;
    if (rows.length === chunkSize) next = send(tailKey(rows));
    yield rows;
  }
}
