import { decodeRecord, encodeKey, encodeValue } from './schema-records';

const bytes = (text: string) => Buffer.from(text);

describe('_schemas records in Confluent format', () => {
  it('writes keys byte for byte as Confluent does', () => {
    expect(encodeKey({ keytype: 'SCHEMA', subject: 'orders-value', version: 3 }).toString()).toBe(
      '{"keytype":"SCHEMA","subject":"orders-value","version":3,"magic":1}',
    );
    expect(encodeKey({ keytype: 'CONFIG', subject: null }).toString()).toBe('{"keytype":"CONFIG","magic":0}');
    expect(encodeKey({ keytype: 'CONFIG', subject: 's' }).toString()).toBe(
      '{"keytype":"CONFIG","subject":"s","magic":0}',
    );
    expect(encodeKey({ keytype: 'MODE', subject: null }).toString()).toBe('{"keytype":"MODE","magic":0}');
    expect(encodeKey({ keytype: 'DELETE_SUBJECT', subject: 's' }).toString()).toBe(
      '{"keytype":"DELETE_SUBJECT","subject":"s","magic":0}',
    );
    expect(encodeKey({ keytype: 'CLEAR_SUBJECT', subject: 's' }).toString()).toBe(
      '{"keytype":"CLEAR_SUBJECT","subject":"s","magic":0}',
    );
    expect(encodeKey({ keytype: 'NOOP' }).toString()).toBe('{"keytype":"NOOP","magic":0}');
  });

  it('writes schema values with schemaType and references only when not the defaults', () => {
    const key = { keytype: 'SCHEMA' as const, subject: 'test', version: 1 };
    const avro = {
      subject: 'test',
      version: 1,
      id: 1,
      schemaType: 'AVRO' as const,
      references: [],
      schema: '"string"',
      deleted: false,
    };
    expect(encodeValue({ key, value: avro })?.toString()).toBe(
      '{"subject":"test","version":1,"id":1,"schema":"\\"string\\"","deleted":false}',
    );
    const proto = {
      ...avro,
      schemaType: 'PROTOBUF' as const,
      references: [{ name: 'a.proto', subject: 'a', version: 2 }],
      schema: 'syntax = "proto3";',
    };
    expect(JSON.parse(encodeValue({ key, value: proto })!.toString())).toEqual({
      subject: 'test',
      version: 1,
      id: 1,
      schemaType: 'PROTOBUF',
      references: [{ name: 'a.proto', subject: 'a', version: 2 }],
      schema: 'syntax = "proto3";',
      deleted: false,
    });
    expect(encodeValue({ key, value: null })).toBeNull();
  });

  it('reads what Confluent and Karapace write, including null subjects and unknown key types', () => {
    const schema = decodeRecord(
      bytes('{"keytype":"SCHEMA","subject":"test","version":1,"magic":1}'),
      bytes('{"subject":"test","version":1,"id":7,"schema":"\\"int\\"","deleted":true}'),
    );
    expect(schema).toEqual({
      key: { keytype: 'SCHEMA', subject: 'test', version: 1 },
      value: {
        subject: 'test',
        version: 1,
        id: 7,
        schemaType: 'AVRO',
        references: [],
        schema: '"int"',
        deleted: true,
      },
    });
    // Karapace writes the global config key with "subject": null
    expect(
      decodeRecord(
        bytes('{"keytype":"CONFIG","subject":null,"magic":0}'),
        bytes('{"compatibilityLevel":"FULL"}'),
      ),
    ).toEqual({
      key: { keytype: 'CONFIG', subject: null },
      value: { compatibilityLevel: 'FULL' },
    });
    expect(decodeRecord(bytes('{"keytype":"MODE","magic":0}'), bytes('{"mode":"READONLY"}'))).toEqual({
      key: { keytype: 'MODE', subject: null },
      value: { mode: 'READONLY' },
    });
    expect(
      decodeRecord(bytes('{"keytype":"CONTEXT","tenant":"default","context":".ctx"}'), bytes('{}')).key,
    ).toEqual({
      keytype: 'OTHER',
      raw: '{"keytype":"CONTEXT","tenant":"default","context":".ctx"}',
    });
    expect(decodeRecord(bytes('{"keytype":"NOOP","magic":0}'), null)).toEqual({
      key: { keytype: 'NOOP' },
      value: null,
    });
  });

  it('refuses records it cannot read, saying why', () => {
    expect(() => decodeRecord(null, null)).toThrow('without a key');
    expect(() => decodeRecord(bytes('not json'), null)).toThrow('key is not JSON');
    expect(() =>
      decodeRecord(bytes('{"keytype":"SCHEMA","subject":"s","version":1,"magic":2}'), null),
    ).toThrow('magic 2');
    expect(() =>
      decodeRecord(
        bytes('{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}'),
        bytes('{"schemaType":"XML"}'),
      ),
    ).toThrow('unknown schemaType XML');
  });
});
