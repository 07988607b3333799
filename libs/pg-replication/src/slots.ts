import { type ClientBase, escapeIdentifier } from 'pg';
import { type Lsn, parseLsn } from './lsn';
import { checkSlotName, quoteTableName, type TableName } from './names';
import { ReplicationError } from './replication-error';

/**
 * Slot and publication administration over a normal (non-replication) connection: a pg Client,
 * a PoolClient or anything else with pg's `query`.
 */
export type Queryable = Pick<ClientBase, 'query'>;

export interface SlotInfo {
  readonly slotName: string;
  readonly plugin: string | null;
  readonly database: string | null;
  readonly temporary: boolean;
  readonly active: boolean;
  readonly restartLsn?: Lsn;
  readonly confirmedFlushLsn?: Lsn;
}

async function run<R extends Record<string, unknown>>(
  client: Queryable,
  text: string,
  values: unknown[] = [],
): Promise<R[]> {
  try {
    return (await client.query<R>(text, values)).rows;
  } catch (error) {
    throw ReplicationError.from(error, text);
  }
}

/** The slot as pg_replication_slots shows it, or undefined when there is none of that name. */
export async function getSlot(client: Queryable, name: string): Promise<SlotInfo | undefined> {
  const [row] = await run<{
    slot_name: string;
    plugin: string | null;
    database: string | null;
    temporary: boolean;
    active: boolean;
    restart_lsn: string | null;
    confirmed_flush_lsn: string | null;
  }>(
    client,
    `select slot_name, plugin, database, temporary, active, restart_lsn::text, confirmed_flush_lsn::text
       from pg_replication_slots where slot_name = $1`,
    [name],
  );
  if (row === undefined) return undefined;
  return {
    slotName: row.slot_name,
    plugin: row.plugin,
    database: row.database,
    temporary: row.temporary,
    active: row.active,
    ...(row.restart_lsn === null ? {} : { restartLsn: parseLsn(row.restart_lsn) }),
    ...(row.confirmed_flush_lsn === null ? {} : { confirmedFlushLsn: parseLsn(row.confirmed_flush_lsn) }),
  };
}

export async function slotExists(client: Queryable, name: string): Promise<boolean> {
  return (await getSlot(client, name)) !== undefined;
}

/** The slot's confirmed_flush_lsn: where a restart resumes. Undefined for no such slot. */
export async function confirmedFlushLsn(client: Queryable, name: string): Promise<Lsn | undefined> {
  return (await getSlot(client, name))?.confirmedFlushLsn;
}

/**
 * Drops the slot (pg_drop_replication_slot). Fails with SQLSTATE 55006 while a connection streams
 * from it (after waiting up to `waitInactiveMs` for a closing one to let go), and with 42704 when
 * it does not exist unless `ifExists`. Returns whether one was dropped.
 */
export async function dropSlot(
  client: Queryable,
  name: string,
  options: { ifExists?: boolean; waitInactiveMs?: number } = {},
): Promise<boolean> {
  checkSlotName(name);
  const deadline = Date.now() + (options.waitInactiveMs ?? 0);
  let slot = await getSlot(client, name);
  // A walsender whose client just disconnected releases the slot a moment later.
  while (slot?.active === true && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    slot = await getSlot(client, name);
  }
  if (options.ifExists === true && slot === undefined) return false;
  await run(client, 'select pg_drop_replication_slot($1)', [name]);
  return true;
}

function tableList(tables: readonly TableName[]): string {
  if (tables.length === 0) throw new ReplicationError('usage', 'a publication needs at least one table');
  return tables.map(quoteTableName).join(', ');
}

/** CREATE PUBLICATION p FOR TABLE a, b (names quoted as identifiers). */
export async function createPublication(
  client: Queryable,
  name: string,
  tables: readonly TableName[],
): Promise<void> {
  await run(client, `create publication ${escapeIdentifier(name)} for table ${tableList(tables)}`);
}

/** ALTER PUBLICATION p SET TABLE a, b: the publication then covers exactly these tables. */
export async function setPublicationTables(
  client: Queryable,
  name: string,
  tables: readonly TableName[],
): Promise<void> {
  await run(client, `alter publication ${escapeIdentifier(name)} set table ${tableList(tables)}`);
}

export async function publicationExists(client: Queryable, name: string): Promise<boolean> {
  const rows = await run(client, 'select 1 from pg_publication where pubname = $1', [name]);
  return rows.length > 0;
}

/** The tables a publication covers, as { schema, name }. */
export async function publicationTables(
  client: Queryable,
  name: string,
): Promise<{ schema: string; name: string }[]> {
  const rows = await run<{ schemaname: string; tablename: string }>(
    client,
    'select schemaname, tablename from pg_publication_tables where pubname = $1 order by 1, 2',
    [name],
  );
  return rows.map((row) => ({ schema: row.schemaname, name: row.tablename }));
}

export async function dropPublication(
  client: Queryable,
  name: string,
  options: { ifExists?: boolean } = {},
): Promise<void> {
  await run(
    client,
    `drop publication ${options.ifExists === true ? 'if exists ' : ''}${escapeIdentifier(name)}`,
  );
}
