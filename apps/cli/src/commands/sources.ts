import { toJson } from '@bufbuild/protobuf';
import {
  type GetStatusResponse,
  GetStatusResponseSchema,
  type TableStatus,
  TriggerSnapshotResponseSchema,
} from '@trunkline/contracts/cdc/v1/cdc_admin';
import { Code, type SettingsSpec, setting, settingsHelp, TrunklineError } from '@trunkline/runtime';
import {
  cdcAdminSettings,
  parseFlags,
  printJson,
  single,
  verbCommand,
  withCdc,
} from '../admin/admin-command';
import { watchFrames } from '../admin/watch';
import { UsageError } from '../command';
import { renderTable } from '../table';

const statusSettings = {
  watch: setting.toggle({
    describe: 'refresh every second until Ctrl-C (with --json: one JSON object per line)',
    default: false,
  }),
};
const snapshotSettings = {
  chunkSize: setting.integer({
    describe: "rows per chunk (0: the ingestor's --incremental-snapshot-chunk-size)",
    default: 0,
    min: 0,
    max: 1_000_000,
  }),
  detach: setting.toggle({
    describe: 'return once the snapshot is started instead of following it to the end',
    default: false,
  }),
};

const HELP = `Usage: trunkline sources <verb> [arguments] [flags]

Administers a CDC ingestor (\`trunkline serve cdc-ingestor\`): its replication slot and the
tables it captures.

Verbs:
  status                         slot, confirmed LSN, lag, throughput, phase, and every table
  pause                          stop reading the slot (Postgres keeps the WAL meanwhile)
  resume                         read the slot again after pause
  snapshot <schema.table>...     take an incremental snapshot of captured tables while streaming
                                 goes on, with a progress bar until it is done
  add-tables <schema.table>...   capture more tables from now on (snapshotted incrementally)
  remove-tables <schema.table>...  stop capturing tables (their topics stay)
  drop-slot <slot>               stop streaming and drop the slot, named to confirm

Flags of every verb:
${settingsHelp(cdcAdminSettings)}

status:
${settingsHelp(statusSettings)}

snapshot:
${settingsHelp(snapshotSettings)}
`;

const WATCH_INTERVAL_MS = 1000;
const BAR_WIDTH = 30;

function flags<S extends SettingsSpec>(spec: S, raw: readonly string[]) {
  return parseFlags({ ...cdcAdminSettings, ...spec }, raw);
}

function write(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

function noArguments(positional: readonly string[], verb: string): void {
  if (positional.length > 0) throw new UsageError(`sources ${verb} takes no arguments`);
}

const count = (n: bigint | number) => BigInt(n).toLocaleString('en-US');

/** 1536 → "1.5 KiB" */
function formatBytes(bytes: bigint): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = Number(bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** 0.42 → "0.4s", 125 → "2m05s", 7300 → "2h01m" */
function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const whole = Math.floor(seconds);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (whole < 3600) return `${Math.floor(whole / 60)}m${pad(whole % 60)}s`;
  return `${Math.floor(whole / 3600)}h${pad(Math.floor((whole % 3600) / 60))}m`;
}

/**
 * How far a table's snapshot got, 0 to 100, or undefined when unknown. The total is an estimate
 * (pg_class.reltuples): a running snapshot never shows 100 before it is done.
 */
function snapshotPercent(table: TableStatus): number | undefined {
  if (table.snapshotDone) return 100;
  if (table.snapshotTotalRows <= 0n) return undefined;
  return Math.min(99, Number((table.snapshotRows * 100n) / table.snapshotTotalRows));
}

/** "1,200/5,000 (24%)"; "-" when the table was never snapshotted. */
function snapshotCell(table: TableStatus): string {
  const running = table.state === 'snapshotting';
  if (!table.snapshotDone && !running && table.snapshotRows === 0n) return '-';
  const percent = snapshotPercent(table);
  const total = table.snapshotTotalRows > 0n || table.snapshotDone ? count(table.snapshotTotalRows) : '?';
  return `${count(table.snapshotRows)}/${total}${percent === undefined ? '' : ` (${percent}%)`}`;
}

/** True while the initial or an incremental snapshot is being read. */
function snapshotRunning(status: GetStatusResponse): boolean {
  return status.phase === 'snapshotting' || status.tables.some((t) => t.state === 'snapshotting');
}

/** The tables a running snapshot reads: all during the initial one, else those incremental snapshots name. */
function snapshotTables(status: GetStatusResponse): string[] | undefined {
  if (status.phase === 'snapshotting') return undefined;
  return [...new Set(status.incrementalSnapshots.flatMap((r) => r.tables))];
}

/** "[###########...................]  37%" */
function progressBar(percent: number | undefined, width = BAR_WIDTH): string {
  if (percent === undefined) return `[${'?'.repeat(width)}]    ?`;
  const filled = Math.round((percent / 100) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${`${percent}%`.padStart(4)}`;
}

/** The status as people read it: a header, then one row per table. */
function renderStatus(status: GetStatusResponse): string {
  // Until streaming starts (during the initial snapshot) nothing is confirmed: no lag to show.
  const confirmed = status.confirmedLsn === '0/0' ? 'none yet' : status.confirmedLsn;
  const since =
    status.lastCommitTime === undefined
      ? 'no commit read yet'
      : `${formatSeconds(status.lagSeconds)} since the last commit read`;
  const lag =
    status.confirmedLsn === '0/0' ? `- (${since})` : `${formatBytes(status.lagBytes)} of WAL, ${since}`;
  const fields: [string, string][] = [
    ['slot', `${status.slot} (publication ${status.publication})`],
    ['phase', status.phase],
    ['confirmed LSN', `${confirmed} (server at ${status.serverLsn})`],
    ['lag', lag],
    ['events/s', `${status.eventsPerSecond.toFixed(1)} (${count(status.eventsSent)} sent since start)`],
  ];
  const header = fields.map(([key, value]) => `${`${key}:`.padEnd(15)}${value}`).join('\n');
  const rows = status.tables.map((t) => [
    t.table,
    t.topic,
    t.state,
    snapshotCell(t),
    count(t.eventsSent),
    t.lastError === '' ? '-' : t.lastError,
  ]);
  const tables =
    rows.length === 0
      ? 'no tables captured'
      : renderTable(['TABLE', 'TOPIC', 'STATE', 'SNAPSHOT', 'EVENTS', 'LAST ERROR'], rows);
  return `${header}\n\n${tables}\n`;
}

/** One progress bar per table (those named, or all) while a snapshot runs. */
function renderProgress(status: GetStatusResponse, names?: readonly string[]): string {
  const tables = status.tables.filter((t) => names === undefined || names.includes(t.table));
  const width = Math.max(...tables.map((t) => t.table.length));
  const lines = tables.map((t) => {
    const name = t.table.padEnd(width);
    if (!t.snapshotDone && t.state !== 'snapshotting') return `  ${name}  ${progressBar(0)}  waiting`;
    const total = t.snapshotTotalRows > 0n ? count(t.snapshotTotalRows) : '?';
    return `  ${name}  ${progressBar(snapshotPercent(t))}  ${count(t.snapshotRows)}/${total} rows`;
  });
  return `snapshot progress\n${lines.join('\n')}\n`;
}

/** `status --watch`: a fresh screen every second (JSON lines with --json) until Ctrl-C. */
function watchStatus(address: readonly string[], json: boolean): Promise<number> {
  return withCdc(address, (client) =>
    watchFrames(json, async (signal) => {
      const status = await client.getStatus({}, { signal, timeoutMs: 5000 });
      return json
        ? `${JSON.stringify(toJson(GetStatusResponseSchema, status, { alwaysEmitImplicit: true }))}\n`
        : `${renderStatus(status)}${snapshotRunning(status) ? `\n${renderProgress(status, snapshotTables(status))}` : ''}`;
    }),
  );
}

/**
 * Follows an incremental snapshot until the ingestor no longer lists it: progress bars redrawn
 * in place on a terminal, a frame per second otherwise, one JSON object per second with --json
 * (the last one says `"done": true`).
 */
async function followSnapshot(
  address: readonly string[],
  snapshotId: string,
  tables: readonly string[],
  json: boolean,
): Promise<void> {
  const tty = process.stdout.isTTY === true && !json;
  let drawn = 0;
  await withCdc(address, async (client) => {
    for (;;) {
      const status = await client.getStatus({}, { timeoutMs: 5000 });
      const done = !status.incrementalSnapshots.some((r) => r.id === snapshotId);
      const named = status.tables.filter((t) => tables.includes(t.table));
      if (json) {
        const progress = named.map((t) => ({
          table: t.table,
          state: t.state,
          rows: Number(t.snapshotRows),
          estimatedRows: Number(t.snapshotTotalRows),
          done: t.snapshotDone,
        }));
        write(JSON.stringify({ snapshotId, done, tables: progress }));
      } else {
        const frame = renderProgress(status, tables);
        // Moves up over the previous frame on a terminal, so the bars grow in place.
        if (tty && drawn > 0) process.stdout.write(`\x1b[${drawn}A\x1b[J`);
        process.stdout.write(frame);
        drawn = frame.split('\n').length - 1;
        if (done) {
          const rows = named.map((t) => `${t.table} ${count(t.snapshotRows)} rows`).join(', ');
          write(`snapshot ${snapshotId} done: ${rows}`);
        }
      }
      if (done) return;
      await new Promise((resolve) => setTimeout(resolve, WATCH_INTERVAL_MS));
    }
  });
}

/** Postgres table names as `schema.table`, checked before anything is sent. */
function tableNames(positional: readonly string[], verb = 'snapshot'): string[] {
  if (positional.length === 0) throw new UsageError(`sources ${verb} takes one or more schema.table names`);
  for (const name of positional) {
    const dot = name.indexOf('.');
    if (dot <= 0 || dot === name.length - 1)
      throw new UsageError(`sources ${verb} takes schema.table names, got "${name}"`);
  }
  return [...positional];
}

export const sourcesCommand = verbCommand(
  'sources',
  'CDC sources: replication slot, lag and table status; pause, resume, snapshot, drop the slot',
  HELP,
  {
    status: async (positional, raw) => {
      noArguments(positional, 'status');
      const config = flags(statusSettings, raw);
      if (config.watch) return watchStatus(config.cdcAdmin, config.json);
      const status = await withCdc(config.cdcAdmin, (c) => c.getStatus({}));
      if (config.json) printJson(GetStatusResponseSchema, status);
      else write(renderStatus(status));
      return 0;
    },
    pause: async (positional, raw) => {
      noArguments(positional, 'pause');
      const config = flags({}, raw);
      const status = await withCdc(config.cdcAdmin, async (c) => {
        await c.pause({});
        return c.getStatus({});
      });
      if (config.json) write(JSON.stringify({ slot: status.slot, phase: status.phase }));
      else
        write(
          `paused: slot ${status.slot} is not read until \`trunkline sources resume\` (Postgres keeps its WAL meanwhile)`,
        );
      return 0;
    },
    resume: async (positional, raw) => {
      noArguments(positional, 'resume');
      const config = flags({}, raw);
      const status = await withCdc(config.cdcAdmin, async (c) => {
        await c.resume({});
        return c.getStatus({});
      });
      if (config.json) write(JSON.stringify({ slot: status.slot, phase: status.phase }));
      else write(`resumed: reading slot ${status.slot} (phase ${status.phase})`);
      return 0;
    },
    snapshot: async (positional, raw) => {
      const tables = tableNames(positional);
      const config = flags(snapshotSettings, raw);
      try {
        const response = await withCdc(config.cdcAdmin, (c) =>
          c.triggerSnapshot({ tables, chunkSize: config.chunkSize }),
        );
        if (config.detach) {
          if (config.json) printJson(TriggerSnapshotResponseSchema, response);
          else
            write(
              `snapshot ${response.snapshotId} started: ${tables.join(', ')} (follow it: trunkline sources status --watch)`,
            );
          return 0;
        }
        if (!config.json) write(`snapshot ${response.snapshotId} started: ${tables.join(', ')}`);
        await followSnapshot(config.cdcAdmin, response.snapshotId, tables, config.json);
        return 0;
      } catch (error) {
        if (!(error instanceof TrunklineError) || error.code !== Code.Unimplemented) throw error;
        process.stderr.write(
          `trunkline sources snapshot: the CDC ingestor at ${config.cdcAdmin[0]} cannot take incremental snapshots: ${error.message} (Unimplemented)\n`,
        );
        return 1;
      }
    },
    'add-tables': async (positional, raw) => {
      const tables = tableNames(positional, 'add-tables');
      const config = flags({}, raw);
      const response = await withCdc(config.cdcAdmin, (c) => c.addTables({ tables }));
      if (config.json) write(JSON.stringify({ tables: response.tables }));
      else write(`captured now: ${response.tables.join(', ')} (added tables are snapshotted incrementally)`);
      return 0;
    },
    'remove-tables': async (positional, raw) => {
      const tables = tableNames(positional, 'remove-tables');
      const config = flags({}, raw);
      const response = await withCdc(config.cdcAdmin, (c) => c.removeTables({ tables }));
      if (config.json) write(JSON.stringify({ tables: response.tables }));
      else write(`captured now: ${response.tables.length === 0 ? 'no table' : response.tables.join(', ')}`);
      return 0;
    },
    'drop-slot': async (positional, raw) => {
      const slot = single(positional, 'sources drop-slot takes the name of the slot to drop');
      const config = flags({}, raw);
      await withCdc(config.cdcAdmin, (c) => c.dropSlot({ slot }));
      if (config.json) write(JSON.stringify({ dropped: slot }));
      else
        write(
          `dropped: replication slot ${slot}; the ingestor stopped streaming and snapshots again on its next start`,
        );
      return 0;
    },
  },
);
