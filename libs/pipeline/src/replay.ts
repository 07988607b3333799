import { randomUUID } from 'node:crypto';
import { Code, type Logger, TrunklineError } from '@trunkline/runtime';
import type { Admin, Kafka } from 'kafkajs';
import { BatchAbandoned } from './change-applier';
import type { SinkRebuild } from './sink-adapter';
import { partitionKey, type SinkPipeline } from './sink-pipeline';
import { SwitchableAdapter } from './switchable-adapter';

/** Where a replay starts in every partition. */
export type ReplayFrom =
  | { kind: 'earliest' }
  | { kind: 'offset'; offset: bigint }
  | { kind: 'timestamp'; ms: number };

export type ReplayMode = 'in-place' | 'rebuild';

export interface ReplayProgress {
  id: string;
  mode: ReplayMode;
  phase: 'reading' | 'swapping' | 'catching-up' | 'done' | 'failed';
  recordsDone: number;
  recordsTotal: number;
  etaSeconds: number;
  startedAt: Date;
  finishedAt?: Date;
  error?: string;
}

interface Span {
  topic: string;
  partition: number;
  start: bigint;
  end: bigint;
  /** Next offset to apply, as far as this replay knows. */
  position: bigint;
}

/**
 * Replays of the change topics into a sink's engine. In place: this instance's partitions move
 * back and are applied again (versions by LSN keep newer rows). Rebuild: a consumer of its own
 * reads every partition from the start into a rebuild of the engine while the live tables keep
 * answering; once it reached the ends seen at start, the rebuild is swapped in, then it reads to
 * the ends once more, for changes other instances applied to the old tables just before the swap.
 */
export class ReplayRunner {
  private current: ReplayProgress | undefined;
  private spans: Span[] = [];

  constructor(
    private readonly pipeline: SinkPipeline,
    private readonly kafka: Kafka,
    private readonly logger: Logger,
  ) {}

  status(): ReplayProgress | undefined {
    if (this.current === undefined) return undefined;
    if (this.current.phase === 'reading' || this.current.phase === 'catching-up') this.measure();
    return { ...this.current };
  }

  async start(from: ReplayFrom, mode: ReplayMode): Promise<{ id: string; partitions: number }> {
    const running = this.current?.phase;
    if (running !== undefined && running !== 'done' && running !== 'failed') {
      throw new TrunklineError(Code.FailedPrecondition, `replay ${this.current!.id} is still running`);
    }
    const admin = this.pipeline.kafkaAdmin;
    const id = randomUUID();
    const progress: ReplayProgress = {
      id,
      mode,
      phase: 'reading',
      recordsDone: 0,
      recordsTotal: 0,
      etaSeconds: 0,
      startedAt: new Date(),
    };
    if (mode === 'in-place') {
      await this.pipeline.refreshEndOffsets();
      const held = this.pipeline.status().partitions;
      if (held.length === 0)
        throw new TrunklineError(Code.FailedPrecondition, 'this instance holds no partitions to replay');
      const starts = await startOffsets(admin, held, from);
      this.spans = held.map((p) => {
        const start = starts.get(partitionKey(p.topic, p.partition)) ?? 0n;
        return { topic: p.topic, partition: p.partition, start, end: p.endOffset, position: start };
      });
      this.current = progress;
      this.pipeline.rewind(new Map(this.spans.map((s) => [partitionKey(s.topic, s.partition), s.start])));
      this.measure();
      return { id, partitions: this.spans.length };
    }
    if (from.kind !== 'earliest') {
      throw new TrunklineError(
        Code.InvalidArgument,
        'a rebuild reads every partition from the earliest offset',
      );
    }
    const adapter = this.pipeline.adapter;
    if (adapter.rebuild === undefined) {
      throw new TrunklineError(
        Code.Unimplemented,
        `${adapter.describe()} cannot rebuild; replay in place instead`,
      );
    }
    const topics = [...this.pipeline.topics];
    if (topics.length === 0)
      throw new TrunklineError(Code.FailedPrecondition, 'no change topics are consumed yet');
    this.spans = await spansOf(admin, topics);
    this.current = progress;
    const rebuild = await adapter.rebuild();
    void this.runRebuild(progress, rebuild, topics).catch(async (error: unknown) => {
      progress.phase = 'failed';
      progress.error = error instanceof Error ? error.message : String(error);
      progress.finishedAt = new Date();
      this.logger.error({ replay: id, reason: progress.error }, 'the rebuild failed; the live tables stay');
      await rebuild.discard().catch(() => undefined);
    });
    return { id, partitions: this.spans.length };
  }

  private measure(): void {
    const progress = this.current!;
    if (progress.mode === 'in-place') {
      const held = new Map(
        this.pipeline.status().partitions.map((p) => [partitionKey(p.topic, p.partition), p]),
      );
      for (const span of this.spans) {
        const applied = held.get(partitionKey(span.topic, span.partition))?.appliedOffset ?? -1n;
        if (applied >= span.start) span.position = applied;
      }
    }
    progress.recordsTotal = this.spans.reduce((sum, s) => sum + Number(s.end - s.start), 0);
    progress.recordsDone = this.spans.reduce(
      (sum, s) => sum + Number((s.position < s.end ? s.position : s.end) - s.start),
      0,
    );
    const elapsed = (Date.now() - progress.startedAt.getTime()) / 1000;
    const rate = elapsed > 0 ? progress.recordsDone / elapsed : 0;
    const left = progress.recordsTotal - progress.recordsDone;
    progress.etaSeconds = left <= 0 ? 0 : rate > 0 ? left / rate : 0;
    if (progress.mode === 'in-place' && progress.phase === 'reading' && left <= 0) {
      progress.phase = 'done';
      progress.finishedAt = new Date();
    }
  }

  private async runRebuild(progress: ReplayProgress, rebuild: SinkRebuild, topics: string[]): Promise<void> {
    const group = `${this.pipeline.group}.rebuild-${progress.id}`;
    // Until the swap the rebuild gets the changes; after it, the live adapter (serving the
    // rebuilt tables) gets those the catch-up reads.
    const target = new SwitchableAdapter(rebuild);
    const applier = this.pipeline.applierFor(target, async (record, why) => {
      this.logger.warn(
        {
          replay: progress.id,
          topic: record.topic,
          partition: record.partition,
          offset: record.offset.toString(),
          reason: why.reason,
        },
        'the rebuild could not apply a record (it stays in the log; see the dead-letter topic of its first failure)',
      );
    });
    const consumer = this.kafka.consumer({ groupId: group, maxWaitTimeInMs: 100 });
    let stopped = false;
    await consumer.connect();
    try {
      await consumer.subscribe({ topics, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 4,
        eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
          if (batch.messages.length === 0) return;
          const records = batch.messages.map((m) => ({
            topic: batch.topic,
            partition: batch.partition,
            offset: BigInt(m.offset),
            key: m.key,
            value: m.value,
          }));
          try {
            await applier.apply(records, {
              isRunning: () => isRunning() && !isStale() && !stopped,
              heartbeat,
            });
          } catch (error) {
            if (error instanceof BatchAbandoned) return;
            throw error;
          }
          resolveOffset(batch.messages.at(-1)!.offset);
          const span = this.spans.find((s) => s.topic === batch.topic && s.partition === batch.partition);
          if (span !== undefined) span.position = records.at(-1)!.offset + 1n;
        },
      });
      await this.until(() => this.spans.every((s) => s.position >= s.end), progress);
      progress.phase = 'swapping';
      await target.switchTo(this.pipeline.adapter, () => rebuild.swap());
      this.pipeline.tablesReplaced();
      applier.forgetPrepared();
      this.logger.info({ replay: progress.id }, 'the rebuilt tables are live');
      progress.phase = 'catching-up';
      const ends = await spansOf(this.pipeline.kafkaAdmin, topics);
      for (const span of this.spans) {
        const end = ends.find((e) => e.topic === span.topic && e.partition === span.partition)?.end;
        if (end !== undefined && end > span.end) span.end = end;
      }
      await this.until(() => this.spans.every((s) => s.position >= s.end), progress);
      progress.phase = 'done';
      this.measure();
      progress.finishedAt = new Date();
    } finally {
      stopped = true;
      await consumer.disconnect().catch(() => undefined);
      await this.pipeline.kafkaAdmin.deleteGroups([group]).catch(() => undefined);
      await rebuild.close().catch(() => undefined);
    }
  }

  private async until(done: () => boolean, progress: ReplayProgress): Promise<void> {
    while (!done()) {
      if (progress.phase === 'failed') throw new Error(progress.error);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Every partition of `topics` from its log start to its end. */
async function spansOf(admin: Admin, topics: readonly string[]): Promise<Span[]> {
  const spans: Span[] = [];
  for (const topic of topics) {
    for (const p of await admin.fetchTopicOffsets(topic)) {
      const start = BigInt(p.low);
      spans.push({ topic, partition: p.partition, start, end: BigInt(p.high), position: start });
    }
  }
  return spans;
}

/** Where each held partition restarts for `from`, clamped to the retained log. */
async function startOffsets(
  admin: Admin,
  held: readonly { topic: string; partition: number }[],
  from: ReplayFrom,
): Promise<Map<string, bigint>> {
  const starts = new Map<string, bigint>();
  for (const topic of new Set(held.map((p) => p.topic))) {
    const bounds = await admin.fetchTopicOffsets(topic);
    const byTime = from.kind === 'timestamp' ? await admin.fetchTopicOffsetsByTimestamp(topic, from.ms) : [];
    for (const b of bounds) {
      const low = BigInt(b.low);
      const high = BigInt(b.high);
      let start = low;
      if (from.kind === 'offset') start = from.offset;
      if (from.kind === 'timestamp') {
        const found = byTime.find((t) => t.partition === b.partition)?.offset;
        start = found === undefined || BigInt(found) < 0n ? high : BigInt(found);
      }
      starts.set(partitionKey(topic, b.partition), start < low ? low : start > high ? high : start);
    }
  }
  return starts;
}
