// Round trips of each format through a real Trunkline schema registry (state in a real broker).
import { TrunklineTestBroker, TrunklineTestSchemaRegistry } from '@trunkline/testing';
import { avroType } from './avro-codec';
import { AvroSerde } from './avro-serde';
import { JsonSerde } from './json-serde';
import { ProtobufSerde } from './protobuf-serde';
import { SchemaRegistryClient } from './registry-client';
import { SCHEMA_REGISTRY_ERROR_CODES, SchemaRegistryError } from './registry-errors';
import { unframeProtobuf } from './wire-format';

const broker = new TrunklineTestBroker();
let registry: TrunklineTestSchemaRegistry;
let requests: string[] = [];

/** A client that records the requests it sends (through the real global fetch). */
function countingClient(): SchemaRegistryClient {
  return new SchemaRegistryClient({
    url: registry.url,
    fetch: (input, init) => {
      requests.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
      return fetch(input, init);
    },
  });
}

beforeAll(async () => {
  await broker.start();
  registry = new TrunklineTestSchemaRegistry(broker.bootstrap);
  await registry.start();
}, 60_000);

afterAll(async () => {
  await registry?.stop();
  await broker.destroy();
});

beforeEach(() => {
  requests = [];
});

const orderV1 = JSON.stringify({
  type: 'record',
  name: 'Order',
  namespace: 'shop',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'customer', type: 'string' },
  ],
});
const orderV2 = JSON.stringify({
  type: 'record',
  name: 'Order',
  namespace: 'shop',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'customer', type: 'string' },
    { name: 'currency', type: 'string', default: 'EUR' },
  ],
});

describe('SchemaRegistryClient against the Trunkline schema registry', () => {
  it('registers once, then answers the id from its cache', async () => {
    const client = countingClient();
    const id = await client.register('client-value', { schema: orderV1 });
    expect(await client.register('client-value', { schema: orderV1 })).toBe(id);
    expect(requests).toEqual(['POST /subjects/client-value/versions']);
    expect(await client.lookup('client-value', { schema: orderV1 })).toEqual({ id, version: 1 });
    expect(await client.getLatest('client-value')).toMatchObject({
      subject: 'client-value',
      id,
      version: 1,
      schemaType: 'AVRO',
    });
    expect((await client.getVersion('client-value', 1)).id).toBe(id);
  });

  it('shares one request among concurrent identical lookups by id', async () => {
    const id = await countingClient().register('shared-value', { schema: orderV2 });
    requests = [];
    const client = countingClient();
    const [a, b] = await Promise.all([client.getSchemaById(id), client.getSchemaById(id)]);
    expect(a).toBe(b);
    expect(JSON.parse(a.schema)).toEqual(JSON.parse(orderV2));
    expect(requests).toEqual([`GET /schemas/ids/${id}`]);
  });

  it('throws SchemaRegistryError with the status and Confluent error code', async () => {
    const client = countingClient();
    await expect(client.getLatest('no-such-subject')).rejects.toMatchObject({
      name: 'SchemaRegistryError',
      status: 404,
      errorCode: SCHEMA_REGISTRY_ERROR_CODES.SUBJECT_NOT_FOUND,
    });
    await expect(client.getSchemaById(987_654)).rejects.toMatchObject({
      status: 404,
      errorCode: SCHEMA_REGISTRY_ERROR_CODES.SCHEMA_NOT_FOUND,
    });
    const invalid = await client
      .register('broken-value', { schema: '{"type":"nope"}' })
      .catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(SchemaRegistryError);
    expect((invalid as SchemaRegistryError).errorCode).toBe(SCHEMA_REGISTRY_ERROR_CODES.INVALID_SCHEMA);
  });
});

describe('serdes through the Trunkline schema registry', () => {
  it('round-trips Avro, and reads v1 data as v2 with the defaulted field', async () => {
    const writer = new AvroSerde(countingClient());
    const v1 = await writer.serialize('orders-avro-value', orderV1, { id: 1, customer: 'ada' });
    const v2 = await writer.serialize('orders-avro-value', orderV2, {
      id: 2,
      customer: 'bob',
      currency: 'USD',
    });
    expect(v1.readUInt32BE(1)).not.toBe(v2.readUInt32BE(1));

    // A fresh reader: every writer schema comes from the registry by id.
    const reader = new AvroSerde(countingClient());
    expect(await reader.deserialize(v1)).toEqual({ id: 1, customer: 'ada' });
    const readerV2 = avroType(orderV2);
    expect(await reader.deserialize(v1, readerV2)).toEqual({ id: 1, customer: 'ada', currency: 'EUR' });
    expect(await reader.deserialize(v2, readerV2)).toEqual({ id: 2, customer: 'bob', currency: 'USD' });
    expect(requests.filter((r) => r.startsWith('GET /schemas/ids/'))).toHaveLength(2);
  });

  it('round-trips Protobuf with a reference to another subject and a nested message', async () => {
    const client = countingClient();
    const money =
      'syntax = "proto3";\npackage common;\nmessage Money { int64 units = 1; string currency = 2; }\n';
    await client.register('common/money.proto', { schema: money, schemaType: 'PROTOBUF' });
    const { version } = await client.lookup('common/money.proto', { schema: money, schemaType: 'PROTOBUF' });
    const order = {
      schema: `syntax = "proto3";
package shop;
import "common/money.proto";

message Order {
  message Line {
    string sku = 1;
    int32 quantity = 2;
    common.Money price = 3;
  }
  int64 id = 1;
  repeated Line lines = 2;
}
`,
      references: [{ name: 'common/money.proto', subject: 'common/money.proto', version }],
    };
    const writer = new ProtobufSerde(client);
    const line = { sku: 'A-1', quantity: 2, price: { units: '995', currency: 'EUR' } };
    const framedOrder = await writer.serialize('orders-proto-value', order, { id: '7', lines: [line] });
    const framedLine = await writer.serialize('orders-proto-value', order, line, 'Order.Line');
    expect(unframeProtobuf(framedOrder).messageIndexes).toEqual([0]);
    expect(unframeProtobuf(framedLine).messageIndexes).toEqual([0, 0]);

    const reader = new ProtobufSerde(countingClient());
    expect(await reader.deserialize(framedOrder)).toEqual({
      messageType: 'shop.Order',
      value: { id: '7', lines: [line] },
    });
    expect(await reader.deserialize(framedLine)).toEqual({ messageType: 'shop.Order.Line', value: line });
  });

  it('round-trips JSON', async () => {
    const schema = JSON.stringify({
      type: 'object',
      properties: { id: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' } } },
    });
    const framed = await new JsonSerde(countingClient()).serialize('orders-json-value', schema, {
      id: 3,
      tags: ['gift'],
    });
    const client = countingClient();
    expect((await client.getSchemaById(framed.readUInt32BE(1))).schemaType).toBe('JSON');
    expect(await new JsonSerde(client).deserialize(framed)).toEqual({ id: 3, tags: ['gift'] });
  });

  it('looks the schema up without registering it when autoRegister is false', async () => {
    const serde = new AvroSerde(countingClient(), { autoRegister: false });
    await expect(
      serde.serialize('never-registered-value', orderV1, { id: 1, customer: 'x' }),
    ).rejects.toMatchObject({
      status: 404,
      errorCode: SCHEMA_REGISTRY_ERROR_CODES.SUBJECT_NOT_FOUND,
    });
  });
});
