import { RegistryError } from './registry-error';
import { schemaRequestFrom } from './requests';

describe('schemaRequestFrom', () => {
  it('refuses a schema type that is not a string with 42201, whatever the object', () => {
    // A property test found this one answering 500: String() throws on it.
    const body = { schema: '!', schemaType: { toString: 0 } };
    expect(() => schemaRequestFrom(body)).toThrow(RegistryError);
    expect(() => schemaRequestFrom(body)).toThrow('Invalid schema type {"toString":0}');
  });

  it('refuses a version that is not a positive integer, whatever the object', () => {
    const body = { schema: '"string"', version: { valueOf: 0 } };
    expect(() => schemaRequestFrom(body)).toThrow(RegistryError);
  });
});
