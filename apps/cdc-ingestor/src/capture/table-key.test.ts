import { ConfigError, parseSettings } from '@trunkline/runtime';
import { cdcSettings } from '../cdc-settings';
import type { ColumnDescription, TableDescription } from '../columns';
import { formatKeyColumns, keyedBy, parseKeyColumns, resolveTableKey } from './table-key';

function column(name: string, extra: Partial<ColumnDescription> = {}): ColumnDescription {
  return {
    name,
    attnum: 1,
    typeOid: 23,
    typeName: 'int4',
    typeSchema: 'pg_catalog',
    typmod: -1,
    notNull: false,
    inPrimaryKey: false,
    generated: false,
    ...extra,
  };
}

function table(extra: Partial<TableDescription> = {}): TableDescription {
  return {
    oid: 1,
    schema: 'public',
    table: 'events',
    columns: [
      column('tenant', { notNull: true }),
      column('seq', { notNull: true }),
      column('note'),
      column('total', { generated: true }),
    ],
    primaryKey: [],
    replicaIdentity: 'full',
    replicaIdentityColumns: ['tenant', 'seq', 'note', 'total'],
    ...extra,
  };
}

const refusal = (key: ReturnType<typeof resolveTableKey>) => ('refused' in key ? key.refused : '');
const warnings = (key: ReturnType<typeof resolveTableKey>) => ('warnings' in key ? key.warnings : []);

describe('parseKeyColumns', () => {
  it('reads Debezium’s message.key.columns syntax, with spaces and a trailing ; allowed', () => {
    const keys = parseKeyColumns('public.events:tenant,seq; sales.log : id ;');
    expect(keys).toEqual(
      new Map([
        ['public.events', ['tenant', 'seq']],
        ['sales.log', ['id']],
      ]),
    );
    expect(formatKeyColumns(keys!)).toBe('public.events:tenant,seq;sales.log:id');
  });

  it.each([
    ['', 'nothing'],
    ['public.events', 'no columns'],
    ['events:id', 'no schema'],
    ['public.:id', 'no table'],
    ['public.events:', 'an empty column list'],
    ['public.events:id,,seq', 'an empty column'],
    ['public.events:id,id', 'a column twice'],
    ['public.events:id;public.events:seq', 'a table twice'],
  ])('refuses %j (%s)', (raw) => {
    expect(parseKeyColumns(raw)).toBeUndefined();
  });

  it('is --key-columns: a bad value is a ConfigError naming the flag and the syntax', () => {
    const base = ['--source-url', 'postgres://localhost/db'];
    const parsed = parseSettings(cdcSettings, [...base, '--key-columns', 'public.events:id'], {});
    expect(parsed.help === false && parsed.config.keyColumns).toEqual(new Map([['public.events', ['id']]]));
    expect(() => parseSettings(cdcSettings, [...base, '--key-columns', 'public.events'], {})).toThrow(
      ConfigError,
    );
    expect(() => parseSettings(cdcSettings, [...base, '--key-columns', 'public.events'], {})).toThrow(
      /^--key-columns "public.events" is invalid: expected schema\.table:column\[,column\.\.\.\] entries separated by ;/,
    );
    expect(() => parseSettings(cdcSettings, base, { TRUNKLINE_KEY_COLUMNS: 'x' })).toThrow(
      /^TRUNKLINE_KEY_COLUMNS="x" is invalid/,
    );
  });
});

describe('resolveTableKey', () => {
  it('keys a table by its primary key when nothing is configured', () => {
    const pk = table({ primaryKey: ['seq'], replicaIdentity: 'default', replicaIdentityColumns: ['seq'] });
    expect(resolveTableKey(pk, undefined)).toEqual({ key: ['seq'], warnings: [] });
  });

  it('refuses a table without a primary key or configured columns, saying how to fix it', () => {
    expect(refusal(resolveTableKey(table(), undefined))).toBe(
      'public.events is not captured: it has no primary key. Name its key columns with --key-columns public.events:<column>[,<column>...], add a primary key, or leave it out with --exclude-tables public.events',
    );
  });

  it('uses configured columns, also over a primary key', () => {
    expect(resolveTableKey(table(), ['tenant', 'seq'], { uniqueIndexes: [['seq', 'tenant']] })).toEqual({
      key: ['tenant', 'seq'],
      warnings: [],
    });
    const pk = table({ primaryKey: ['seq'] });
    expect(resolveTableKey(pk, ['tenant', 'seq'])).toMatchObject({ key: ['tenant', 'seq'] });
    const keyed = keyedBy(pk, ['tenant', 'seq']);
    expect(keyed.primaryKey).toEqual(['tenant', 'seq']);
    expect(keyed.columns.filter((c) => c.inPrimaryKey).map((c) => c.name)).toEqual(['tenant', 'seq']);
  });

  it('refuses configured columns the table lacks or does not stream', () => {
    expect(refusal(resolveTableKey(table(), ['tenant', 'nope']))).toBe(
      'public.events is not captured: --key-columns names "nope", which it does not have (its columns: tenant, seq, note, total)',
    );
    expect(refusal(resolveTableKey(table(), ['total']))).toContain('generated column total');
  });

  it('refuses a key its replica identity leaves out of a delete’s old row', () => {
    const byIndex = table({ replicaIdentity: 'index', replicaIdentityColumns: ['seq'] });
    expect(refusal(resolveTableKey(byIndex, ['tenant', 'seq']))).toBe(
      'public.events is not captured: its key (tenant, seq) is not within its replica identity (USING INDEX: seq), so a delete would not carry tenant; run ALTER TABLE "public"."events" REPLICA IDENTITY FULL, or USING INDEX with a unique index on key columns',
    );
    expect(resolveTableKey(byIndex, ['seq'], { uniqueIndexes: [['seq']] })).toEqual({
      key: ['seq'],
      warnings: [],
    });
    const byPrimaryKey = table({
      primaryKey: ['seq'],
      replicaIdentity: 'default',
      replicaIdentityColumns: ['seq'],
    });
    expect(refusal(resolveTableKey(byPrimaryKey, ['tenant']))).toContain('(DEFAULT, the primary key: seq)');
  });

  it('warns when no old row is logged at all: Postgres then refuses UPDATE and DELETE', () => {
    const noIdentity = table({ replicaIdentity: 'default', replicaIdentityColumns: [] });
    expect(warnings(resolveTableKey(noIdentity, ['seq']))).toEqual([
      'public.events has REPLICA IDENTITY DEFAULT and no primary key: Postgres refuses UPDATE and DELETE on it while it is in the publication, and a delete could not carry its key; run ALTER TABLE "public"."events" REPLICA IDENTITY FULL',
    ]);
    const nothing = table({ primaryKey: ['seq'], replicaIdentity: 'nothing', replicaIdentityColumns: [] });
    expect(warnings(resolveTableKey(nothing, undefined))[0]).toContain('REPLICA IDENTITY NOTHING');
  });

  it('warns when a configured key is not known to be unique and not null (the snapshot pages by it)', () => {
    expect(warnings(resolveTableKey(table(), ['tenant'], { uniqueIndexes: [['tenant', 'seq']] }))[0]).toMatch(
      /^the configured key of public.events \(tenant\) is not backed by a unique index/,
    );
    expect(warnings(resolveTableKey(table(), ['note'], { uniqueIndexes: [['note']] }))[0]).toMatch(
      /is not declared NOT NULL \(note\)/,
    );
  });
});
