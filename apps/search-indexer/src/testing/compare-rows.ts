import type { Row } from '@trunkline/pipeline';
import type { Client } from 'pg';

/** A document table's rows as `id → "version|title|body"`, for comparing a sink with its source. */
export type RowDigest = Map<number, string>;

const digest = (row: Row) => `${Number(row.version)}|${String(row.title)}|${String(row.body)}`;

export async function sourceRows(sql: Client, table: string): Promise<RowDigest> {
  const { rows } = await sql.query<Row>(`SELECT id, title, body, version FROM ${table}`);
  return new Map(rows.map((row) => [Number(row.id), digest(row)]));
}

export function indexedRows(rows: readonly Row[]): RowDigest {
  return new Map(rows.map((row) => [Number(row.id), digest(row)]));
}

/** Rows that differ: missing from the index, extra in it, or at another version. */
export function differences(source: RowDigest, indexed: RowDigest): string[] {
  const out: string[] = [];
  for (const [id, expected] of source) {
    const found = indexed.get(id);
    if (found !== expected) out.push(`id ${id}: expected ${expected}, indexed ${found ?? 'nothing'}`);
  }
  for (const id of indexed.keys())
    if (!source.has(id)) out.push(`id ${id}: indexed but deleted in the source`);
  return out;
}

/** Polls until `compare` finds no difference; fails with the first few after `timeoutMs`. */
export async function waitForEqual(compare: () => Promise<string[]>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let diff: string[] = [];
  while (Date.now() < deadline) {
    diff = await compare();
    if (diff.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(
    `the index still differs from the source in ${diff.length} rows: ${diff.slice(0, 5).join('; ')}`,
  );
}
