import { randomUUID } from 'node:crypto';
import { avroTypeOptions, decimalText } from '@trunkline/serde';
import { describeWithEngine } from '@trunkline/testing';
import * as avro from 'avsc';
import { Client } from 'pg';
import type { ColumnValue } from './codec-types';
import { describeColumns, type TableDescription } from './column-type';
import {
  avroRowSchema,
  jsonRowSchema,
  parseRow,
  protobufRowSchema,
  type TableCodec,
  tableCodec,
} from './record-schema';
import { DATE_INFINITY, daysFromCivil, TIMESTAMP_INFINITY, TIMESTAMP_MINUS_INFINITY } from './temporal';

const MICROS_PER_DAY = 86_400_000_000n;
const micros = (iso: string) => BigInt(Date.parse(iso)) * 1000n;

/** The columns of the test table: name, SQL type, and one SQL literal per row (row 2 all NULL). */
const COLUMNS: Array<[name: string, type: string, values: [string, string]]> = [
  ['c_int2', 'int2', ['-32768', '32767']],
  ['c_int4', 'int4', ['-2147483648', '0']],
  ['c_int8', 'int8', ['9223372036854775807', '-9007199254740993']],
  ['c_float4', 'float4', ["'1.5'", "'NaN'"]],
  ['c_float8', 'float8', ["'-1e-300'", "'-Infinity'"]],
  ['c_bool', 'bool', ['true', 'false']],
  ['c_money', 'numeric(10,2)', ['-12345678.9', "'NaN'"]],
  ['c_zero', 'numeric(10,2)', ['0', '-0.01']],
  ['c_huge', 'numeric(60,20)', ["'1234567890123456789012345678901234567890.01234567890123456789'", '-1']],
  ['c_tiny', 'numeric(3,5)', ['0.00123', '-0.00001']],
  ['c_hundreds', 'numeric(3,-2)', ['12345', '-50']],
  ['c_any_numeric', 'numeric', ["'3.141592653589793238462643383279502884'", "'-Infinity'"]],
  ['c_text', 'text', [`'it''s "quoted" \\ and ünïcode'`, "''"]],
  ['c_varchar', 'varchar(10)', ["'short'", "'0123456789'"]],
  ['c_bpchar', 'char(5)', ["'ab'", "'abcde'"]],
  ['c_name', 'name', ["'pg_class'", "'x'"]],
  ['c_bytea', 'bytea', ["'\\x00ff5c22'::bytea", "''::bytea"]],
  ['c_uuid', 'uuid', ["'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'", "'00000000-0000-0000-0000-000000000000'"]],
  ['c_date', 'date', ["'2024-02-29'", "'0044-03-15 BC'"]],
  ['c_date_inf', 'date', ["'infinity'", "'1969-12-31'"]],
  ['c_time', 'time', ["'13:14:15.123456'", "'24:00:00'"]],
  ['c_timestamp', 'timestamp', ["'2024-02-29 13:14:15.123456'", "'0044-03-15 12:00:00 BC'"]],
  ['c_timestamp_end', 'timestamp', ["'294276-12-31 23:59:59.999999'", "'-infinity'"]],
  ['c_timestamptz', 'timestamptz', ["'2024-06-01 12:00:00.5+00'", "'1900-01-01 00:00:00+00'"]],
  ['c_timestamptz_bc', 'timestamptz', ["'0044-03-15 12:00:00+00 BC'", "'infinity'"]],
  ['c_interval', 'interval', ["'1 year 2 mons 3 days 04:05:06.789'", "'-1 days +02:03:00'"]],
  ['c_interval_neg', 'interval', ["'-04:05:06.000001'", "'-1 year -2 months'"]],
  ['c_json', 'json', [`'{"b": 1,  "a": [true, null]}'`, "'[]'"]],
  ['c_jsonb', 'jsonb', [`'{"b": 1,  "a": [true, null]}'`, '\'""\'']],
  ['c_mood', 'mood', ["'ok'", "'so-so'"]],
  ['c_positive', 'positive', ['1', '2147483647']],
  ['c_inet', 'inet', ["'10.0.0.1/8'", "'::1'"]],
  ['c_int4_array', 'int4[]', ["'{1,NULL,-3}'", "'{}'"]],
  ['c_text_array', 'text[]', [`array['a "b"', 'c\\d', NULL, 'NULL', '', 'x,y', ' s ']`, "'{}'"]],
  ['c_numeric_array', 'numeric(5,1)[]', ["'{1.5,NULL,NaN,-0.1}'", "'{0}'"]],
  [
    'c_timestamptz_array',
    'timestamptz[]',
    ["array['2024-06-01 12:00:00+00'::timestamptz, null]", "'{infinity}'"],
  ],
  ['c_bytea_array', 'bytea[]', ["array['\\x0102'::bytea, '\\x'::bytea, null]", "'{}'"]],
  ['c_mood_array', 'mood[]', ["'{sad,so-so,NULL}'", "'{}'"]],
  ['c_date_array', 'date[]', ["'{2024-02-29,0001-01-01 BC}'", "'{}'"]],
];

/** What each row's values parse into (row 2 is all NULL); Buffers of decimals given as text. */
function expectedRows(): Array<Record<string, ColumnValue>> {
  const noonUtc = micros('2024-06-01T12:00:00Z');
  return [
    {
      c_int2: -32768,
      c_int4: -2147483648,
      c_int8: 9223372036854775807n,
      c_float4: 1.5,
      c_float8: -1e-300,
      c_bool: true,
      c_money: '-12345678.90',
      c_zero: '0.00',
      c_huge: '1234567890123456789012345678901234567890.01234567890123456789',
      c_tiny: '0.00123',
      c_hundreds: '12300',
      c_any_numeric: '3.141592653589793238462643383279502884',
      c_text: 'it\'s "quoted" \\ and ünïcode',
      c_varchar: 'short',
      c_bpchar: 'ab   ',
      c_name: 'pg_class',
      c_bytea: Buffer.from('00ff5c22', 'hex'),
      c_uuid: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
      c_date: Date.parse('2024-02-29') / 86_400_000,
      c_date_inf: DATE_INFINITY,
      c_time: 47_655_123_456n,
      c_timestamp: micros('2024-02-29T13:14:15.123Z') + 456n,
      // Beyond the largest Avro long: read as infinity.
      c_timestamp_end: TIMESTAMP_INFINITY,
      c_timestamptz: noonUtc + 500_000n,
      c_timestamptz_bc: BigInt(daysFromCivil(-43, 3, 15)) * MICROS_PER_DAY + 12n * 3_600_000_000n,
      c_interval: 'P1Y2M3DT4H5M6.789S',
      c_interval_neg: 'P0Y0M0DT-4H-5M-6.000001S',
      c_json: '{"b": 1,  "a": [true, null]}',
      c_jsonb: '{"a": [true, null], "b": 1}',
      c_mood: 'ok',
      c_positive: 1,
      c_inet: '10.0.0.1/8',
      c_int4_array: [1, null, -3],
      c_text_array: ['a "b"', 'c\\d', null, 'NULL', '', 'x,y', ' s '],
      c_numeric_array: ['1.5', null, null, '-0.1'],
      c_timestamptz_array: [noonUtc, null],
      c_bytea_array: [Buffer.from([1, 2]), Buffer.alloc(0), null],
      c_mood_array: ['sad', 'so-so', null],
      c_date_array: [19_782, daysFromCivil(0, 1, 1)],
    },
    {
      c_int2: 32767,
      c_int4: 0,
      c_int8: -9007199254740993n,
      c_float4: Number.NaN,
      c_float8: Number.NEGATIVE_INFINITY,
      c_bool: false,
      c_money: null,
      c_zero: '-0.01',
      c_huge: '-1.00000000000000000000',
      c_tiny: '-0.00001',
      c_hundreds: '-100',
      c_any_numeric: '-Infinity',
      c_text: '',
      c_varchar: '0123456789',
      c_bpchar: 'abcde',
      c_name: 'x',
      c_bytea: Buffer.alloc(0),
      c_uuid: '00000000-0000-0000-0000-000000000000',
      c_date: daysFromCivil(-43, 3, 15),
      c_date_inf: -1,
      c_time: MICROS_PER_DAY,
      c_timestamp: BigInt(daysFromCivil(-43, 3, 15)) * MICROS_PER_DAY + 12n * 3_600_000_000n,
      c_timestamp_end: TIMESTAMP_MINUS_INFINITY,
      c_timestamptz: micros('1900-01-01T00:00:00Z'),
      c_timestamptz_bc: TIMESTAMP_INFINITY,
      c_interval: 'P0Y0M-1DT2H3M0S',
      c_interval_neg: 'P-1Y-2M0DT0H0M0S',
      c_json: '[]',
      c_jsonb: '""',
      c_mood: 'so-so',
      c_positive: 2147483647,
      c_inet: '::1',
      c_int4_array: [],
      c_text_array: [],
      c_numeric_array: ['0.0'],
      c_timestamptz_array: [TIMESTAMP_INFINITY],
      c_bytea_array: [],
      c_mood_array: [],
      c_date_array: [],
    },
  ];
}

/** Decimal bytes as their text at the column's Avro scale, so expectations read as numbers. */
function readable(codec: TableCodec, row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...row };
  for (const { field, codec: columnCodecOf } of codec.fields) {
    const avroType = columnCodecOf.avro as { logicalType?: string; scale?: number; items?: unknown };
    const scale =
      avroType.logicalType === 'decimal'
        ? avroType.scale
        : (
            (avroType.items as unknown[] | undefined)?.[1] as
              | { logicalType?: string; scale?: number }
              | undefined
          )?.scale;
    if (scale === undefined) continue;
    const value = row[field];
    out[field] = Array.isArray(value)
      ? value.map((item) => (item === null ? null : decimalText(item as Buffer, scale)))
      : value === null
        ? null
        : decimalText(value as Buffer, scale);
  }
  return out;
}

describeWithEngine('postgres', 'column types against postgres', (env) => {
  const suffix = randomUUID().replace(/-/g, '').slice(0, 8);
  const schema = `columns_${suffix}`;
  let client: Client;
  let table: TableDescription;

  beforeAll(async () => {
    client = new Client({ connectionString: env.POSTGRES_URL });
    await client.connect();
    // What the ingestor's connections use; a zone with a negative half-hour offset on purpose.
    await client.query(
      `set datestyle = 'ISO, MDY'; set intervalstyle = 'postgres'; set timezone = 'America/St_Johns'`,
    );
    await client.query(`create schema ${schema}`);
    await client.query(`create type ${schema}.mood as enum ('sad', 'so-so', 'ok')`);
    await client.query(`create domain ${schema}.positive as int4 check (value > 0)`);
    const columns = COLUMNS.map(
      ([name, type]) => `${name} ${type.replace(/^(mood|positive)/, `${schema}.$1`)}`,
    );
    await client.query(
      `create table ${schema}.everything (
         id int4 not null, doomed text, tenant text not null,
         ${columns.join(',\n')},
         doubled int8 generated always as (id * 2) stored,
         primary key (tenant, id))`,
    );
    await client.query(`alter table ${schema}.everything drop column doomed`);
    const [first, second] = [0, 1].map((row) => COLUMNS.map(([, , values]) => values[row]!).join(', '));
    await client.query(
      `insert into ${schema}.everything (id, tenant, ${COLUMNS.map(([name]) => name).join(', ')})
       values (1, 'acme', ${first}), (3, 'acme', ${second}), (2, 'acme', ${COLUMNS.map(() => 'null').join(', ')})`,
    );
    const { rows } = await client.query<{ oid: number }>(
      `select '${schema}.everything'::regclass::oid::int8::float8 as oid`,
    );
    [table] = (await describeColumns(client, [rows[0]!.oid])) as [TableDescription];
  });

  afterAll(async () => {
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.end();
  });

  it('describes the table from the catalog', () => {
    expect(table).toMatchObject({
      schema,
      table: 'everything',
      primaryKey: ['tenant', 'id'],
      replicaIdentity: 'default',
    });
    expect(table.replicaIdentityColumns).toEqual(['tenant', 'id']);
    const byName = new Map(table.columns.map((column) => [column.name, column]));
    expect(table.columns.map((column) => column.name)).toEqual([
      'id',
      'tenant',
      ...COLUMNS.map(([name]) => name),
      'doubled',
    ]);
    expect(byName.get('id')).toMatchObject({
      attnum: 1,
      typeName: 'int4',
      typeOid: 23,
      notNull: true,
      inPrimaryKey: true,
    });
    expect(byName.get('tenant')).toMatchObject({ attnum: 3, inPrimaryKey: true });
    expect(byName.get('c_int8')).toMatchObject({ typeName: 'int8', notNull: false, inPrimaryKey: false });
    expect(byName.get('c_money')).toMatchObject({ typeName: 'numeric', typmod: ((10 << 16) | 2) + 4 });
    expect(byName.get('c_mood')).toMatchObject({
      typeName: 'mood',
      typeSchema: schema,
      enumLabels: ['sad', 'so-so', 'ok'],
    });
    expect(byName.get('c_positive')).toMatchObject({ typeName: 'int4', domainName: 'positive', typeOid: 23 });
    expect(byName.get('c_numeric_array')).toMatchObject({
      typeName: '_numeric',
      elementTypeName: 'numeric',
      elementTypeOid: 1700,
      typmod: ((5 << 16) | 1) + 4,
    });
    expect(byName.get('c_mood_array')).toMatchObject({
      elementTypeName: 'mood',
      enumLabels: ['sad', 'so-so', 'ok'],
    });
    expect(byName.get('doubled')).toMatchObject({ generated: true });
    expect(byName.get('c_int2')?.generated).toBe(false);
  });

  it('follows the replica identity', async () => {
    const oid = table.oid;
    await client.query(`create unique index everything_id on ${schema}.everything (id)`);
    try {
      await client.query(`alter table ${schema}.everything replica identity using index everything_id`);
      const [byIndex] = await describeColumns(client, [oid]);
      expect(byIndex).toMatchObject({ replicaIdentity: 'index', replicaIdentityColumns: ['id'] });
      await client.query(`alter table ${schema}.everything replica identity full`);
      const [full] = await describeColumns(client, [oid]);
      expect(full?.replicaIdentity).toBe('full');
      expect(full?.replicaIdentityColumns).toHaveLength(table.columns.length);
      await client.query(`alter table ${schema}.everything replica identity nothing`);
      expect((await describeColumns(client, [oid]))[0]).toMatchObject({
        replicaIdentity: 'nothing',
        replicaIdentityColumns: [],
      });
    } finally {
      await client.query(`alter table ${schema}.everything replica identity default`);
      await client.query(`drop index ${schema}.everything_id`);
    }
  });

  it('refuses what is not a table', async () => {
    const { rows } = await client.query<{ oid: number }>(
      `select '${schema}.everything_pkey'::regclass::oid::int8::float8 as oid`,
    );
    await expect(describeColumns(client, [rows[0]!.oid])).rejects.toThrow('is not a table (relkind i)');
    await expect(describeColumns(client, [1])).rejects.toThrow('relation 1 does not exist');
  });

  describe('values', () => {
    let codec: TableCodec;
    let rows: Array<Record<string, ColumnValue>>;
    let outputRows: Array<Record<string, ColumnValue>>;

    const read = async (cast: (column: string) => string) => {
      const texts = await client.query<Record<string, string | null>>(
        `select ${table.columns.map((column) => `${cast(column.name)} as ${column.name}`).join(', ')}
           from ${schema}.everything order by id`,
      );
      return texts.rows.map((text) => parseRow(codec, text) as Record<string, ColumnValue>);
    };

    beforeAll(async () => {
      codec = tableCodec(table, 'trunkline');
      rows = await read((column) => `${column}::text`);
      // format('%s') calls the type's output function, which is what pgoutput sends.
      outputRows = await read((column) => `case when ${column} is not null then format('%s', ${column}) end`);
    });

    it('reads the cast to text as the output function (what pgoutput sends) but for char and inet', () => {
      // The casts of bpchar (blank padding trimmed), inet (mask always written) and bool (true,
      // not t) to text differ from their output functions; bool parses alike either way.
      const differing = (row: Record<string, unknown>) => ({
        ...row,
        c_bpchar: undefined,
        c_inet: undefined,
      });
      expect(outputRows.map(differing)).toEqual(rows.map(differing));
      expect(rows.map((row) => [row.c_bpchar, row.c_inet])).toEqual([
        ['ab', '10.0.0.1/8'],
        [null, null],
        ['abcde', '::1/128'],
      ]);
    });

    it('parses every type from its text form', () => {
      const [first, second] = expectedRows();
      expect(readable(codec, outputRows[0]!)).toEqual({ id: 1, tenant: 'acme', doubled: 2n, ...first });
      expect(readable(codec, outputRows[2]!)).toEqual({ id: 3, tenant: 'acme', doubled: 6n, ...second });
    });

    it('parses NULL as null', () => {
      const nulls = Object.fromEntries(COLUMNS.map(([name]) => [name, null]));
      expect(rows[1]).toEqual({ id: 2, tenant: 'acme', doubled: 4n, ...nulls });
      expect(outputRows[1]).toEqual(rows[1]);
    });

    it('agrees with Postgres on every instant and day', async () => {
      const oracle = await client.query<Record<string, string | null>>(
        `select (c_date - date '1970-01-01')::text as c_date,
                (extract(epoch from c_timestamp) * 1000000)::numeric(30,0)::text as c_timestamp,
                (extract(epoch from c_timestamptz) * 1000000)::numeric(30,0)::text as c_timestamptz,
                (extract(epoch from c_timestamptz_bc) * 1000000)::numeric(30,0)::text as c_timestamptz_bc,
                (extract(epoch from c_time) * 1000000)::numeric(30,0)::text as c_time
           from ${schema}.everything where id = 1`,
      );
      const expected = oracle.rows[0]!;
      expect(String(rows[0]!.c_date)).toBe(expected.c_date);
      for (const name of ['c_timestamp', 'c_timestamptz', 'c_timestamptz_bc', 'c_time']) {
        expect(String(rows[0]![name])).toBe(expected[name]);
      }
    });

    it('encodes and decodes every row with the generated Avro schemas', () => {
      const valueType = avro.Type.forSchema(avroRowSchema(codec, 'value') as avro.Schema, avroTypeOptions());
      const keyType = avro.Type.forSchema(avroRowSchema(codec, 'key') as avro.Schema, avroTypeOptions());
      for (const row of [...rows, ...outputRows]) {
        expect(valueType.fromBuffer(valueType.toBuffer(row))).toEqual(row);
        const key = { tenant: row.tenant, id: row.id };
        expect(keyType.fromBuffer(keyType.toBuffer(key))).toEqual(key);
      }
    });

    it('builds JSON Schema and Protobuf over every column', () => {
      const json = jsonRowSchema(codec, 'value') as { required: string[] };
      expect(json.required).toHaveLength(table.columns.length);
      const proto = protobufRowSchema(codec, 'value')!;
      expect(proto).toContain('  int32 id = 1; // "id" int4');
      expect(proto).toContain('  string tenant = 3; // "tenant" text');
      expect(proto).not.toMatch(/ = 2;/);
      expect(proto).toContain('repeated bytes c_numeric_array');
    });
  });
});
