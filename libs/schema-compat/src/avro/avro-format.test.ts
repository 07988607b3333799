import { compatibilityProblems } from '../compatibility';
import { InvalidSchemaError, type ResolvedReference } from '../schema-format';
import { avroFormat } from './avro-format';

const parse = (schema: unknown, references: ResolvedReference[] = []) =>
  avroFormat.parse(JSON.stringify(schema), references);

const rec = (name: string, fields: unknown[], extra: Record<string, unknown> = {}) => ({
  type: 'record',
  name,
  fields,
  ...extra,
});
const f = (name: string, type: unknown, extra: Record<string, unknown> = {}) => ({ name, type, ...extra });
const en = (name: string, symbols: string[], extra: Record<string, unknown> = {}) => ({
  type: 'enum',
  name,
  symbols,
  ...extra,
});
const fixed = (name: string, size: number, extra: Record<string, unknown> = {}) => ({
  type: 'fixed',
  name,
  size,
  ...extra,
});

const statusRef: ResolvedReference = {
  name: 'com.acme.Status',
  subject: 'status',
  version: 1,
  schema: JSON.stringify({
    type: 'enum',
    name: 'Status',
    namespace: 'com.acme',
    symbols: ['OPEN', 'CLOSED'],
  }),
  references: [],
};
const moneyRef: ResolvedReference = {
  name: 'com.acme.Money',
  subject: 'money',
  version: 2,
  schema: JSON.stringify({
    type: 'record',
    name: 'Money',
    namespace: 'com.acme',
    fields: [
      { name: 'amount', type: 'long' },
      { name: 'currency', type: 'string', default: 'EUR' },
    ],
  }),
  references: [],
};
const moneyRefV1: ResolvedReference = {
  ...moneyRef,
  version: 1,
  schema: JSON.stringify({
    type: 'record',
    name: 'Money',
    namespace: 'com.acme',
    fields: [{ name: 'amount', type: 'int' }],
  }),
};
const moneyRefString: ResolvedReference = {
  ...moneyRef,
  version: 3,
  schema: JSON.stringify({
    type: 'record',
    name: 'Money',
    namespace: 'com.acme',
    fields: [{ name: 'amount', type: 'string' }],
  }),
};

interface Case {
  name: string;
  reader: unknown;
  writer: unknown;
  readerRefs?: ResolvedReference[];
  writerRefs?: ResolvedReference[];
  /** true when compatible, or a substring of one expected problem. */
  expected: true | string;
}

const cases: Case[] = [
  // primitives and promotions
  { name: 'same primitive', reader: 'string', writer: 'string', expected: true },
  { name: 'int promotes to long', reader: 'long', writer: 'int', expected: true },
  { name: 'int promotes to float', reader: 'float', writer: 'int', expected: true },
  { name: 'int promotes to double', reader: 'double', writer: 'int', expected: true },
  { name: 'long promotes to float', reader: 'float', writer: 'long', expected: true },
  { name: 'long promotes to double', reader: 'double', writer: 'long', expected: true },
  { name: 'float promotes to double', reader: 'double', writer: 'float', expected: true },
  { name: 'string reads bytes', reader: 'string', writer: 'bytes', expected: true },
  { name: 'bytes reads string', reader: 'bytes', writer: 'string', expected: true },
  {
    name: 'long does not narrow to int',
    reader: 'int',
    writer: 'long',
    expected: 'reader type int cannot read writer type long',
  },
  {
    name: 'double does not narrow to float',
    reader: 'float',
    writer: 'double',
    expected: 'reader type float cannot read writer type double',
  },
  {
    name: 'boolean cannot read int',
    reader: 'boolean',
    writer: 'int',
    expected: 'reader type boolean cannot read writer type int',
  },
  // records
  {
    name: 'record field type promoted',
    reader: rec('Order', [f('total', 'long')]),
    writer: rec('Order', [f('total', 'int')]),
    expected: true,
  },
  {
    name: 'record field type changed incompatibly',
    reader: rec('Order', [f('total', 'long')]),
    writer: rec('Order', [f('total', 'string')]),
    expected: 'field total: reader type long cannot read writer type string',
  },
  {
    name: 'reader field missing in writer without default',
    reader: rec('Order', [f('id', 'string'), f('total', 'long')]),
    writer: rec('Order', [f('total', 'long')]),
    expected: 'field id: missing in the data and has no default',
  },
  {
    name: 'reader field missing in writer with default',
    reader: rec('Order', [f('id', 'string', { default: 'none' }), f('total', 'long')]),
    writer: rec('Order', [f('total', 'long')]),
    expected: true,
  },
  {
    name: 'reader field with null default in an optional union',
    reader: rec('Order', [f('note', ['null', 'string'], { default: null })]),
    writer: rec('Order', []),
    expected: true,
  },
  {
    name: 'writer field missing in reader is ignored',
    reader: rec('Order', [f('total', 'long')]),
    writer: rec('Order', [f('total', 'long'), f('extra', 'string')]),
    expected: true,
  },
  {
    name: 'renamed field found through the reader field alias',
    reader: rec('Order', [f('amount', 'long', { aliases: ['total'] })]),
    writer: rec('Order', [f('total', 'int')]),
    expected: true,
  },
  {
    name: 'renamed field without an alias and without default',
    reader: rec('Order', [f('amount', 'long')]),
    writer: rec('Order', [f('total', 'int')]),
    expected: 'field amount: missing in the data and has no default',
  },
  {
    name: 'nested record field reports its path',
    reader: rec('Order', [f('customer', rec('Customer', [f('age', 'int')]))]),
    writer: rec('Order', [f('customer', rec('Customer', [f('age', 'long')]))]),
    expected: 'field customer.age: reader type int cannot read writer type long',
  },
  {
    name: 'record names differ',
    reader: rec('Order', [f('a', 'int')]),
    writer: rec('Invoice', [f('a', 'int')]),
    expected: 'reader type record Order cannot read writer type record Invoice',
  },
  {
    name: 'record renamed with a reader alias',
    reader: rec('Order', [f('a', 'int')], { namespace: 'v2', aliases: ['v1.Invoice'] }),
    writer: rec('Invoice', [f('a', 'int')], { namespace: 'v1' }),
    expected: true,
  },
  {
    name: 'record namespaces differ but names are the same (as Avro SchemaCompatibility)',
    reader: rec('Order', [f('a', 'int')], { namespace: 'v2' }),
    writer: rec('Order', [f('a', 'int')], { namespace: 'v1' }),
    expected: true,
  },
  {
    name: 'recursive record checks end',
    reader: rec('Node', [f('value', 'long'), f('next', ['null', 'Node'], { default: null })]),
    writer: rec('Node', [f('value', 'int'), f('next', ['null', 'Node'], { default: null })]),
    expected: true,
  },
  // enums
  {
    name: 'enum gains a symbol',
    reader: en('Status', ['OPEN', 'CLOSED', 'ARCHIVED']),
    writer: en('Status', ['OPEN', 'CLOSED']),
    expected: true,
  },
  {
    name: 'enum writer symbol missing from reader',
    reader: rec('Order', [f('status', en('Status', ['OPEN', 'CLOSED']))]),
    writer: rec('Order', [f('status', en('Status', ['OPEN', 'CLOSED', 'ARCHIVED']))]),
    expected: "enum Status: symbol ARCHIVED is not in the reader's symbols",
  },
  {
    name: 'enum writer symbol missing but reader has a default',
    reader: en('Status', ['UNKNOWN', 'OPEN', 'CLOSED'], { default: 'UNKNOWN' }),
    writer: en('Status', ['OPEN', 'CLOSED', 'ARCHIVED']),
    expected: true,
  },
  {
    name: 'enum names differ',
    reader: en('State', ['OPEN']),
    writer: en('Status', ['OPEN']),
    expected: 'reader type enum State cannot read writer type enum Status',
  },
  // fixed
  { name: 'fixed same name and size', reader: fixed('Hash', 16), writer: fixed('Hash', 16), expected: true },
  {
    name: 'fixed size differs',
    reader: fixed('Hash', 16),
    writer: fixed('Hash', 32),
    expected: 'fixed Hash: reader size 16 differs from writer size 32',
  },
  {
    name: 'fixed names differ',
    reader: fixed('Hash', 16),
    writer: fixed('Digest', 16),
    expected: 'reader type fixed Hash cannot read writer type fixed Digest',
  },
  // arrays and maps
  {
    name: 'array items promoted',
    reader: { type: 'array', items: 'long' },
    writer: { type: 'array', items: 'int' },
    expected: true,
  },
  {
    name: 'array items incompatible inside a field',
    reader: rec('Order', [f('tags', { type: 'array', items: 'int' })]),
    writer: rec('Order', [f('tags', { type: 'array', items: 'string' })]),
    expected: 'field tags[]: reader type int cannot read writer type string',
  },
  {
    name: 'map values incompatible',
    reader: rec('Order', [f('attrs', { type: 'map', values: 'boolean' })]),
    writer: rec('Order', [f('attrs', { type: 'map', values: 'string' })]),
    expected: 'field attrs{}: reader type boolean cannot read writer type string',
  },
  {
    name: 'array cannot read map',
    reader: { type: 'array', items: 'string' },
    writer: { type: 'map', values: 'string' },
    expected: 'reader type array cannot read writer type map',
  },
  // unions
  {
    name: 'union reads a matching non-union writer',
    reader: ['null', 'string'],
    writer: 'string',
    expected: true,
  },
  {
    name: 'union reads a promotable non-union writer',
    reader: ['null', 'long'],
    writer: 'int',
    expected: true,
  },
  {
    name: 'union lacking the non-union writer type',
    reader: ['null', 'string'],
    writer: 'boolean',
    expected: 'reader union lacking writer type boolean',
  },
  {
    name: 'union gains a branch',
    reader: ['null', 'string', 'int'],
    writer: ['null', 'string'],
    expected: true,
  },
  {
    name: 'union loses a branch',
    reader: ['null', 'string'],
    writer: ['null', 'string', 'int'],
    expected: 'reader union lacking writer type int',
  },
  {
    name: 'non-union reader of a union writer needs every branch',
    reader: 'string',
    writer: ['null', 'string'],
    expected: 'reader type string cannot read writer type null',
  },
  {
    name: 'non-union reader of a union writer whose branches all promote',
    reader: 'double',
    writer: ['int', 'float'],
    expected: true,
  },
  {
    name: 'record inside a union reports the record problem',
    reader: rec('Order', [f('customer', ['null', rec('Customer', [f('age', 'int'), f('name', 'string')])])]),
    writer: rec('Order', [f('customer', ['null', rec('Customer', [f('age', 'int')])])]),
    expected: 'field customer.name: missing in the data and has no default',
  },
  // logical types resolve as their underlying types
  {
    name: 'timestamp-millis reads long',
    reader: { type: 'long', logicalType: 'timestamp-millis' },
    writer: 'long',
    expected: true,
  },
  {
    name: 'date reads int',
    reader: { type: 'int', logicalType: 'date' },
    writer: { type: 'int', logicalType: 'date' },
    expected: true,
  },
  {
    name: 'decimal on bytes cannot read a decimal on fixed',
    reader: { type: 'bytes', logicalType: 'decimal', precision: 6, scale: 2 },
    writer: { type: 'fixed', name: 'Dec', size: 8, logicalType: 'decimal', precision: 6, scale: 2 },
    expected: 'reader type bytes cannot read writer type fixed Dec',
  },
  {
    name: 'uuid reads string',
    reader: rec('Order', [f('id', { type: 'string', logicalType: 'uuid' })]),
    writer: rec('Order', [f('id', 'string')]),
    expected: true,
  },
  // references
  {
    name: 'record using a referenced enum reads itself',
    reader: rec('Order', [f('status', 'com.acme.Status')]),
    writer: rec('Order', [f('status', 'com.acme.Status')]),
    readerRefs: [statusRef],
    writerRefs: [statusRef],
    expected: true,
  },
  {
    name: 'referenced record evolved with a default',
    reader: rec('Order', [f('price', 'com.acme.Money')]),
    writer: rec('Order', [f('price', 'com.acme.Money')]),
    readerRefs: [moneyRef],
    writerRefs: [moneyRefV1],
    expected: true,
  },
  {
    name: 'referenced record evolved incompatibly',
    reader: rec('Order', [f('price', 'com.acme.Money')]),
    writer: rec('Order', [f('price', 'com.acme.Money')]),
    readerRefs: [moneyRefV1],
    writerRefs: [moneyRefString],
    expected: 'field price.amount: reader type int cannot read writer type string',
  },
];

describe('avroFormat.readerIncompatibilities', () => {
  it.each(cases)('$name', ({ reader, writer, readerRefs, writerRefs, expected }) => {
    const problems = avroFormat.readerIncompatibilities(parse(reader, readerRefs), parse(writer, writerRefs));
    if (expected === true) expect(problems).toEqual([]);
    else expect(problems).toEqual(expect.arrayContaining([expect.stringContaining(expected)]));
  });

  it('reports one message per problem', () => {
    const problems = avroFormat.readerIncompatibilities(
      parse(rec('Order', [f('id', 'string'), f('total', 'int'), f('status', en('Status', ['OPEN']))])),
      parse(rec('Order', [f('total', 'string'), f('status', en('Status', ['OPEN', 'A', 'B']))])),
    );
    expect(problems).toEqual([
      'field id: missing in the data and has no default',
      'field total: reader type int cannot read writer type string',
      "field status: enum Status: symbol A is not in the reader's symbols",
      "field status: enum Status: symbol B is not in the reader's symbols",
    ]);
  });
});

describe('compatibility levels with Avro', () => {
  // v1 → v2 adds `note` with a default, v3 drops the default: v3 reads v2 data (which has
  // `note`) but not v1 data (which lacks it).
  const v1 = parse(rec('Order', [f('id', 'string')]));
  const v2 = parse(rec('Order', [f('id', 'string'), f('note', 'string', { default: '' })]));
  const v3 = parse(rec('Order', [f('id', 'string'), f('note', 'string')]));

  it('a chain that is BACKWARD but not BACKWARD_TRANSITIVE', () => {
    expect(compatibilityProblems(avroFormat, 'BACKWARD', v2, [v1])).toEqual([]);
    expect(compatibilityProblems(avroFormat, 'BACKWARD', v3, [v1, v2])).toEqual([]);
    expect(compatibilityProblems(avroFormat, 'BACKWARD_TRANSITIVE', v3, [v1, v2])).toEqual([
      'reading data written with version 1: field note: missing in the data and has no default',
    ]);
  });

  it('FORWARD: the latest version reads the new schema data', () => {
    // Removing a field without default breaks FORWARD (old readers need it) but not BACKWARD.
    const dropped = parse(rec('Order', []));
    expect(compatibilityProblems(avroFormat, 'BACKWARD', dropped, [v3])).toEqual([]);
    expect(compatibilityProblems(avroFormat, 'FORWARD', dropped, [v3])).toEqual([
      "the latest version reading the new schema's data: field id: missing in the data and has no default",
      "the latest version reading the new schema's data: field note: missing in the data and has no default",
    ]);
  });

  it('FULL and FULL_TRANSITIVE with an enum that gains a symbol', () => {
    const s1 = parse(en('Status', ['OPEN']));
    const s2 = parse(en('Status', ['OPEN', 'CLOSED']));
    const s3 = parse(en('Status', ['OPEN', 'CLOSED'], { default: 'OPEN' }));
    expect(compatibilityProblems(avroFormat, 'FULL', s2, [s1])).toEqual([
      "the latest version reading the new schema's data: enum Status: symbol CLOSED is not in the reader's symbols",
    ]);
    expect(compatibilityProblems(avroFormat, 'FULL', s3, [s2])).toEqual([]);
    expect(compatibilityProblems(avroFormat, 'FULL_TRANSITIVE', s3, [s1, s2])).toEqual([
      "version 1 reading the new schema's data: enum Status: symbol CLOSED is not in the reader's symbols",
    ]);
  });
});

describe('avroFormat.parse', () => {
  it.each([
    ['bad JSON', '{"type": "record",', 'not valid JSON'],
    [
      'an unknown type',
      '{"type": "record", "name": "A", "fields": [{"name": "a", "type": "integer"}]}',
      'integer',
    ],
    ['a record without a name', '{"type": "record", "fields": []}', 'invalid Avro schema'],
    [
      'a bad default',
      '{"type": "record", "name": "A", "fields": [{"name": "a", "type": "int", "default": "x"}]}',
      'incompatible field default',
    ],
    [
      'a union default not matching the first branch',
      '{"type": "record", "name": "A", "fields": [{"name": "a", "type": ["null", "int"], "default": 1}]}',
      'default',
    ],
    [
      'an unresolved named type',
      '{"type": "record", "name": "A", "fields": [{"name": "a", "type": "com.acme.Status"}]}',
      'com.acme.Status',
    ],
    ['an enum without symbols', '{"type": "enum", "name": "E"}', 'invalid Avro schema'],
  ])('rejects %s', (_what, text, reason) => {
    expect(() => avroFormat.parse(text, [])).toThrow(InvalidSchemaError);
    expect(() => avroFormat.parse(text, [])).toThrow(reason);
  });

  it('rejects an invalid referenced schema, naming the reference', () => {
    const bad: ResolvedReference = { ...statusRef, schema: '{"type": "enum", "name": "Status"' };
    expect(() => parse(rec('Order', [f('status', 'com.acme.Status')]), [bad])).toThrow(
      'invalid referenced schema com.acme.Status',
    );
  });

  it('resolves references of references', () => {
    const wrapper: ResolvedReference = {
      name: 'com.acme.Line',
      subject: 'line',
      version: 1,
      schema: JSON.stringify(rec('Line', [f('price', 'com.acme.Money')], { namespace: 'com.acme' })),
      references: [moneyRef],
    };
    expect(() =>
      parse(rec('Order', [f('lines', { type: 'array', items: 'com.acme.Line' })]), [wrapper]),
    ).not.toThrow();
  });

  it('canonical text ignores formatting, docs and attribute order but keeps defaults and logical types', () => {
    const a = avroFormat.parse(
      '{ "type": "record", "name": "Order", "namespace": "com.acme", "doc": "an order",\n "fields": [ {"name":"total","type":"long","default":0, "doc": "x"}, {"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}} ] }',
      [],
    );
    const b = avroFormat.parse(
      '{"fields":[{"type":"long","name":"total","default":0},{"type":{"logicalType":"timestamp-millis","type":"long"},"name":"at"}],"name":"Order","namespace":"com.acme","type":"record"}',
      [],
    );
    expect(a.canonical).toBe(b.canonical);
    expect(a.canonical).toBe(
      '{"type":"record","name":"com.acme.Order","fields":[{"name":"total","type":"long","default":0},{"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}}]}',
    );
    const otherDefault = parse(rec('Order', [f('total', 'long', { default: 1 })], { namespace: 'com.acme' }));
    expect(otherDefault.canonical).not.toBe(
      parse(rec('Order', [f('total', 'long', { default: 0 })], { namespace: 'com.acme' })).canonical,
    );
    expect(parse({ type: 'bytes', logicalType: 'decimal', precision: 6, scale: 2 }).canonical).toBe(
      '{"type":"bytes","logicalType":"decimal","precision":6,"scale":2}',
    );
  });
});
