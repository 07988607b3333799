import { toJson } from '@bufbuild/protobuf';
import { type Timestamp, timestampMs } from '@bufbuild/protobuf/wkt';
import type { OffsetSpec } from '@trunkline/contracts';
import {
  type GetStatusResponse,
  GetStatusResponseSchema,
  type ListDeadLettersResponse,
  ListDeadLettersResponseSchema,
  ReplayMode,
  ReplayResponseSchema,
  type ReplayStatus,
  RetryDeadLettersResponseSchema,
} from '@trunkline/contracts/sink/v1/sink_admin';
import { type SettingsSpec, setting, settingsHelp } from '@trunkline/runtime';
import { parseFlags, printJson, sinkAdminSettings, verbCommand, withSink } from '../admin/admin-command';
import { parseOffsetSpec } from '../admin/offset-spec-arg';
import { sleep, watchFrames } from '../admin/watch';
import { UsageError } from '../command';
import { findService } from '../services';
import { renderTable } from '../table';

/** Every sink service that speaks SinkAdminService; the first is the default. */
export const SINK_SERVICES = [
  'search-indexer',
  'vector-indexer',
  'warehouse-loader',
  'bronze-writer',
] as const;
export const DEFAULT_SINK = SINK_SERVICES[0];

/** gRPC ports of sinks this build may not list in services.ts yet. */
const FALLBACK_GRPC_PORTS: Readonly<Record<string, number>> = { 'search-indexer': 50054 };

/** The default gRPC port of a sink service, if this build knows it. */
export function defaultSinkPort(service: string): number | undefined {
  return findService(service)?.ports.grpc ?? FALLBACK_GRPC_PORTS[service];
}

const REPLAY_FROM_HELP =
  'earliest, an offset (in every partition), an ISO-8601 time, offset:N or timestamp:ISO';

const statusSettings = {
  watch: setting.toggle({
    describe: 'refresh every second until Ctrl-C (with --json: one JSON object per line)',
    default: false,
  }),
};
const replaySettings = {
  from: setting.text({
    describe: `where to start in every partition: ${REPLAY_FROM_HELP}`,
    default: 'earliest',
  }),
  rebuild: setting.toggle({
    describe: 'build every table anew beside the live one and swap when caught up (default: in place)',
    default: false,
  }),
  detach: setting.toggle({
    describe: 'return once the replay is started instead of following it to the end',
    default: false,
  }),
};
const dlqTopicSettings = {
  topic: setting.text({ describe: 'only dead letters of this change topic (default: every topic)' }),
};
const dlqListSettings = {
  ...dlqTopicSettings,
  limit: setting.integer({
    describe: 'most dead letters listed, oldest first',
    default: 100,
    min: 1,
    max: 10_000,
  }),
};

const HELP = `Usage: trunkline sinks <verb> [<service>] [flags]

Administers a sink service: the change topics it consumes through its consumer group, its
dead-letter topics and replays of the log into its engine.

<service> is one of ${SINK_SERVICES.join(', ')}
(default ${DEFAULT_SINK}); it picks the admin address, 127.0.0.1 and the service's gRPC
port, unless --sink-admin gives one. Flags come after the arguments.

Verbs:
  status [<service>]               group, engine, phase, throughput, freshness, dead letters,
                                   the running replay, and every partition with its lag
  pause [<service>]                stop consuming (the group keeps the partitions; nothing is skipped)
  resume [<service>]               consume again after pause
  replay [<service>]               apply the change topics again from --from, in place or
                                   into a rebuilt index (--rebuild), with a progress bar
  dlq [list] [<service>]           list the records waiting in the dead-letter topics
  dlq retry [<service>]            apply the waiting dead letters again, oldest first (those
                                   that fail again go back to their dead-letter topic)

Flags of every verb:
${settingsHelp(sinkAdminSettings)}

status:
${settingsHelp(statusSettings)}

replay:
${settingsHelp(replaySettings)}

dlq list:
${settingsHelp(dlqListSettings)}

dlq retry:
${settingsHelp(dlqTopicSettings)}

Examples:
  trunkline sinks status --watch
  trunkline sinks replay search-indexer --from 2026-01-01T00:00:00Z --rebuild
  trunkline sinks dlq retry --topic pg.public.customers
`;

const REPLAY_POLL_MS = 500;
/** Off a terminal, a progress line at most this often (and on every phase change). */
const REPLAY_LINE_EVERY_MS = 5000;
/** How long a replay may be missing from the status before following it gives up. */
const REPLAY_MISSING_MS = 30_000;
const BAR_WIDTH = 30;
const REASON_WIDTH = 60;

function flags<S extends SettingsSpec>(spec: S, raw: readonly string[]) {
  return parseFlags({ ...sinkAdminSettings, ...spec }, raw);
}

function write(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

const count = (n: bigint | number) => BigInt(n).toLocaleString('en-US');

/** 0.042 → "42ms", 1.25 → "1.3s", 125 → "2m05s", 7300 → "2h01m" */
export function formatSeconds(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const whole = Math.floor(seconds);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (whole < 3600) return `${Math.floor(whole / 60)}m${pad(whole % 60)}s`;
  return `${Math.floor(whole / 3600)}h${pad(Math.floor((whole % 3600) / 60))}m`;
}

/** A timestamp to the second, UTC: "2026-01-01T10:00:00Z". */
function formatTime(time: Timestamp | undefined): string {
  return time === undefined ? '-' : new Date(timestampMs(time)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** One line, at most `width` characters: whitespace collapsed, "…" where cut. */
export function truncate(text: string, width: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= width ? line : `${line.slice(0, width - 1)}…`;
}

/** The service a verb administers: its one optional argument, checked against the known sinks. */
export function serviceArg(positional: readonly string[], verb: string): string {
  if (positional.length > 1)
    throw new UsageError(`sinks ${verb} takes at most one service name, got ${positional.join(' ')}`);
  const service = positional[0] ?? DEFAULT_SINK;
  if (!(SINK_SERVICES as readonly string[]).includes(service))
    throw new UsageError(`unknown sink service "${service}" (${SINK_SERVICES.join(', ')})`);
  return service;
}

/** `--sink-admin` when given, else 127.0.0.1 and the service's default gRPC port. */
export function sinkAdminAddress(
  service: string,
  override: readonly string[] | undefined,
  portOf: (service: string) => number | undefined = defaultSinkPort,
): string[] {
  if (override !== undefined) return [...override];
  const port = portOf(service);
  if (port === undefined)
    throw new UsageError(
      `this build does not know the port of ${service}: give its address with --sink-admin host:port`,
    );
  return [`127.0.0.1:${port}`];
}

/** `dlq [list|retry] [<service>]` */
export function dlqArgs(positional: readonly string[]): { action: 'list' | 'retry'; service: string } {
  const [first, ...rest] = positional;
  if (first === 'list' || first === 'retry')
    return { action: first, service: serviceArg(rest, `dlq ${first}`) };
  return { action: 'list', service: serviceArg(positional, 'dlq') };
}

/**
 * `--from` of replay: earliest, a bare offset (42), an ISO-8601 time (2026-01-01T00:00:00Z),
 * or the offset:N / timestamp:ISO forms other commands take. `latest` would replay nothing.
 */
export function parseReplayFrom(text: string): OffsetSpec {
  const invalid = () => new UsageError(`--from "${text}" is invalid: expected ${REPLAY_FROM_HELP}`);
  if (text === 'latest')
    throw new UsageError('--from latest replays nothing: give earliest, an offset or a time');
  const spec = /^\d+$/.test(text)
    ? `offset:${text}`
    : /^\d{4}-\d{2}-\d{2}/.test(text)
      ? `timestamp:${text}`
      : text;
  try {
    return parseOffsetSpec(spec, '--from');
  } catch (error) {
    if (error instanceof UsageError) throw invalid();
    throw error;
  }
}

const modeName = (mode: ReplayMode) =>
  mode === ReplayMode.REBUILD ? 'rebuild' : mode === ReplayMode.IN_PLACE ? 'in place' : 'unspecified mode';

/** How far a replay got, 0 to 100, or undefined when the total is unknown; 100 only once done. */
export function replayPercent(replay: ReplayStatus): number | undefined {
  if (replay.phase === 'done') return 100;
  if (replay.recordsTotal <= 0n) return undefined;
  return Math.min(99, Number((replay.recordsDone * 100n) / replay.recordsTotal));
}

/** "[###########...................]  37%" */
export function progressBar(percent: number | undefined, width = BAR_WIDTH): string {
  if (percent === undefined) return `[${'?'.repeat(width)}]    ?`;
  const filled = Math.round((percent / 100) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${`${percent}%`.padStart(4)}`;
}

/** "1,200/3,000 records" */
function recordsCell(replay: ReplayStatus): string {
  const total = replay.recordsTotal > 0n ? count(replay.recordsTotal) : '?';
  return `${count(replay.recordsDone)}/${total} records`;
}

function etaCell(replay: ReplayStatus): string {
  if (replay.phase === 'done' || replay.phase === 'failed') return '';
  return replay.etaSeconds > 0 ? `ETA ${formatSeconds(replay.etaSeconds)}` : 'ETA ?';
}

/** The progress line while following a replay: bar, records, phase, ETA. */
export function renderReplayLine(replay: ReplayStatus): string {
  return [progressBar(replayPercent(replay)), recordsCell(replay), replay.phase, etaCell(replay)]
    .filter((part) => part !== '')
    .join('  ');
}

/** The replay field of the status header. */
function replaySummary(replay: ReplayStatus): string {
  const head = `${replay.replayId} (${modeName(replay.mode)}) ${replay.phase}`;
  if (replay.phase === 'failed') return `${head} at ${formatTime(replay.finishedAt)}: ${replay.error}`;
  if (replay.phase === 'done')
    return `${head}: ${count(replay.recordsDone)} records, finished ${formatTime(replay.finishedAt)}`;
  const percent = replayPercent(replay);
  return `${head}: ${recordsCell(replay)}${percent === undefined ? '' : ` (${percent}%)`}, ${etaCell(replay)}`;
}

/** The status as people read it: a header, then one row per partition. */
export function renderSinkStatus(status: GetStatusResponse): string {
  const info = status.info;
  const service = info?.service || DEFAULT_SINK;
  const freshness =
    status.freshnessSamples > 0n
      ? `p50 ${formatSeconds(status.freshnessP50Seconds)}, p99 ${formatSeconds(status.freshnessP99Seconds)} (${count(status.freshnessSamples)} changes in the last 60s)`
      : '- (no change applied in the last 60s)';
  const dlqHint =
    status.deadLettersWaiting > 0n
      ? ` (see them: trunkline sinks dlq${service === DEFAULT_SINK ? '' : ` ${service}`})`
      : '';
  const fields: [string, string][] = [
    ['service', info === undefined ? service : `${service} ${info.version} (instance ${info.instanceId})`],
    ['group', status.group],
    ['engine', status.engine],
    ['phase', status.paused && status.phase !== 'paused' ? `${status.phase} (paused)` : status.phase],
    ['events/s', `${status.eventsPerSecond.toFixed(1)} (${count(status.eventsApplied)} applied since start)`],
    ['freshness', freshness],
    [
      'dead letters',
      `${count(status.deadLettersSent)} sent since start, ${count(status.deadLettersWaiting)} waiting${dlqHint}`,
    ],
    [
      'last error',
      status.lastError === ''
        ? 'none'
        : `${truncate(status.lastError, 200)} (at ${formatTime(status.lastErrorTime)})`,
    ],
  ];
  if (status.replay !== undefined) fields.push(['replay', replaySummary(status.replay)]);
  const header = fields.map(([key, value]) => `${`${key}:`.padEnd(15)}${value}`).join('\n');
  const partitions = [...status.partitions].sort(
    (a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition,
  );
  const table =
    partitions.length === 0
      ? 'no partitions assigned to this instance'
      : renderTable(
          ['TOPIC', 'PARTITION', 'TABLE', 'APPLIED', 'END', 'LAG'],
          partitions.map((p) => [
            p.topic,
            String(p.partition),
            p.table === '' ? '-' : p.table,
            count(p.appliedOffset),
            count(p.endOffset),
            count(p.lag),
          ]),
        );
  return `${header}\n\n${table}\n`;
}

/** Waiting dead letters as a table, then how many wait in all. */
export function renderDeadLetters(response: ListDeadLettersResponse): string {
  if (response.deadLetters.length === 0 && response.waiting === 0n) return 'no dead letters waiting\n';
  const rows = response.deadLetters.map((d) => [
    `${d.dlqTopic}[${d.dlqPartition}]`,
    String(d.dlqOffset),
    `${d.topic}[${d.partition}]@${d.offset}`,
    formatTime(d.failedAt),
    String(d.retries),
    d.errorClass === '' ? '-' : d.errorClass,
    truncate(d.reason, REASON_WIDTH),
  ]);
  const shown = response.deadLetters.length;
  const more =
    BigInt(shown) < response.waiting ? ` (the oldest ${count(shown)} shown; --limit lists more)` : '';
  const table =
    shown === 0
      ? ''
      : `${renderTable(['DLQ TOPIC', 'OFFSET', 'SOURCE', 'FAILED AT', 'RETRIES', 'ERROR CLASS', 'REASON'], rows)}\n\n`;
  return `${table}${count(response.waiting)} waiting${more}\n`;
}

/** `status --watch`: a fresh screen every second (JSON lines with --json) until Ctrl-C. */
function watchStatus(address: readonly string[], json: boolean): Promise<number> {
  return withSink(address, (client) =>
    watchFrames(json, async (signal) => {
      const status = await client.getStatus({}, { signal, timeoutMs: 5000 });
      return json
        ? `${JSON.stringify(toJson(GetStatusResponseSchema, status, { alwaysEmitImplicit: true }))}\n`
        : renderSinkStatus(status);
    }),
  );
}

/**
 * Follows a replay until its phase is done (0) or failed (1): a progress line redrawn in place
 * on a terminal, a line every few seconds otherwise, nothing but the final status with --json.
 */
async function followReplay(address: readonly string[], replayId: string, json: boolean): Promise<number> {
  const tty = process.stdout.isTTY === true && !json;
  let drawn = false;
  let lastPrinted = 0;
  let lastPhase: string | undefined;
  let missingSince: number | undefined;
  return withSink(address, async (client) => {
    for (;;) {
      const status = await client.getStatus({}, { timeoutMs: 5000 });
      const replay = status.replay?.replayId === replayId ? status.replay : undefined;
      const finished = replay?.phase === 'done' || replay?.phase === 'failed';
      if (replay === undefined) {
        missingSince ??= Date.now();
        if (Date.now() - missingSince > REPLAY_MISSING_MS) {
          if (drawn) process.stdout.write('\n');
          process.stderr.write(
            `trunkline sinks replay: the sink no longer reports replay ${replayId} (another replay started?); see trunkline sinks status\n`,
          );
          return 1;
        }
      } else missingSince = undefined;
      if (!json) {
        const line = `replay ${replayId}  ${replay === undefined ? 'starting' : renderReplayLine(replay)}`;
        const phase = replay?.phase ?? '';
        if (tty) {
          // Redrawn in place, so the bar grows on one line.
          process.stdout.write(`\r\x1b[K${line}${finished ? '\n' : ''}`);
          drawn = !finished;
        } else if (finished || phase !== lastPhase || Date.now() - lastPrinted >= REPLAY_LINE_EVERY_MS) {
          write(line);
          lastPrinted = Date.now();
        }
        lastPhase = phase;
      }
      if (replay !== undefined && finished) {
        if (json) printJson(GetStatusResponseSchema, status);
        if (replay.phase === 'failed') {
          process.stderr.write(`trunkline sinks replay: replay ${replayId} failed: ${replay.error}\n`);
          return 1;
        }
        if (!json) {
          const took =
            replay.startedAt !== undefined && replay.finishedAt !== undefined
              ? ` in ${formatSeconds((timestampMs(replay.finishedAt) - timestampMs(replay.startedAt)) / 1000)}`
              : '';
          write(`replay ${replayId} done: ${count(replay.recordsDone)} records${took}`);
        }
        return 0;
      }
      await sleep(REPLAY_POLL_MS);
    }
  });
}

export const sinksCommand = verbCommand(
  'sinks',
  'sink services (search indexer, ...): lag, freshness, dead letters; pause, resume, replay, retry',
  HELP,
  {
    status: async (positional, raw) => {
      const service = serviceArg(positional, 'status');
      const config = flags(statusSettings, raw);
      const address = sinkAdminAddress(service, config.sinkAdmin);
      if (config.watch) return watchStatus(address, config.json);
      const status = await withSink(address, (c) => c.getStatus({}));
      if (config.json) printJson(GetStatusResponseSchema, status);
      else write(renderSinkStatus(status));
      return 0;
    },
    pause: async (positional, raw) => {
      const service = serviceArg(positional, 'pause');
      const config = flags({}, raw);
      const status = await withSink(sinkAdminAddress(service, config.sinkAdmin), async (c) => {
        await c.pause({});
        return c.getStatus({});
      });
      if (config.json)
        write(JSON.stringify({ service, group: status.group, phase: status.phase, paused: status.paused }));
      else
        write(
          `paused: ${service} stopped consuming until \`trunkline sinks resume\` (group ${status.group} keeps its partitions; nothing is skipped)`,
        );
      return 0;
    },
    resume: async (positional, raw) => {
      const service = serviceArg(positional, 'resume');
      const config = flags({}, raw);
      const status = await withSink(sinkAdminAddress(service, config.sinkAdmin), async (c) => {
        await c.resume({});
        return c.getStatus({});
      });
      if (config.json)
        write(JSON.stringify({ service, group: status.group, phase: status.phase, paused: status.paused }));
      else write(`resumed: ${service} consumes again (phase ${status.phase})`);
      return 0;
    },
    replay: async (positional, raw) => {
      const service = serviceArg(positional, 'replay');
      const config = flags(replaySettings, raw);
      const from = parseReplayFrom(config.from);
      const mode = config.rebuild ? ReplayMode.REBUILD : ReplayMode.IN_PLACE;
      const address = sinkAdminAddress(service, config.sinkAdmin);
      const response = await withSink(address, (c) => c.replay({ from, mode }));
      if (config.json) printJson(ReplayResponseSchema, response);
      else {
        const follow = config.detach
          ? ` (follow it: trunkline sinks status${service === DEFAULT_SINK ? '' : ` ${service}`} --watch)`
          : '';
        write(
          `replay ${response.replayId} started: ${service} ${modeName(mode)} from ${config.from}, ${response.partitions} partitions${follow}`,
        );
      }
      if (config.detach) return 0;
      return followReplay(address, response.replayId, config.json);
    },
    dlq: async (positional, raw) => {
      const { action, service } = dlqArgs(positional);
      if (action === 'retry') {
        const config = flags(dlqTopicSettings, raw);
        const response = await withSink(sinkAdminAddress(service, config.sinkAdmin), (c) =>
          c.retryDeadLetters({ topic: config.topic ?? '' }),
        );
        if (config.json) printJson(RetryDeadLettersResponseSchema, response);
        else write(renderRetry(response.applied, response.failed, service));
        return 0;
      }
      const config = flags(dlqListSettings, raw);
      const response = await withSink(sinkAdminAddress(service, config.sinkAdmin), (c) =>
        c.listDeadLetters({ topic: config.topic ?? '', limit: config.limit }),
      );
      if (config.json) printJson(ListDeadLettersResponseSchema, response);
      else process.stdout.write(renderDeadLetters(response));
      return 0;
    },
  },
);

/** "applied 3, failed again 1 (...)" */
export function renderRetry(applied: bigint, failed: bigint, service: string): string {
  const again =
    failed > 0n
      ? ` (back in their dead-letter topics with the new reason: trunkline sinks dlq${service === DEFAULT_SINK ? '' : ` ${service}`})`
      : '';
  return `applied ${count(applied)}, failed again ${count(failed)}${again}`;
}
