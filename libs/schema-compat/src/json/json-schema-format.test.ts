import { compatibilityProblems } from '../compatibility';
import { InvalidSchemaError, type ResolvedReference } from '../schema-format';
import { type JsonSchema, jsonSchemaFormat } from './json-schema-format';

const parse = (schema: unknown, references: readonly ResolvedReference[] = []): JsonSchema =>
  jsonSchemaFormat.parse(JSON.stringify(schema), references);

const check = (reader: unknown, writer: unknown, references: readonly ResolvedReference[] = []) =>
  jsonSchemaFormat.readerIncompatibilities(parse(reader, references), parse(writer, references));

const obj = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: 'object',
  properties,
  ...extra,
});
const str = { type: 'string' };
const num = { type: 'number' };
const int = { type: 'integer' };

/** [description, reader, writer, expected: true for compatible, else a substring of one reason]. */
const cases: [string, unknown, unknown, true | string][] = [
  // types
  ['same type', str, str, true],
  [
    'type changed',
    obj({ total: str }),
    obj({ total: num }),
    '#/properties/total: type changed from number to string',
  ],
  ['integer widened to number', num, int, true],
  ['number narrowed to integer', int, num, '#: type changed from number to integer'],
  ['type widened to a union', { type: ['string', 'null'] }, str, true],
  [
    'type narrowed from a union',
    str,
    { type: ['string', 'null'] },
    '#: type narrowed from string|null to string',
  ],
  ['type added to an untyped writer', str, {}, '#: type narrowed from any to string'],
  ['true reader reads anything', true, num, true],
  ['false reader', false, num, '#: changed to false'],
  // required
  [
    'required added',
    obj({ id: str }, { required: ['id'] }),
    obj({ id: str }),
    '#/required: property id became required',
  ],
  ['required removed', obj({ id: str }), obj({ id: str }, { required: ['id'] }), true],
  [
    'required with a default added',
    obj({ id: { type: 'string', default: 'x' } }, { required: ['id'] }),
    obj({ id: str }),
    true,
  ],
  // open content model
  [
    'property added to open content model',
    obj({ a: str, b: num }),
    obj({ a: str }),
    '#/properties/b: property b added to open content model',
  ],
  ['unconstrained property added to open model', obj({ a: str, b: {} }), obj({ a: str }), true],
  ['property removed from open content model', obj({ a: str }), obj({ a: str, b: num }), true],
  // closed content model
  [
    'optional property added to closed model',
    obj({ a: str, b: num }, { additionalProperties: false }),
    obj({ a: str }, { additionalProperties: false }),
    true,
  ],
  [
    'required property added to closed model',
    obj({ a: str, b: num }, { additionalProperties: false, required: ['b'] }),
    obj({ a: str }, { additionalProperties: false }),
    '#/required: property b became required',
  ],
  [
    'property removed from closed content model',
    obj({ a: str }, { additionalProperties: false }),
    obj({ a: str, b: num }, { additionalProperties: false }),
    '#/properties/b: property b removed from closed content model',
  ],
  [
    'content model closed',
    obj({ a: str }, { additionalProperties: false }),
    obj({ a: str }),
    '#/additionalProperties: additional properties no longer allowed',
  ],
  ['content model opened', obj({ a: str }), obj({ a: str }, { additionalProperties: false }), true],
  // partially open content model
  [
    'removed property covered by partially open model',
    obj({ a: str }, { additionalProperties: num }),
    obj({ a: str, b: num }, { additionalProperties: num }),
    true,
  ],
  [
    'removed property not covered by partially open model',
    obj({ a: str }, { additionalProperties: num }),
    obj({ a: str, b: str }, { additionalProperties: num }),
    'property b removed is not covered by partially open content model',
  ],
  [
    'added property covered by partially open model',
    obj({ a: str, b: num }, { additionalProperties: num }),
    obj({ a: str }, { additionalProperties: num }),
    true,
  ],
  [
    'added property not covered by partially open model',
    obj({ a: str, b: str }, { additionalProperties: num }),
    obj({ a: str }, { additionalProperties: num }),
    'property b added is not covered by partially open content model',
  ],
  [
    'additionalProperties narrowed',
    obj({}, { additionalProperties: int }),
    obj({}, { additionalProperties: num }),
    '#/additionalProperties: type changed from number to integer',
  ],
  // enum and const
  ['enum extended', { enum: ['A', 'B', 'C'] }, { enum: ['A', 'B'] }, true],
  [
    'enum narrowed',
    obj({ s: { enum: ['A'] } }),
    obj({ s: { enum: ['A', 'B'] } }),
    '#/properties/s/enum: value "B" removed',
  ],
  ['enum added', { type: 'string', enum: ['A'] }, str, '#: enum added'],
  ['const kept inside an enum', { enum: ['A', 'B'] }, { const: 'A' }, true],
  ['const changed', { const: 'A' }, { const: 'B' }, '#: const changed to "A"'],
  // strings
  ['maxLength increased', { type: 'string', maxLength: 20 }, { type: 'string', maxLength: 10 }, true],
  [
    'maxLength decreased',
    { type: 'string', maxLength: 5 },
    { type: 'string', maxLength: 10 },
    '#: maxLength decreased from 10 to 5',
  ],
  ['maxLength added', { type: 'string', maxLength: 5 }, str, '#: maxLength added'],
  ['minLength decreased', { type: 'string', minLength: 1 }, { type: 'string', minLength: 3 }, true],
  [
    'minLength increased',
    { type: 'string', minLength: 3 },
    { type: 'string', minLength: 1 },
    '#: minLength increased from 1 to 3',
  ],
  ['pattern removed', str, { type: 'string', pattern: '^a' }, true],
  ['pattern added', { type: 'string', pattern: '^a' }, str, '#: pattern added'],
  [
    'pattern changed',
    { type: 'string', pattern: '^b' },
    { type: 'string', pattern: '^a' },
    '#: pattern changed',
  ],
  // numbers
  ['maximum increased', { type: 'number', maximum: 100 }, { type: 'number', maximum: 10 }, true],
  [
    'maximum decreased',
    { type: 'number', maximum: 5 },
    { type: 'number', maximum: 10 },
    '#: maximum decreased from 10 to 5',
  ],
  ['minimum added', { type: 'number', minimum: 0 }, num, '#: minimum added'],
  [
    'minimum increased',
    { type: 'number', minimum: 5 },
    { type: 'number', minimum: 0 },
    '#: minimum increased from 0 to 5',
  ],
  [
    'exclusiveMinimum at the writer minimum',
    { type: 'number', exclusiveMinimum: 0 },
    { type: 'number', minimum: 0 },
    '#: exclusiveMinimum 0 excludes',
  ],
  [
    'exclusiveMaximum relaxed to maximum',
    { type: 'number', maximum: 10 },
    { type: 'number', exclusiveMaximum: 10 },
    true,
  ],
  [
    'draft-4 boolean exclusiveMaximum',
    { type: 'number', maximum: 10, exclusiveMaximum: true },
    { type: 'number', maximum: 10 },
    'exclusiveMaximum 10 excludes',
  ],
  ['multipleOf reduced', { type: 'number', multipleOf: 2 }, { type: 'number', multipleOf: 4 }, true],
  [
    'multipleOf expanded',
    { type: 'number', multipleOf: 4 },
    { type: 'number', multipleOf: 2 },
    '#: multipleOf changed from 2 to 4',
  ],
  ['string keywords do not matter for numbers', num, { type: 'number', maxLength: 3 }, true],
  // arrays
  [
    'items type changed',
    { type: 'array', items: str },
    { type: 'array', items: num },
    '#/items: type changed from number to string',
  ],
  ['items widened', { type: 'array', items: num }, { type: 'array', items: int }, true],
  [
    'maxItems decreased',
    { type: 'array', maxItems: 2 },
    { type: 'array', maxItems: 3 },
    '#: maxItems decreased from 3 to 2',
  ],
  ['minItems increased', { type: 'array', minItems: 2 }, { type: 'array' }, '#: minItems added'],
  ['uniqueItems added', { type: 'array', uniqueItems: true }, { type: 'array' }, '#: uniqueItems added'],
  ['uniqueItems removed', { type: 'array' }, { type: 'array', uniqueItems: true }, true],
  [
    'tuple item added to open model',
    { type: 'array', items: [str, num] },
    { type: 'array', items: [str] },
    '#/items/1: type narrowed from any to number',
  ],
  [
    'tuple item added to closed model',
    { type: 'array', items: [str, num], additionalItems: false },
    { type: 'array', items: [str], additionalItems: false },
    true,
  ],
  [
    'tuple item removed from closed model',
    { type: 'array', items: [str], additionalItems: false },
    { type: 'array', items: [str, num] },
    '#/items/1: item removed from closed content model',
  ],
  // object size and dependencies
  ['maxProperties added', { type: 'object', maxProperties: 3 }, { type: 'object' }, '#: maxProperties added'],
  [
    'minProperties decreased',
    { type: 'object', minProperties: 1 },
    { type: 'object', minProperties: 2 },
    true,
  ],
  [
    'dependency added',
    obj({ a: str, b: str }, { dependencies: { a: ['b'] } }),
    obj({ a: str, b: str }),
    '#/dependencies/a: dependency added (b)',
  ],
  [
    'dependency narrowed',
    obj({ a: str, b: str }, { dependencies: { a: ['b'] } }),
    obj({ a: str, b: str, c: str }, { dependencies: { a: ['b', 'c'] } }),
    true,
  ],
  [
    'dependency extended',
    obj({ a: str, b: str, c: str }, { dependencies: { a: ['b', 'c'] } }),
    obj({ a: str, b: str, c: str }, { dependencies: { a: ['b'] } }),
    '#/dependencies/a: dependency extended with c',
  ],
  [
    'dependent schema added',
    obj({ a: str }, { dependentSchemas: { a: { required: ['b'] } } }),
    obj({ a: str }),
    '#/dependentSchemas/a: dependent schema added',
  ],
  [
    'dependent schema removed',
    obj({ a: str }),
    obj({ a: str }, { dependencies: { a: { required: ['b'] } } }),
    true,
  ],
  // combinators
  ['oneOf branch added', { oneOf: [str, num, { type: 'boolean' }] }, { oneOf: [str, num] }, true],
  [
    'oneOf branch removed',
    { oneOf: [str, num] },
    { oneOf: [str, num, { type: 'boolean' }] },
    "#/oneOf: no branch accepts the writer's data",
  ],
  ['single schema to oneOf', { oneOf: [str, num] }, str, true],
  [
    'oneOf to single schema',
    str,
    { oneOf: [str, num] },
    "#: type changed from number to string (writer's oneOf/1)",
  ],
  ['anyOf branch widened', { anyOf: [str, num] }, { anyOf: [str, int] }, true],
  [
    'allOf branch added',
    { allOf: [obj({ a: str }), { required: ['a'] }] },
    { allOf: [obj({ a: str })] },
    '#/allOf/1/required: property a became required',
  ],
  [
    'allOf branch removed',
    { allOf: [obj({ a: str })] },
    { allOf: [obj({ a: str }), { required: ['a'] }] },
    true,
  ],
  [
    'writer allOf merged against a plain reader',
    obj({ a: str, b: num }, { required: ['a', 'b'] }),
    { allOf: [obj({ a: str }, { required: ['a'] }), obj({ b: num }, { required: ['b'] })] },
    true,
  ],
  ['not narrowed', { not: str }, { not: { type: ['string', 'number'] } }, true],
  [
    'not extended',
    { not: { type: ['string', 'number'] } },
    { not: str },
    '#/not: excludes values the writer allows',
  ],
  ['not added', { not: str }, num, '#/not: not added'],
  // nullable unions
  [
    'nullable by oneOf accepts the plain type',
    obj({ x: { oneOf: [{ type: 'null' }, str] } }),
    obj({ x: str }),
    true,
  ],
  [
    'null dropped from a nullable union',
    obj({ x: str }),
    obj({ x: { oneOf: [{ type: 'null' }, str] } }),
    "#/properties/x: type changed from null to string (writer's oneOf/0)",
  ],
  // local references
  [
    'local #/definitions reference followed',
    obj({ p: { $ref: '#/definitions/P' } }, { definitions: { P: str } }),
    obj({ p: { $ref: '#/definitions/P' } }, { definitions: { P: num } }),
    '#/properties/p: type changed from number to string',
  ],
  [
    '#/$defs reference against an inline schema',
    obj({ p: { $ref: '#/$defs/P' } }, { $defs: { P: num } }),
    obj({ p: int }),
    true,
  ],
  [
    'recursive schemas terminate',
    { $ref: '#/$defs/node', $defs: { node: obj({ next: { $ref: '#/$defs/node' }, v: num }) } },
    { $ref: '#/$defs/node', $defs: { node: obj({ next: { $ref: '#/$defs/node' }, v: int }) } },
    true,
  ],
];

describe('jsonSchemaFormat.readerIncompatibilities', () => {
  it.each(cases)('%s', (_, reader, writer, expected) => {
    const problems = check(reader, writer);
    if (expected === true) expect(problems).toEqual([]);
    else expect(problems).toEqual(expect.arrayContaining([expect.stringContaining(expected)]));
  });
});

describe('references to other subjects', () => {
  const address = (zip: unknown): ResolvedReference => ({
    name: 'address.json',
    subject: 'address',
    version: 1,
    schema: JSON.stringify(obj({ street: str, zip }, { definitions: { Zip: zip } })),
    references: [],
  });
  const customer = obj({ address: { $ref: 'address.json' } });

  it('follows a $ref to another subject', () => {
    const reader = parse(customer, [address(str)]);
    const writer = parse(customer, [address(num)]);
    expect(jsonSchemaFormat.readerIncompatibilities(reader, writer)).toEqual([
      '#/properties/address/properties/zip: type changed from number to string',
    ]);
    expect(jsonSchemaFormat.readerIncompatibilities(writer, writer)).toEqual([]);
  });

  it('follows a fragment inside the referenced subject', () => {
    const schema = obj({ zip: { $ref: 'address.json#/definitions/Zip' } });
    const reader = parse(schema, [address({ type: 'string', maxLength: 5 })]);
    const writer = parse(schema, [address(str)]);
    expect(jsonSchemaFormat.readerIncompatibilities(reader, writer)).toEqual([
      '#/properties/zip: maxLength added',
    ]);
    expect(jsonSchemaFormat.readerIncompatibilities(writer, reader)).toEqual([]);
  });

  it("resolves a referenced subject's own references", () => {
    const zip = (type: string): ResolvedReference => ({
      name: 'zip.json',
      subject: 'zip',
      version: 1,
      schema: JSON.stringify({ type }),
      references: [],
    });
    const addressWithRef = (type: string): ResolvedReference => ({
      name: 'address.json',
      subject: 'address',
      version: 2,
      schema: JSON.stringify(obj({ zip: { $ref: 'zip.json' } })),
      references: [zip(type)],
    });
    const reader = parse(customer, [addressWithRef('string')]);
    const writer = parse(customer, [addressWithRef('integer')]);
    expect(jsonSchemaFormat.readerIncompatibilities(reader, writer)).toEqual([
      '#/properties/address/properties/zip: type changed from integer to string',
    ]);
  });

  it('compares an inline schema with a referenced one', () => {
    const reader = parse(customer, [address(str)]);
    const writer = parse(obj({ address: obj({ street: str, zip: str }) }));
    expect(jsonSchemaFormat.readerIncompatibilities(reader, writer)).toEqual([]);
  });
});

describe('with compatibilityProblems', () => {
  const v1 = parse(obj({ id: str }));
  const v2 = parse(obj({ id: str, name: str }, { additionalProperties: false }));
  const v3 = parse(obj({ id: str, name: str, age: int }, { additionalProperties: false }));

  it('BACKWARD: a closed schema gaining an optional property reads the latest version', () => {
    expect(compatibilityProblems(jsonSchemaFormat, 'BACKWARD', v3, [v1, v2])).toEqual([]);
  });

  it('BACKWARD_TRANSITIVE also reads version 1, whose open model may hold any age', () => {
    expect(compatibilityProblems(jsonSchemaFormat, 'BACKWARD_TRANSITIVE', v3, [v1, v2])).toEqual([
      'reading data written with version 1: #/properties/name: property name added to open content model',
      'reading data written with version 1: #/properties/age: property age added to open content model',
      'reading data written with version 1: #/additionalProperties: additional properties no longer allowed (content model closed)',
    ]);
  });

  it('FORWARD: the latest closed version cannot read a property it does not know', () => {
    expect(compatibilityProblems(jsonSchemaFormat, 'FORWARD', v3, [v1, v2])).toEqual([
      "the latest version reading the new schema's data: #/properties/age: property age removed from closed content model",
    ]);
  });

  it('FULL_TRANSITIVE with a widened type reports only the narrowing direction', () => {
    const a = parse(obj({ n: int }));
    const b = parse(obj({ n: num }));
    expect(compatibilityProblems(jsonSchemaFormat, 'FULL_TRANSITIVE', b, [a, a])).toEqual([
      "version 2 reading the new schema's data: #/properties/n: type changed from number to integer",
      "version 1 reading the new schema's data: #/properties/n: type changed from number to integer",
    ]);
  });
});

describe('jsonSchemaFormat.parse', () => {
  it('canonicalizes with sorted keys and no whitespace', () => {
    const a = jsonSchemaFormat.parse(
      '{ "type": "object", "properties": { "b": {"type":"string"}, "a": {} } }',
      [],
    );
    const b = jsonSchemaFormat.parse('{"properties":{"a":{},"b":{"type":"string"}},"type":"object"}', []);
    expect(a.canonical).toBe('{"properties":{"a":{},"b":{"type":"string"}},"type":"object"}');
    expect(b.canonical).toBe(a.canonical);
    expect(a.type).toBe('JSON');
  });

  it('accepts boolean schemas', () => {
    expect(jsonSchemaFormat.parse('true', []).canonical).toBe('true');
  });

  it.each([
    ['bad JSON', '{"type": ', 'invalid JSON'],
    ['not an object', '"string"', 'must be an object or a boolean'],
    ['an array', '[]', 'must be an object or a boolean'],
    ['unknown type name', '{"type": "strin"}', 'unknown type "strin"'],
    ['unknown type in a union', '{"type": ["null", "date"]}', 'unknown type "date"'],
    [
      'a nested schema that is a number',
      '{"properties": {"a": 5}}',
      '#/properties/a: a schema must be an object',
    ],
    ['a local $ref that points nowhere', '{"$ref": "#/definitions/missing"}', 'points nowhere'],
    ['a $ref to an unknown subject', '{"$ref": "other.json"}', 'cannot resolve $ref "other.json"'],
    ['a non-string $ref', '{"$ref": 5}', 'must be a string'],
    ['an invalid pattern', '{"type": "string", "pattern": "("}', 'invalid regular expression'],
    ['required that is not an array', '{"required": true}', 'must be an array of property names'],
    ['negative maxLength', '{"maxLength": -1}', 'must be a non-negative integer'],
    ['empty oneOf', '{"oneOf": []}', 'must be a non-empty array'],
  ])('rejects %s', (_, text, message) => {
    expect(() => jsonSchemaFormat.parse(text, [])).toThrow(InvalidSchemaError);
    expect(() => jsonSchemaFormat.parse(text, [])).toThrow(message);
  });

  it('rejects a referenced subject that is not valid', () => {
    const bad: ResolvedReference = {
      name: 'a.json',
      subject: 'a',
      version: 1,
      schema: '{"type":"x"}',
      references: [],
    };
    expect(() => jsonSchemaFormat.parse('{"$ref":"a.json"}', [bad])).toThrow(
      'reference a.json #/type: unknown type "x"',
    );
  });
});
