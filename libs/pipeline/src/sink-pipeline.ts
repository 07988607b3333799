import type { Logger } from '@trunkline/runtime';
import type { SchemaRegistryClient } from '@trunkline/serde';
import {
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type Kafka,
  Partitioners,
  type Producer,
} from 'kafkajs';
import { type ApplyContext, BatchAbandoned, ChangeApplier, type RetryPolicy } from './change-applier';
import { type DeadLetter, DeadLetterQueue, type DeadLetterReason } from './dead-letters';
import { ChangeDecoder, type ConsumedRecord } from './decoding/change-decoder';
import type { PipelineMetrics } from './pipeline-metrics';
import type { SinkAdapter } from './sink-adapter';
import type { SinkChange } from './sink-change';
import type { TopicSelection } from './topic-selection';
import { RateWindow, SampleWindow } from './windows';

export interface SinkPipelineOptions {
  /** The sink service's name: dead-letter topics are `<topic>.dlq.<service>`. */
  service: string;
  /** The consumer group every instance of the service joins. */
  group: string;
  kafka: Kafka;
  registry: SchemaRegistryClient;
  adapter: SinkAdapter;
  topics: TopicSelection;
  logger: Logger;
  metrics: PipelineMetrics;
  /** Most changes handed to the adapter at once. */
  maxBatchRecords: number;
  /** How often the broker's topics are listed to pick up new ones matching a pattern. */
  topicRefreshMs: number;
  /** Without a heartbeat for this long, a member (a crashed instance) leaves the group. */
  sessionTimeoutMs: number;
  retry: RetryPolicy;
}

/** One partition this instance holds. */
export interface PartitionState {
  topic: string;
  partition: number;
  /** Next offset to apply: everything before it is in the engine. */
  appliedOffset: bigint;
  /** High watermark when last fetched. */
  endOffset: bigint;
  table: string;
}

export type PipelinePhase = 'starting' | 'consuming' | 'paused' | 'retrying' | 'stopped';

/**
 * The sink pipeline: a consumer group over the change topics (kafkajs), each partition's records
 * decoded and applied in offset order by a ChangeApplier, the offset committed only after the
 * adapter returned. Where the adapter stores offsets with its data, those say where each
 * partition resumes: records below them are skipped, not applied twice.
 */
export class SinkPipeline {
  readonly deadLetters: DeadLetterQueue;
  private readonly decoder: ChangeDecoder;
  private readonly applier: ChangeApplier;
  private readonly admin: Admin;
  private readonly producer: Producer;
  private consumer: Consumer | undefined;
  private subscribed: string[] = [];
  private refreshTimer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> = Promise.resolve();
  private stopping = false;
  private paused = false;
  private retryError: unknown;
  private lastError: { message: string; at: Date } | undefined;
  /** Held partitions by `topic\0partition`. */
  private readonly partitions = new Map<string, PartitionState>();
  /** Offsets stored with the data, per topic, read once per assignment. */
  private readonly storedOffsets = new Map<string, Promise<Map<number, bigint>>>();
  /** Offsets a replay restarts partitions from, below stored offsets; cleared once reached. */
  private readonly replayFrom = new Map<string, bigint>();
  private readonly rate = new RateWindow();
  private readonly freshness = new SampleWindow(60_000);
  private applied = 0;
  private deadLettered = 0;

  constructor(private readonly options: SinkPipelineOptions) {
    this.admin = options.kafka.admin();
    this.producer = options.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.deadLetters = new DeadLetterQueue(
      options.kafka,
      this.admin,
      this.producer,
      options.service,
      options.group,
      (topic) => options.topics.matches(topic),
    );
    this.decoder = new ChangeDecoder(options.registry);
    this.applier = new ChangeApplier(
      options.adapter,
      this.decoder,
      (record, why) => this.deadLetters.send(record, why),
      {
        retry: options.retry,
        maxBatchRecords: options.maxBatchRecords,
        logger: options.logger,
      },
    );
  }

  get adapter(): SinkAdapter {
    return this.options.adapter;
  }

  get group(): string {
    return this.options.group;
  }

  /**
   * Connects and starts consuming in the background: joining the group can wait for a crashed
   * member's session to time out, and the service answers admin calls meanwhile.
   */
  async start(): Promise<void> {
    await this.admin.connect();
    await this.producer.connect();
    const refresh = () => {
      this.refreshing = this.refreshTopics()
        .catch((error: unknown) =>
          this.options.logger.warn(
            { reason: String(error) },
            'listing or subscribing to topics failed; trying again later',
          ),
        )
        .finally(() => {
          if (!this.stopping) this.refreshTimer = setTimeout(refresh, this.options.topicRefreshMs);
        });
    };
    refresh();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.refreshTimer);
    await this.consumer?.disconnect().catch(() => undefined);
    await this.refreshing;
    await this.producer.disconnect().catch(() => undefined);
    await this.admin.disconnect().catch(() => undefined);
  }

  pause(): void {
    this.paused = true;
    this.consumer?.pause(this.subscribed.map((topic) => ({ topic })));
  }

  resume(): void {
    this.paused = false;
    this.consumer?.resume(this.subscribed.map((topic) => ({ topic })));
  }

  get phase(): PipelinePhase {
    if (this.stopping) return 'stopped';
    if (this.paused) return 'paused';
    if (this.retryError !== undefined) return 'retrying';
    return this.partitions.size === 0 && this.subscribed.length > 0 ? 'starting' : 'consuming';
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Topics consumed now. */
  get topics(): readonly string[] {
    return this.subscribed;
  }

  status() {
    const { values, count } = this.freshness.quantiles([0.5, 0.99]);
    return {
      phase: this.phase,
      paused: this.paused,
      partitions: [...this.partitions.values()].sort((a, b) =>
        a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1,
      ),
      eventsPerSecond: this.rate.perSecond(),
      eventsApplied: this.applied,
      freshnessP50Seconds: values[0]!,
      freshnessP99Seconds: values[1]!,
      freshnessSamples: count,
      deadLettersSent: this.deadLettered,
      lastError: this.lastError,
    };
  }

  /**
   * End offsets of the held partitions, refreshed from the broker; a partition nothing was
   * applied from since it was assigned shows the group's committed offset.
   */
  async refreshEndOffsets(): Promise<void> {
    const topics = [...new Set([...this.partitions.values()].map((p) => p.topic))];
    if (topics.length === 0) return;
    const committed = await this.admin.fetchOffsets({ groupId: this.options.group, topics });
    for (const topic of topics) {
      for (const end of await this.admin.fetchTopicOffsets(topic)) {
        const state = this.partitions.get(partitionKey(topic, end.partition));
        if (state === undefined) continue;
        state.endOffset = BigInt(end.high);
        const mark = committed
          .find((c) => c.topic === topic)
          ?.partitions.find((p) => p.partition === end.partition);
        if (state.appliedOffset < 0n && mark !== undefined && BigInt(mark.offset) >= 0n)
          state.appliedOffset = BigInt(mark.offset);
      }
    }
  }

  /**
   * Moves this instance's partitions back to `offsets` (per `topic\0partition`) and applies from
   * there again, past offsets stored with the data. Returns the partitions moved.
   */
  rewind(offsets: Map<string, bigint>): PartitionState[] {
    const moved: PartitionState[] = [];
    for (const [key, offset] of offsets) {
      const state = this.partitions.get(key);
      if (state === undefined || this.consumer === undefined) continue;
      this.replayFrom.set(key, offset);
      this.consumer.seek({ topic: state.topic, partition: state.partition, offset: offset.toString() });
      moved.push(state);
    }
    return moved;
  }

  /** An applier into another adapter (a rebuild's), sharing this pipeline's decoder. */
  applierFor(
    adapter: SinkAdapter,
    deadLetter: (record: ConsumedRecord, why: DeadLetterReason) => Promise<unknown>,
  ): ChangeApplier {
    return new ChangeApplier(adapter, this.decoder, deadLetter, {
      retry: this.options.retry,
      maxBatchRecords: this.options.maxBatchRecords,
      logger: this.options.logger,
    });
  }

  get kafkaAdmin(): Admin {
    return this.admin;
  }

  /** The adapter's tables were replaced by a rebuild: forget what was read about them. */
  tablesReplaced(): void {
    this.applier.forgetPrepared();
    this.storedOffsets.clear();
  }

  /** Applies waiting dead letters again; those that fail again go back with the new reason. */
  async retryDeadLetters(topic: string | undefined): Promise<{ applied: number; failed: number }> {
    let applied = 0;
    let failed = 0;
    const context: ApplyContext = { isRunning: () => !this.stopping, heartbeat: async () => undefined };
    await this.deadLetters.drain(topic, async (letter: DeadLetter) => {
      const outcome = await this.applier.apply([letter.record], context, letter.retries);
      if (outcome.applied.length > 0) applied += 1;
      else failed += 1;
    });
    return { applied, failed };
  }

  private async refreshTopics(): Promise<void> {
    if (this.stopping) return;
    const topics = this.options.topics.select(await this.admin.listTopics());
    if (topics.join('\u0000') === this.subscribed.join('\u0000')) return;
    this.options.logger.info({ topics }, 'consuming change topics');
    await this.consumer?.disconnect();
    this.consumer = undefined;
    this.subscribed = topics;
    if (topics.length === 0 || this.stopping) return;
    const consumer = this.options.kafka.consumer({
      groupId: this.options.group,
      maxWaitTimeInMs: 100,
      allowAutoTopicCreation: false,
      sessionTimeout: this.options.sessionTimeoutMs,
      heartbeatInterval: Math.max(100, Math.floor(this.options.sessionTimeoutMs / 10)),
    });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.assigned(payload.memberAssignment);
      if (this.paused) this.pause();
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 4,
      eachBatch: (payload) => this.eachBatch(consumer, payload),
    });
  }

  private assigned(assignment: Record<string, number[]>): void {
    this.partitions.clear();
    this.storedOffsets.clear();
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of partitions) {
        this.partitions.set(partitionKey(topic, partition), {
          topic,
          partition,
          appliedOffset: -1n,
          endOffset: -1n,
          table: '',
        });
      }
    }
    this.options.logger.info({ assignment }, 'partitions assigned');
  }

  private async eachBatch(consumer: Consumer, payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    const key = partitionKey(batch.topic, batch.partition);
    const state = this.partitions.get(key);
    if (state !== undefined) state.endOffset = BigInt(batch.highWatermark);
    if (batch.messages.length === 0) return;
    const floor = await this.floor(batch.topic, batch.partition);
    const records: ConsumedRecord[] = batch.messages
      .filter((m) => BigInt(m.offset) >= floor)
      .map((m) => ({
        topic: batch.topic,
        partition: batch.partition,
        offset: BigInt(m.offset),
        key: m.key,
        value: m.value,
      }));
    const context: ApplyContext = {
      isRunning: () => isRunning() && !isStale() && !this.stopping,
      heartbeat,
      onRetry: (error) => this.retrying(error),
    };
    let outcome: Awaited<ReturnType<ChangeApplier['apply']>>;
    try {
      outcome = await this.applier.apply(records, context);
    } catch (error) {
      if (error instanceof BatchAbandoned) return;
      this.failed(error);
      throw error;
    }
    this.retryError = undefined;
    const lastOffset = batch.messages.at(-1)!.offset;
    const next = BigInt(lastOffset) + 1n;
    resolveOffset(lastOffset);
    await consumer
      .commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next.toString() }])
      .catch((error: unknown) =>
        this.options.logger.warn(
          { topic: batch.topic, partition: batch.partition, reason: String(error) },
          'committing the offset failed (a rebalance?); the next owner applies again from the last commit',
        ),
      );
    if (state !== undefined) {
      state.appliedOffset = next;
      state.table = outcome.applied.at(-1)?.table ?? state.table;
    }
    if (this.replayFrom.has(key) && next >= BigInt(batch.highWatermark)) this.replayFrom.delete(key);
    this.counted(outcome.applied, outcome.deadLettered);
    const replaying = this.replayFrom.has(key);
    // Freshness ends when readers see the changes, which may come after they are durable.
    outcome.visible.then(
      () => this.measureFreshness(outcome.applied, replaying),
      (error: unknown) =>
        this.options.logger.debug({ reason: String(error) }, 'could not tell when changes became visible'),
    );
  }

  /** The first offset of a partition still to apply: what the engine stored, unless replaying. */
  private async floor(topic: string, partition: number): Promise<bigint> {
    const replay = this.replayFrom.get(partitionKey(topic, partition));
    if (replay !== undefined) return replay;
    if (this.options.adapter.storedOffsets === undefined) return 0n;
    let stored = this.storedOffsets.get(topic);
    if (stored === undefined) {
      stored = this.options.adapter.storedOffsets(topic);
      this.storedOffsets.set(topic, stored);
      stored.catch(() => this.storedOffsets.delete(topic));
    }
    return (await stored).get(partition) ?? 0n;
  }

  private counted(applied: readonly SinkChange[], deadLettered: number): void {
    this.applied += applied.length;
    this.deadLettered += deadLettered;
    this.rate.add(applied.length);
    for (const change of applied) this.options.metrics.applied.inc({ table: change.table, op: change.op });
    if (deadLettered > 0) this.options.metrics.deadLetters.inc(deadLettered);
  }

  /** Commit in the source to visible in the engine, for live changes (not snapshot reads, tombstones or replays). */
  private measureFreshness(applied: readonly SinkChange[], replaying: boolean): void {
    if (replaying) return;
    const now = Date.now();
    for (const change of applied) {
      if (change.op === 'r' || change.tombstone || change.commitTimeMs <= 0) continue;
      const seconds = Math.max(0, now - change.commitTimeMs) / 1000;
      this.options.metrics.freshness.observe({ table: change.table }, seconds);
      this.freshness.add(seconds);
    }
  }

  private retrying(error: unknown): void {
    this.retryError = error;
    if (error !== undefined) {
      this.failed(error);
      this.options.logger.warn({ reason: String(error) }, 'the engine failed transiently; retrying');
    }
  }

  private failed(error: unknown): void {
    this.lastError = { message: error instanceof Error ? error.message : String(error), at: new Date() };
  }
}

export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
