import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CdcTestStack,
  DocumentLoad,
  describeEachBroker,
  describeWithEngine,
  engineEnv,
  runCommand,
  TrunklineTestSearchIndexer,
  trunklineCommand,
} from '@trunkline/testing';
import { OpenSearchEngine } from './engines/opensearch';
import { SqliteSearchEngine } from './engines/sqlite';
import { SEARCH_DATABASE_FILE } from './open-engine';
import { differences, indexedRows, sourceRows, waitForEqual } from './testing/compare-rows';
import { SearchIndexerClient } from './testing/search-client';

const TABLES = ['library'];
const ROWS = 3000;

interface EngineCase {
  name: string;
  /** Flags choosing the engine. */
  flags(): string[];
  /** Every indexed row of a table, read beside the running indexer. */
  rows(table: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

function sqliteCase(): EngineCase {
  const dataDir = mkdtempSync(join(tmpdir(), 'search-rebuild-'));
  return {
    name: 'embedded',
    flags: () => ['--data-dir', dataDir],
    async rows(table) {
      // Opened per read: a rebuild switches the live file.
      const engine = await SqliteSearchEngine.open({ path: join(dataDir, SEARCH_DATABASE_FILE) });
      try {
        return await engine.rows(table);
      } finally {
        await engine.close();
      }
    },
    async close() {
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function opensearchCase(url: string): EngineCase {
  // Unique per broker block: both are declared in the same millisecond.
  const prefix = `rebuild-${randomUUID().slice(0, 8)}-`;
  const engine = new OpenSearchEngine({ node: url, indexPrefix: prefix });
  return {
    name: 'opensearch',
    flags: () => ['--opensearch-url', url, '--opensearch-index-prefix', prefix],
    rows: (table) => engine.documents(table),
    close: () => engine.close(),
  };
}

const cases: (() => EngineCase)[] = [sqliteCase];
const opensearchUrl = engineEnv('opensearch')?.OPENSEARCH_URL;
if (opensearchUrl !== undefined) cases.push(() => opensearchCase(opensearchUrl));

/**
 * `trunkline sinks replay search-indexer --rebuild`: the index is built again from offset 0
 * beside the live one while writes go on and search keeps answering, then swapped in.
 */
describeWithEngine('postgres', 'search indexer rebuild', (pg) => {
  describeEachBroker('a rebuild from the log while search keeps answering', (broker) => {
    for (const makeCase of cases) {
      describe(makeCase().name, () => {
        const stack = new CdcTestStack(pg.POSTGRES_URL!, broker);
        const engine = makeCase();
        let indexer: TrunklineTestSearchIndexer;
        let client: SearchIndexerClient;

        beforeAll(async () => {
          await stack.prepare('SELECT 1');
          await DocumentLoad.createTables(stack.db.sql, TABLES);
          await stack.db.sql.query(
            `INSERT INTO library SELECT g, 'document ' || g, 'words of document ' || g, 1 FROM generate_series(1000001, ${1000000 + ROWS}) g`,
          );
          const ingestor = await stack.startIngestor();
          indexer = new TrunklineTestSearchIndexer({
            bootstrap: broker.bootstrap,
            schemaRegistryUrl: stack.registry.url,
            topics: `${ingestor.topicPrefix}\\..*`,
            extraArgs: engine.flags(),
          });
          await indexer.start();
          client = new SearchIndexerClient(indexer.grpcAddress);
          await client.waitForSearch('public.library', 'words', (r) => r.total === BigInt(ROWS), 60_000);
        }, 150_000);

        afterAll(async () => {
          client?.close();
          await indexer?.stop();
          await stack.stop();
          await engine.close();
        }, 60_000);

        it('rebuilds with progress, answers searches throughout, and swaps in an index equal to the table', async () => {
          const load = new DocumentLoad({ url: stack.db.url, tables: TABLES, changesPerSecond: 300 });
          await load.start();
          let searches = 0;
          const failures: string[] = [];
          let searching = true;
          const searcher = (async () => {
            while (searching) {
              try {
                const response = await client.query('public.library', 'document 1000007');
                if (response.hits.length === 0) failures.push('no hits');
                searches += 1;
              } catch (error) {
                failures.push(String(error));
              }
              await new Promise((resolve) => setTimeout(resolve, 20));
            }
          })();
          const before = await client.admin.getStatus({});
          const replay = await runCommand(
            trunklineCommand(
              'sinks',
              'replay',
              'search-indexer',
              '--rebuild',
              '--sink-admin',
              indexer.grpcAddress,
            ),
            { timeoutMs: 120_000 },
          );
          await load.stop();
          searching = false;
          await searcher;
          expect(replay.stderr).toBe('');
          expect(replay.code).toBe(0);
          expect(replay.stdout).toMatch(/done/);
          expect(failures).toEqual([]);
          expect(searches).toBeGreaterThan(10);

          const after = await client.admin.getStatus({});
          expect(after.replay).toMatchObject({ phase: 'done' });
          expect(after.replay!.recordsDone).toBeGreaterThanOrEqual(BigInt(ROWS));
          expect(after.engine).not.toBe('');
          if (engine.name === 'embedded') expect(after.engine).not.toBe(before.engine);
          await waitForEqual(
            async () =>
              differences(
                await sourceRows(stack.db.sql, 'library'),
                indexedRows(await engine.rows('public.library')),
              ),
            60_000,
          );
        }, 180_000);

        it('replays in place from the earliest offset, the index unchanged', async () => {
          const replay = await runCommand(
            trunklineCommand(
              'sinks',
              'replay',
              'search-indexer',
              '--from',
              'earliest',
              '--sink-admin',
              indexer.grpcAddress,
            ),
            { timeoutMs: 120_000 },
          );
          expect(replay.stderr).toBe('');
          expect(replay.code).toBe(0);
          const status = await client.admin.getStatus({});
          expect(status.replay).toMatchObject({ phase: 'done' });
          expect(status.replay!.recordsDone).toBe(status.replay!.recordsTotal);
          expect(status.replay!.recordsTotal).toBeGreaterThanOrEqual(BigInt(ROWS));
          await waitForEqual(
            async () =>
              differences(
                await sourceRows(stack.db.sql, 'library'),
                indexedRows(await engine.rows('public.library')),
              ),
            60_000,
          );
        }, 180_000);
      });
    }
  });
});
