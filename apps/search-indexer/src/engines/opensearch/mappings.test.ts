import type { SinkTable } from '@trunkline/pipeline';
import { Code } from '@trunkline/runtime';
import {
  dateText,
  documentId,
  fieldMapping,
  fieldValue,
  fromDocument,
  INTERNAL_FIELD,
  missingProperties,
  tableMappings,
  timestampText,
  timeText,
  toDocument,
} from './mappings';

const table: SinkTable = {
  name: 'public.items',
  topic: 'demo.public.items',
  key: ['id'],
  columns: [
    { name: 'id', type: 'integer', nullable: false },
    { name: 'title', type: 'string', nullable: true },
    { name: 'price', type: 'decimal', nullable: true },
    { name: 'at', type: 'timestamp', nullable: true },
    { name: 'attrs', type: 'json', nullable: true },
    { name: 'embedding', type: 'vector', nullable: true },
  ],
  schemaId: 3,
};

describe('mappings', () => {
  it('maps each column type to a field', () => {
    expect(fieldMapping({ name: 's', type: 'string', nullable: true })).toEqual({
      type: 'text',
      fields: { keyword: { type: 'keyword', ignore_above: 8191 } },
    });
    const types = (
      ['integer', 'float', 'boolean', 'decimal', 'timestamp', 'date', 'time', 'json', 'bytes'] as const
    ).map((type) => fieldMapping({ name: 'c', type, nullable: true }).type);
    expect(types).toEqual([
      'long',
      'double',
      'boolean',
      'keyword',
      'date',
      'date',
      'keyword',
      'text',
      'binary',
    ]);
    expect(fieldMapping({ name: 'v', type: 'vector', nullable: true })).toEqual({
      type: 'float',
      index: false,
      doc_values: false,
    });
  });

  it('maps an array as its element type when the column says it, else keeps it unindexed', () => {
    expect(fieldMapping({ name: 'a', type: 'array', nullable: true })).toEqual({
      type: 'object',
      enabled: false,
    });
    const tags = { name: 'tags', type: 'array', nullable: true, items: 'string' } as const;
    expect(fieldMapping(tags).type).toBe('text');
  });

  it('builds a whole mapping with the internal field and the table in _meta', () => {
    const mapping = tableMappings(table) as {
      dynamic: boolean;
      _meta: { trunkline: { key: string[]; textFields: string[]; keywordFields: string[] } };
      properties: Record<string, { type: string }>;
    };
    expect(mapping.dynamic).toBe(false);
    expect(mapping.properties[INTERNAL_FIELD]).toEqual({
      type: 'object',
      properties: { lsn: { type: 'long' } },
    });
    expect(Object.keys(mapping.properties)).toEqual([
      INTERNAL_FIELD,
      'id',
      'title',
      'price',
      'at',
      'attrs',
      'embedding',
    ]);
    expect(mapping._meta.trunkline).toMatchObject({
      key: ['id'],
      textFields: ['title', 'attrs'],
      keywordFields: ['title'],
    });
  });

  it('refuses a column named like the internal field', () => {
    const bad = {
      ...table,
      columns: [...table.columns, { name: INTERNAL_FIELD, type: 'string', nullable: true }],
    };
    expect(() => tableMappings(bad as SinkTable)).toThrow(
      expect.objectContaining({ code: Code.InvalidArgument }),
    );
  });

  it('finds the fields an evolved table adds, and refuses a changed type', () => {
    const existing = { id: { type: 'long' }, title: { type: 'text' } };
    expect(Object.keys(missingProperties(table, existing))).toEqual(['price', 'at', 'attrs', 'embedding']);
    expect(() => missingProperties(table, { ...existing, title: { type: 'long' } })).toThrow(
      expect.objectContaining({ code: Code.FailedPrecondition }),
    );
  });
});

describe('document values', () => {
  it('writes timestamps in microseconds as ISO-8601 with six fraction digits', () => {
    expect(timestampText(1_700_000_000_123_456n)).toBe('2023-11-14T22:13:20.123456Z');
    expect(timestampText(0n)).toBe('1970-01-01T00:00:00.000000Z');
    expect(timestampText(-1n)).toBe('1969-12-31T23:59:59.999999Z');
  });

  it('writes dates and times', () => {
    expect(dateText(19_000)).toBe('2022-01-08');
    expect(dateText(-1)).toBe('1969-12-31');
    expect(timeText(45_296_000_007n)).toBe('12:34:56.000007');
  });

  it('keeps integers exact: numbers when safe, decimal text beyond 2^53', () => {
    expect(fieldValue('integer', 42n)).toBe(42);
    expect(fieldValue('integer', 9_007_199_254_740_993n)).toBe('9007199254740993');
    expect(fieldValue('decimal', '12.30')).toBe('12.30');
    expect(fieldValue('json', { a: 1n })).toBe('{"a":1}');
    expect(fieldValue('bytes', new Uint8Array([1, 2, 255]))).toBe('AQL/');
    expect(fieldValue('string', null)).toBeNull();
  });

  it('makes a document with the LSN, and takes it out again', () => {
    const document = toDocument(table, { id: 1n, title: 'kayak', at: 0n, extra: 5n }, 120n);
    expect(document).toEqual({
      id: 1,
      title: 'kayak',
      at: '1970-01-01T00:00:00.000000Z',
      extra: 5,
      [INTERNAL_FIELD]: { lsn: 120 },
    });
    expect(fromDocument(document)).toEqual({
      id: 1,
      title: 'kayak',
      at: '1970-01-01T00:00:00.000000Z',
      extra: 5,
    });
  });

  it('names a document by its key, the same for numbers and bigints, in key order', () => {
    expect(documentId(['id'], { id: 1 })).toBe('{"id":1}');
    expect(documentId(['id'], { id: 1n })).toBe('{"id":1}');
    expect(documentId(['b', 'a'], { a: 'x', b: 2n })).toBe('{"b":2,"a":"x"}');
    expect(documentId(['id'], { id: 'x'.repeat(600) })).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});
