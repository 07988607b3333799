// The three --value-format encodings against a real Trunkline schema registry: the subjects and
// versions they register, and their keys and values decoded by @kafkajs/confluent-schema-registry,
// a widely used client that knows nothing of this code.
import { randomUUID } from 'node:crypto';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { SchemaRegistryClient } from '@trunkline/serde';
import { TrunklineTestBroker, TrunklineTestSchemaRegistry } from '@trunkline/testing';
import { avroTypeOptions, jsonRowText } from '../columns';
import type { ChangeEnvelope } from '../events/change-event';
import { withTransactionBlock } from '../events/transaction-metadata';
import { avroFormat } from './avro-format';
import { type EventFormat, registerTable } from './event-encoder';
import { jsonFormat } from './json-format';
import { protobufFormat } from './protobuf-format';
import { orderLinesCodec, sampleDelete, sampleKey, sampleRow, sampleUpdate } from './sample-events';

describe('event formats through the Trunkline schema registry', () => {
  const run = randomUUID().slice(0, 8);
  const codec = orderLinesCodec();
  const broker = new TrunklineTestBroker();
  let registry: TrunklineTestSchemaRegistry;

  beforeAll(async () => {
    await broker.start();
    registry = new TrunklineTestSchemaRegistry(broker.bootstrap);
    await registry.start();
  }, 90_000);
  afterAll(async () => {
    await registry?.stop();
    await broker.destroy();
  }, 30_000);

  /** A decoder with an empty cache, so that it fetches each schema from the registry by id. */
  const decoder = () =>
    new SchemaRegistry(
      { host: registry.url, retry: { retries: 0 } },
      {
        // Longs as bigints, so int8 values past 2^53 compare exactly.
        [SchemaType.AVRO]: avroTypeOptions() as never,
        // The schemas carry Kafka Connect's annotations (connect.type …), unknown keywords to
        // Ajv's strict mode; Confluent's validator ignores them, as JSON Schema says to.
        [SchemaType.JSON]: { strict: false },
      },
    );

  async function get(path: string): Promise<unknown> {
    const response = await fetch(`${registry.url}${path}`);
    expect(response.status).toBe(200);
    return response.json();
  }

  /** Builds the format's encoder for a topic of its own; checks what it registered, and that it is idempotent. */
  async function encoderOf(format: EventFormat, schemaType: string, variant = '') {
    const topic = `${format.name}${variant}-${run}.shop.order-lines`;
    const encoder = await registerTable(
      format,
      codec,
      topic,
      new SchemaRegistryClient({ url: registry.url }),
    );
    const subjects = (await get('/subjects')) as string[];
    expect(subjects).toEqual(expect.arrayContaining([`${topic}-key`, `${topic}-value`]));
    for (const [subject, id] of [
      [`${topic}-key`, encoder.keySchemaId],
      [`${topic}-value`, encoder.valueSchemaId],
    ] as const) {
      expect(await get(`/subjects/${encodeURIComponent(subject)}/versions`)).toEqual([1]);
      const version = (await get(`/subjects/${encodeURIComponent(subject)}/versions/1`)) as {
        id: number;
        schemaType?: string;
      };
      expect({ id: version.id, schemaType: version.schemaType ?? 'AVRO' }).toEqual({ id, schemaType });
    }
    // A restart (a new client, no cache) finds the same schemas: no new version.
    const again = await registerTable(format, codec, topic, new SchemaRegistryClient({ url: registry.url }));
    expect([again.keySchemaId, again.valueSchemaId]).toEqual([encoder.keySchemaId, encoder.valueSchemaId]);
    expect(await get(`/subjects/${encodeURIComponent(`${topic}-value`)}/versions`)).toEqual([1]);
    return encoder;
  }

  it('Avro: registers AVRO subjects; key and envelopes decode with every long exact', async () => {
    const encoder = await encoderOf(avroFormat, 'AVRO');
    expect(await decoder().decode(encoder.encodeKey(sampleKey(codec))!)).toEqual(sampleKey(codec));
    for (const envelope of [sampleUpdate(codec), sampleDelete(codec)]) {
      expect(await decoder().decode(encoder.encodeValue(envelope))).toEqual(envelope);
    }
  });

  it('JSON: registers JSON subjects; key and envelopes validate and decode', async () => {
    const encoder = await encoderOf(jsonFormat, 'JSON');
    /** What any JSON reader sees (numbers past 2^53 rounded by JSON.parse, bytes as base64). */
    const asJson = (value: unknown) => JSON.parse(jsonRowText(value));
    expect(await decoder().decode(encoder.encodeKey(sampleKey(codec))!)).toEqual(asJson(sampleKey(codec)));
    const update = sampleUpdate(codec);
    const decoded = await decoder().decode(encoder.encodeValue(update));
    expect(decoded).toEqual(asJson(update));
    expect(decoded.after).toMatchObject({ note: 'ünïcode "quoted"', payload: 'AP9cIg==', line: 2 });
    const deleted = sampleDelete(codec);
    expect(await decoder().decode(encoder.encodeValue(deleted))).toEqual(asJson(deleted));
  });

  it('Protobuf: registers PROTOBUF subjects; key and envelopes decode as the first message', async () => {
    const encoder = await encoderOf(protobufFormat, 'PROTOBUF');
    // protobufjs's JSON form: camelCase names, int64s as strings, bytes base64, unset fields left out.
    const key = await decoder().decode(encoder.encodeKey(sampleKey(codec))!);
    expect(key.toJSON()).toEqual({ orderId: '9007199254740993', line: 2 });

    const row = sampleRow(codec);
    const source = {
      version: '0.1.0',
      connector: 'postgresql',
      name: 'trunkline',
      tsMs: '1717243200000',
      snapshot: 'false',
      db: 'shop',
      sequence: '["4294967296","4294967400"]',
      schema: 'shop',
      table: 'order-lines',
      txId: '771',
      lsn: '4294967400',
    };
    const update: ChangeEnvelope = sampleUpdate(codec);
    expect((await decoder().decode(encoder.encodeValue(update))).toJSON()).toEqual({
      after: {
        orderId: '9007199254740993',
        line: 2,
        price: (row.price as Buffer).toString('base64'),
        tags: ['a', 'b c'],
        shippedAt: '1717236000000001',
        note: 'ünïcode "quoted"',
        payload: 'AP9cIg==',
        ratio: 0.5,
      },
      source,
      op: 'u',
      tsMs: '1717243200123',
    });
    expect((await decoder().decode(encoder.encodeValue(sampleDelete(codec)))).toJSON()).toEqual({
      before: { orderId: '9007199254740993', line: 2 },
      source,
      op: 'd',
      tsMs: '1717243200456',
    });
  });

  it.each([
    ['Avro', avroFormat, 'AVRO'],
    ['JSON', jsonFormat, 'JSON'],
    ['Protobuf', protobufFormat, 'PROTOBUF'],
  ] as const)(
    '%s with --provide-transaction-metadata: the transaction block decodes',
    async (_name, format, schemaType) => {
      const encoder = await encoderOf(withTransactionBlock(format), schemaType, '-tx');
      const transaction = { id: '771:4294967400', total_order: 3n, data_collection_order: 2n };
      const decoded = await decoder().decode(encoder.encodeValue({ ...sampleUpdate(codec), transaction }));
      const block = format.name === 'protobuf' ? decoded.toJSON().transaction : decoded.transaction;
      expect(block).toEqual(
        format.name === 'avro'
          ? transaction
          : format.name === 'json'
            ? { id: '771:4294967400', total_order: 3, data_collection_order: 2 }
            : { id: '771:4294967400', totalOrder: '3', dataCollectionOrder: '2' },
      );
      // A snapshot row has no transaction.
      const snapshotRow = await decoder().decode(
        encoder.encodeValue({ ...sampleUpdate(codec), transaction: null }),
      );
      expect(
        format.name === 'protobuf' ? snapshotRow.toJSON().transaction : snapshotRow.transaction,
      ).toBeFalsy();
    },
  );
});
