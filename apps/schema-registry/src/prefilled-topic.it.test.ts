import { randomUUID } from 'node:crypto';
import { describeEachBroker, TrunklineTestSchemaRegistry } from '@trunkline/testing';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { call, ok } from './testing/rest-client';

const user = JSON.stringify({ type: 'record', name: 'User', fields: [{ name: 'id', type: 'long' }] });
const userV2 = JSON.stringify({
  type: 'record',
  name: 'User',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'name', type: 'string', default: '' },
  ],
});
const money = 'syntax = "proto3";\npackage shop;\nmessage Money { int64 cents = 1; }\n';
const order =
  'syntax = "proto3";\npackage shop;\nimport "money.proto";\nmessage Order { shop.Money total = 1; }\n';

/**
 * Records as Confluent Schema Registry and Karapace write them, byte for byte where the key is
 * concerned, with the fields newer Confluent versions add to values (md5, ts, metadata).
 */
const CONFLUENT_RECORDS: [string, string | null][] = [
  ['{"keytype":"NOOP","magic":0}', null],
  ['{"keytype":"CONFIG","subject":null,"magic":0}', '{"compatibilityLevel":"FULL"}'],
  [
    '{"keytype":"SCHEMA","subject":"users-value","version":1,"magic":1}',
    JSON.stringify({ subject: 'users-value', version: 1, id: 21, schema: user, deleted: false }),
  ],
  [
    '{"keytype":"SCHEMA","subject":"users-value","version":2,"magic":1}',
    JSON.stringify({
      subject: 'users-value',
      version: 2,
      id: 34,
      md5: 'c2f1b5c4b8d5e5b0e1f8a1d3f0e9a7b6',
      schemaType: 'AVRO',
      schema: userV2,
      deleted: false,
      ts: 1764000000000,
    }),
  ],
  [
    '{"keytype":"SCHEMA","subject":"money.proto","version":1,"magic":1}',
    JSON.stringify({
      subject: 'money.proto',
      version: 1,
      id: 40,
      schemaType: 'PROTOBUF',
      schema: money,
      deleted: false,
    }),
  ],
  [
    '{"keytype":"SCHEMA","subject":"orders-value","version":1,"magic":1}',
    JSON.stringify({
      subject: 'orders-value',
      version: 1,
      id: 41,
      schemaType: 'PROTOBUF',
      references: [{ name: 'money.proto', subject: 'money.proto', version: 1 }],
      schema: order,
      deleted: false,
    }),
  ],
  ['{"keytype":"CONFIG","subject":"orders-value","magic":0}', '{"compatibilityLevel":"NONE"}'],
  ['{"keytype":"MODE","subject":"frozen","magic":0}', '{"mode":"READONLY"}'],
  // a subject soft-deleted, Confluent style: each version marked, then DELETE_SUBJECT
  [
    '{"keytype":"SCHEMA","subject":"old-value","version":1,"magic":1}',
    JSON.stringify({ subject: 'old-value', version: 1, id: 50, schema: '"string"', deleted: false }),
  ],
  ['{"keytype":"DELETE_SUBJECT","subject":"old-value","magic":0}', '{"subject":"old-value","version":1}'],
  // a subject permanently deleted: tombstones, then CLEAR_SUBJECT
  [
    '{"keytype":"SCHEMA","subject":"gone-value","version":1,"magic":1}',
    JSON.stringify({ subject: 'gone-value', version: 1, id: 60, schema: '"int"', deleted: true }),
  ],
  ['{"keytype":"SCHEMA","subject":"gone-value","version":1,"magic":1}', null],
  ['{"keytype":"CLEAR_SUBJECT","subject":"gone-value","magic":0}', '{"subject":"gone-value"}'],
  // a key type this registry does not act on, and a record nobody can read: both skipped
  [
    '{"keytype":"CONTEXT","tenant":"default","context":".staging"}',
    '{"tenant":"default","context":".staging"}',
  ],
  ['not json at all', 'x'],
];

describeEachBroker('a _schemas topic written by Confluent Schema Registry', (broker) => {
  const suffix = randomUUID().slice(0, 8);
  const topic = `_schemas-${suffix}`;
  let registry: TrunklineTestSchemaRegistry;

  beforeAll(async () => {
    const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
    });
    await admin.disconnect();
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: CONFLUENT_RECORDS.map(([key, value]) => ({ key, value })),
    });
    await producer.disconnect();
    registry = new TrunklineTestSchemaRegistry(broker.bootstrap, [
      '--topic',
      topic,
      '--group-id',
      `sr-${suffix}`,
    ]);
    await registry.start();
  }, 60_000);
  afterAll(() => registry?.stop());

  it('serves every schema with the ids and versions Confluent gave them', async () => {
    const url = registry.url;
    expect(await ok(url, 'GET', '/subjects')).toEqual(['money.proto', 'orders-value', 'users-value']);
    expect(await ok(url, 'GET', '/subjects/users-value/versions/1')).toEqual({
      subject: 'users-value',
      version: 1,
      id: 21,
      schema: user,
    });
    expect(await ok(url, 'GET', '/subjects/users-value/versions/latest')).toMatchObject({
      version: 2,
      id: 34,
    });
    expect(await ok(url, 'GET', '/schemas/ids/41')).toEqual({
      schemaType: 'PROTOBUF',
      references: [{ name: 'money.proto', subject: 'money.proto', version: 1 }],
      schema: order,
    });
    expect(await ok(url, 'GET', '/subjects/money.proto/versions/1/referencedby')).toEqual([41]);
    expect(await ok(url, 'GET', '/config')).toMatchObject({ compatibilityLevel: 'FULL' });
    expect(await ok(url, 'GET', '/config/orders-value')).toMatchObject({ compatibilityLevel: 'NONE' });
    expect(await ok(url, 'GET', '/mode/frozen')).toEqual({ mode: 'READONLY' });
    expect(await ok(url, 'GET', '/subjects?deletedOnly=true')).toEqual(['old-value']);
    expect(await ok(url, 'GET', '/schemas/ids/50')).toEqual({ schema: '"string"' });
    expect((await call(url, 'GET', '/schemas/ids/60')).status).toBe(404);
  });

  it('goes on from them: the same content keeps its id, new content gets one above the highest', async () => {
    const url = registry.url;
    expect(await ok(url, 'POST', '/subjects/users-copy/versions', { schema: user })).toMatchObject({
      id: 21,
      version: 1,
    });
    // FULL (the imported global level) refuses a field without a default
    const breaking = JSON.stringify({
      type: 'record',
      name: 'User',
      fields: [
        { name: 'id', type: 'long' },
        { name: 'name', type: 'string', default: '' },
        { name: 'age', type: 'int' },
      ],
    });
    expect((await call(url, 'POST', '/subjects/users-value/versions', { schema: breaking })).status).toBe(
      409,
    );
    const fresh = await ok<{ id: number; version: number }>(url, 'POST', '/subjects/fresh/versions', {
      schema: '"boolean"',
    });
    expect(fresh).toMatchObject({ id: 61, version: 1 });
  });
});
