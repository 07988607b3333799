import { fromBinary } from '@bufbuild/protobuf';
import {
  Edition,
  FeatureSet_EnumType,
  FeatureSet_FieldPresence,
  FieldDescriptorProto_Label as FieldLabel,
  FieldDescriptorProto_Type as FieldType,
  type FileDescriptorProto,
  FileDescriptorProtoSchema,
} from '@bufbuild/protobuf/wkt';
import { InvalidSchemaError, type ResolvedReference } from '../schema-format';
import { protoTextFromDescriptor } from './descriptor-to-proto';
import { descriptorFromProtoText, fileStatements } from './proto-to-descriptor';
import { loadIntoPythonPool, pythonUnavailable } from './python-protobuf.test-helper';

const ref = (name: string, schema: string, references: ResolvedReference[] = []): ResolvedReference => ({
  name,
  subject: name,
  version: 1,
  schema,
  references,
});

const ADDRESS = [
  'syntax = "proto3";',
  'package trunkline.test;',
  'message Address {',
  '  string street = 1;',
  '  string city = 2;',
  '}',
].join('\n');
const addressRef = ref('trunkline/test/address.proto', ADDRESS);

const CUSTOMER = [
  'syntax = "proto3";',
  'package trunkline.test;',
  'import "trunkline/test/address.proto";',
  'import "google/protobuf/timestamp.proto";',
  'option java_package = "dev.trunkline.test";',
  'option java_multiple_files = true;',
  'option go_package = "trunkline.dev/test";',
  'message Customer {',
  '  string customer_id = 1;',
  '  Address home = 2;',
  '  repeated Address others = 3;',
  '  google.protobuf.Timestamp created_at = 4;',
  '  optional string nick_name = 5;',
  '  map<string, Address> addresses_by_label = 6;',
  '  oneof contact { string email = 7; string phone = 8; }',
  '  Status status = 9;',
  '  enum Status { STATUS_UNKNOWN = 0; ACTIVE = 1; }',
  '}',
].join('\n');

const decode = (bytes: Uint8Array): FileDescriptorProto => fromBinary(FileDescriptorProtoSchema, bytes);

interface Case {
  readonly name: string;
  readonly text: string;
  readonly references?: ResolvedReference[];
}

const cases: Case[] = [
  { name: 'a plain proto3 message', text: ADDRESS },
  { name: 'imports, maps, oneofs, proto3 optional, nested enum', text: CUSTOMER, references: [addressRef] },
  {
    name: 'nested messages referring to each other, no package',
    text: [
      'syntax = "proto3";',
      'message Outer {',
      '  message Middle { message Inner { int32 depth = 1; Outer back = 2; } Inner inner = 1; }',
      '  Middle.Inner deepest = 1;',
      '  repeated Middle middles = 2;',
      '  map<int64, Middle.Inner> by_id = 3;',
      '  map<string, Kind> kinds = 4;',
      '  enum Kind { KIND_UNSPECIFIED = 0; }',
      '}',
      'enum Top { TOP_UNSPECIFIED = 0; TOP_ONE = 1; }',
    ].join('\n'),
  },
  {
    name: 'every scalar type and packed / deprecated / json_name options',
    text: [
      'syntax = "proto3";',
      'package scalars;',
      'message All {',
      '  double d = 1; float f = 2; int64 i64 = 3; uint64 u64 = 4; int32 i32 = 5; fixed64 f64 = 6;',
      '  fixed32 f32 = 7; bool b = 8; string s = 9; bytes by = 10; uint32 u32 = 11; sfixed32 sf32 = 12;',
      '  sfixed64 sf64 = 13; sint32 s32 = 14; sint64 s64 = 15;',
      '  repeated int32 unpacked = 16 [packed = false];',
      '  string old_name = 17 [deprecated = true, json_name = "legacy"];',
      '}',
    ].join('\n'),
  },
  {
    name: 'proto2 with required, defaults, reserved ranges and names, extension ranges, groups',
    text: [
      'syntax = "proto2";',
      'package legacy.v1;',
      'option java_outer_classname = "LegacyProtos";',
      'option optimize_for = LITE_RUNTIME;',
      'message Item {',
      '  option deprecated = true;',
      '  required string sku = 1 [default = "none"];',
      '  optional int32 count = 2 [default = -3];',
      '  optional bool active = 3 [default = true];',
      '  optional float ratio = 4 [default = 0.5];',
      '  optional Size size = 5 [default = MEDIUM];',
      '  repeated int64 ids = 6 [packed = true];',
      '  optional group Extra = 7 { optional string note = 1; }',
      '  reserved 8 to 10, 12, 1000 to max;',
      '  reserved "gone", "removed";',
      '  extensions 100 to 199;',
      '  enum Size { SMALL = 1; MEDIUM = 2 [deprecated = true]; LARGE = 3; reserved 9, 20 to max; reserved "HUGE"; }',
      '}',
    ].join('\n'),
  },
  {
    name: 'services with unary and streaming rpcs and method options',
    text: [
      'syntax = "proto3";',
      'package svc;',
      'import "google/protobuf/empty.proto";',
      'message Ping { string id = 1; }',
      'service Pinger {',
      '  option deprecated = true;',
      '  rpc Ping (svc.Ping) returns (google.protobuf.Empty);',
      '  rpc Stream (stream Ping) returns (stream Ping) { option idempotency_level = NO_SIDE_EFFECTS; }',
      '}',
    ].join('\n'),
  },
  {
    name: 'public and weak imports, enum aliases',
    text: [
      'syntax = "proto3";',
      'package wrapper;',
      'import public "trunkline/test/address.proto";',
      'import weak "google/protobuf/duration.proto";',
      'enum Level { option allow_alias = true; LEVEL_UNKNOWN = 0; LOW = 1; MINOR = 1; }',
      'message Holder { trunkline.test.Address address = 1; Level level = 2; }',
    ].join('\n'),
    references: [addressRef],
  },
  {
    name: 'edition 2023 with file and field features',
    text: [
      'edition = "2023";',
      'package ed;',
      'option features.field_presence = IMPLICIT;',
      'message M { int32 a = 1 [features.field_presence = EXPLICIT]; repeated int32 r = 2; }',
      'enum E { option features.enum_type = CLOSED; E_ZERO = 0; }',
    ].join('\n'),
  },
  {
    name: 'extensions (custom option declarations) at file and message level',
    text: [
      'syntax = "proto2";',
      'package ext;',
      'import "google/protobuf/descriptor.proto";',
      'extend google.protobuf.FieldOptions { optional string label = 50001; }',
      'message Holder {',
      '  optional int32 a = 1;',
      '  extend google.protobuf.MessageOptions { repeated bool flag = 50002; }',
      '}',
    ].join('\n'),
  },
];

describe('descriptorFromProtoText', () => {
  it.each(cases)(
    'round-trips $name: text → descriptor → text → the same descriptor',
    ({ text, references }) => {
      const first = descriptorFromProtoText(text, references ?? [], 'default');
      const printed = protoTextFromDescriptor(first);
      const second = descriptorFromProtoText(printed, references ?? [], 'default');
      expect(decode(second)).toEqual(decode(first));
      expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
      expect(protoTextFromDescriptor(second)).toBe(printed);
    },
  );

  it('declares only the file’s own types, depends on the import paths as written, names the file', () => {
    const file = decode(descriptorFromProtoText(CUSTOMER, [addressRef], 'default'));
    expect(file.name).toBe('default');
    expect(file.package).toBe('trunkline.test');
    expect(file.syntax).toBe('proto3');
    expect(file.dependency).toEqual(['trunkline/test/address.proto', 'google/protobuf/timestamp.proto']);
    expect(file.messageType.map((m) => m.name)).toEqual(['Customer']);
    expect(file.options?.javaPackage).toBe('dev.trunkline.test');
    expect(file.options?.javaMultipleFiles).toBe(true);
    expect(file.options?.goPackage).toBe('trunkline.dev/test');
  });

  it('builds fields as protoc does: qualified type names, json names, map entries, oneofs', () => {
    const [customer] = decode(descriptorFromProtoText(CUSTOMER, [addressRef], 'default')).messageType;
    const field = (name: string) => customer?.field.find((f) => f.name === name);
    expect(field('customer_id')).toMatchObject({ number: 1, type: FieldType.STRING, jsonName: 'customerId' });
    expect(field('home')).toMatchObject({ type: FieldType.MESSAGE, typeName: '.trunkline.test.Address' });
    expect(field('others')?.label).toBe(FieldLabel.REPEATED);
    expect(field('created_at')?.typeName).toBe('.google.protobuf.Timestamp');
    expect(field('status')).toMatchObject({
      type: FieldType.ENUM,
      typeName: '.trunkline.test.Customer.Status',
    });
    expect(field('addresses_by_label')).toMatchObject({
      label: FieldLabel.REPEATED,
      type: FieldType.MESSAGE,
      typeName: '.trunkline.test.Customer.AddressesByLabelEntry',
      jsonName: 'addressesByLabel',
    });
    const entry = customer?.nestedType.find((t) => t.name === 'AddressesByLabelEntry');
    expect(entry?.options?.mapEntry).toBe(true);
    expect(entry?.field.map((f) => [f.name, f.number, f.label, f.type, f.typeName])).toEqual([
      ['key', 1, FieldLabel.OPTIONAL, FieldType.STRING, ''],
      ['value', 2, FieldLabel.OPTIONAL, FieldType.MESSAGE, '.trunkline.test.Address'],
    ]);
    // The real oneof comes first; the synthetic one of `optional nick_name` after it.
    expect(customer?.oneofDecl.map((o) => o.name)).toEqual(['contact', '_nick_name']);
    expect(field('email')?.oneofIndex).toBe(0);
    expect(field('phone')?.oneofIndex).toBe(0);
    expect(field('nick_name')).toMatchObject({ oneofIndex: 1, proto3Optional: true });
  });

  it('marks public and weak imports by index', () => {
    const file = decode(descriptorFromProtoText(cases[6]!.text, [addressRef], 'default'));
    expect(file.dependency).toEqual(['trunkline/test/address.proto', 'google/protobuf/duration.proto']);
    expect(file.publicDependency).toEqual([0]);
    expect(file.weakDependency).toEqual([1]);
  });

  it('declares extensions with fully qualified extendees, where they were declared', () => {
    const file = decode(descriptorFromProtoText(cases[8]!.text, [], 'default'));
    expect(file.extension.map((f) => [f.name, f.number, f.extendee])).toEqual([
      ['label', 50001, '.google.protobuf.FieldOptions'],
    ]);
    expect(file.messageType[0]?.extension.map((f) => [f.name, f.label, f.extendee])).toEqual([
      ['flag', FieldLabel.REPEATED, '.google.protobuf.MessageOptions'],
    ]);
    expect(file.messageType[0]?.field.map((f) => f.name)).toEqual(['a']);
  });

  it('keeps an editions file’s features on the file', () => {
    const file = decode(descriptorFromProtoText(cases[7]!.text, [], 'default'));
    expect(file.syntax).toBe('editions');
    expect(file.edition).toBe(Edition.EDITION_2023);
    expect(file.options?.features?.fieldPresence).toBe(FeatureSet_FieldPresence.IMPLICIT);
    expect(file.messageType[0]?.options).toBeUndefined();
    expect(file.messageType[0]?.field[0]?.options?.features?.fieldPresence).toBe(
      FeatureSet_FieldPresence.EXPLICIT,
    );
    expect(file.enumType[0]?.options?.features?.enumType).toBe(FeatureSet_EnumType.CLOSED);
  });

  it('reads references registered in the serialized form', () => {
    const serializedRef = ref(
      'trunkline/test/address.proto',
      Buffer.from(descriptorFromProtoText(ADDRESS, [], 'trunkline/test/address.proto')).toString('base64'),
    );
    const file = decode(descriptorFromProtoText(CUSTOMER, [serializedRef], 'default'));
    expect(file.messageType[0]?.field.find((f) => f.name === 'home')?.typeName).toBe(
      '.trunkline.test.Address',
    );
  });

  it('rejects text that does not parse or resolve', () => {
    expect(() => descriptorFromProtoText('message {', [], 'default')).toThrow(InvalidSchemaError);
    expect(() => descriptorFromProtoText(CUSTOMER, [], 'default')).toThrow(InvalidSchemaError);
  });
});

describe('fileStatements', () => {
  it('lists top-level imports in order with their modifiers, ignoring look-alikes', () => {
    const text = [
      '// import "commented.proto";',
      'syntax = "proto3";',
      'import "a.proto";',
      'import public "b.proto";',
      'import weak "c.proto";',
      'message M { string import = 1; string s = 2 [default = "import \\"d.proto\\";"]; }',
    ].join('\n');
    expect(fileStatements(text).imports).toEqual([
      { path: 'a.proto', modifier: undefined },
      { path: 'b.proto', modifier: 'public' },
      { path: 'c.proto', modifier: 'weak' },
    ]);
  });
});

describe('descriptorFromProtoText against Python protobuf', () => {
  const unavailable = pythonUnavailable();
  if (unavailable) process.stderr.write(`skipping Python protobuf checks: ${unavailable}\n`);
  const maybe = unavailable ? it.skip : it;

  maybe.each(cases)('Python’s DescriptorPool accepts $name', ({ text, references }) => {
    // As confluent-kafka-python does: each reference under its name, then the schema as "default".
    const dependencies = (references ?? []).map((r) =>
      descriptorFromProtoText(r.schema, r.references, r.name),
    );
    const messages = loadIntoPythonPool([
      ...dependencies,
      descriptorFromProtoText(text, references ?? [], 'default'),
    ]);
    expect(messages.length).toBeGreaterThan(0);
  });

  maybe('Python refuses a descriptor whose dependency is missing (the check can fail)', () => {
    expect(() => loadIntoPythonPool([descriptorFromProtoText(CUSTOMER, [addressRef], 'default')])).toThrow(
      /refused/,
    );
  });
});
