// One engine of the search indexer through the whole stack: a fresh database of documents,
// a Trunkline broker, schema registry and CDC ingestor as child processes, then the search
// indexer (embedded or OpenSearch) started once the snapshot is in the change topic.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SearchService } from '@trunkline/contracts/search/v1/search';
import { type GetStatusResponse, SinkAdminService } from '@trunkline/contracts/sink/v1/sink_admin';
import { createGrpcClient, type GrpcClient } from '@trunkline/runtime';
import {
  TrunklineTestBroker,
  TrunklineTestCdcIngestor,
  TrunklineTestSchemaRegistry,
  TrunklineTestSearchIndexer,
} from '@trunkline/testing';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { HighWatermark } from '../cdc/high-watermark';
import { percentile } from '../cdc/latency';
import { cpuSeconds } from '../cdc/process-cpu';
import { progress } from '../cdc/result';
import { deleteIndexes } from './opensearch';
import {
  EVERY_ROW_WORD,
  insertTokenRows,
  loadDocuments,
  NEEDLE_WORD,
  needleId,
  SEARCH_TABLE,
  TABLE,
  token,
  type WriteLoad,
  writeAtRate,
} from './workload';

export type EngineKind = 'embedded' | 'opensearch';

export interface BenchOptions {
  rows: number;
  rate: number;
  seconds: number;
  updateShare: number;
  sampleEvery: number;
  pollMs: number;
  opensearchUrl: string;
}

export interface ThroughputResult {
  rows: number;
  /** Ingestor launch until the topic held every snapshot row (not the indexer's work). */
  snapshotSeconds: number;
  /** Indexer launch until GetStatus showed lag 0 on every partition and eventsApplied ≥ rows. */
  seconds: number;
  docsPerSec: number;
  /** Indexer launch until GetStatus first showed an applied change (startup, group join, first fetch). */
  firstAppliedSeconds: number;
  /** Rows over the time from the first applied change until caught up. */
  steadyDocsPerSec: number;
  /** CPU seconds of the indexer until caught up (its startup included). */
  indexerCpuSeconds: number;
  /** A search for the word of exactly one row returned that row, and only it. */
  needleFound: boolean;
  /** Rows a search for a word of every row counts (should equal `rows`). */
  indexedRows: number;
  /** From the indexer's launch until a search counts every row. */
  searchableSeconds: number;
}

export interface FreshnessResult {
  load: WriteLoad;
  /** Sampled rows found, and not found within the timeout. */
  samples: number;
  missed: number;
  /** COMMIT returned → a search for the row's token returned it, ms. */
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Searches the sampler made per second of the load. */
  searchesPerSec: number;
  /** CPU seconds of the indexer during the load (per second of it: share of one core). */
  indexerCpuPerSec: number;
  /** The indexer's own figures (source commit → applied, last 60 s) from GetStatus after the load. */
  status: { p50Seconds: number; p99Seconds: number; samples: number };
}

export interface EngineResult {
  engine: EngineKind;
  /** What GetStatus says it writes to. */
  describe: string;
  throughput: ThroughputResult;
  freshness: FreshnessResult;
}

/** A sampled row not found this long after its commit counts as missed. */
const SAMPLE_TIMEOUT_MS = 30_000;

export async function measureEngine(
  postgresUrl: string,
  engine: EngineKind,
  options: BenchOptions,
): Promise<EngineResult> {
  const { rows } = options;
  progress(`${engine}: loading ${rows} documents into a fresh database`);
  const db = await loadDocuments(postgresUrl, rows);
  const broker = new TrunklineTestBroker();
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-search-'));
  const indexPrefix = `bench-search-${Date.now().toString(36)}-`;
  let registry: TrunklineTestSchemaRegistry | undefined;
  let ingestor: TrunklineTestCdcIngestor | undefined;
  let indexer: TrunklineTestSearchIndexer | undefined;
  let search: GrpcClient<typeof SearchService> | undefined;
  let admin: GrpcClient<typeof SinkAdminService> | undefined;
  try {
    await broker.start();
    registry = new TrunklineTestSchemaRegistry(broker.bootstrap);
    await registry.start();
    ingestor = new TrunklineTestCdcIngestor({
      sourceUrl: db.url,
      bootstrap: broker.bootstrap,
      schemaRegistryUrl: registry.url,
      extraArgs: ['--tables', `public.${TABLE}`],
    });
    const topic = ingestor.topic('public', TABLE);
    const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const kafkaAdmin = kafka.admin();
    await kafkaAdmin.connect();
    await kafkaAdmin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    await kafkaAdmin.disconnect();

    progress(`${engine}: snapshot of ${rows} rows into ${topic}`);
    const ingestorLaunched = performance.now();
    await ingestor.start();
    await waitForTopic(broker.bootstrap, topic, rows, Math.max(120_000, rows));
    const snapshotSeconds = (performance.now() - ingestorLaunched) / 1000;
    await ingestor.process.waitForLog((entry) => entry.msg === 'streaming', 60_000);
    progress(`${engine}: the topic holds the ${rows} rows after ${snapshotSeconds.toFixed(2)} s`);

    indexer = new TrunklineTestSearchIndexer({
      bootstrap: broker.bootstrap,
      schemaRegistryUrl: registry.url,
      topics: topic,
      ...(engine === 'embedded'
        ? { dataDir }
        : {
            opensearchUrl: options.opensearchUrl,
            extraArgs: ['--opensearch-index-prefix', indexPrefix],
          }),
    });
    progress(`${engine}: indexing (timed from the indexer's launch until lag 0)`);
    const launched = performance.now();
    await indexer.start();
    admin = createGrpcClient(SinkAdminService, indexer.grpcAddress);
    search = createGrpcClient(SearchService, indexer.grpcAddress);
    const caughtUp = await waitCaughtUp(admin, rows, launched, Math.max(300_000, rows * 5));
    const throughputSeconds = (caughtUp.at - launched) / 1000;
    const indexerCpuSeconds = cpuSeconds(indexer.process.pid);
    // Applied is durable; an engine with a refresh interval makes it searchable a moment later.
    const every = await waitAllSearchable(search, rows);
    const needle = await search.search({ table: SEARCH_TABLE, query: NEEDLE_WORD, size: 10 });
    const needleFound =
      needle.hits.length === 1 && Number(needle.hits[0]!.key?.id) === needleId(rows) && needle.total === 1n;
    const throughput: ThroughputResult = {
      rows,
      snapshotSeconds,
      seconds: throughputSeconds,
      docsPerSec: rows / throughputSeconds,
      firstAppliedSeconds: (caughtUp.firstAppliedAt - launched) / 1000,
      steadyDocsPerSec: rows / ((caughtUp.at - caughtUp.firstAppliedAt) / 1000),
      indexerCpuSeconds,
      needleFound,
      indexedRows: Number(every.total),
      searchableSeconds: (every.at - launched) / 1000,
    };
    progress(
      `${engine}: ${rows} documents applied after ${throughputSeconds.toFixed(2)} s (${throughput.docsPerSec.toFixed(0)}/s; indexer CPU ${indexerCpuSeconds.toFixed(2)} s); "${NEEDLE_WORD}" ${needleFound ? 'found in its one row' : `NOT found as expected: ${needle.hits.length} hits`}; "${EVERY_ROW_WORD}" counts ${throughput.indexedRows} rows`,
    );

    const freshness = await measureFreshness(db.url, search, admin, indexer.process.pid, options);
    return { engine, describe: caughtUp.status.engine, throughput, freshness };
  } finally {
    // For looking into a run: BENCH_SEARCH_INDEXER_LOG=<file> keeps the indexer's log lines.
    const logFile = process.env.BENCH_SEARCH_INDEXER_LOG;
    if (logFile !== undefined && indexer !== undefined)
      writeFileSync(`${logFile}.${engine}`, indexer.process.output());
    search?.close();
    admin?.close();
    await indexer?.stop();
    await ingestor?.stop();
    await registry?.stop();
    await broker.destroy();
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
    if (engine === 'opensearch')
      await deleteIndexes(options.opensearchUrl, indexPrefix).catch(() => undefined);
  }
}

/** Polls the topic's high watermark every 10 ms until it reaches `rows`. */
async function waitForTopic(
  bootstrap: string,
  topic: string,
  rows: number,
  timeoutMs: number,
): Promise<void> {
  const watermark = await HighWatermark.open(bootstrap, topic);
  try {
    const deadline = Date.now() + timeoutMs;
    while ((await watermark.read()) < BigInt(rows)) {
      if (Date.now() > deadline)
        throw new Error(`timed out after ${timeoutMs} ms waiting for the snapshot rows`);
      await sleep(10);
    }
  } finally {
    watermark.close();
  }
}

/**
 * Polls GetStatus every 100 ms until every partition the indexer holds has applied up to its end
 * offset and it applied at least `rows` changes: when that was first seen, and when the first
 * applied change was.
 */
async function waitCaughtUp(
  admin: GrpcClient<typeof SinkAdminService>,
  rows: number,
  launched: number,
  timeoutMs: number,
): Promise<{ at: number; firstAppliedAt: number; status: GetStatusResponse }> {
  const deadline = launched + timeoutMs;
  let firstAppliedAt = 0;
  for (;;) {
    const status = await admin.getStatus({}, { timeoutMs: 10_000 });
    const now = performance.now();
    if (firstAppliedAt === 0 && status.eventsApplied > 0n) firstAppliedAt = now;
    const caughtUp =
      status.partitions.length > 0 &&
      status.partitions.every((p) => p.endOffset > 0n && p.appliedOffset === p.endOffset) &&
      status.eventsApplied >= BigInt(rows);
    if (caughtUp) return { at: now, firstAppliedAt, status };
    if (now > deadline)
      throw new Error(
        `the indexer did not catch up within ${timeoutMs} ms: applied ${status.eventsApplied}, partitions ${JSON.stringify(status.partitions, (_, v) => (typeof v === 'bigint' ? v.toString() : v))}, last error ${status.lastError}`,
      );
    await sleep(100);
  }
}

/**
 * The steady load, the indexer caught up: `rate` changes a second, each sampled row (every
 * `sampleEvery`-th inserted id) watched by its own loop that searches for its token right after
 * COMMIT returned and then every `pollMs` until the row is returned.
 */
async function measureFreshness(
  url: string,
  search: GrpcClient<typeof SearchService>,
  admin: GrpcClient<typeof SinkAdminService>,
  indexerPid: number,
  options: BenchOptions,
): Promise<FreshnessResult> {
  const { rows, rate, seconds, updateShare, sampleEvery, pollMs } = options;
  let searches = 0;
  const findable = async (id: number): Promise<boolean> => {
    searches++;
    try {
      const response = await search.search(
        { table: SEARCH_TABLE, query: token(id), size: 1 },
        { timeoutMs: 5000 },
      );
      return response.hits.length > 0;
    } catch {
      return false;
    }
  };
  const watch = async (id: number, committedAt: number): Promise<number | undefined> => {
    for (;;) {
      if (await findable(id)) return performance.now() - committedAt;
      if (performance.now() - committedAt > SAMPLE_TIMEOUT_MS) return undefined;
      await sleep(pollMs);
    }
  };

  // One row through the whole path first, so the load starts on a live stream.
  const warmId = rows + 1;
  const sql = new Client({ connectionString: url });
  await sql.connect();
  try {
    await insertTokenRows(sql, warmId, 1);
  } finally {
    await sql.end();
  }
  if ((await watch(warmId, performance.now())) === undefined)
    throw new Error(`the warm-up row was not searchable within ${SAMPLE_TIMEOUT_MS} ms`);

  progress(
    `freshness: ${rate} changes/s (${Math.round(updateShare * 100)}% updates) for ${seconds} s, every ${sampleEvery}th inserted row watched (search every ${pollMs} ms)`,
  );
  const watches: Promise<number | undefined>[] = [];
  searches = 0;
  const cpuBefore = cpuSeconds(indexerPid);
  const load = await writeAtRate(
    url,
    { rate, seconds, updateShare, firstId: warmId + 1 },
    (first, count, at) => {
      for (let id = first; id < first + count; id++) if (id % sampleEvery === 0) watches.push(watch(id, at));
    },
  );
  const searchesDuringLoad = searches;
  const indexerCpu = cpuSeconds(indexerPid) - cpuBefore;
  const latencies = await Promise.all(watches);
  const found = latencies.filter((l): l is number => l !== undefined).sort((a, b) => a - b);
  const status = await admin.getStatus({});
  const round = (ms: number) => Math.round(ms);
  return {
    load,
    samples: found.length,
    missed: latencies.length - found.length,
    p50Ms: round(percentile(found, 50)),
    p95Ms: round(percentile(found, 95)),
    p99Ms: round(percentile(found, 99)),
    maxMs: round(found.at(-1) ?? Number.NaN),
    searchesPerSec: searchesDuringLoad / load.seconds,
    indexerCpuPerSec: indexerCpu / load.seconds,
    status: {
      p50Seconds: status.freshnessP50Seconds,
      p99Seconds: status.freshnessP99Seconds,
      samples: Number(status.freshnessSamples),
    },
  };
}

/** Searches for the word of every row until it counts `rows` (or 10 s pass): when the last is searchable. */
async function waitAllSearchable(
  search: GrpcClient<typeof SearchService>,
  rows: number,
): Promise<{ total: bigint; at: number }> {
  const deadline = performance.now() + 10_000;
  for (;;) {
    const every = await search.search({ table: SEARCH_TABLE, query: EVERY_ROW_WORD, size: 1 });
    const at = performance.now();
    if (every.total >= BigInt(rows) || at > deadline) return { total: every.total, at };
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
