import { avroTypeOptions } from '@trunkline/serde';
import * as avro from 'avsc';
import { column } from '../encoding/sample-events';
import { UNCHANGED_TOAST } from './column-codec';
import type { TableDescription } from './column-type';
import {
  avroRowSchema,
  jsonRowSchema,
  parseRow,
  protobufRowSchema,
  rowKey,
  tableCodec,
} from './record-schema';

// Column 3 was dropped: attnums go 1, 2, 4, 5, 6.
const ORDERS: TableDescription = {
  oid: 16_384,
  schema: 'shop',
  table: 'order-lines',
  columns: [
    column('order_id', 1, 'int8', { notNull: true, inPrimaryKey: true }),
    column('line', 2, 'int4', { notNull: true, inPrimaryKey: true }),
    column('price', 4, 'numeric', { notNull: true, typmod: ((10 << 16) | 2) + 4 }),
    column('tags', 5, '_text', { elementTypeName: 'text', elementTypeSchema: 'pg_catalog' }),
    column('shipped at', 6, 'timestamptz'),
  ],
  primaryKey: ['order_id', 'line'],
  replicaIdentity: 'default',
  replicaIdentityColumns: ['order_id', 'line'],
};

describe('row schemas', () => {
  const codec = tableCodec(ORDERS, 'trunkline');

  it('names records after the topic, adjusting what Avro cannot name', () => {
    expect(codec.namespace).toBe('trunkline.shop.order_lines');
    expect(codec.fields.map((field) => field.field)).toEqual([
      'order_id',
      'line',
      'price',
      'tags',
      'shipped_at',
    ]);
  });

  it('builds the Avro key from the primary key and the value from every column', () => {
    expect(avroRowSchema(codec, 'key')).toEqual({
      type: 'record',
      name: 'Key',
      namespace: 'trunkline.shop.order_lines',
      fields: [
        { name: 'order_id', type: 'long' },
        { name: 'line', type: 'int' },
      ],
      'connect.name': 'trunkline.shop.order_lines.Key',
    });
    const value = avroRowSchema(codec, 'value') as { fields: unknown[] };
    expect(value).toMatchObject({ name: 'Value', namespace: 'trunkline.shop.order_lines' });
    expect(value.fields).toEqual([
      { name: 'order_id', type: 'long' },
      { name: 'line', type: 'int' },
      // NOT NULL, but NaN reads as null.
      { name: 'price', type: ['null', expect.objectContaining({ logicalType: 'decimal' })], default: null },
      { name: 'tags', type: ['null', { type: 'array', items: ['null', 'string'] }], default: null },
      {
        name: 'shipped_at',
        type: ['null', { type: 'long', logicalType: 'timestamp-micros' }],
        default: null,
      },
    ]);
  });

  it('round-trips a parsed row through avsc', () => {
    const type = avro.Type.forSchema(avroRowSchema(codec, 'value') as avro.Schema, avroTypeOptions());
    const row = parseRow(codec, {
      order_id: '9007199254740993',
      line: '1',
      price: '-0.01',
      tags: '{a,NULL,"b c"}',
      'shipped at': '2024-06-01 12:00:00.000001+02',
    });
    expect(row.order_id).toBe(9_007_199_254_740_993n);
    expect(type.fromBuffer(type.toBuffer(row))).toEqual(row);
    expect(rowKey(codec, row)).toEqual({ order_id: 9_007_199_254_740_993n, line: 1 });
    const nulls = parseRow(codec, { order_id: '1', line: '2', price: 'NaN', tags: null, 'shipped at': null });
    expect(type.fromBuffer(type.toBuffer(nulls))).toEqual(nulls);
  });

  it('hands back the unchanged-TOAST marker and leaves out absent columns', () => {
    expect(parseRow(codec, { order_id: '1', tags: UNCHANGED_TOAST })).toEqual({
      order_id: 1n,
      tags: UNCHANGED_TOAST,
    });
  });

  it('builds the JSON Schemas', () => {
    expect(jsonRowSchema(codec, 'key')).toEqual({
      $schema: 'http://json-schema.org/draft-07/schema#',
      title: 'trunkline.shop.order_lines.Key',
      type: 'object',
      properties: {
        order_id: { type: 'integer', 'connect.type': 'int64' },
        line: { type: 'integer', 'connect.type': 'int32', minimum: -2147483648, maximum: 2147483647 },
      },
      required: ['order_id', 'line'],
      additionalProperties: false,
    });
    const value = jsonRowSchema(codec, 'value') as {
      properties: Record<string, unknown>;
      required: string[];
    };
    expect(value.required).toEqual(['order_id', 'line', 'price', 'tags', 'shipped_at']);
    expect(value.properties.tags).toEqual({
      oneOf: [{ type: 'null' }, { type: 'array', items: { oneOf: [{ type: 'null' }, { type: 'string' }] } }],
    });
  });

  it('numbers Protobuf fields with the attnums', () => {
    expect(protobufRowSchema(codec, 'value')).toBe(
      [
        'syntax = "proto3";',
        '',
        'package trunkline.shop.order_lines;',
        '',
        'message Value {',
        '  int64 order_id = 1; // "order_id" int8',
        '  int32 line = 2; // "line" int4',
        '  optional bytes price = 4; // "price" numeric(10,2)',
        '  repeated string tags = 5; // "tags" text[]',
        '  optional int64 shipped_at = 6; // "shipped at" timestamptz',
        '}',
        '',
      ].join('\n'),
    );
    expect(protobufRowSchema(codec, 'key')).toContain('message Key {\n  int64 order_id = 1;');
  });

  it('has no key schema for a table without a primary key', () => {
    const keyless = tableCodec({ ...ORDERS, primaryKey: [], replicaIdentity: 'full' }, 'trunkline');
    expect(avroRowSchema(keyless, 'key')).toBeUndefined();
    expect(jsonRowSchema(keyless, 'key')).toBeUndefined();
    expect(protobufRowSchema(keyless, 'key')).toBeUndefined();
    expect(rowKey(keyless, { order_id: 1n })).toBeNull();
  });

  it('refuses two columns that would share a field name', () => {
    const clash = {
      ...ORDERS,
      columns: [column('a-b', 1, 'int4'), column('a_b', 2, 'int4')],
      primaryKey: [],
    };
    expect(() => tableCodec(clash, 'p')).toThrow('columns "a-b" and "a_b" both become the field name "a_b"');
  });
});
