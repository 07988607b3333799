import { randomUUID } from 'node:crypto';
import {
  CdcTestStack,
  DocumentLoad,
  describeEachBroker,
  describeWithEngine,
  TrunklineTestSearchIndexer,
  waitUntil,
} from '@trunkline/testing';
import { OpenSearchEngine } from './engines/opensearch';
import { differences, indexedRows, sourceRows, waitForEqual } from './testing/compare-rows';
import { SearchIndexerClient } from './testing/search-client';

const TABLES = ['shard_a', 'shard_b', 'shard_c', 'shard_d'];

async function heldPartitions(client: SearchIndexerClient): Promise<string[]> {
  const status = await client.admin.getStatus({});
  return status.partitions.map((p) => `${p.topic}[${p.partition}]`).sort();
}

/**
 * Two instances of the search indexer in one group share the change topics' partitions; when
 * one is killed, the other takes its partitions over and nothing is lost.
 */
describeWithEngine('postgres', 'search indexer instances', (pg) => {
  describeWithEngine('opensearch', 'sharing OpenSearch', (os) => {
    describeEachBroker('two instances share partitions and survive one being killed', (broker) => {
      const stack = new CdcTestStack(pg.POSTGRES_URL!, broker);
      // Unique per broker block: both are declared in the same millisecond.
      const prefix = `scale-${randomUUID().slice(0, 8)}-`;
      const instances: TrunklineTestSearchIndexer[] = [];
      const clients: SearchIndexerClient[] = [];

      beforeAll(async () => {
        await stack.prepare('SELECT 1');
        await DocumentLoad.createTables(stack.db.sql, TABLES);
        const ingestor = await stack.startIngestor();
        for (let i = 0; i < 2; i++) {
          const instance = new TrunklineTestSearchIndexer({
            bootstrap: broker.bootstrap,
            schemaRegistryUrl: stack.registry.url,
            topics: `${ingestor.topicPrefix}\\..*`,
            opensearchUrl: os.OPENSEARCH_URL!,
            group: `scale_${stack.db.name}`,
            extraArgs: ['--opensearch-index-prefix', prefix, '--session-timeout', '6s'],
          });
          await instance.start();
          instances.push(instance);
          clients.push(new SearchIndexerClient(instance.grpcAddress));
        }
      }, 150_000);

      afterAll(async () => {
        for (const client of clients) client.close();
        for (const instance of instances) await instance.stop();
        await stack.stop();
      }, 60_000);

      it('splits the partitions, then moves the killed one’s to the other without loss', async () => {
        const load = new DocumentLoad({ url: stack.db.url, tables: TABLES, changesPerSecond: 500 });
        await load.start();
        try {
          await waitUntil(
            'both instances hold partitions',
            () => Promise.all(clients.map(heldPartitions)),
            ([a, b]) => a!.length > 0 && b!.length > 0 && a!.length + b!.length === TABLES.length,
            60_000,
          );
          const [a, b] = await Promise.all(clients.map(heldPartitions));
          expect(a!.filter((p) => b!.includes(p))).toEqual([]);

          await new Promise((resolve) => setTimeout(resolve, 2000));
          await instances[0]!.kill();
          await waitUntil(
            'the survivor holds every partition',
            () => heldPartitions(clients[1]!),
            (held) => held.length === TABLES.length,
            60_000,
          );
          await new Promise((resolve) => setTimeout(resolve, 2000));
        } finally {
          await load.stop();
        }
        const engine = new OpenSearchEngine({ node: os.OPENSEARCH_URL!, indexPrefix: prefix });
        try {
          for (const table of TABLES) {
            await waitForEqual(
              async () =>
                differences(
                  await sourceRows(stack.db.sql, table),
                  indexedRows(await engine.documents(`public.${table}`).catch(() => [])),
                ),
              60_000,
            );
          }
        } finally {
          await engine.close();
        }
      }, 240_000);
    });
  });
});
