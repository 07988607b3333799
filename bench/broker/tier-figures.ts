// Pure pieces of the tier replay bench (bench/broker/tier-replay.ts): parsing Kafka's
// ConsumerPerformance output, summing a topic's local and remote state, and the report.

const MIB = 1024 * 1024;

/** Figures from Kafka's ConsumerPerformance (4.x) summary line. */
export interface ConsumerFigures {
  records: number;
  mb: number;
  /** Over the whole run, including the group join (`MB.sec`, `nMsg.sec`). */
  mbPerSec: number;
  recordsPerSec: number;
  rebalanceMs: number;
  fetchMs: number;
  /** Over the fetch time only, the group join left out (`fetch.MB.sec`, `fetch.nMsg.sec`). */
  fetchMbPerSec: number;
  fetchRecordsPerSec: number;
}

/**
 * Reads ConsumerPerformance's summary: a header line
 * `start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec,
 * rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec` and the line after it.
 */
export function parseConsumerPerformance(output: string): ConsumerFigures {
  const lines = output.split('\n');
  const at = lines.findIndex((line) => line.startsWith('start.time, end.time,'));
  const header = at === -1 ? [] : lines[at]!.split(',').map((field) => field.trim());
  const values = at === -1 ? [] : (lines[at + 1] ?? '').split(',').map((field) => field.trim());
  const field = (name: string): number => {
    const index = header.indexOf(name);
    const value = index === -1 ? Number.NaN : Number(values[index]);
    if (!Number.isFinite(value)) {
      throw new Error(`no ConsumerPerformance ${name} in:\n${output.slice(-2000)}`);
    }
    return value;
  };
  return {
    records: field('data.consumed.in.nMsg'),
    mb: field('data.consumed.in.MB'),
    mbPerSec: field('MB.sec'),
    recordsPerSec: field('nMsg.sec'),
    rebalanceMs: field('rebalance.time.ms'),
    fetchMs: field('fetch.time.ms'),
    fetchMbPerSec: field('fetch.MB.sec'),
    fetchRecordsPerSec: field('fetch.nMsg.sec'),
  };
}

/**
 * parseSettings takes a toggle as `--flag` or `--flag=false`; this also accepts
 * `--flag false` / `--flag true` by joining such pairs.
 */
export function joinToggleValues(argv: readonly string[], toggles: readonly string[]): string[] {
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    if (
      toggles.includes(arg.replace(/^--/, '')) &&
      arg.startsWith('--') &&
      next !== undefined &&
      /^(true|false|1|0)$/i.test(next)
    ) {
      joined.push(`${arg}=${next}`);
      i++;
    } else {
      joined.push(arg);
    }
  }
  return joined;
}

/**
 * Segment size for a topic: `wanted` (8 MiB by default) unless a partition would get fewer
 * than `minSegments` of them, then smaller (a multiple of 64 KiB, at least 256 KiB), so that
 * ~90% of a small topic can still leave local disk a segment at a time.
 */
export function segmentBytesFor(perPartitionBytes: number, wanted: number, minSegments = 20): number {
  if (perPartitionBytes / wanted >= minSegments) return wanted;
  const step = 64 * 1024;
  return Math.max(256 * 1024, Math.floor(perPartitionBytes / minSegments / step) * step);
}

/** The fields of a PartitionDescription the bench reads (int64 fields are bigints). */
export interface PartitionState {
  logStartOffset: bigint;
  logEndOffset: bigint;
  localLogStartOffset: bigint;
  sizeBytes: bigint;
  segments: number;
  remoteBytes: bigint;
  remoteSegments: number;
  uploadLagSegments: number;
  uploadLagBytes: bigint;
}

/** A topic's whole state, summed over its partitions. */
export interface TopicState {
  records: number;
  localBytes: number;
  localSegments: number;
  remoteBytes: number;
  remoteSegments: number;
  uploadLagSegments: number;
  uploadLagBytes: number;
  /** Records below the local log start: readable only from the tier. */
  tierOnlyRecords: number;
  /**
   * The topic's size in log bytes: the local size before anything left local disk; after,
   * what the tier holds plus the local bytes of records past it, estimated by bytes per record.
   */
  totalBytes: number;
}

export function topicState(partitions: readonly PartitionState[]): TopicState {
  const sum = (pick: (p: PartitionState) => bigint | number) =>
    partitions.reduce((total, p) => total + Number(pick(p)), 0);
  const records = sum((p) => p.logEndOffset - p.logStartOffset);
  const localBytes = sum((p) => p.sizeBytes);
  const tierOnlyRecords = sum((p) =>
    p.localLogStartOffset > p.logStartOffset ? p.localLogStartOffset - p.logStartOffset : 0n,
  );
  const localRecords = sum((p) => p.logEndOffset - maxBigint(p.localLogStartOffset, p.logStartOffset));
  const bytesPerLocalRecord = localRecords === 0 ? 0 : localBytes / localRecords;
  return {
    records,
    localBytes,
    localSegments: sum((p) => p.segments),
    remoteBytes: sum((p) => p.remoteBytes),
    remoteSegments: sum((p) => p.remoteSegments),
    uploadLagSegments: sum((p) => p.uploadLagSegments),
    uploadLagBytes: sum((p) => p.uploadLagBytes),
    tierOnlyRecords,
    totalBytes: localBytes + Math.round(tierOnlyRecords * bytesPerLocalRecord),
  };
}

function maxBigint(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

/** Thresholds a tiered topic must reach before its replay is measured. */
export const TIER_READY = { minRemoteShare: 0.85, maxLocalShare: 0.15 } as const;

/** Why a tiered topic is not ready to replay yet, or undefined when it is. */
export function tierNotReady(state: TopicState, records: number): string | undefined {
  if (state.records < records) return `${state.records} of ${records} records in the log`;
  if (state.uploadLagSegments > 0) return `${state.uploadLagSegments} closed segments not uploaded yet`;
  if (state.remoteBytes < TIER_READY.minRemoteShare * state.totalBytes)
    return `remote ${percent(state.remoteBytes, state.totalBytes)} < ${TIER_READY.minRemoteShare * 100}%`;
  if (state.localBytes > TIER_READY.maxLocalShare * state.totalBytes)
    return `local ${percent(state.localBytes, state.totalBytes)} > ${TIER_READY.maxLocalShare * 100}%`;
  return undefined;
}

export function describeState(state: TopicState): string {
  return [
    `records ${state.records}`,
    `local ${mb(state.localBytes)} MB in ${state.localSegments} segments (${percent(state.localBytes, state.totalBytes)})`,
    `remote ${mb(state.remoteBytes)} MB in ${state.remoteSegments} segments (${percent(state.remoteBytes, state.totalBytes)})`,
    `tier-only records ${percent(state.tierOnlyRecords, state.records)}`,
    `upload lag ${state.uploadLagSegments} segments / ${mb(state.uploadLagBytes)} MB`,
  ].join(', ');
}

export function mb(bytes: number): string {
  return (bytes / MIB).toFixed(1);
}

export function percent(part: number, whole: number): string {
  return whole === 0 ? 'n/a' : `${((100 * part) / whole).toFixed(0)}%`;
}

/** One replay by one reader. */
export interface ReplayFigures {
  records: number;
  mb: number;
  seconds: number;
  mbPerSec: number;
  recordsPerSec: number;
}

export interface VariantResult {
  variant: string;
  tier: string;
  records: number;
  /** Record payload written, in MiB (records × record size). */
  mb: number;
  segmentBytes: number;
  /** The topic's state when its replay started. */
  atReplay: TopicState;
  /** How long after the last produced record the tier thresholds were met (tier variants). */
  tierWaitSeconds?: number;
  consumerPerformance: ReplayFigures[];
  kafkajs: ReplayFigures[];
}

/** The better of a reader's replays (by records/s). */
export function best(runs: readonly ReplayFigures[]): ReplayFigures | undefined {
  return runs.reduce<ReplayFigures | undefined>(
    (top, run) => (top === undefined || run.recordsPerSec > top.recordsPerSec ? run : top),
    undefined,
  );
}

function ratio(ours: number | undefined, base: number | undefined): string {
  return ours === undefined || base === undefined || base === 0 ? 'n/a' : (ours / base).toFixed(2);
}

function figure(value: number | undefined, digits: number): string {
  return value === undefined ? 'n/a' : value.toFixed(digits);
}

/** The report as markdown tables, as recorded in bench/RESULTS.md. */
export function tierReport(heading: string, results: readonly VariantResult[]): string {
  const lines = [
    heading,
    '',
    '| variant | records | MB | local MB | remote MB | tier-only | ConsumerPerformance MB/s | ConsumerPerformance records/s | kafkajs MB/s | kafkajs records/s |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    const cp = best(r.consumerPerformance);
    const js = best(r.kafkajs);
    lines.push(
      `| ${r.variant} | ${r.records} | ${r.mb.toFixed(0)} | ${mb(r.atReplay.localBytes)} | ${mb(r.atReplay.remoteBytes)} | ${percent(r.atReplay.tierOnlyRecords, r.atReplay.records)} | ${figure(cp?.mbPerSec, 2)} | ${figure(cp?.recordsPerSec, 0)} | ${figure(js?.mbPerSec, 2)} | ${figure(js?.recordsPerSec, 0)} |`,
    );
  }
  lines.push('', '| variant | reader | replay 1 MB/s | replay 2 MB/s |', '|---|---|---|---|');
  for (const r of results) {
    for (const [reader, runs] of [
      ['ConsumerPerformance', r.consumerPerformance],
      ['kafkajs', r.kafkajs],
    ] as const) {
      lines.push(
        `| ${r.variant} | ${reader} | ${figure(runs[0]?.mbPerSec, 2)} | ${figure(runs[1]?.mbPerSec, 2)} |`,
      );
    }
  }
  const local = results.find((r) => r.variant === 'local');
  const tiered = results.filter((r) => r.variant !== 'local');
  if (local !== undefined && tiered.length > 0) {
    lines.push(
      '',
      '| variant | ConsumerPerformance ratio (tier/local) | kafkajs ratio (tier/local) |',
      '|---|---|---|',
    );
    for (const r of tiered) {
      lines.push(
        `| ${r.variant} | ${ratio(best(r.consumerPerformance)?.mbPerSec, best(local.consumerPerformance)?.mbPerSec)} | ${ratio(best(r.kafkajs)?.mbPerSec, best(local.kafkajs)?.mbPerSec)} |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
