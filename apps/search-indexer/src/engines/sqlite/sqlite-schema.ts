import { createHash } from 'node:crypto';
import { basename, dirname, extname, join } from 'node:path';
import type { SinkTable } from '@trunkline/pipeline';

/**
 * Database generations. The engine is opened on one path (`/data/search.db`); a rebuild writes a
 * whole new database file beside it, and its swap makes that file the current one. Generation 1
 * is the path itself; generation n > 1 is `<stem>.v<n><ext>` (`/data/search.v2.db`). Which
 * generation is current is the number in `<path>.current`, replaced by a rename (atomic), so a
 * crash leaves it naming either the old file or the new one; without that file it is 1.
 */
export function generationFile(path: string, generation: number): string {
  if (generation === 1) return path;
  const ext = extname(path);
  return join(dirname(path), `${basename(path, ext)}.v${generation}${ext}`);
}

/** The generation of `file` (a name in `path`'s folder), or undefined when it is none of them. */
export function generationOfFile(path: string, file: string): number | undefined {
  if (file === basename(path)) return 1;
  const ext = extname(path);
  const stem = basename(path, ext);
  if (!file.startsWith(`${stem}.v`) || !file.endsWith(ext)) return undefined;
  const digits = file.slice(stem.length + 2, file.length - ext.length);
  if (!/^[1-9][0-9]*$/.test(digits)) return undefined;
  const generation = Number(digits);
  return Number.isSafeInteger(generation) && generation > 1 ? generation : undefined;
}

/** The file naming the current generation. */
export function pointerFile(path: string): string {
  return `${path}.current`;
}

/** The files SQLite keeps beside a database in WAL mode: they belong to that one generation. */
export const SIDE_FILE_SUFFIXES = ['-wal', '-shm', '-journal'] as const;

/**
 * The SQLite schema of the embedded search engine. One database file holds:
 *
 * - `sink_tables`: one row per source table (`schema.table`): the base name of its SQL objects,
 *   its key columns, the text columns indexed (in FTS column order), the schema id last
 *   prepared, and the LSN of the latest truncate applied (changes older than it are ignored).
 * - `offsets(topic, partition, next_offset)`: where each partition resumes, written in the
 *   same transaction as the data.
 * - per source table, named from `<base>` (see `baseName`):
 *   - `<base>_docs(rid INTEGER PRIMARY KEY, key TEXT UNIQUE, doc TEXT, lsn, offset)`: the key as
 *     canonical JSON text (unique, the natural primary key), the row as JSON (null: deleted, the
 *     row kept as a marker so an older change replayed later cannot bring it back), the LSN and
 *     offset of the change that wrote it. `rid` is an explicit rowid alias so a VACUUM never
 *     renumbers what the full-text index refers to.
 *   - `<base>_text`: a view of the live documents' text columns (`c0`, `c1`, ... extracted from
 *     the JSON), the external content of
 *   - `<base>_fts`: an FTS5 table (unicode61 tokenizer, diacritics removed) over that view.
 *     Index entries are written and removed from the view's rows, so what is removed is always
 *     exactly what was added.
 */
export const BOOTSTRAP = `
  CREATE TABLE IF NOT EXISTS sink_tables (
    name TEXT PRIMARY KEY,
    base TEXT NOT NULL UNIQUE,
    key_columns TEXT NOT NULL,
    text_columns TEXT NOT NULL,
    schema_id INTEGER NOT NULL,
    truncated_lsn INTEGER
  ) STRICT;
  CREATE TABLE IF NOT EXISTS offsets (
    topic TEXT NOT NULL,
    partition INTEGER NOT NULL,
    next_offset INTEGER NOT NULL,
    PRIMARY KEY (topic, partition)
  ) STRICT;
`;

/** A source table as registered in `sink_tables`. */
export interface TableMeta {
  name: string;
  base: string;
  keyColumns: string[];
  textColumns: string[];
  schemaId: number;
  truncatedLsn: bigint | null;
}

/**
 * The base of a table's SQL names: `t_` + the name with anything but `[a-z0-9_]` turned into `_`
 * (at most 40 characters) + 8 hex digits of its SHA-256, so two names never collide and no name
 * needs more than plain identifier quoting.
 */
export function baseName(table: string): string {
  const readable = table
    .toLowerCase()
    .replaceAll(/[^a-z0-9_]/g, '_')
    .slice(0, 40);
  const hash = createHash('sha256').update(table).digest('hex').slice(0, 8);
  return `t_${readable}_${hash}`;
}

/** The SQL names of one table's objects, quoted. */
export function names(base: string): { docs: string; text: string; fts: string } {
  return { docs: `"${base}_docs"`, text: `"${base}_text"`, fts: `"${base}_fts"` };
}

/** A JSON path selecting one top-level field, whatever characters its name has. */
export function fieldPath(field: string): string {
  return `$.${JSON.stringify(field)}`;
}

function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** The FTS column names for `count` text columns: `c0`, `c1`, ...; at least one, FTS5 needs it. */
export function ftsColumns(count: number): string[] {
  return Array.from({ length: Math.max(1, count) }, (_, i) => `c${i}`);
}

export function createDocsTable(base: string): string {
  return `CREATE TABLE IF NOT EXISTS ${names(base).docs} (
    rid INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    doc TEXT,
    lsn INTEGER NOT NULL,
    "offset" INTEGER NOT NULL
  ) STRICT`;
}

/** Drops and creates the view and the FTS table over `textColumns`, then indexes every live row. */
export function createTextIndex(base: string, textColumns: readonly string[]): string[] {
  const n = names(base);
  const columns = ftsColumns(textColumns.length);
  const extracted =
    textColumns.length === 0
      ? ['NULL AS c0']
      : textColumns.map((field, i) => `json_extract(doc, ${sqlString(fieldPath(field))}) AS c${i}`);
  return [
    `DROP TABLE IF EXISTS ${n.fts}`,
    `DROP VIEW IF EXISTS ${n.text}`,
    `CREATE VIEW ${n.text} AS SELECT rid, ${extracted.join(', ')} FROM ${n.docs} WHERE doc IS NOT NULL`,
    `CREATE VIRTUAL TABLE ${n.fts} USING fts5(${columns.join(', ')}, content=${sqlString(`${base}_text`)}, content_rowid='rid', tokenize='unicode61 remove_diacritics 2')`,
    `INSERT INTO ${n.fts}(${n.fts}) VALUES ('rebuild')`,
  ];
}

/** The text columns a table has once `table` is prepared: the old ones, then new string columns. */
export function evolvedTextColumns(current: readonly string[], table: SinkTable): string[] {
  const out = [...current];
  for (const column of table.columns) {
    if (column.type === 'string' && !out.includes(column.name)) out.push(column.name);
  }
  return out;
}
