import { decodeJson, encodeJson } from './json-serde';
import { DeserializationError, SerializationError } from './serde-errors';
import { unframe } from './wire-format';

describe('JSON encoding', () => {
  it('writes the value as UTF-8 JSON text after the header', () => {
    const framed = encodeJson(5, { name: 'Zoë', tags: ['a'] });
    expect(framed.subarray(0, 5).toString('hex')).toBe('0000000005');
    expect(framed.subarray(5).toString('utf8')).toBe('{"name":"Zoë","tags":["a"]}');
    expect(decodeJson(unframe(framed).payload)).toEqual({ name: 'Zoë', tags: ['a'] });
  });

  it('refuses values JSON cannot hold and payloads that are not JSON', () => {
    expect(() => encodeJson(5, undefined)).toThrow(SerializationError);
    expect(() => encodeJson(5, { n: 1n })).toThrow(SerializationError);
    expect(() => decodeJson(Buffer.from('{"a":'))).toThrow(DeserializationError);
  });
});
