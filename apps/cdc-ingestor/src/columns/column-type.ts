import type { Client } from 'pg';
import type { ColumnType } from './column-codec';

/** One column of a table, from the catalog. Domains are resolved to their base type. */
export interface ColumnDescription extends ColumnType {
  name: string;
  /** pg_attribute.attnum: stable for the column's life and never reused after a drop. */
  attnum: number;
  /** The OID of the column's type (a domain's base type); pgoutput's Relation message has it too. */
  typeOid: number;
  /** The element type's OID when the type is an array. */
  elementTypeOid?: number;
  /** The domain the column was declared with, when it was (typeName is then its base type). */
  domainName?: string;
  notNull: boolean;
  inPrimaryKey: boolean;
  /** A generated column (pgoutput leaves stored generated columns out unless told otherwise). */
  generated: boolean;
}

export type ReplicaIdentity = 'default' | 'nothing' | 'full' | 'index';

export interface TableDescription {
  oid: number;
  schema: string;
  table: string;
  /** In attnum order, dropped columns left out. */
  columns: ColumnDescription[];
  /** The primary key's columns in the key's order (empty when the table has none). */
  primaryKey: string[];
  replicaIdentity: ReplicaIdentity;
  /**
   * The columns whose old values an UPDATE or DELETE carries: the primary key (default), the
   * replica identity index's columns (index), every column (full) or none (nothing).
   */
  replicaIdentityColumns: string[];
}

const REPLICA_IDENTITY: Record<string, ReplicaIdentity> = {
  d: 'default',
  n: 'nothing',
  f: 'full',
  i: 'index',
};

interface TableRow {
  oid: number;
  schema: string;
  table: string;
  relkind: string;
  replident: string;
}

interface ColumnRow {
  relid: number;
  attnum: number;
  name: string;
  typid: number;
  typmod: number;
  notnull: boolean;
  generated: string;
}

interface TypeRow {
  oid: number;
  name: string;
  schema: string;
  typtype: string;
  category: string;
  elem: number;
  basetype: number;
  basetypmod: number;
}

interface IndexRow {
  relid: number;
  primary: boolean;
  keys: number[];
}

/** Tables, partitioned tables, and the relation kinds pgoutput publishes. */
const TABLE_KINDS = new Set(['r', 'p']);

async function typesByOid(client: Client, start: Iterable<number>): Promise<Map<number, TypeRow>> {
  const types = new Map<number, TypeRow>();
  let wanted = [...new Set(start)];
  while (wanted.length > 0) {
    const { rows } = await client.query<TypeRow>(
      `select t.oid::int8::float8 as oid, t.typname as name, n.nspname as schema, t.typtype,
              t.typcategory as category, t.typelem::int8::float8 as elem,
              t.typbasetype::int8::float8 as basetype, t.typtypmod as basetypmod
         from pg_type t join pg_namespace n on n.oid = t.typnamespace
        where t.oid = any($1::oid[])`,
      [wanted],
    );
    for (const row of rows) types.set(row.oid, row);
    wanted = rows.flatMap((row) => [row.elem, row.basetype]).filter((oid) => oid !== 0 && !types.has(oid));
  }
  return types;
}

/** A domain's base type (domains over domains followed), with the typmod the domain fixes. */
function resolveDomain(
  types: Map<number, TypeRow>,
  oid: number,
  typmod: number,
): { type: TypeRow; typmod: number; domain?: string } {
  let type = types.get(oid)!;
  let domain: string | undefined;
  while (type.typtype === 'd') {
    domain ??= type.name;
    if (typmod < 0) typmod = type.basetypmod;
    type = types.get(type.basetype)!;
  }
  return { type, typmod, ...(domain === undefined ? {} : { domain }) };
}

/**
 * Describes tables from the catalog (pg_class, pg_attribute, pg_type, pg_enum, pg_index), in the
 * order of `relationOids`. Throws for an OID that is not a table or partitioned table.
 */
export async function describeColumns(client: Client, relationOids: number[]): Promise<TableDescription[]> {
  if (relationOids.length === 0) return [];
  const tables = await client.query<TableRow>(
    `select c.oid::int8::float8 as oid, n.nspname as schema, c.relname as table, c.relkind,
            c.relreplident as replident
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.oid = any($1::oid[])`,
    [relationOids],
  );
  const columns = await client.query<ColumnRow>(
    `select a.attrelid::int8::float8 as relid, a.attnum, a.attname as name,
            a.atttypid::int8::float8 as typid, a.atttypmod as typmod, a.attnotnull as notnull,
            a.attgenerated::text as generated
       from pg_attribute a
      where a.attrelid = any($1::oid[]) and a.attnum > 0 and not a.attisdropped
      order by a.attrelid, a.attnum`,
    [relationOids],
  );
  const indexes = await client.query<IndexRow>(
    `select i.indrelid::int8::float8 as relid, i.indisprimary as primary, i.indkey::int2[] as keys
       from pg_index i
      where i.indrelid = any($1::oid[]) and (i.indisprimary or i.indisreplident)`,
    [relationOids],
  );
  const types = await typesByOid(
    client,
    columns.rows.map((row) => row.typid),
  );
  const enumTypes = [...types.values()].filter((type) => type.typtype === 'e').map((type) => type.oid);
  const labels = new Map<number, string[]>();
  if (enumTypes.length > 0) {
    const { rows } = await client.query<{ oid: number; label: string }>(
      `select enumtypid::int8::float8 as oid, enumlabel as label from pg_enum
        where enumtypid = any($1::oid[]) order by enumtypid, enumsortorder`,
      [enumTypes],
    );
    for (const row of rows) labels.set(row.oid, [...(labels.get(row.oid) ?? []), row.label]);
  }

  const byOid = new Map(tables.rows.map((row) => [row.oid, row]));
  return relationOids.map((oid) => {
    const table = byOid.get(oid);
    if (table === undefined) throw new Error(`relation ${oid} does not exist`);
    if (!TABLE_KINDS.has(table.relkind)) {
      throw new Error(
        `relation ${oid} (${table.schema}.${table.table}) is not a table (relkind ${table.relkind})`,
      );
    }
    const described = columns.rows
      .filter((row) => row.relid === oid)
      .map((row): Omit<ColumnDescription, 'inPrimaryKey'> => {
        const { type, typmod, domain } = resolveDomain(types, row.typid, row.typmod);
        const column: Omit<ColumnDescription, 'inPrimaryKey'> = {
          name: row.name,
          attnum: row.attnum,
          typeOid: type.oid,
          typeName: type.name,
          typeSchema: type.schema,
          typmod,
          notNull: row.notnull,
          generated: row.generated !== '',
        };
        if (domain !== undefined) column.domainName = domain;
        let scalar = type;
        if (type.category === 'A' && type.elem !== 0) {
          const element = resolveDomain(types, type.elem, typmod);
          scalar = element.type;
          column.typmod = element.typmod;
          column.elementTypeOid = element.type.oid;
          column.elementTypeName = element.type.name;
          column.elementTypeSchema = element.type.schema;
        }
        const enumLabels = labels.get(scalar.oid);
        if (enumLabels !== undefined) column.enumLabels = enumLabels;
        return column;
      });
    const nameOf = (attnum: number) => described.find((column) => column.attnum === attnum)?.name;
    const indexColumns = (primary: boolean) =>
      (indexes.rows.find((row) => row.relid === oid && row.primary === primary)?.keys ?? [])
        .map(nameOf)
        .filter((name): name is string => name !== undefined);
    const primaryKey = indexColumns(true);
    const replicaIdentity = REPLICA_IDENTITY[table.replident] ?? 'default';
    const identityIndex = indexes.rows.find((row) => row.relid === oid && !row.primary)
      ? indexColumns(false)
      : primaryKey;
    const replicaIdentityColumns = {
      default: primaryKey,
      index: identityIndex,
      full: described.map((column) => column.name),
      nothing: [],
    }[replicaIdentity];
    return {
      oid,
      schema: table.schema,
      table: table.table,
      columns: described.map((column) => ({ ...column, inPrimaryKey: primaryKey.includes(column.name) })),
      primaryKey,
      replicaIdentity,
      replicaIdentityColumns,
    };
  });
}
