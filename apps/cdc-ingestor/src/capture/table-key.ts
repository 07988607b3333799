import type { Setting } from '@trunkline/runtime';
import type { TableDescription } from '../columns';

/** Configured key columns by `schema.table`, in key order. */
export type KeyColumns = ReadonlyMap<string, readonly string[]>;

const KEY_COLUMNS_SYNTAX =
  'schema.table:column[,column...] entries separated by ; (e.g. public.events:tenant_id,seq;public.log:id)';

/**
 * Reads Debezium's `message.key.columns` syntax, `schema.table:col1,col2;schema.table2:colA`:
 * each table once, each with at least one column and no column twice. Names are matched
 * exactly as the catalog spells them. Undefined when the text is not valid.
 */
export function parseKeyColumns(raw: string): Map<string, string[]> | undefined {
  const keys = new Map<string, string[]>();
  const entries = raw
    .split(';')
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length === 0) return undefined;
  for (const entry of entries) {
    const colon = entry.indexOf(':');
    if (colon === -1) return undefined;
    const table = entry.slice(0, colon).trim();
    const dot = table.indexOf('.');
    if (dot <= 0 || dot === table.length - 1) return undefined;
    const name = `${table.slice(0, dot).trim()}.${table.slice(dot + 1).trim()}`;
    const columns = entry
      .slice(colon + 1)
      .split(',')
      .map((c) => c.trim());
    if (columns.some((c) => c === '') || new Set(columns).size !== columns.length) return undefined;
    if (keys.has(name)) return undefined;
    keys.set(name, columns);
  }
  return keys;
}

export function formatKeyColumns(keys: KeyColumns): string {
  return [...keys].map(([table, columns]) => `${table}:${columns.join(',')}`).join(';');
}

/** `--key-columns`: the setting, parsed and checked when the service starts. */
export function keyColumnsSetting(options: { describe: string }): Setting<KeyColumns | undefined> {
  return {
    describe: options.describe,
    expected: KEY_COLUMNS_SYNTAX,
    placeholder: '<schema.table:col,...;...>',
    defaultValue: undefined,
    required: false,
    parse: parseKeyColumns,
    format: (value) => (value === undefined ? '' : formatKeyColumns(value)),
  };
}

/** What a table is keyed by, or why it cannot be captured. */
export type TableKey = { key: string[]; warnings: string[] } | { refused: string };

export interface TableKeyOptions {
  /** Columns of each unique index without a predicate or expressions, to tell whether a key is unique. */
  uniqueIndexes?: readonly (readonly string[])[];
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Decides a table's message key: the configured columns when `--key-columns` names the table
 * (even over a primary key, as Debezium's message.key.columns does), else the primary key.
 * Refused: no key at all, configured columns it lacks or pgoutput does not stream (generated),
 * or a replica identity whose old rows leave key columns out (a delete's key would be lost).
 * Warned: a replica identity that gives no old row (Postgres then refuses UPDATE and DELETE on
 * the published table), and a configured key not known to be unique and not null.
 */
export function resolveTableKey(
  table: TableDescription,
  configured: readonly string[] | undefined,
  options: TableKeyOptions = {},
): TableKey {
  const name = `${table.schema}.${table.table}`;
  const sqlName = `${quote(table.schema)}.${quote(table.table)}`;
  if (configured !== undefined) {
    const missing = configured.filter((c) => !table.columns.some((column) => column.name === c));
    if (missing.length > 0)
      return {
        refused: `${name} is not captured: --key-columns names ${missing.map((c) => `"${c}"`).join(', ')}, which it does not have (its columns: ${table.columns.map((c) => c.name).join(', ')})`,
      };
    const generated = configured.filter((c) => table.columns.find((column) => column.name === c)?.generated);
    if (generated.length > 0)
      return {
        refused: `${name} is not captured: --key-columns names the generated column ${generated.join(', ')}, which logical replication does not send`,
      };
  }
  const key = [...(configured ?? table.primaryKey)];
  if (key.length === 0)
    return {
      refused: `${name} is not captured: it has no primary key. Name its key columns with --key-columns ${name}:<column>[,<column>...], add a primary key, or leave it out with --exclude-tables ${name}`,
    };
  const warnings: string[] = [];
  const identity = table.replicaIdentity;
  if (identity === 'nothing' || (identity === 'default' && table.primaryKey.length === 0)) {
    warnings.push(
      `${name} has REPLICA IDENTITY ${identity === 'nothing' ? 'NOTHING' : 'DEFAULT and no primary key'}: Postgres refuses UPDATE and DELETE on it while it is in the publication, and a delete could not carry its key; run ALTER TABLE ${sqlName} REPLICA IDENTITY FULL`,
    );
  } else if (identity !== 'full') {
    const uncovered = key.filter((c) => !table.replicaIdentityColumns.includes(c));
    if (uncovered.length > 0)
      return {
        refused: `${name} is not captured: its key (${key.join(', ')}) is not within its replica identity (${identity === 'index' ? 'USING INDEX' : 'DEFAULT, the primary key'}: ${table.replicaIdentityColumns.join(', ')}), so a delete would not carry ${uncovered.join(', ')}; run ALTER TABLE ${sqlName} REPLICA IDENTITY FULL, or USING INDEX with a unique index on key columns`,
      };
  }
  if (configured !== undefined && options.uniqueIndexes !== undefined) {
    const nullable = key.filter((c) => !table.columns.find((column) => column.name === c)!.notNull);
    const unique = options.uniqueIndexes.some(
      (index) => index.length > 0 && index.every((c) => key.includes(c)),
    );
    if (nullable.length > 0 || !unique)
      warnings.push(
        `the configured key of ${name} (${key.join(', ')}) is not ${nullable.length > 0 ? `declared NOT NULL (${nullable.join(', ')})` : 'backed by a unique index'}: events of different rows can share a key, and the snapshot, which reads the table in key order a chunk at a time, can miss rows whose key repeats (or holds a null) across a chunk boundary; a unique, NOT NULL key avoids both`,
      );
  }
  return { key, warnings };
}

/** The table described with `key` as its message key (what the codec and the snapshot read). */
export function keyedBy(table: TableDescription, key: readonly string[]): TableDescription {
  return {
    ...table,
    primaryKey: [...key],
    columns: table.columns.map((column) => ({ ...column, inPrimaryKey: key.includes(column.name) })),
  };
}
