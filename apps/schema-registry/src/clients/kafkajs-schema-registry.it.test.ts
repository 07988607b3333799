// @kafkajs/confluent-schema-registry, a widely used Node.js client of Confluent's Schema
// Registry, registers, encodes and decodes Avro, Protobuf and JSON Schema records through
// Trunkline's registry, run over each broker under test.
import { randomUUID } from 'node:crypto';
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { describeEachBroker, TrunklineTestSchemaRegistry } from '@trunkline/testing';

const avroV1 = {
  type: 'record',
  name: 'User',
  namespace: 'trunkline.test',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'name', type: 'string' },
  ],
};
// v2 adds a field with a default: BACKWARD-compatible, so a v2 reader reads v1 records.
const avroV2 = {
  ...avroV1,
  fields: [...avroV1.fields, { name: 'email', type: 'string', default: 'none' }],
};
// A new field without a default: a v3 reader cannot read v2 records.
const avroBreaking = {
  ...avroV1,
  fields: [...avroV2.fields, { name: 'age', type: 'int' }],
};

const protoV1 = `syntax = "proto3";
package trunkline.test;

message Order {
  string id = 1;
  int32 quantity = 2;
}
`;
const protoV2 = `syntax = "proto3";
package trunkline.test;

message Order {
  string id = 1;
  int32 quantity = 2;
  string note = 3;
}
`;
const addressProto = `syntax = "proto3";
package trunkline.test.common;

message Address {
  string street = 1;
  string city = 2;
}
`;
const customerProto = `syntax = "proto3";
package trunkline.test;

import "trunkline/test/common/address.proto";

message Customer {
  string name = 1;
  trunkline.test.common.Address address = 2;
}
`;

const jsonV1 = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Event',
  type: 'object',
  properties: { kind: { type: 'string' }, count: { type: 'integer' } },
  required: ['kind'],
  additionalProperties: false,
};
// An optional property added to a closed content model: BACKWARD-compatible.
const jsonV2 = {
  ...jsonV1,
  properties: { ...jsonV1.properties, source: { type: 'string' } },
};

/** What the library throws for an HTTP error answer (its ResponseError is not exported). */
interface ResponseError extends Error {
  status: number;
  url: string;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describeEachBroker('@kafkajs/confluent-schema-registry', (broker) => {
  const run = randomUUID().slice(0, 8);
  let registry: TrunklineTestSchemaRegistry;
  /** A client with an empty cache, so that each schema is fetched from the registry. */
  const client = () => new SchemaRegistry({ host: registry.url, retry: { retries: 0 } });

  beforeAll(async () => {
    // Apache Kafka is shared by test files: each registry gets its own topic and group.
    registry = new TrunklineTestSchemaRegistry(broker.bootstrap, [
      '--topic',
      `_schemas-${run}`,
      '--group-id',
      `schema-registry-${run}`,
    ]);
    await registry.start();
  }, 60_000);
  afterAll(() => registry?.stop());

  describe('Avro', () => {
    const subject = `users-${run}-value`;
    let v1Id: number;
    let v1Record: Buffer;

    it('registers a schema, sets its compatibility, encodes and decodes in the wire format', async () => {
      const writer = client();
      ({ id: v1Id } = await writer.register(
        { type: SchemaType.AVRO, schema: JSON.stringify(avroV1) },
        { subject },
      ));
      expect(v1Id).toBeGreaterThan(0);
      v1Record = await writer.encode(v1Id, { id: 7, name: 'Ada' });
      expect(v1Record[0]).toBe(0);
      expect(v1Record.readInt32BE(1)).toBe(v1Id);

      // A fresh client fetches the writer's schema by id.
      expect(await client().decode(v1Record)).toEqual({ id: 7, name: 'Ada' });
      // The first registration set the subject's compatibility (PUT /config/{subject}).
      const response = await fetch(`${registry.url}/config/${subject}`);
      expect(await response.json()).toMatchObject({ compatibilityLevel: 'BACKWARD' });
    });

    it('registers the same schema again under the same id', async () => {
      const { id } = await client().register(
        { type: SchemaType.AVRO, schema: JSON.stringify(avroV1) },
        { subject },
      );
      expect(id).toBe(v1Id);
      expect(await client().getRegistryIdBySchema(subject, avroV1 as never)).toBe(v1Id);
    });

    it('evolves: a v1 record decodes after v2 is registered, and with v2 as the reader schema', async () => {
      const { id: v2Id } = await client().register(
        { type: SchemaType.AVRO, schema: JSON.stringify(avroV2) },
        { subject },
      );
      expect(v2Id).not.toBe(v1Id);

      const reader = client();
      expect(await reader.getLatestSchemaId(subject)).toBe(v2Id);
      expect(await reader.getRegistryId(subject, 1)).toBe(v1Id);
      expect(await reader.getRegistryId(subject, 2)).toBe(v2Id);
      expect(await reader.getRegistryId(subject, 'latest')).toBe(v2Id);

      expect(await reader.decode(v1Record)).toEqual({ id: 7, name: 'Ada' });
      expect(await reader.decode(v1Record, { [SchemaType.AVRO]: { readerSchema: avroV2 as never } })).toEqual(
        {
          id: 7,
          name: 'Ada',
          email: 'none',
        },
      );
      const v2Record = await reader.encode(v2Id, { id: 8, name: 'Grace', email: 'g@example.com' });
      expect(await client().decode(v2Record)).toEqual({ id: 8, name: 'Grace', email: 'g@example.com' });
    });

    it('rejects an incompatible schema with the registry error the library raises (409)', async () => {
      const error = (await rejection(
        client().register({ type: SchemaType.AVRO, schema: JSON.stringify(avroBreaking) }, { subject }),
      )) as ResponseError;
      expect(error.name).toBe('ResponseError');
      expect(error.status).toBe(409);
      expect(error.message).toMatch(/incompatible/i);
      expect(await client().getLatestSchemaId(subject)).toBe(await client().getRegistryId(subject, 2));
      expect(await (await fetch(`${registry.url}/subjects/${subject}/versions`)).json()).toEqual([1, 2]);
    });

    it('refuses to register when the subject compatibility differs from the one asked for', async () => {
      const error = await rejection(
        client().register(
          { type: SchemaType.AVRO, schema: JSON.stringify(avroV2) },
          { subject, compatibility: COMPATIBILITY.FULL },
        ),
      );
      expect(error.name).toBe('ConfluentSchemaRegistryCompatibilityError');
      expect(error.message).toContain('FULL != BACKWARD');
    });

    it('answers 404 for an unknown subject and id', async () => {
      const unknownSubject = (await rejection(client().getLatestSchemaId(`missing-${run}`))) as ResponseError;
      expect(unknownSubject.status).toBe(404);
      const unknownId = (await rejection(
        client().decode(Buffer.from([0, 0x7f, 0, 0, 1, 2])),
      )) as ResponseError;
      expect(unknownId.status).toBe(404);
    });
  });

  describe('Protobuf', () => {
    const subject = `orders-${run}-value`;

    it('registers, encodes and decodes, then evolves', async () => {
      const writer = client();
      const { id: v1Id } = await writer.register({ type: SchemaType.PROTOBUF, schema: protoV1 }, { subject });
      const v1Record = await writer.encode(v1Id, { id: 'o-1', quantity: 3 });
      expect(v1Record.readInt32BE(1)).toBe(v1Id);
      expect((await client().decode(v1Record)).toJSON()).toEqual({ id: 'o-1', quantity: 3 });

      const { id: v2Id } = await client().register(
        { type: SchemaType.PROTOBUF, schema: protoV2 },
        { subject },
      );
      expect(v2Id).not.toBe(v1Id);
      const reader = client();
      expect(await reader.getLatestSchemaId(subject)).toBe(v2Id);
      expect(await reader.getRegistryId(subject, 1)).toBe(v1Id);
      expect((await reader.decode(v1Record)).toJSON()).toEqual({ id: 'o-1', quantity: 3 });
      const v2Record = await reader.encode(v2Id, { id: 'o-2', quantity: 1, note: 'gift' });
      expect((await client().decode(v2Record)).toJSON()).toEqual({ id: 'o-2', quantity: 1, note: 'gift' });
    });

    it('rejects a field whose type changed incompatibly', async () => {
      const changed = protoV2.replace('int32 quantity = 2;', 'string quantity = 2;');
      const error = (await rejection(
        client().register({ type: SchemaType.PROTOBUF, schema: changed }, { subject }),
      )) as ResponseError;
      expect(error.name).toBe('ResponseError');
      expect(error.status).toBe(409);
    });

    it('resolves a schema reference to another subject', async () => {
      const addressSubject = `trunkline/test/common/address-${run}.proto`;
      const customerSubject = `customers-${run}-value`;
      await client().register(
        { type: SchemaType.PROTOBUF, schema: addressProto },
        { subject: addressSubject },
      );
      const references = [
        { name: 'trunkline/test/common/address.proto', subject: addressSubject, version: 1 },
      ];
      const writer = client();
      const { id } = await writer.register(
        { type: SchemaType.PROTOBUF, schema: customerProto, references },
        { subject: customerSubject },
      );
      const stored = await (await fetch(`${registry.url}/schemas/ids/${id}`)).json();
      expect(stored).toMatchObject({ schemaType: 'PROTOBUF', references });

      const customer = { name: 'Lin', address: { street: '1 Main St', city: 'Oslo' } };
      const record = await writer.encode(id, customer);
      // A fresh client follows the reference from the stored schema.
      expect((await client().decode(record)).toJSON()).toEqual(customer);
      const referencedBy = await fetch(
        `${registry.url}/subjects/${encodeURIComponent(addressSubject)}/versions/1/referencedby`,
      );
      expect(await referencedBy.json()).toEqual([id]);
    });
  });

  describe('JSON Schema', () => {
    const subject = `events-${run}-value`;

    it('registers, validates, encodes and decodes, then evolves', async () => {
      const writer = client();
      const { id: v1Id } = await writer.register(
        { type: SchemaType.JSON, schema: JSON.stringify(jsonV1) },
        { subject },
      );
      const v1Record = await writer.encode(v1Id, { kind: 'click', count: 2 });
      expect(v1Record.readInt32BE(1)).toBe(v1Id);
      expect(await client().decode(v1Record)).toEqual({ kind: 'click', count: 2 });
      const invalid = await rejection(writer.encode(v1Id, { count: 'two' }));
      expect(invalid.name).toBe('ConfluentSchemaRegistryValidationError');

      const { id: v2Id } = await client().register(
        { type: SchemaType.JSON, schema: JSON.stringify(jsonV2) },
        { subject },
      );
      expect(v2Id).not.toBe(v1Id);
      const reader = client();
      expect(await reader.getLatestSchemaId(subject)).toBe(v2Id);
      expect(await reader.decode(v1Record)).toEqual({ kind: 'click', count: 2 });
      const v2Record = await reader.encode(v2Id, { kind: 'view', source: 'web' });
      expect(await client().decode(v2Record)).toEqual({ kind: 'view', source: 'web' });
    });
  });
});
