import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CdcTestStack,
  DocumentLoad,
  describeEachBroker,
  describeWithEngine,
  TrunklineTestSearchIndexer,
} from '@trunkline/testing';
import { SqliteSearchEngine } from './engines/sqlite';
import { SEARCH_DATABASE_FILE } from './open-engine';
import { differences, indexedRows, sourceRows, waitForEqual } from './testing/compare-rows';

const KILLS = 10;
const TABLES = ['docs_a', 'docs_b'];

/**
 * SIGKILL the search indexer again and again under a steady 2k changes/s: afterwards the
 * embedded index equals every table row for row, at each row's latest version.
 */
describeWithEngine('postgres', 'search indexer through crashes', (pg) => {
  describeEachBroker('the search indexer killed 10 times under load', (broker) => {
    const stack = new CdcTestStack(pg.POSTGRES_URL!, broker);
    const dataDir = mkdtempSync(join(tmpdir(), 'search-crash-'));
    let indexer: TrunklineTestSearchIndexer;

    beforeAll(async () => {
      await stack.prepare('SELECT 1');
      await DocumentLoad.createTables(stack.db.sql, TABLES);
      const ingestor = await stack.startIngestor();
      indexer = new TrunklineTestSearchIndexer({
        bootstrap: broker.bootstrap,
        schemaRegistryUrl: stack.registry.url,
        topics: `${ingestor.topicPrefix}\\..*`,
        dataDir,
      });
      await indexer.start();
    }, 120_000);

    afterAll(async () => {
      await indexer?.stop();
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }, 60_000);

    it('ends with the index equal to the tables, nothing lost or applied out of order', async () => {
      const load = new DocumentLoad({ url: stack.db.url, tables: TABLES, changesPerSecond: 2000 });
      await load.start();
      for (let kill = 0; kill < KILLS; kill++) {
        await new Promise((resolve) => setTimeout(resolve, 1000 + Math.random() * 1500));
        await indexer.kill();
        await indexer.start();
      }
      await load.stop();
      expect(load.committed).toBeGreaterThan(20_000);

      const engine = await SqliteSearchEngine.open({ path: join(dataDir, SEARCH_DATABASE_FILE) });
      try {
        for (const table of TABLES) {
          await waitForEqual(
            async () =>
              differences(
                await sourceRows(stack.db.sql, table),
                indexedRows(await engine.rows(`public.${table}`)),
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
