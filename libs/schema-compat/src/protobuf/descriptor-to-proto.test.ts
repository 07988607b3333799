import { create, fromBinary, toBinary, toJson } from '@bufbuild/protobuf';
import {
  FieldDescriptorProto_Label as FieldLabel,
  FieldDescriptorProto_Type as FieldType,
  type FileDescriptorProto,
  FileDescriptorProtoSchema,
} from '@bufbuild/protobuf/wkt';
import { protoTextFromDescriptor, protoTextFromFileDescriptor } from './descriptor-to-proto';
import { descriptorFromProtoText } from './proto-to-descriptor';
import {
  loadIntoPythonPool,
  pythonUnavailable,
  pythonWellKnownDescriptor,
} from './python-protobuf.test-helper';

/** What confluent-kafka-python 2.16.1 registers for trunkline/test/address.proto. */
const ADDRESS_BASE64 =
  'Chx0cnVua2xpbmUvdGVzdC9hZGRyZXNzLnByb3RvEg50cnVua2xpbmUudGVzdCInCgdBZGRyZXNzEg4KBnN0cmVldBgBIAEoCRIMCgRjaXR5GAIgASgJYgZwcm90bzM=';

/** google/protobuf/struct.proto as Python's protobuf 7.36.2 embeds it (maps, a oneof, an enum, file options). */
const STRUCT_BASE64 =
  'Chxnb29nbGUvcHJvdG9idWYvc3RydWN0LnByb3RvEg9nb29nbGUucHJvdG9idWYimAEKBlN0cnVjdBI7CgZmaWVsZHMYASADKAsyIy5nb29nbGUucHJvdG9idWYuU3RydWN0LkZpZWxkc0VudHJ5UgZmaWVsZHMaUQoLRmllbGRzRW50cnkSEAoDa2V5GAEgASgJUgNrZXkSLAoFdmFsdWUYAiABKAsyFi5nb29nbGUucHJvdG9idWYuVmFsdWVSBXZhbHVlOgI4ASKyAgoFVmFsdWUSOwoKbnVsbF92YWx1ZRgBIAEoDjIaLmdvb2dsZS5wcm90b2J1Zi5OdWxsVmFsdWVIAFIJbnVsbFZhbHVlEiMKDG51bWJlcl92YWx1ZRgCIAEoAUgAUgtudW1iZXJWYWx1ZRIjCgxzdHJpbmdfdmFsdWUYAyABKAlIAFILc3RyaW5nVmFsdWUSHwoKYm9vbF92YWx1ZRgEIAEoCEgAUglib29sVmFsdWUSPAoMc3RydWN0X3ZhbHVlGAUgASgLMhcuZ29vZ2xlLnByb3RvYnVmLlN0cnVjdEgAUgtzdHJ1Y3RWYWx1ZRI7CgpsaXN0X3ZhbHVlGAYgASgLMhouZ29vZ2xlLnByb3RvYnVmLkxpc3RWYWx1ZUgAUglsaXN0VmFsdWVCBgoEa2luZCI7CglMaXN0VmFsdWUSLgoGdmFsdWVzGAEgAygLMhYuZ29vZ2xlLnByb3RvYnVmLlZhbHVlUgZ2YWx1ZXMqGwoJTnVsbFZhbHVlEg4KCk5VTExfVkFMVUUQAEJ/ChNjb20uZ29vZ2xlLnByb3RvYnVmQgtTdHJ1Y3RQcm90b1ABWi9nb29nbGUuZ29sYW5nLm9yZy9wcm90b2J1Zi90eXBlcy9rbm93bi9zdHJ1Y3RwYvgBAaICA0dQQqoCHkdvb2dsZS5Qcm90b2J1Zi5XZWxsS25vd25UeXBlc2IGcHJvdG8z';

const fromBase64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

/** A descriptor's meaning, for comparing: JSON without json_name, nested types by name. */
function meaning(bytes: Uint8Array): unknown {
  const file = fromBinary(FileDescriptorProtoSchema, bytes);
  const json = JSON.stringify(toJson(FileDescriptorProtoSchema, file), (key, value: unknown) => {
    if (key === 'jsonName') return undefined;
    if (key === 'nestedType' && Array.isArray(value)) {
      return [...value].sort((a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name));
    }
    return value;
  });
  return JSON.parse(json);
}

describe('protoTextFromDescriptor', () => {
  it('decodes the descriptor confluent-kafka-python registers', () => {
    expect(protoTextFromDescriptor(fromBase64(ADDRESS_BASE64))).toBe(
      [
        'syntax = "proto3";',
        'package trunkline.test;',
        'message Address {',
        '  string street = 1;',
        '  string city = 2;',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('prints maps, oneofs, enums and file options of struct.proto, which mean what they meant', () => {
    const bytes = fromBase64(STRUCT_BASE64);
    const text = protoTextFromDescriptor(bytes);
    expect(text).toContain('option java_package = "com.google.protobuf";');
    expect(text).toContain('option cc_enable_arenas = true;');
    expect(text).toContain('  map<string, .google.protobuf.Value> fields = 1;');
    expect(text).toContain('  oneof kind {\n    .google.protobuf.NullValue null_value = 1;');
    expect(text).toContain('  repeated .google.protobuf.Value values = 1;');
    expect(text).toContain('enum NullValue {\n  NULL_VALUE = 0;\n}');
    expect(text).not.toContain('FieldsEntry');
    const again = descriptorFromProtoText(text, [], 'google/protobuf/struct.proto');
    expect(meaning(again)).toEqual(meaning(bytes));
  });

  it('prints proto3 optional fields (synthetic oneofs), json names, streaming rpcs and reserved ranges', () => {
    const file: FileDescriptorProto = create(FileDescriptorProtoSchema, {
      name: 'default',
      package: 'shop',
      syntax: 'proto3',
      dependency: ['a.proto', 'b.proto', 'c.proto'],
      publicDependency: [1],
      weakDependency: [2],
      messageType: [
        {
          name: 'Order',
          field: [
            { name: 'id', number: 1, label: FieldLabel.OPTIONAL, type: FieldType.INT64, jsonName: 'id' },
            {
              name: 'note',
              number: 2,
              label: FieldLabel.OPTIONAL,
              type: FieldType.STRING,
              oneofIndex: 0,
              proto3Optional: true,
              jsonName: 'memo',
            },
            {
              name: 'tags',
              number: 3,
              label: FieldLabel.REPEATED,
              type: FieldType.INT32,
              options: { packed: false, deprecated: true },
            },
          ],
          oneofDecl: [{ name: '_note' }],
          reservedRange: [
            { start: 5, end: 6 },
            { start: 10, end: 20 },
            { start: 100, end: 536_870_912 },
          ],
          reservedName: ['old'],
        },
      ],
      service: [
        {
          name: 'Orders',
          method: [
            { name: 'Watch', inputType: '.shop.Order', outputType: '.shop.Order', serverStreaming: true },
          ],
        },
      ],
    });
    expect(protoTextFromFileDescriptor(file)).toBe(
      [
        'syntax = "proto3";',
        'package shop;',
        'import "a.proto";',
        'import public "b.proto";',
        'import weak "c.proto";',
        'message Order {',
        '  int64 id = 1;',
        '  optional string note = 2 [json_name = "memo"];',
        '  repeated int32 tags = 3 [packed = false, deprecated = true];',
        '  reserved 5, 10 to 19, 100 to max;',
        '  reserved "old";',
        '}',
        'service Orders {',
        '  rpc Watch (.shop.Order) returns (stream .shop.Order);',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('prints proto2 labels, defaults, groups and extension ranges', () => {
    const text = [
      'syntax = "proto2";',
      'package legacy;',
      'message Item {',
      '  required string sku = 1 [default = "none"];',
      '  optional Kind kind = 2 [default = BIG];',
      '  optional double weight = 3 [default = -inf];',
      '  optional bytes tag = 4 [default = "ab"];',
      '  repeated group Part = 5 {',
      '    optional int32 count = 1;',
      '  }',
      '  extensions 100 to max;',
      '  enum Kind { option allow_alias = true; SMALL = 0; BIG = 1; LARGE = 1; reserved 7 to max; }',
      '}',
    ].join('\n');
    const printed = protoTextFromDescriptor(descriptorFromProtoText(text, [], 'legacy.proto'));
    expect(printed).toContain('  required string sku = 1 [default = "none"];');
    expect(printed).toContain('  optional .legacy.Item.Kind kind = 2 [default = BIG];');
    expect(printed).toContain('  optional double weight = 3 [default = -inf];');
    expect(printed).toContain('  optional bytes tag = 4 [default = "ab"];');
    expect(printed).toContain('  repeated group Part = 5 {\n    optional int32 count = 1;\n  }');
    expect(printed).toContain('  extensions 100 to max;');
    expect(printed).toContain('    option allow_alias = true;\n    SMALL = 0;\n    BIG = 1;\n    LARGE = 1;');
    expect(printed).toContain('    reserved 7 to max;');
  });

  it('rejects bytes that are not a FileDescriptorProto', () => {
    expect(() => protoTextFromDescriptor(new Uint8Array([0xff, 0xff, 0xff]))).toThrow();
  });

  it('turns a serialized empty file into a proto2 file with nothing in it', () => {
    expect(
      protoTextFromDescriptor(toBinary(FileDescriptorProtoSchema, create(FileDescriptorProtoSchema))),
    ).toBe('syntax = "proto2";\n');
  });
});

describe('protoTextFromDescriptor against Python protobuf', () => {
  const unavailable = pythonUnavailable();
  if (unavailable) process.stderr.write(`skipping Python protobuf checks: ${unavailable}\n`);
  const maybe = unavailable ? it.skip : it;

  maybe.each([
    'google/protobuf/any.proto',
    'google/protobuf/api.proto',
    'google/protobuf/duration.proto',
    'google/protobuf/empty.proto',
    'google/protobuf/field_mask.proto',
    'google/protobuf/source_context.proto',
    'google/protobuf/struct.proto',
    'google/protobuf/timestamp.proto',
    'google/protobuf/type.proto',
    'google/protobuf/wrappers.proto',
  ])('prints %s as text that means what Python embeds', (name) => {
    const bytes = pythonWellKnownDescriptor(name);
    const again = descriptorFromProtoText(protoTextFromDescriptor(bytes), [], name);
    expect(meaning(again)).toEqual(meaning(bytes));
  });

  maybe(
    'prints descriptor.proto (proto2: defaults, extension ranges, options) as text Python loads back',
    () => {
      const text = protoTextFromDescriptor(pythonWellKnownDescriptor('google/protobuf/descriptor.proto'));
      const again = descriptorFromProtoText(text, [], 'google/protobuf/descriptor.proto');
      expect(loadIntoPythonPool([again], false)).toContain('google.protobuf.FieldDescriptorProto');
      expect(protoTextFromDescriptor(again)).toBe(text);
    },
  );
});
