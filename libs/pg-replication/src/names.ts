import { escapeIdentifier } from 'pg';
import { ReplicationError } from './replication-error';

/** Slot names Postgres accepts: lower-case letters, digits and underscores, at most 63 bytes. */
const SLOT_NAME = /^[a-z0-9_]{1,63}$/;

/** Throws a usage ReplicationError unless `name` is a valid replication slot name. */
export function checkSlotName(name: string): string {
  if (!SLOT_NAME.test(name)) {
    throw new ReplicationError(
      'usage',
      `invalid replication slot name ${JSON.stringify(name)}: use 1-63 lower-case letters, digits and underscores`,
    );
  }
  return name;
}

/** A table, optionally schema-qualified. A plain string is one (unqualified) name, never split on '.'. */
export type TableName = string | { readonly schema?: string; readonly name: string };

/** `"schema"."name"` or `"name"`, each part quoted as an SQL identifier. */
export function quoteTableName(table: TableName): string {
  if (typeof table === 'string') return escapeIdentifier(table);
  return table.schema === undefined
    ? escapeIdentifier(table.name)
    : `${escapeIdentifier(table.schema)}.${escapeIdentifier(table.name)}`;
}

/**
 * A string literal for the replication command grammar, which knows only '…' with '' for a quote
 * (no E'…' escapes, backslashes are literal).
 */
export function replicationLiteral(value: string): string {
  if (value.includes('\0')) throw new ReplicationError('usage', 'a replication option cannot contain NUL');
  return `'${value.replaceAll("'", "''")}'`;
}

/** The publication_names option value: each name quoted as an identifier, comma-separated. */
export function publicationNamesOption(publications: readonly string[]): string {
  if (publications.length === 0) throw new ReplicationError('usage', 'at least one publication is required');
  return replicationLiteral(publications.map((name) => escapeIdentifier(name)).join(','));
}
