import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { avroType, avroTypeOptions, encodeAvro, SchemaRegistryClient } from '@trunkline/serde';
import {
  CdcTestStack,
  describeEachBroker,
  describeWithEngine,
  runCommand,
  TrunklineTestSearchIndexer,
  trunklineCommand,
} from '@trunkline/testing';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { hitIds, SearchIndexerClient } from './testing/search-client';

describeWithEngine('postgres', 'search indexer dead letters', (pg) => {
  describeEachBroker('records that cannot be applied go to the dead-letter topic', (broker) => {
    const stack = new CdcTestStack(pg.POSTGRES_URL!, broker);
    const { db } = stack;
    const dataDir = mkdtempSync(join(tmpdir(), 'search-dlq-'));
    let indexer: TrunklineTestSearchIndexer;
    let client: SearchIndexerClient;
    let producer: Producer;
    let registry: SchemaRegistryClient;
    let topic: string;

    beforeAll(async () => {
      await stack.prepare(`
        CREATE TABLE notes (id int PRIMARY KEY, body text);
        INSERT INTO notes VALUES (1, 'first note');
      `);
      const ingestor = await stack.startIngestor();
      topic = ingestor.topic('public', 'notes');
      indexer = new TrunklineTestSearchIndexer({
        bootstrap: broker.bootstrap,
        schemaRegistryUrl: stack.registry.url,
        topics: topic,
        dataDir,
      });
      await indexer.start();
      client = new SearchIndexerClient(indexer.grpcAddress);
      registry = new SchemaRegistryClient({ url: stack.registry.url });
      producer = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).producer();
      await producer.connect();
      await client.waitForSearch('public.notes', 'first', (r) => r.hits.length === 1);
    }, 120_000);

    afterAll(async () => {
      await producer?.disconnect();
      client?.close();
      await indexer?.stop();
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }, 60_000);

    it('dead-letters what cannot be decoded with its reason, goes on, and applies it once the cause is fixed', async () => {
      const keyId = (await registry.getLatest(`${topic}-key`)).id;
      const value = await registry.getLatest(`${topic}-value`);
      const key = encodeAvro(
        keyId,
        avroType((await registry.getVersion(`${topic}-key`, 1)).schema, [], avroTypeOptions()),
        { id: 2 },
      );
      // A change written with a schema the registry does not have yet: the id after the newest.
      const envelopeSchema = JSON.parse(value.schema) as { fields: object[] };
      const late = {
        ...envelopeSchema,
        fields: [...envelopeSchema.fields, { name: 'late_marker', type: ['null', 'string'], default: null }],
      };
      const probe = await registry.register(`${topic}-probe-value`, {
        schema: JSON.stringify({ type: 'record', name: `P${Date.now()}`, fields: [] }),
      });
      const lateId = probe + 1;
      const envelope = {
        before: null,
        after: { id: 2, body: 'a note written with a late schema' },
        source: {
          version: '3.0',
          connector: 'postgresql',
          name: 'late',
          ts_ms: BigInt(Date.now()),
          snapshot: 'false',
          db: db.name,
          sequence: null,
          schema: 'public',
          table: 'notes',
          txId: null,
          lsn: 1n,
          xmin: null,
        },
        op: 'c',
        ts_ms: BigInt(Date.now()),
        late_marker: null,
      };
      const payload = avroType(JSON.stringify(late), [], avroTypeOptions()).toBuffer(envelope);
      const framed = Buffer.concat([Buffer.from([0, 0, 0, 0, 0]), payload]);
      framed.writeInt32BE(lateId, 1);
      await producer.send({
        topic,
        acks: -1,
        messages: [
          { key, value: Buffer.from('not a change event') },
          { key, value: framed },
        ],
      });
      await db.sql.query("INSERT INTO notes VALUES (3, 'written after the poison records')");
      await client.waitForSearch('public.notes', 'poison', (r) => hitIds(r).includes(3));

      const listed = await waitForDeadLetters(client, 2);
      expect(listed.waiting).toBe(2n);
      const [garbage, unknownSchema] = listed.deadLetters;
      expect(garbage!.dlqTopic).toBe(`${topic}.dlq.search-indexer`);
      expect(garbage!.topic).toBe(topic);
      expect(garbage!.reason).toMatch(/magic byte/i);
      expect(unknownSchema!.reason).toMatch(new RegExp(`${lateId}`));
      expect(unknownSchema!.offset).toBe(garbage!.offset + 1n);
      expect((await client.admin.getStatus({})).deadLettersWaiting).toBe(2n);
      const sinks = (...args: string[]) =>
        runCommand(trunklineCommand('sinks', ...args, '--sink-admin', indexer.grpcAddress));
      const shown = await sinks('dlq', 'search-indexer');
      expect(shown.code).toBe(0);
      expect(shown.stdout).toContain(`${topic}.dlq.search-indexer`);
      expect(shown.stdout).toMatch(/magic byte/i);
      expect(shown.stdout).toMatch(/^2 waiting$/m);

      // The cause goes away: the schema gets registered (with the id the record names).
      expect(await registry.register(`${topic}-late-value`, { schema: JSON.stringify(late) })).toBe(lateId);
      const retried = await sinks('dlq', 'retry', 'search-indexer', '--topic', topic);
      expect(retried.code).toBe(0);
      expect(retried.stdout).toMatch(/^applied 1, failed again 1/m);
      const found = await client.waitForSearch('public.notes', 'late schema', (r) => hitIds(r).includes(2));
      expect(found.hits[0]!.document).toMatchObject({ id: 2, body: 'a note written with a late schema' });

      const after = await waitForDeadLetters(client, 1);
      expect(after.deadLetters).toHaveLength(1);
      expect(after.deadLetters[0]).toMatchObject({ reason: garbage!.reason, retries: 1 });
    });
  });
});

async function waitForDeadLetters(client: SearchIndexerClient, count: number) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const listed = await client.admin.listDeadLetters({});
    if (listed.deadLetters.length === count || Date.now() > deadline) return listed;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
