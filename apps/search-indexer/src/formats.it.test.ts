import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CdcTestStack,
  describeEachBroker,
  describeWithEngine,
  TrunklineTestSearchIndexer,
} from '@trunkline/testing';
import { hitIds, SearchIndexerClient } from './testing/search-client';

/** The CDC ingestor's other two formats, read by the pipeline through the registry. */
describeWithEngine('postgres', 'search indexer over every event format', (pg) => {
  describeEachBroker('JSON Schema and Protobuf change events are indexed as Avro ones are', (broker) => {
    for (const format of ['json', 'protobuf'] as const) {
      describe(format, () => {
        const stack = new CdcTestStack(pg.POSTGRES_URL!, broker);
        const dataDir = mkdtempSync(join(tmpdir(), `search-${format}-`));
        let indexer: TrunklineTestSearchIndexer;
        let client: SearchIndexerClient;

        beforeAll(async () => {
          await stack.prepare(`
            CREATE TABLE reviews (id bigint PRIMARY KEY, body text NOT NULL, stars int, price numeric(8,2), at timestamp);
            INSERT INTO reviews VALUES (1, 'sturdy and light', 5, 12.50, '2026-01-02 03:04:05.123456');
          `);
          const ingestor = await stack.startIngestor(['--value-format', format]);
          indexer = new TrunklineTestSearchIndexer({
            bootstrap: broker.bootstrap,
            schemaRegistryUrl: stack.registry.url,
            topics: ingestor.topic('public', 'reviews'),
            dataDir,
          });
          await indexer.start();
          client = new SearchIndexerClient(indexer.grpcAddress);
        }, 120_000);

        afterAll(async () => {
          client?.close();
          await indexer?.stop();
          await stack.stop();
          rmSync(dataDir, { recursive: true, force: true });
        }, 60_000);

        it('indexes the snapshot and streamed changes with typed values', async () => {
          const snapshot = await client.waitForSearch('public.reviews', 'sturdy', (r) => r.hits.length === 1);
          expect(snapshot.hits[0]!.document).toMatchObject({
            id: 1,
            body: 'sturdy and light',
            stars: 5,
            price: '12.50',
          });
          await stack.db.sql.query(
            "INSERT INTO reviews VALUES (9007199254740993, 'leaks after a week', 1, 0.99, NULL)",
          );
          const streamed = await client.waitForSearch('public.reviews', 'leaks', (r) => r.hits.length === 1);
          expect(streamed.hits[0]!.document).toMatchObject({
            id: '9007199254740993',
            stars: 1,
            price: '0.99',
          });
          await stack.db.sql.query('DELETE FROM reviews WHERE id = 1');
          await client.waitForSearch('public.reviews', 'sturdy', (r) => hitIds(r).length === 0);
          expect((await client.admin.getStatus({})).deadLettersSent).toBe(0n);
        });
      });
    }
  });
});
