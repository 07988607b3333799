import {
  CdcTestStack,
  describeEachBroker,
  describeWithEngine,
  TrunklineTestSearchIndexer,
} from '@trunkline/testing';
import { CuttableProxy } from './testing/cuttable-proxy';
import { SearchIndexerClient } from './testing/search-client';

const ROWS = 50;

describeWithEngine('postgres', 'search indexer with its engine unavailable', (pg) => {
  describeWithEngine('opensearch', 'OpenSearch cut off', (os) => {
    describeEachBroker('changes wait for the engine instead of being skipped', (broker) => {
      const stack = new CdcTestStack(pg.POSTGRES_URL!, broker);
      const target = new URL(os.OPENSEARCH_URL!);
      const proxy = new CuttableProxy(target.hostname, Number(target.port));
      let indexer: TrunklineTestSearchIndexer;
      let client: SearchIndexerClient;

      beforeAll(async () => {
        await stack.prepare(`
          CREATE TABLE items (id int PRIMARY KEY, label text NOT NULL);
          INSERT INTO items VALUES (0, 'before the outage');
        `);
        const ingestor = await stack.startIngestor();
        await proxy.open();
        indexer = new TrunklineTestSearchIndexer({
          bootstrap: broker.bootstrap,
          schemaRegistryUrl: stack.registry.url,
          topics: ingestor.topic('public', 'items'),
          opensearchUrl: `http://127.0.0.1:${proxy.port}`,
          extraArgs: ['--opensearch-index-prefix', `${stack.db.name}-`, '--retry-backoff-max', '1s'],
        });
        await indexer.start();
        client = new SearchIndexerClient(indexer.grpcAddress);
        await client.waitForSearch('public.items', 'outage', (r) => r.hits.length === 1, 60_000);
      }, 150_000);

      afterAll(async () => {
        client?.close();
        await indexer?.stop();
        await proxy.close();
        await stack.stop();
      }, 60_000);

      it('retries with backoff while OpenSearch is unreachable, then applies every change', async () => {
        await proxy.cut();
        await stack.db.sql.query(
          `INSERT INTO items SELECT g, 'written while cut off ' || g FROM generate_series(1, ${ROWS}) g`,
        );
        const deadline = Date.now() + 30_000;
        let status = await client.admin.getStatus({});
        while (status.phase !== 'retrying' && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 200));
          status = await client.admin.getStatus({});
        }
        expect(status.phase).toBe('retrying');
        expect(status.lastError).not.toBe('');
        const stalled = status.partitions[0]!;
        expect(stalled.lag).toBeGreaterThan(0n);

        await proxy.open();
        const found = await client.waitForSearch(
          'public.items',
          'cut off',
          (r) => r.hits.length === ROWS,
          60_000,
        );
        expect(found.total).toBe(BigInt(ROWS));
        const after = await client.admin.getStatus({});
        expect(after.phase).toBe('consuming');
        expect(after.deadLettersSent).toBe(0n);
        expect(after.deadLettersWaiting).toBe(0n);
      }, 120_000);
    });
  });
});
