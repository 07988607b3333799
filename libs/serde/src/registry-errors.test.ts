import { SCHEMA_REGISTRY_ERROR_CODES, SchemaRegistryError, schemaRegistryErrorFrom } from './registry-errors';

describe('schemaRegistryErrorFrom', () => {
  it('takes the Confluent error code and message from the body', () => {
    const error = schemaRegistryErrorFrom(
      404,
      '{"error_code":40401,"message":"Subject \'orders-value\' not found."}',
      'GET /subjects/orders-value/versions/latest',
    );
    expect(error).toBeInstanceOf(SchemaRegistryError);
    expect(error.status).toBe(404);
    expect(error.errorCode).toBe(SCHEMA_REGISTRY_ERROR_CODES.SUBJECT_NOT_FOUND);
    expect(error.message).toBe(
      "GET /subjects/orders-value/versions/latest: Subject 'orders-value' not found. (HTTP 404, error 40401)",
    );
  });

  it('reads an incompatible-schema answer (409 without a sub-code)', () => {
    const error = schemaRegistryErrorFrom(409, '{"error_code":409,"message":"incompatible"}', 'POST /x');
    expect(error.errorCode).toBe(SCHEMA_REGISTRY_ERROR_CODES.INCOMPATIBLE_SCHEMA);
  });

  it.each([
    ['an HTML page', '<html>Bad Gateway</html>', '<html>Bad Gateway</html>'],
    ['an empty body', '', 'HTTP 502'],
    ['JSON without the fields', '{"detail":"x"}', '{"detail":"x"}'],
  ])('falls back to the HTTP status as error code for %s', (_, body, message) => {
    const error = schemaRegistryErrorFrom(502, body, 'GET /schemas/ids/1');
    expect(error.errorCode).toBe(502);
    expect(error.message).toBe(`GET /schemas/ids/1: ${message} (HTTP 502, error 502)`);
  });
});
