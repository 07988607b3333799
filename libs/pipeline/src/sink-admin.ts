import { timestampFromMs, timestampMs } from '@bufbuild/protobuf/wkt';
import type { OffsetSpec } from '@trunkline/contracts/common/v1/position';
import { LogBoundary } from '@trunkline/contracts/common/v1/position';
import { ReplayMode, type SinkAdminService } from '@trunkline/contracts/sink/v1/sink_admin';
import { Code, type InstanceFacts, type ServiceImpl, serviceInfo, TrunklineError } from '@trunkline/runtime';
import type { ReplayFrom, ReplayProgress, ReplayRunner } from './replay';
import type { SinkPipeline } from './sink-pipeline';

const DEFAULT_DEAD_LETTER_LIMIT = 100;
/** Waiting dead letters are counted at most this often (it asks the broker). */
const WAITING_CACHE_MS = 2000;

function replayFrom(spec: OffsetSpec | undefined): ReplayFrom {
  const choice = spec?.spec;
  if (choice === undefined || choice.case === undefined) return { kind: 'earliest' };
  switch (choice.case) {
    case 'boundary':
      if (choice.value === LogBoundary.LATEST)
        throw new TrunklineError(
          Code.InvalidArgument,
          'a replay from the latest offset would replay nothing',
        );
      return { kind: 'earliest' };
    case 'offset':
      if (choice.value < 0n)
        throw new TrunklineError(Code.InvalidArgument, `offset ${choice.value} is negative`);
      return { kind: 'offset', offset: choice.value };
    case 'timestamp':
      return { kind: 'timestamp', ms: Number(timestampMs(choice.value)) };
  }
}

function replayStatus(progress: ReplayProgress) {
  return {
    replayId: progress.id,
    mode: progress.mode === 'rebuild' ? ReplayMode.REBUILD : ReplayMode.IN_PLACE,
    phase: progress.phase,
    recordsDone: BigInt(progress.recordsDone),
    recordsTotal: BigInt(progress.recordsTotal),
    etaSeconds: progress.etaSeconds,
    startedAt: timestampFromMs(progress.startedAt.getTime()),
    ...(progress.finishedAt === undefined
      ? {}
      : { finishedAt: timestampFromMs(progress.finishedAt.getTime()) }),
    error: progress.error ?? '',
  };
}

/** `trunkline.sink.v1.SinkAdminService` over one sink pipeline: what `trunkline sinks` calls. */
export function sinkAdmin(
  service: string,
  pipeline: SinkPipeline,
  replays: ReplayRunner,
  facts: InstanceFacts,
): ServiceImpl<typeof SinkAdminService> {
  let waiting = { count: 0, at: 0 };
  const waitingCount = async () => {
    if (Date.now() - waiting.at > WAITING_CACHE_MS) {
      waiting = {
        count: await pipeline.deadLetters.waitingCount().catch(() => waiting.count),
        at: Date.now(),
      };
    }
    return waiting.count;
  };
  return {
    async getStatus() {
      await pipeline.refreshEndOffsets().catch(() => undefined);
      const status = pipeline.status();
      const replay = replays.status();
      const replaying = replay !== undefined && !['done', 'failed'].includes(replay.phase);
      return {
        info: serviceInfo(service, facts),
        group: pipeline.group,
        engine: pipeline.adapter.describe(),
        phase: replaying && status.phase === 'consuming' ? 'replaying' : status.phase,
        paused: status.paused,
        partitions: status.partitions.map((p) => ({
          topic: p.topic,
          partition: p.partition,
          appliedOffset: p.appliedOffset,
          endOffset: p.endOffset,
          lag: p.appliedOffset >= 0n && p.endOffset >= p.appliedOffset ? p.endOffset - p.appliedOffset : 0n,
          table: p.table,
        })),
        eventsPerSecond: status.eventsPerSecond,
        eventsApplied: BigInt(status.eventsApplied),
        freshnessP50Seconds: status.freshnessP50Seconds,
        freshnessP99Seconds: status.freshnessP99Seconds,
        freshnessSamples: BigInt(status.freshnessSamples),
        deadLettersSent: BigInt(status.deadLettersSent),
        deadLettersWaiting: BigInt(await waitingCount()),
        lastError: status.lastError?.message ?? '',
        ...(status.lastError === undefined
          ? {}
          : { lastErrorTime: timestampFromMs(status.lastError.at.getTime()) }),
        ...(replay === undefined ? {} : { replay: replayStatus(replay) }),
      };
    },
    pause() {
      pipeline.pause();
      return {};
    },
    resume() {
      pipeline.resume();
      return {};
    },
    async replay(request) {
      const mode = request.mode === ReplayMode.REBUILD ? 'rebuild' : 'in-place';
      const started = await replays.start(replayFrom(request.from), mode);
      return { replayId: started.id, partitions: started.partitions };
    },
    async listDeadLetters(request) {
      const limit = request.limit > 0 ? request.limit : DEFAULT_DEAD_LETTER_LIMIT;
      const { letters, waiting: count } = await pipeline.deadLetters.list(request.topic || undefined, limit);
      return {
        waiting: BigInt(count),
        deadLetters: letters.map((l) => ({
          dlqTopic: l.dlqTopic,
          dlqPartition: l.dlqPartition,
          dlqOffset: l.dlqOffset,
          topic: l.record.topic,
          partition: l.record.partition,
          offset: l.record.offset,
          reason: l.reason,
          errorClass: l.errorClass,
          failedAt: timestampFromMs(l.failedAt.getTime()),
          retries: l.retries,
          key: l.record.key ?? new Uint8Array(),
        })),
      };
    },
    async retryDeadLetters(request) {
      const outcome = await pipeline.retryDeadLetters(request.topic || undefined);
      waiting.at = 0;
      return { applied: BigInt(outcome.applied), failed: BigInt(outcome.failed) };
    },
  };
}
