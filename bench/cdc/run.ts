// Trunkline's CDC ingestor against Debezium's embedded engine, in the same run, on the same
// Postgres (the reference engine: npm run -s engine -- start postgres): the snapshot of a
// table of --rows rows, then streaming inserts at --rate rows/s for --seconds, measured from
// commit (the event's source.ts_ms) to receipt. Each engine gets a fresh copy of the table.
//   npm run bench:cdc -- [--rows 1000000] [--rate 5000] [--seconds 20] [--debezium-poll-ms 500]
//     [--snapshot-timing acknowledged|consumed] [--skip-debezium] [--json]
import { parseSettings, setting } from '@trunkline/runtime';
import { engineEnv } from '@trunkline/testing';
import { measureDebezium } from './debezium';
import { type EngineResult, progress, type Workload } from './result';
import { measureTrunkline } from './trunkline';

const options = parseSettings(
  {
    rows: setting.integer({ describe: 'rows in the snapshotted table', default: 1_000_000, min: 1000 }),
    rate: setting.integer({ describe: 'rows inserted per second while streaming', default: 5000, min: 100 }),
    seconds: setting.integer({ describe: 'how long the streaming load runs', default: 20, min: 1 }),
    debeziumPollMs: setting.integer({
      describe: "Debezium's poll.interval.ms (its default: 500)",
      default: 500,
      min: 1,
    }),
    json: setting.toggle({ describe: 'print JSON instead of tables', default: false }),
    snapshotTiming: setting.choice(['acknowledged', 'consumed'] as const, {
      describe:
        "when Trunkline's snapshot counts as done: every record acknowledged by the broker (then checked by a consumer), or read by a consumer running alongside",
      default: 'acknowledged',
    }),
    skipDebezium: setting.toggle({
      describe: 'measure Trunkline only (for profiling; no ratio is reported)',
      default: false,
    }),
  },
  process.argv.slice(2),
  {},
);
if (options.help) {
  process.stdout.write(
    'npm run bench:cdc -- [--rows N] [--rate ROWS_PER_S] [--seconds N] [--debezium-poll-ms MS] [--snapshot-timing acknowledged|consumed] [--skip-debezium] [--json]\n',
  );
  process.exit(0);
}
const { rows, rate, seconds, debeziumPollMs, json, skipDebezium, snapshotTiming } = options.config;

/** Goals of the issue: snapshot at least 1.5× Debezium's rows/s; streaming p99 at most 50 ms. */
const SNAPSHOT_RATIO_GOAL = 1.5;
const STREAMING_P99_GOAL_MS = 50;

function ratio(ours: number, theirs: number): number | null {
  return theirs > 0 && Number.isFinite(ours) && Number.isFinite(theirs) ? ours / theirs : null;
}

function report(results: EngineResult[], debeziumMissing: string | undefined): string {
  const lines = [
    `rows=${rows} rate=${rate}/s seconds=${seconds} debezium poll.interval.ms=${debeziumPollMs} trunkline snapshot timed until ${snapshotTiming}`,
    '',
    '| engine | snapshot s | snapshot rows/s | first row after s | snapshot done logged after s | snapshot CPU s (ingestor / broker) | streamed rows | inserted rows/s | p50 ms | p99 ms | max ms |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    const { snapshot: s, streaming } = r;
    lines.push(
      `| ${r.engine} | ${s.seconds.toFixed(2)} | ${s.rowsPerSec.toFixed(0)} | ${s.firstRowSeconds.toFixed(2)} | ${s.doneLoggedSeconds === undefined ? '—' : s.doneLoggedSeconds.toFixed(2)} | ${s.cpuSeconds === undefined ? '—' : `${s.cpuSeconds.ingestor.toFixed(2)} / ${s.cpuSeconds.broker.toFixed(2)}`} | ${streaming.latency.samples} | ${streaming.load.rate.toFixed(0)} | ${streaming.latency.p50Ms} | ${streaming.latency.p99Ms} | ${streaming.latency.maxMs} |`,
    );
  }
  const ours = results.find((r) => r.engine === 'trunkline')!;
  const theirs = results.find((r) => r.engine !== 'trunkline');
  lines.push('');
  if (theirs === undefined) {
    lines.push(`Debezium was not measured: ${debeziumMissing}`);
  } else {
    const snapshotRatio = ratio(ours.snapshot.rowsPerSec, theirs.snapshot.rowsPerSec);
    const p50Ratio = ratio(ours.streaming.latency.p50Ms, theirs.streaming.latency.p50Ms);
    const p99Ratio = ratio(ours.streaming.latency.p99Ms, theirs.streaming.latency.p99Ms);
    const show = (value: number | null) => (value === null ? 'n/a' : value.toFixed(2));
    lines.push(
      '| snapshot rows/s ratio (Trunkline/Debezium) | streaming p50 ratio | streaming p99 ratio |',
      '|---|---|---|',
      `| ${show(snapshotRatio)} | ${show(p50Ratio)} | ${show(p99Ratio)} |`,
      '',
      `Goal snapshot ≥ ${SNAPSHOT_RATIO_GOAL}× Debezium: ${snapshotRatio !== null && snapshotRatio >= SNAPSHOT_RATIO_GOAL ? 'met' : 'not met'}`,
    );
  }
  lines.push(
    `Goal streaming p99 ≤ ${STREAMING_P99_GOAL_MS} ms: ${ours.streaming.latency.p99Ms <= STREAMING_P99_GOAL_MS ? 'met' : 'not met'}`,
  );
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const postgresUrl = engineEnv('postgres')?.POSTGRES_URL;
  if (postgresUrl === undefined)
    throw new Error('Postgres is not running (start it: npm run -s engine -- start postgres)');
  const workload: Workload = { rows, rate, seconds };
  const results: EngineResult[] = [await measureTrunkline(postgresUrl, workload, snapshotTiming)];
  let debeziumMissing: string | undefined;
  if (skipDebezium) {
    debeziumMissing = '--skip-debezium';
  } else {
    try {
      results.push(await measureDebezium(postgresUrl, workload, debeziumPollMs));
    } catch (error) {
      debeziumMissing = error instanceof Error ? error.message : String(error);
      progress(`Debezium was not measured: ${debeziumMissing}`);
    }
  }
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ workload, debeziumPollIntervalMs: debeziumPollMs, snapshotTiming, results, debeziumMissing }, null, 2)}\n`,
    );
  } else {
    process.stdout.write(report(results, debeziumMissing));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
