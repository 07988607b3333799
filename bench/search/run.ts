// The search indexer fed by the CDC ingestor, for each of its engines (embedded SQLite FTS5 and
// OpenSearch, if it answers), on the Postgres engine (npm run -s engine -- start postgres):
//  1. throughput: a table of --rows documents is snapshotted into its change topic first; then
//     the indexer starts (fresh group, data dir or index prefix), timed until GetStatus shows
//     lag 0 on every partition and every row applied: documents/s;
//  2. freshness: with the indexer caught up, --rate row changes/s for --seconds (one transaction
//     every 10 ms, inserts and some updates); every --sample-every-th inserted row is searched for
//     by its unique token right after COMMIT returned, every --poll-ms, until found: commit →
//     searchable p50/p95/p99/max, beside the indexer's own freshness from GetStatus.
//   npm run bench:search -- [--rows 200000] [--rate 1000] [--seconds 30] [--update-share 0.2]
//     [--sample-every 20] [--poll-ms 15] [--engines both|embedded|opensearch]
//     [--opensearch-url http://127.0.0.1:19200] [--json]
import { parseSettings, setting } from '@trunkline/runtime';
import { engineEnv } from '@trunkline/testing';
import { progress } from '../cdc/result';
import { type BenchOptions, type EngineKind, type EngineResult, measureEngine } from './measure';
import { openSearchUnavailable } from './opensearch';

const options = parseSettings(
  {
    rows: setting.integer({ describe: 'documents in the snapshotted table', default: 200_000, min: 1000 }),
    rate: setting.integer({
      describe: 'row changes committed per second in the freshness load',
      default: 1000,
      min: 100,
    }),
    seconds: setting.integer({ describe: 'how long the freshness load runs', default: 30, min: 1 }),
    updatePercent: setting.integer({
      describe: 'percentage of the load that updates earlier rows (the rest inserts)',
      default: 20,
      min: 0,
      max: 90,
    }),
    sampleEvery: setting.integer({
      describe: 'every how many inserted rows one is watched until searchable',
      default: 20,
      min: 1,
    }),
    pollMs: setting.integer({ describe: 'how often a watched row is searched for, ms', default: 15, min: 1 }),
    engines: setting.choice(['both', 'embedded', 'opensearch'] as const, {
      describe: 'engines to measure (OpenSearch is skipped if it does not answer)',
      default: 'both',
    }),
    opensearchUrl: setting.text({
      describe: 'OpenSearch to index into',
      default: 'http://127.0.0.1:19200',
    }),
    json: setting.toggle({ describe: 'print JSON instead of tables', default: false }),
  },
  process.argv.slice(2),
  {},
);
if (options.help) {
  process.stdout.write(
    'npm run bench:search -- [--rows N] [--rate CHANGES_PER_S] [--seconds N] [--update-percent P] [--sample-every N] [--poll-ms MS] [--engines both|embedded|opensearch] [--opensearch-url URL] [--json]\n',
  );
  process.exit(0);
}
const config = options.config;

/** Goal of the issue: commit → searchable p99 under 1 s at 1,000 rows/s. */
const P99_GOAL_MS = 1000;

const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : '—');

function report(bench: BenchOptions, results: EngineResult[], skipped: string[]): string {
  const lines = [
    `rows=${bench.rows} rate=${bench.rate} changes/s (${Math.round(bench.updateShare * 100)}% updates, one transaction every 10 ms) seconds=${bench.seconds} sample every ${bench.sampleEvery}th insert, poll ${bench.pollMs} ms`,
    '',
    '| engine | snapshot into topic s | index s | docs/s applied | first applied after s | docs/s after first | all searchable after s | indexer CPU s | needle found | rows counted |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const { engine, throughput: t } of results) {
    lines.push(
      `| ${engine} | ${fixed(t.snapshotSeconds, 2)} | ${fixed(t.seconds, 2)} | ${fixed(t.docsPerSec, 0)} | ${fixed(t.firstAppliedSeconds, 2)} | ${fixed(t.steadyDocsPerSec, 0)} | ${fixed(t.searchableSeconds, 2)} | ${fixed(t.indexerCpuSeconds, 2)} | ${t.needleFound ? 'yes' : 'NO'} | ${t.indexedRows} |`,
    );
  }
  lines.push(
    '',
    '| engine | committed changes/s | late ticks | samples (missed) | commit→searchable p50 ms | p95 ms | p99 ms | max ms | status freshness p50 / p99 ms (samples) | searches/s | indexer CPU (cores) |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const { engine, freshness: f } of results) {
    lines.push(
      `| ${engine} | ${fixed(f.load.rate, 0)} | ${f.load.lateTicks} | ${f.samples} (${f.missed}) | ${f.p50Ms} | ${f.p95Ms} | ${f.p99Ms} | ${f.maxMs} | ${fixed(f.status.p50Seconds * 1000, 0)} / ${fixed(f.status.p99Seconds * 1000, 0)} (${f.status.samples}) | ${fixed(f.searchesPerSec, 0)} | ${fixed(f.indexerCpuPerSec, 2)} |`,
    );
  }
  lines.push('');
  for (const reason of skipped) lines.push(`Skipped: ${reason}`);
  for (const { engine, freshness: f } of results) {
    const met = f.missed === 0 && f.p99Ms < P99_GOAL_MS;
    lines.push(
      `Goal commit→searchable p99 < ${P99_GOAL_MS} ms (${engine}): ${met ? 'met' : 'not met'}${f.missed > 0 ? ` (${f.missed} samples never found)` : ''}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const postgresUrl = engineEnv('postgres')?.POSTGRES_URL;
  if (postgresUrl === undefined)
    throw new Error('Postgres is not running (start it: npm run -s engine -- start postgres)');
  const bench: BenchOptions = {
    rows: config.rows,
    rate: config.rate,
    seconds: config.seconds,
    updateShare: config.updatePercent / 100,
    sampleEvery: config.sampleEvery,
    pollMs: config.pollMs,
    opensearchUrl: config.opensearchUrl.replace(/\/+$/, ''),
  };
  const engines: EngineKind[] = config.engines === 'both' ? ['embedded', 'opensearch'] : [config.engines];
  const results: EngineResult[] = [];
  const skipped: string[] = [];
  for (const engine of engines) {
    if (engine === 'opensearch') {
      const unavailable = await openSearchUnavailable(bench.opensearchUrl);
      if (unavailable !== undefined) {
        skipped.push(`opensearch: ${unavailable}`);
        progress(`opensearch skipped: ${unavailable}`);
        continue;
      }
    }
    results.push(await measureEngine(postgresUrl, engine, bench));
  }
  if (config.json) {
    process.stdout.write(`${JSON.stringify({ options: bench, results, skipped }, null, 2)}\n`);
  } else {
    process.stdout.write(report(bench, results, skipped));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
