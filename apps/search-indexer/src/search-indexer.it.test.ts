import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CdcAdminService } from '@trunkline/contracts/cdc/v1/cdc_admin';
import { createGrpcClient } from '@trunkline/runtime';
import {
  CdcTestStack,
  describeEachBroker,
  describeWithEngine,
  runCommand,
  TrunklineTestSearchIndexer,
  trunklineCommand,
} from '@trunkline/testing';
import { hitIds, SearchIndexerClient } from './testing/search-client';

describeWithEngine('postgres', 'search indexer', (pg) => {
  describeEachBroker('rows of Postgres tables become searchable documents', (broker) => {
    const stack = new CdcTestStack(pg.POSTGRES_URL!, broker);
    const { db } = stack;
    const dataDir = mkdtempSync(join(tmpdir(), 'search-indexer-'));
    let indexer: TrunklineTestSearchIndexer;
    let client: SearchIndexerClient;

    beforeAll(async () => {
      await stack.prepare(`
        CREATE TABLE articles (id int PRIMARY KEY, title text NOT NULL, body text, stars int);
        INSERT INTO articles VALUES (1, 'Streaming databases', 'Every change is a log record', 5),
                                    (2, 'Search engines', 'Inverted indexes rank documents with BM25', 4);
      `);
      const ingestor = await stack.startIngestor();
      indexer = new TrunklineTestSearchIndexer({
        bootstrap: broker.bootstrap,
        schemaRegistryUrl: stack.registry.url,
        topics: `${ingestor.topicPrefix}\\..*`,
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

    it('indexes the snapshot, ranks with BM25 and highlights the matched words', async () => {
      const response = await client.waitForSearch(
        'public.articles',
        'bm25 documents',
        (r) => r.hits.length === 1,
      );
      expect(hitIds(response)).toEqual([2]);
      const [hit] = response.hits;
      expect(hit!.document).toMatchObject({ id: 2, title: 'Search engines', stars: 4 });
      expect(hit!.highlights.body?.fragments.join(' ')).toContain('<em>BM25</em>');
      expect(hit!.score).toBeGreaterThan(0);
    });

    it('makes an insert searchable, an update change the hit, a delete remove it', async () => {
      await db.sql.query("INSERT INTO articles VALUES (3, 'Vector search', 'Embeddings find neighbours', 3)");
      await client.waitForSearch('public.articles', 'embeddings', (r) => hitIds(r).includes(3));
      await db.sql.query(
        "UPDATE articles SET body = 'Quantized embeddings find approximate neighbours' WHERE id = 3",
      );
      const updated = await client.waitForSearch('public.articles', 'quantized', (r) =>
        hitIds(r).includes(3),
      );
      expect(updated.hits[0]!.document).toMatchObject({
        body: 'Quantized embeddings find approximate neighbours',
      });
      await db.sql.query('DELETE FROM articles WHERE id = 3');
      await client.waitForSearch('public.articles', 'embeddings', (r) => r.hits.length === 0);
    });

    it('evolves the index when a column is added, before the first change that has it', async () => {
      await db.sql.query('ALTER TABLE articles ADD COLUMN tags text');
      await db.sql.query(
        "INSERT INTO articles VALUES (5, 'Schemas', 'Columns come and go', 1, 'evolution compatibility')",
      );
      const found = await client.waitForSearch('public.articles', 'compatibility', (r) =>
        hitIds(r).includes(5),
      );
      expect(found.hits[0]!.document).toMatchObject({ id: 5, tags: 'evolution compatibility' });
      expect(found.hits[0]!.highlights.tags?.fragments.join(' ')).toContain('<em>compatibility</em>');
    });

    it('picks up the topic of a table created after it started', async () => {
      await db.sql.query('CREATE TABLE authors (id int PRIMARY KEY, name text NOT NULL)');
      await db.sql.query("INSERT INTO authors VALUES (1, 'Grace Hopper')");
      const cdc = createGrpcClient(CdcAdminService, stack.ingestor.grpcAddress);
      await cdc.addTables({ tables: ['public.authors'] }).finally(() => cdc.close());
      const found = await client.waitForSearch(
        'public.authors',
        'hopper',
        (r) => r.hits.length === 1,
        30_000,
      );
      expect(found.hits[0]!.document).toMatchObject({ id: 1, name: 'Grace Hopper' });
    }, 60_000);

    it('pauses and resumes consuming from the CLI, skipping nothing', async () => {
      const sinks = (verb: string) =>
        runCommand(trunklineCommand('sinks', verb, 'search-indexer', '--sink-admin', indexer.grpcAddress));
      expect((await sinks('pause')).code).toBe(0);
      expect((await client.admin.getStatus({})).phase).toBe('paused');
      await db.sql.query("INSERT INTO articles VALUES (6, 'Backpressure', 'Held while paused', 1)");
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(hitIds(await client.query('public.articles', 'paused'))).toEqual([]);
      expect((await sinks('resume')).code).toBe(0);
      await client.waitForSearch('public.articles', 'paused', (r) => hitIds(r).includes(6));
      expect((await client.admin.getStatus({})).phase).toBe('consuming');
    });

    it('reports partitions, throughput and freshness in status', async () => {
      await db.sql.query("INSERT INTO articles VALUES (4, 'Freshness', 'Commit to searchable latency', 2)");
      await client.waitForSearch('public.articles', 'latency', (r) => hitIds(r).includes(4));
      const status = await client.admin.getStatus({});
      expect(status.info?.service).toBe('search-indexer');
      expect(status.engine).toMatch(/^sqlite /);
      expect(status.phase).toBe('consuming');
      const partition = status.partitions.find((p) => p.table === 'public.articles');
      expect(partition).toBeDefined();
      expect(partition!.appliedOffset).toBeGreaterThan(0n);
      expect(status.eventsApplied).toBeGreaterThanOrEqual(5n);
      expect(status.freshnessSamples).toBeGreaterThan(0n);
      expect(status.freshnessP99Seconds).toBeGreaterThan(0);
      expect(status.freshnessP99Seconds).toBeLessThan(5);
      const metrics = await fetch(`http://${indexer.process.address('http')}/metrics`).then((r) => r.text());
      expect(metrics).toMatch(
        /^trunkline_sink_freshness_seconds_bucket\{le="1",[^}]*table="public.articles"[^}]*\} [1-9]/m,
      );
      expect(metrics).toMatch(
        /^trunkline_sink_changes_applied_total\{table="public.articles",op="c"[^}]*\} [1-9]/m,
      );
    });
  });
});
