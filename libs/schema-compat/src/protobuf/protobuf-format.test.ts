import { compatibilityProblems } from '../compatibility';
import { InvalidSchemaError, type ResolvedReference } from '../schema-format';
import { protoTextFromDescriptor } from './descriptor-to-proto';
import { descriptorFromProtoText } from './proto-to-descriptor';
import { normalizeProtobufInput, type ProtobufSchema, protobufFormat } from './protobuf-format';

const ref = (name: string, schema: string, references: ResolvedReference[] = []): ResolvedReference => ({
  name,
  subject: name,
  version: 1,
  schema,
  references,
});

const parse = (text: string, references: ResolvedReference[] = []) => protobufFormat.parse(text, references);

/** A proto3 file with an `Order` record type whose body is `body`, plus any `extra` declarations. */
const order = (body: string, extra = '', header = 'syntax = "proto3";\npackage shop;') =>
  `${header}\nmessage Order {\n${body}\n}\n${extra}`;

const money = (amountType: string) =>
  `syntax = "proto3";\npackage common;\nmessage Money {\n  ${amountType} amount = 1;\n  string currency = 2;\n}\n`;
const moneyRef = (amountType = 'int64', name = 'common/money.proto') => ref(name, money(amountType));

interface Case {
  name: string;
  reader: string;
  writer: string;
  readerRefs?: ResolvedReference[];
  writerRefs?: ResolvedReference[];
  /** true, or a substring of the one expected problem (or of each, for several). */
  expected: true | string | string[];
}

const cases: Case[] = [
  {
    name: 'identical schemas',
    reader: order('int64 id = 1;'),
    writer: order('int64 id = 1;'),
    expected: true,
  },
  {
    name: 'field renamed (only tags matter)',
    reader: order('int64 order_id = 1;'),
    writer: order('int64 id = 1;'),
    expected: true,
  },
  {
    name: 'field added',
    reader: order('int64 id = 1;\n  string note = 2;'),
    writer: order('int64 id = 1;'),
    expected: true,
  },
  {
    name: 'field removed',
    reader: order('int64 id = 1;'),
    writer: order('int64 id = 1;\n  string note = 2;'),
    expected: true,
  },
  {
    name: 'field number changed (removed + added)',
    reader: order('string note = 2;'),
    writer: order('string note = 1;'),
    expected: true,
  },
  {
    name: 'int32 -> int64 (same varint group)',
    reader: order('int64 qty = 2;'),
    writer: order('int32 qty = 2;'),
    expected: true,
  },
  {
    name: 'uint64 -> bool (same varint group)',
    reader: order('bool flag = 2;'),
    writer: order('uint64 flag = 2;'),
    expected: true,
  },
  {
    name: 'sint32 -> sint64',
    reader: order('sint64 delta = 2;'),
    writer: order('sint32 delta = 2;'),
    expected: true,
  },
  {
    name: 'fixed32 -> sfixed32',
    reader: order('sfixed32 x = 2;'),
    writer: order('fixed32 x = 2;'),
    expected: true,
  },
  {
    name: 'fixed64 -> sfixed64',
    reader: order('sfixed64 x = 2;'),
    writer: order('fixed64 x = 2;'),
    expected: true,
  },
  {
    name: 'string -> bytes',
    reader: order('bytes note = 2;'),
    writer: order('string note = 2;'),
    expected: true,
  },
  {
    name: 'double -> string',
    reader: order('string total = 3;'),
    writer: order('double total = 3;'),
    expected: 'message Order field 3 (total): type changed from double to string',
  },
  {
    name: 'int32 -> sint32 (varint vs zigzag)',
    reader: order('sint32 qty = 2;'),
    writer: order('int32 qty = 2;'),
    expected: 'message Order field 2 (qty): type changed from int32 to sint32',
  },
  {
    name: 'fixed32 -> fixed64',
    reader: order('fixed64 x = 2;'),
    writer: order('fixed32 x = 2;'),
    expected: 'field 2 (x): type changed from fixed32 to fixed64',
  },
  {
    name: 'float -> double',
    reader: order('double x = 2;'),
    writer: order('float x = 2;'),
    expected: 'field 2 (x): type changed from float to double',
  },
  {
    name: 'int32 -> enum (enums read as varints)',
    reader: order('Status status = 2;', 'enum Status { UNKNOWN = 0; PAID = 1; }'),
    writer: order('int32 status = 2;'),
    expected: true,
  },
  {
    name: 'enum -> string',
    reader: order('string status = 2;'),
    writer: order('Status status = 2;', 'enum Status { UNKNOWN = 0; PAID = 1; }'),
    expected: 'field 2 (status): type changed from Status to string',
  },
  {
    name: 'enum value renamed, added and removed (enum changes are compatible)',
    reader: order('Status status = 2;', 'enum Status { UNKNOWN = 0; SETTLED = 1; REFUNDED = 3; }'),
    writer: order('Status status = 2;', 'enum Status { UNKNOWN = 0; PAID = 1; SHIPPED = 2; }'),
    expected: true,
  },
  {
    name: 'scalar -> message (kind change)',
    reader: order('Item item = 4;', 'message Item { string sku = 1; }'),
    writer: order('int32 item = 4;', 'message Item { string sku = 1; }'),
    expected: 'message Order field 4 (item): type changed from int32 to Item (scalar to message)',
  },
  {
    name: 'message -> map (kind change)',
    reader: order('map<string, string> tags = 5;', 'message Tags { string a = 1; }'),
    writer: order('Tags tags = 5;', 'message Tags { string a = 1; }'),
    expected: 'field 5 (tags): type changed from Tags to map<string, string> (message to map)',
  },
  {
    name: 'message type replaced by another message type',
    reader: order('Item2 item = 4;', 'message Item2 { string sku = 1; }'),
    writer: order('Item item = 4;', 'message Item { string sku = 1; }'),
    expected: ['field 4 (item): type changed from Item to Item2', 'message Item was removed'],
  },
  {
    name: 'nested message field changed incompatibly',
    reader: order('Line line = 4;\n  message Line { string sku = 1; string qty = 2; }'),
    writer: order('Line line = 4;\n  message Line { string sku = 1; int32 qty = 2; }'),
    expected: 'message Order.Line field 2 (qty): type changed from int32 to string',
  },
  {
    name: 'qualified and unqualified names of the same type',
    reader: order('.shop.Order.Line line = 4;\n  message Line { string sku = 1; }'),
    writer: order('Line line = 4;\n  message Line { string sku = 1; }'),
    expected: true,
  },
  {
    name: 'map value type changed',
    reader: order('map<string, string> counts = 5;'),
    writer: order('map<string, int32> counts = 5;'),
    expected: 'field 5 (counts): map value type changed from int32 to string',
  },
  {
    name: 'map key type changed within a group',
    reader: order('map<int64, string> byId = 5;'),
    writer: order('map<int32, string> byId = 5;'),
    expected: true,
  },
  {
    name: 'singular -> repeated string (compatible)',
    reader: order('repeated string notes = 2;'),
    writer: order('string notes = 2;'),
    expected: true,
  },
  {
    name: 'singular -> repeated message (compatible)',
    reader: order('repeated Item items = 4;', 'message Item { string sku = 1; }'),
    writer: order('Item items = 4;', 'message Item { string sku = 1; }'),
    expected: true,
  },
  {
    name: 'singular -> repeated number',
    reader: order('repeated int32 qty = 2;'),
    writer: order('optional int32 qty = 2;'),
    expected: 'message Order field 2 (qty): label changed from singular to repeated',
  },
  {
    name: 'one field moved into a new oneof',
    reader: order('oneof payment {\n    string card = 5;\n    string iban = 6;\n  }'),
    writer: order('string card = 5;'),
    expected: true,
  },
  {
    name: 'several fields moved into a new oneof',
    reader: order('oneof payment {\n    string card = 5;\n    string iban = 6;\n  }'),
    writer: order('string card = 5;\n  string iban = 6;'),
    expected: 'message Order: field 5 (card), field 6 (iban) moved into oneof payment',
  },
  {
    name: 'field moved into an existing oneof',
    reader: order('oneof payment {\n    string card = 5;\n    string iban = 6;\n  }'),
    writer: order('oneof payment {\n    string card = 5;\n  }\n  string iban = 6;'),
    expected: 'message Order: field 6 (iban) moved into oneof payment',
  },
  {
    name: 'field moved out of a oneof',
    reader: order('oneof payment {\n    string card = 5;\n  }\n  string iban = 6;'),
    writer: order('oneof payment {\n    string card = 5;\n    string iban = 6;\n  }'),
    expected: 'message Order: field 6 (iban) removed from oneof payment',
  },
  {
    name: 'field added to an existing oneof',
    reader: order('oneof payment {\n    string card = 5;\n    string iban = 6;\n  }'),
    writer: order('oneof payment {\n    string card = 5;\n  }'),
    expected: true,
  },
  {
    name: 'proto3 optional is not a oneof',
    reader: order('optional string note = 2;\n  optional string memo = 3;'),
    writer: order('string note = 2;\n  string memo = 3;'),
    expected: true,
  },
  {
    name: 'oneof field type changed',
    reader: order('oneof payment {\n    int64 card = 5;\n  }'),
    writer: order('oneof payment {\n    string card = 5;\n  }'),
    expected: 'field 5 (card): type changed from string to int64',
  },
  {
    name: 'message added and messages reordered',
    reader: 'syntax = "proto3";\nmessage Extra { int32 a = 1; }\nmessage Order { int64 id = 1; }',
    writer: 'syntax = "proto3";\nmessage Order { int64 id = 1; }',
    expected: true,
  },
  {
    name: 'message removed',
    reader: order('int64 id = 1;'),
    writer: order('int64 id = 1;', 'message Audit { string who = 1; }'),
    expected: 'message Audit was removed',
  },
  {
    name: 'package changed',
    reader: order('int64 id = 1;', '', 'syntax = "proto3";\npackage store;'),
    writer: order('int64 id = 1;'),
    expected: 'package changed from "shop" to "store"',
  },
  {
    name: 'syntax changed',
    reader: order('optional int64 id = 1;', '', 'syntax = "proto2";\npackage shop;'),
    writer: order('int64 id = 1;'),
    expected: 'syntax changed from proto3 to proto2',
  },
  {
    name: 'proto2 required field added',
    reader: order(
      'optional int64 id = 1;\n  required string note = 2;',
      '',
      'syntax = "proto2";\npackage shop;',
    ),
    writer: order('optional int64 id = 1;', '', 'syntax = "proto2";\npackage shop;'),
    expected: 'message Order: required field 2 (note) was added',
  },
  {
    name: 'proto2 required field removed',
    reader: order('optional int64 id = 1;', '', 'syntax = "proto2";\npackage shop;'),
    writer: order(
      'optional int64 id = 1;\n  required string note = 2;',
      '',
      'syntax = "proto2";\npackage shop;',
    ),
    expected: 'message Order: required field 2 (note) was removed',
  },
  {
    name: 'imported message unchanged, different reference subject',
    reader: order(
      'common.Money total = 3;',
      '',
      'syntax = "proto3";\npackage shop;\nimport "common/money.proto";',
    ),
    writer: order(
      'common.Money total = 3;',
      '',
      'syntax = "proto3";\npackage shop;\nimport "common/money.proto";',
    ),
    readerRefs: [moneyRef('int64')],
    writerRefs: [moneyRef('int32')],
    expected: true,
  },
  {
    name: 'imported message changed incompatibly',
    reader: order(
      'common.Money total = 3;',
      '',
      'syntax = "proto3";\npackage shop;\nimport "common/money.proto";',
    ),
    writer: order(
      'common.Money total = 3;',
      '',
      'syntax = "proto3";\npackage shop;\nimport "common/money.proto";',
    ),
    readerRefs: [moneyRef('string')],
    writerRefs: [moneyRef('int64')],
    expected: [
      'message Money field 1 (amount): type changed from int64 to string',
      'message Order field 3 (total): type Money changed incompatibly',
    ],
  },
  {
    name: 'imported message moved to a package of another name',
    reader: order(
      'billing.Money total = 3;',
      '',
      'syntax = "proto3";\npackage shop;\nimport "billing/money.proto";',
    ),
    writer: order(
      'common.Money total = 3;',
      '',
      'syntax = "proto3";\npackage shop;\nimport "common/money.proto";',
    ),
    readerRefs: [ref('billing/money.proto', money('int64').replace('package common', 'package billing'))],
    writerRefs: [moneyRef()],
    expected: true,
  },
  {
    name: 'message moved from the file into an import',
    reader: order(
      'common.Money total = 3;',
      '',
      'syntax = "proto3";\npackage shop;\nimport "common/money.proto";',
    ),
    writer: order('Money total = 3;', money('int64').replace(/^syntax.*\npackage.*\n/, '')),
    readerRefs: [moneyRef()],
    expected: 'message Money was removed',
  },
  {
    name: 'reference importing another reference',
    reader: order(
      'common.Price price = 3;',
      '',
      'syntax = "proto3";\npackage shop;\nimport "common/price.proto";',
    ),
    writer: order(
      'common.Price price = 3;',
      '',
      'syntax = "proto3";\npackage shop;\nimport "common/price.proto";',
    ),
    readerRefs: [
      ref(
        'common/price.proto',
        'syntax = "proto3";\npackage common;\nimport "common/money.proto";\nmessage Price { Money gross = 1; }',
        [moneyRef('bytes')],
      ),
    ],
    writerRefs: [
      ref(
        'common/price.proto',
        'syntax = "proto3";\npackage common;\nimport "common/money.proto";\nmessage Price { Money gross = 1; }',
        [moneyRef('int64')],
      ),
    ],
    expected: [
      'message Money field 1 (amount): type changed from int64 to bytes',
      'message Price field 1 (gross): type Money changed incompatibly',
      'message Order field 3 (price): type Price changed incompatibly',
    ],
  },
  {
    name: 'well-known types',
    reader: order(
      'google.protobuf.Timestamp at = 2;\n  google.protobuf.StringValue note = 3;',
      '',
      'syntax = "proto3";\npackage shop;\nimport "google/protobuf/timestamp.proto";\nimport "google/protobuf/wrappers.proto";',
    ),
    writer: order(
      'google.protobuf.Timestamp at = 2;\n  google.protobuf.StringValue note = 3;',
      '',
      'syntax = "proto3";\npackage shop;\nimport "google/protobuf/timestamp.proto";\nimport "google/protobuf/wrappers.proto";',
    ),
    expected: true,
  },
  {
    name: 'well-known type replaced by another',
    reader: order(
      'google.protobuf.Duration at = 2;',
      '',
      'syntax = "proto3";\nimport "google/protobuf/duration.proto";',
    ),
    writer: order(
      'google.protobuf.Timestamp at = 2;',
      '',
      'syntax = "proto3";\nimport "google/protobuf/timestamp.proto";',
    ),
    expected: 'message Order field 2 (at): type changed from Timestamp to Duration',
  },
  {
    name: 'recursive message type',
    reader: order('Node root = 1;', 'message Node { string label = 1; repeated Node children = 2; }'),
    writer: order('Node root = 1;', 'message Node { bytes label = 1; repeated Node children = 2; }'),
    expected: true,
  },
];

describe('protobufFormat.readerIncompatibilities', () => {
  it.each(cases)('$name', ({ reader, writer, readerRefs = [], writerRefs = [], expected }) => {
    const problems = protobufFormat.readerIncompatibilities(
      parse(reader, readerRefs),
      parse(writer, writerRefs),
    );
    if (expected === true) {
      expect(problems).toEqual([]);
    } else {
      const wanted = typeof expected === 'string' ? [expected] : expected;
      expect(problems).toHaveLength(wanted.length);
      for (const [i, w] of wanted.entries()) expect(problems[i]).toContain(w);
    }
  });

  it('has at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });
});

describe('protobufFormat through compatibilityProblems', () => {
  const v1 = parse(order('int64 id = 1;\n  string note = 2;'));
  const v2 = parse(order('int64 id = 1;'));
  const v3 = parse(order('int64 id = 1;\n  int32 note = 2;'));

  it('BACKWARD only looks at the latest version', () => {
    expect(compatibilityProblems(protobufFormat, 'BACKWARD', v3, [v1, v2])).toEqual([]);
  });

  it('BACKWARD_TRANSITIVE finds the clash with an older version', () => {
    expect(compatibilityProblems(protobufFormat, 'BACKWARD_TRANSITIVE', v3, [v1, v2])).toEqual([
      'reading data written with version 1: message Order field 2 (note): type changed from string to int32',
    ]);
  });

  it('FORWARD checks the latest version reading the candidate', () => {
    const candidate = parse(order('int64 id = 1;\n  repeated int64 counts = 3;'));
    const latest = parse(order('int64 id = 1;\n  int64 counts = 3;'));
    expect(compatibilityProblems(protobufFormat, 'FORWARD', candidate, [latest])).toEqual([
      "the latest version reading the new schema's data: message Order field 3 (counts): label changed from repeated to singular for a numeric type",
    ]);
  });

  it('FULL_TRANSITIVE checks both directions against every version', () => {
    const problems = compatibilityProblems(protobufFormat, 'FULL_TRANSITIVE', v3, [v1, v2]);
    expect(problems).toEqual([
      'reading data written with version 1: message Order field 2 (note): type changed from string to int32',
      "version 1 reading the new schema's data: message Order field 2 (note): type changed from int32 to string",
    ]);
  });

  it('FULL accepts a compatible evolution with references', () => {
    const text = order(
      'common.Money total = 3;',
      '',
      'syntax = "proto3";\npackage shop;\nimport "common/money.proto";',
    );
    const older = parse(text, [moneyRef('int32')]);
    const newer = parse(text.replace('total = 3;', 'total = 3;\n  string note = 4;'), [moneyRef('int64')]);
    expect(compatibilityProblems(protobufFormat, 'FULL', newer, [older])).toEqual([]);
  });
});

describe('protobufFormat.parse', () => {
  const invalid = (text: string, references: ResolvedReference[] = []) => {
    try {
      parse(text, references);
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidSchemaError);
      return (error as Error).message;
    }
    throw new Error('expected an InvalidSchemaError');
  };

  it('rejects a syntax error with the parser message', () => {
    expect(invalid('syntax = "proto3";\nmessage Order { int64 id = ; }')).toMatch(/illegal/);
  });

  it('rejects an undefined type', () => {
    expect(invalid(order('Missing thing = 1;'))).toContain("no such Type or Enum 'Missing'");
  });

  it('rejects an unresolved import', () => {
    expect(
      invalid(order('common.Money total = 3;', '', 'syntax = "proto3";\nimport "common/money.proto";')),
    ).toContain('unresolved import "common/money.proto"');
  });

  it('rejects an unresolved import inside a reference', () => {
    const price = ref(
      'common/price.proto',
      'syntax = "proto3";\nimport "common/money.proto";\nmessage P { Money m = 1; }',
    );
    expect(
      invalid(order('P p = 1;', '', 'syntax = "proto3";\nimport "common/price.proto";'), [price]),
    ).toContain('unresolved import "common/money.proto" in "common/price.proto"');
  });

  it('rejects a syntax error inside a reference', () => {
    expect(
      invalid(order('int64 id = 1;', '', 'syntax = "proto3";\nimport "bad.proto";'), [
        ref('bad.proto', 'message {'),
      ]),
    ).toContain('in imported file "bad.proto"');
  });

  it('rejects proto3 required fields and duplicate names', () => {
    expect(invalid(order('required int64 id = 1;'))).toMatch(/illegal/);
    expect(invalid(order('int64 id = 1;', 'message Order { int64 id = 1; }'))).toContain(
      "duplicate name 'Order'",
    );
  });

  it('resolves google/protobuf/descriptor.proto for custom options', () => {
    const schema = parse(
      'syntax = "proto3";\nimport "google/protobuf/descriptor.proto";\n' +
        'extend google.protobuf.FieldOptions { string label = 50001; }\n' +
        'message Order { int64 id = 1 [(label) = "key"]; }',
    );
    expect(schema.recordName).toBe('Order');
  });

  it('finds the record type, syntax and package', () => {
    const schema: ProtobufSchema = parse(
      'syntax = "proto3";\npackage shop.v1;\nenum E { A = 0; }\nmessage First { message Inner {} }\nmessage Second {}',
    );
    expect(schema.type).toBe('PROTOBUF');
    expect(schema.recordName).toBe('First');
    expect(schema.syntax).toBe('proto3');
    expect(schema.packageName).toBe('shop.v1');
    expect([...schema.messages.keys()]).toEqual(['First', 'First.Inner', 'Second']);
    expect(parse('message A { optional int32 a = 1; }').syntax).toBe('proto2');
  });

  it('gives formatting-only variants the same canonical text', () => {
    const a = parse('syntax = "proto3";\n// the order\nmessage Order {\n  int64 id = 1; /* key */\n}\n');
    const b = parse("syntax='proto3';   message Order{int64 id=1;}");
    const c = parse('syntax = "proto3";\nmessage Order {\n  int64 id = 2;\n}\n');
    expect(a.canonical).toBe(b.canonical);
    expect(a.canonical).not.toBe(c.canonical);
  });
});

describe('protobufFormat with serialized FileDescriptorProtos (as confluent-kafka-python registers)', () => {
  /** trunkline/test/address.proto, base64 of its serialized FileDescriptorProto, as the client sends it. */
  const ADDRESS_BASE64 =
    'Chx0cnVua2xpbmUvdGVzdC9hZGRyZXNzLnByb3RvEg50cnVua2xpbmUudGVzdCInCgdBZGRyZXNzEg4KBnN0cmVldBgBIAEoCRIMCgRjaXR5GAIgASgJYgZwcm90bzM=';
  const addressText = protoTextFromDescriptor(Buffer.from(ADDRESS_BASE64, 'base64'));

  it('parses base64 of a descriptor as the equivalent .proto text, with the same canonical text', () => {
    const schema = parse(ADDRESS_BASE64);
    expect(schema.recordName).toBe('Address');
    expect(schema.packageName).toBe('trunkline.test');
    expect(schema.syntax).toBe('proto3');
    expect(schema.canonical).toBe(parse(addressText).canonical);
    expect(parse(`\n${ADDRESS_BASE64}\n`).canonical).toBe(schema.canonical);
  });

  it('normalizeProtobufInput converts base64 descriptors and leaves anything else alone', () => {
    expect(normalizeProtobufInput(ADDRESS_BASE64)).toBe(addressText);
    const text = 'syntax = "proto3";\nmessage A { int32 a = 1; }\n';
    expect(normalizeProtobufInput(text)).toBe(text);
    expect(normalizeProtobufInput('not base64 at all')).toBe('not base64 at all');
    expect(normalizeProtobufInput('AAAA')).toBe('AAAA'); // base64, not a descriptor
    expect(normalizeProtobufInput('')).toBe('');
  });

  it('still rejects base64 that is not a descriptor', () => {
    expect(() => parse('AAAA')).toThrow(InvalidSchemaError);
  });

  it('resolves references registered in either form', () => {
    const customer =
      'syntax = "proto3";\npackage shop;\nimport "trunkline/test/address.proto";\n' +
      'message Customer { trunkline.test.Address home = 1; }';
    const serialized = Buffer.from(
      descriptorFromProtoText(customer, [ref('trunkline/test/address.proto', addressText)], 'default'),
    ).toString('base64');
    for (const reference of [ADDRESS_BASE64, addressText]) {
      const refs = [ref('trunkline/test/address.proto', reference)];
      expect(parse(customer, refs).recordName).toBe('Customer');
      expect(parse(serialized, refs).recordName).toBe('Customer');
    }
  });

  it('checks compatibility between a serialized schema and a text one', () => {
    const reader = parse(
      'syntax = "proto3";\npackage trunkline.test;\nmessage Address { string street = 1; string city = 2; string zip = 3; }',
    );
    const writer = parse(ADDRESS_BASE64);
    expect(protobufFormat.readerIncompatibilities(reader, writer)).toEqual([]);
    const changed = parse(
      'syntax = "proto3";\npackage trunkline.test;\nmessage Address { int64 street = 1; }',
    );
    expect(protobufFormat.readerIncompatibilities(changed, writer)).toHaveLength(1);
  });
});

describe('canonical form', () => {
  it('is the same for hand-written .proto text and the serialized descriptor of the same file', () => {
    const written = [
      'syntax = "proto3";',
      '// an order, as the shop writes it',
      'package shop;',
      'message Order {',
      '  string id = 1;',
      '  Line first = 2;  // a relative type name',
      '  map<string, int64> totals = 3;',
      '  message Line { int32 qty = 1; }',
      '}',
    ].join('\n');
    const serialized = Buffer.from(descriptorFromProtoText(written, [], 'order.proto')).toString('base64');
    expect(parse(serialized).canonical).toBe(parse(written).canonical);
    expect(parse(written.replace('int32 qty = 1', 'int64 qty = 1')).canonical).not.toBe(
      parse(written).canonical,
    );
  });
});
