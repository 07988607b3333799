// The reference side: Debezium's embedded engine (Postgres connector, pgoutput) in a JVM of
// its own, through our launcher (infra/engines/debezium), which reports on stdout what its
// change consumer saw. No Kafka is involved: records reach the consumer in-process.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { DEBEZIUM_VERSION, debeziumBenchCommand } from '@trunkline/engines';
import { latencyFigures } from './latency';
import { type EngineResult, progress, type Workload } from './result';
import { insertAtRate, insertRows, loadDatabase, TABLE, waitUntil } from './workload';

/** A line the launcher prints (DebeziumCdcBench.java). */
export type LauncherLine =
  | { event: 'first-snapshot-record'; ms: number }
  | { event: 'snapshot-complete'; rows: number; ms: number }
  | { event: 'changes'; samples: [number, number][] }
  | { event: 'engine-stopped'; success: boolean; message: string };

/** Debezium's Postgres connector settings for the bench database at `url`. */
export function connectorProperties(
  url: string,
  slot: string,
  pollIntervalMs: number,
): Record<string, string> {
  const { hostname, port, username, password, pathname } = new URL(url);
  return {
    name: 'trunkline-bench',
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'offset.storage': 'org.apache.kafka.connect.storage.MemoryOffsetBackingStore',
    'offset.flush.interval.ms': '60000',
    'database.hostname': hostname,
    'database.port': port,
    'database.user': decodeURIComponent(username),
    'database.password': decodeURIComponent(password),
    'database.dbname': pathname.slice(1),
    'topic.prefix': 'bench',
    'plugin.name': 'pgoutput',
    'slot.name': slot,
    'publication.name': slot,
    'publication.autocreate.mode': 'filtered',
    'table.include.list': `public.${TABLE}`,
    'snapshot.mode': 'initial',
    // Values as plain JSON, without the schema beside each one.
    'converter.schemas.enable': 'false',
    'poll.interval.ms': String(pollIntervalMs),
  };
}

export async function measureDebezium(
  postgresUrl: string,
  workload: Workload,
  pollIntervalMs: number,
): Promise<EngineResult> {
  const { rows, rate, seconds } = workload;
  progress(`debezium: loading ${rows} rows into a fresh database`);
  const db = await loadDatabase(postgresUrl, rows);
  let firstAt = 0;
  let snapshotAt = 0;
  let samples: [number, number][] = [];
  let stderr = '';
  let exited: string | undefined;
  let child: ChildProcessWithoutNullStreams | undefined;
  const running = (what: () => boolean) => () => {
    if (exited !== undefined) throw new Error(`Debezium's launcher stopped (${exited}):\n${stderr.trim()}`);
    return what();
  };
  try {
    const { command, args } = await debeziumBenchCommand(
      rows,
      connectorProperties(db.url, `dbz_${db.name}`, pollIntervalMs),
      progress,
    );
    progress('debezium: snapshot');
    const launched = Date.now();
    child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-20_000);
    });
    child.on('exit', (code, signal) => {
      exited = `exit ${signal ?? code}`;
    });
    createInterface({ input: child.stdout }).on('line', (text) => {
      if (!text.startsWith('{')) return;
      const line = JSON.parse(text) as LauncherLine;
      if (line.event === 'first-snapshot-record') firstAt = line.ms;
      else if (line.event === 'snapshot-complete') snapshotAt = line.ms;
      else if (line.event === 'changes') samples.push(...line.samples);
      else if (!line.success) stderr += `\n${line.message}`;
    });
    await waitUntil(
      running(() => snapshotAt > 0),
      Math.max(120_000, rows),
      'the snapshot rows',
    );
    const snapshotSeconds = (snapshotAt - launched) / 1000;
    progress(`debezium: ${rows} snapshot rows seen after ${snapshotSeconds.toFixed(2)} s`);
    // Debezium starts streaming once the snapshot is over; one row through the stream tells
    // that it has, before the measured load.
    await insertRows(db.sql, rows + 1, 1);
    await waitUntil(
      running(() => samples.length > 0),
      60_000,
      'the first streamed change',
    );
    samples = [];
    progress(`debezium: streaming ${rate} rows/s for ${seconds} s`);
    const load = await insertAtRate(db.sql, rows + 2, rate, seconds);
    await waitUntil(
      running(() => samples.length >= load.rows),
      60_000,
      'every streamed change',
    );
    return {
      engine: `debezium ${DEBEZIUM_VERSION}`,
      snapshot: {
        rows,
        seconds: snapshotSeconds,
        rowsPerSec: rows / snapshotSeconds,
        firstRowSeconds: (firstAt - launched) / 1000,
      },
      streaming: { load, latency: latencyFigures(samples) },
    };
  } finally {
    if (child !== undefined && exited === undefined) {
      const stopping = child;
      const stopped = new Promise((resolve) => stopping.once('exit', resolve));
      stopping.stdin.end();
      const timer = setTimeout(() => stopping.kill('SIGKILL'), 30_000);
      await stopped;
      clearTimeout(timer);
    }
    await db.drop();
  }
}
