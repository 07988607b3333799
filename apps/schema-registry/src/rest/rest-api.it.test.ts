import { randomUUID } from 'node:crypto';
import { describeEachBroker, TrunklineTestSchemaRegistry } from '@trunkline/testing';
import fc from 'fast-check';
import { call, ok } from '../testing/rest-client';

const avro = (fields: unknown[], name = 'User') => JSON.stringify({ type: 'record', name, fields });
const v1 = avro([{ name: 'id', type: 'long' }]);
const v2 = avro([
  { name: 'id', type: 'long' },
  { name: 'email', type: 'string', default: '' },
]);
const breaking = avro([
  { name: 'id', type: 'long' },
  { name: 'age', type: 'int' },
]);

describeEachBroker('schema registry REST API', (broker) => {
  let registry: TrunklineTestSchemaRegistry;
  let url: string;
  const get = (path: string) => ok(url, 'GET', path);
  const post = (path: string, body: unknown) => ok(url, 'POST', path, body);
  const error = async (method: string, path: string, body?: unknown) => {
    const answer = await call(url, method, path, body);
    const { error_code, message } = answer.body as { error_code: number; message: string };
    return { status: answer.status, code: error_code, message };
  };

  beforeAll(async () => {
    // Apache Kafka is shared by test files: each registry gets its own topic and group.
    const suffix = randomUUID().slice(0, 8);
    registry = new TrunklineTestSchemaRegistry(broker.bootstrap, [
      '--topic',
      `_schemas-${suffix}`,
      '--group-id',
      `schema-registry-${suffix}`,
    ]);
    await registry.start();
    url = registry.url;
  }, 60_000);
  afterAll(() => registry?.stop());

  it('answers the root, the schema types and the contexts', async () => {
    expect(await get('/')).toEqual({});
    expect(await get('/schemas/types')).toEqual(expect.arrayContaining(['AVRO', 'PROTOBUF', 'JSON']));
    expect(await get('/contexts')).toEqual(['.']);
  });

  it('registers versions, gives equal schemas one id, and looks them up', async () => {
    const first = await post('/subjects/users-value/versions', { schema: v1 });
    expect(first).toMatchObject({ id: expect.any(Number), version: 1 });
    const id = (first as { id: number }).id;
    // the same schema again (formatted differently) is the same version
    const again = await post('/subjects/users-value/versions', {
      schema: JSON.stringify(JSON.parse(v1), null, 2),
    });
    expect(again).toMatchObject({ id, version: 1 });
    // under another subject: a new version there, the same id
    expect(await post('/subjects/users-copy/versions', { schema: v1 })).toMatchObject({ id, version: 1 });
    const second = (await post('/subjects/users-value/versions', { schema: v2 })) as { id: number };
    expect(second.id).toBeGreaterThan(id);

    expect(await get('/subjects/users-value/versions')).toEqual([1, 2]);
    expect(await get('/subjects/users-value/versions/latest')).toMatchObject({ version: 2, id: second.id });
    expect(await get('/subjects/users-value/versions/-1')).toMatchObject({ version: 2 });
    expect(await get('/subjects/users-value/versions/1')).toEqual({
      subject: 'users-value',
      version: 1,
      id,
      schema: v1,
    });
    expect(JSON.parse(JSON.stringify(await get('/subjects/users-value/versions/1/schema')))).toEqual(
      JSON.parse(v1),
    );
    expect(await get(`/schemas/ids/${id}`)).toEqual({ schema: v1 });
    expect(await get(`/schemas/ids/${id}/subjects`)).toEqual(['users-copy', 'users-value']);
    expect(await get(`/schemas/ids/${id}/versions`)).toEqual([
      { subject: 'users-copy', version: 1 },
      { subject: 'users-value', version: 1 },
    ]);
    expect(await post('/subjects/users-value', { schema: v1 })).toMatchObject({ version: 1, id });
    expect(await get('/subjects')).toEqual(expect.arrayContaining(['users-copy', 'users-value']));
    expect(await get('/subjects?subjectPrefix=users-c')).toEqual(['users-copy']);
    expect(await get('/schemas?subjectPrefix=users-value&latestOnly=true')).toEqual([
      expect.objectContaining({ subject: 'users-value', version: 2 }),
    ]);
  });

  it('refuses an incompatible schema, naming the field, and tests compatibility on request', async () => {
    const refused = await error('POST', '/subjects/users-value/versions', { schema: breaking });
    expect(refused).toMatchObject({ status: 409, code: 40901 });
    expect(refused.message).toContain('age');
    expect(
      await post('/compatibility/subjects/users-value/versions/latest?verbose=true', { schema: breaking }),
    ).toEqual({ is_compatible: false, messages: [expect.stringContaining('age')] });
    expect(await post('/compatibility/subjects/users-value/versions', { schema: v2 })).toEqual({
      is_compatible: true,
    });
    expect(await post('/compatibility/subjects/no-such-subject/versions', { schema: v1 })).toEqual({
      is_compatible: true,
    });
    expect(
      await error('POST', '/compatibility/subjects/no-such-subject/versions/1', { schema: v1 }),
    ).toMatchObject({
      status: 404,
      code: 40401,
    });
  });

  it('reads and changes compatibility levels globally and per subject', async () => {
    expect(await get('/config')).toMatchObject({ compatibilityLevel: 'BACKWARD' });
    expect(await error('GET', '/config/users-value')).toMatchObject({ status: 404, code: 40408 });
    expect(await get('/config/users-value?defaultToGlobal=true')).toMatchObject({
      compatibilityLevel: 'BACKWARD',
    });
    expect(await ok(url, 'PUT', '/config/users-value', { compatibility: 'none' })).toEqual({
      compatibility: 'NONE',
    });
    expect(await get('/config/users-value')).toMatchObject({ compatibilityLevel: 'NONE' });
    // NONE lets the breaking change in
    expect(await post('/subjects/users-value/versions', { schema: breaking })).toMatchObject({ version: 3 });
    expect(await ok(url, 'DELETE', '/config/users-value')).toMatchObject({ compatibilityLevel: 'NONE' });
    expect(await error('GET', '/config/users-value')).toMatchObject({ code: 40408 });
    expect(await error('PUT', '/config', { compatibility: 'SIDEWAYS' })).toMatchObject({
      status: 422,
      code: 42203,
    });
  });

  it('resolves references across subjects for Avro, Protobuf and JSON Schema', async () => {
    const address = JSON.stringify({
      type: 'record',
      name: 'Address',
      namespace: 'shop',
      fields: [{ name: 'city', type: 'string' }],
    });
    const addressRef = (await post('/subjects/address-value/versions', { schema: address })) as {
      version: number;
    };
    const customer = JSON.stringify({
      type: 'record',
      name: 'Customer',
      namespace: 'shop',
      fields: [{ name: 'address', type: 'shop.Address' }],
    });
    const registered = (await post('/subjects/customer-value/versions', {
      schema: customer,
      references: [{ name: 'shop.Address', subject: 'address-value', version: addressRef.version }],
    })) as { id: number };
    expect(await get(`/schemas/ids/${registered.id}`)).toEqual({
      schema: customer,
      references: [{ name: 'shop.Address', subject: 'address-value', version: 1 }],
    });
    expect(await get('/subjects/address-value/versions/1/referencedby')).toEqual([registered.id]);
    expect(await error('DELETE', '/subjects/address-value/versions/1')).toMatchObject({
      status: 422,
      code: 42206,
    });

    await post('/subjects/money.proto/versions', {
      schemaType: 'PROTOBUF',
      schema: 'syntax = "proto3";\npackage shop;\nmessage Money { int64 cents = 1; string currency = 2; }\n',
    });
    const order = (await post('/subjects/orders-value/versions', {
      schemaType: 'PROTOBUF',
      schema:
        'syntax = "proto3";\npackage shop;\nimport "money.proto";\nmessage Order { string id = 1; shop.Money total = 2; }\n',
      references: [{ name: 'money.proto', subject: 'money.proto', version: 1 }],
    })) as { id: number };
    expect(await get(`/schemas/ids/${order.id}`)).toMatchObject({ schemaType: 'PROTOBUF' });

    await post('/subjects/point.json/versions', {
      schemaType: 'JSON',
      schema: JSON.stringify({ type: 'object', properties: { x: { type: 'number' } } }),
    });
    await post('/subjects/shape-value/versions', {
      schemaType: 'JSON',
      schema: JSON.stringify({ type: 'object', properties: { at: { $ref: 'point.json' } } }),
      references: [{ name: 'point.json', subject: 'point.json', version: 1 }],
    });
    const missing = await error('POST', '/subjects/shape2-value/versions', {
      schemaType: 'JSON',
      schema: JSON.stringify({ type: 'object', properties: { at: { $ref: 'point.json' } } }),
      references: [{ name: 'point.json', subject: 'nowhere', version: 1 }],
    });
    expect(missing).toMatchObject({ status: 422, code: 42201 });
  });

  it('soft-deletes, then permanently deletes, versions and subjects with Confluent codes', async () => {
    await post('/subjects/temp/versions', { schema: avro([{ name: 'a', type: 'int' }], 'Temp') });
    await post('/subjects/temp/versions', {
      schema: avro(
        [
          { name: 'a', type: 'int' },
          { name: 'b', type: 'int', default: 0 },
        ],
        'Temp',
      ),
    });
    expect(await error('DELETE', '/subjects/temp/versions/1?permanent=true')).toMatchObject({ code: 40407 });
    expect(await ok(url, 'DELETE', '/subjects/temp/versions/1')).toBe(1);
    expect(await error('DELETE', '/subjects/temp/versions/1')).toMatchObject({ status: 404, code: 40406 });
    expect(await get('/subjects/temp/versions')).toEqual([2]);
    expect(await get('/subjects/temp/versions?deleted=true')).toEqual([1, 2]);
    expect(await error('GET', '/subjects/temp/versions/1')).toMatchObject({ code: 40402 });
    expect(await get('/subjects/temp/versions/1?deleted=true')).toMatchObject({ version: 1 });
    expect(await ok(url, 'DELETE', '/subjects/temp/versions/1?permanent=true')).toBe(1);
    expect(await error('DELETE', '/subjects/temp?permanent=true')).toMatchObject({
      status: 404,
      code: 40405,
    });
    expect(await ok(url, 'DELETE', '/subjects/temp')).toEqual([2]);
    expect(await error('DELETE', '/subjects/temp')).toMatchObject({ status: 404, code: 40404 });
    expect(await get('/subjects')).not.toContain('temp');
    expect(await get('/subjects?deletedOnly=true')).toContain('temp');
    expect(await ok(url, 'DELETE', '/subjects/temp?permanent=true')).toEqual([2]);
    expect(await error('GET', '/subjects/temp/versions?deleted=true')).toMatchObject({ code: 40401 });
    expect(await error('DELETE', '/subjects/temp')).toMatchObject({ code: 40401 });
  });

  it('honours READONLY and IMPORT modes', async () => {
    expect(await get('/mode')).toEqual({ mode: 'READWRITE' });
    expect(await ok(url, 'PUT', '/mode/frozen', { mode: 'READONLY' })).toEqual({ mode: 'READONLY' });
    expect(await error('POST', '/subjects/frozen/versions', { schema: v1 })).toMatchObject({
      status: 422,
      code: 42205,
    });
    expect(await get('/mode/frozen')).toEqual({ mode: 'READONLY' });
    expect(await ok(url, 'DELETE', '/mode/frozen')).toEqual({ mode: 'READONLY' });
    expect(await error('GET', '/mode/frozen')).toMatchObject({ code: 40409 });
    expect(await error('PUT', '/mode/imported', { mode: 'SIDEWAYS' })).toMatchObject({
      status: 422,
      code: 42204,
    });

    await ok(url, 'PUT', '/mode/imported', { mode: 'IMPORT' });
    const schema = avro([{ name: 'z', type: 'string' }], 'Imported');
    expect(await post('/subjects/imported/versions', { schema, id: 5000, version: 7 })).toMatchObject({
      id: 5000,
      version: 7,
    });
    expect(await get('/schemas/ids/5000')).toEqual({ schema });
    const clash = await error('POST', '/subjects/imported/versions', { schema: v1, id: 5000, version: 8 });
    expect(clash).toMatchObject({ status: 422, code: 42207 });
    await ok(url, 'DELETE', '/mode/imported');
    // ids assigned afterwards continue above the imported one
    const next = (await post('/subjects/after-import/versions', {
      schema: avro([{ name: 'q', type: 'int' }], 'After'),
    })) as {
      id: number;
    };
    expect(next.id).toBeGreaterThan(5000);
  });

  it('answers bad input with Confluent error codes, never a 500', async () => {
    expect(await error('POST', '/subjects/bad/versions', '{not json')).toMatchObject({
      status: 400,
      code: 400,
    });
    expect(await error('POST', '/subjects/bad/versions', { schema: '{"type": "recrd"}' })).toMatchObject({
      status: 422,
      code: 42201,
    });
    expect(
      await error('POST', '/subjects/bad/versions', { schema: 'message {', schemaType: 'PROTOBUF' }),
    ).toMatchObject({
      code: 42201,
    });
    expect(
      await error('POST', '/subjects/bad/versions', { schema: '{"type": 12}', schemaType: 'JSON' }),
    ).toMatchObject({
      code: 42201,
    });
    expect(await error('POST', '/subjects/bad/versions', { schema: '{}', schemaType: 'XML' })).toMatchObject({
      status: 422,
      code: 42201,
    });
    expect(await error('POST', '/subjects/bad/versions', {})).toMatchObject({ status: 422, code: 42201 });
    expect(await error('GET', '/subjects/users-value/versions/0')).toMatchObject({
      status: 422,
      code: 42202,
    });
    expect(await error('GET', '/subjects/users-value/versions/abc')).toMatchObject({
      status: 422,
      code: 42202,
    });
    expect(await error('GET', '/subjects/nobody/versions')).toMatchObject({ status: 404, code: 40401 });
    expect(await error('GET', '/schemas/ids/987654')).toMatchObject({ status: 404, code: 40403 });
    expect(await error('GET', '/schemas/ids/abc')).toMatchObject({ status: 404, code: 40403 });
    expect(
      await error('POST', '/subjects/users-value', { schema: avro([{ name: 'x', type: 'int' }], 'Nope') }),
    ).toMatchObject({ status: 404, code: 40403 });
    expect(await error('GET', '/no/such/route')).toMatchObject({ status: 404 });
    expect(await error('PATCH', '/subjects')).toMatchObject({ status: 405 });

    const huge = JSON.stringify({
      schema: JSON.stringify({ type: 'string', doc: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(await error('POST', '/subjects/bad/versions', huge)).toMatchObject({ status: 422, code: 42209 });

    const wrongType = await fetch(`${url}/subjects/bad/versions`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: '<schema/>',
    });
    expect(wrongType.status).toBe(415);
    // the registry still serves after all of it
    expect(await get('/subjects/users-value/versions')).toEqual([1, 2, 3]);
  });

  it('never answers arbitrary bodies and paths with a 5xx', async () => {
    const schemaText = fc.oneof(
      fc.string(),
      fc.json(),
      fc.constantFrom(
        '{"type":"record","name":"R","fields":[{"name":"a","type":"nope"}]}',
        'syntax = "proto3"; message {',
      ),
    );
    const body = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          schema: fc.oneof(schemaText, fc.jsonValue()),
          schemaType: fc.oneof(fc.constantFrom('AVRO', 'PROTOBUF', 'JSON', 'avro'), fc.jsonValue()),
          references: fc.oneof(
            fc.jsonValue(),
            fc.array(fc.record({ name: fc.string(), subject: fc.string(), version: fc.integer() })),
          ),
          compatibility: fc.jsonValue(),
          mode: fc.jsonValue(),
        },
        { requiredKeys: [] },
      ),
    );
    const target = fc.constantFrom(
      ['POST', '/subjects/fuzz/versions'],
      ['POST', '/subjects/users-value'],
      ['POST', '/compatibility/subjects/users-value/versions/latest'],
      ['PUT', '/config/fuzz'],
      ['PUT', '/mode/fuzz'],
    );
    const segment = fc.string({ maxLength: 12 }).map((s) => encodeURIComponent(s));
    await fc.assert(
      fc.asyncProperty(target, body, async ([method, path], payload) => {
        const answer = await call(url, method, path, JSON.stringify(payload));
        expect(answer.status).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(segment, { minLength: 1, maxLength: 5 }), async (segments) => {
        const answer = await call(url, 'GET', `/${segments.join('/')}`);
        expect(answer.status).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
  });
});
