import type { Logger } from '@trunkline/runtime';
import type { DeadLetterReason } from './dead-letters';
import type { ChangeDecoder, ConsumedRecord } from './decoding/change-decoder';
import type { SinkAdapter } from './sink-adapter';
import type { SinkBatch, SinkChange, SinkTable } from './sink-change';
import { ChangesRejected, isTransient, UndecodableRecord } from './sink-errors';

/** Backoff between retries of a transient failure. */
export interface RetryPolicy {
  initialMs: number;
  maxMs: number;
}

/** What the applier asks of the loop feeding it. */
export interface ApplyContext {
  /** False once the batch should be given up (stopping, rebalanced): nothing is committed. */
  isRunning(): boolean;
  /** Keeps the group membership alive during long retries. */
  heartbeat(): Promise<void>;
  /** Told about each transient failure while it is retried, and when it cleared. */
  onRetry?(error: unknown | undefined): void;
}

/** The batch was given up before it was applied: its offsets must not be committed. */
export class BatchAbandoned extends Error {
  override readonly name = 'BatchAbandoned';
}

export interface ApplyOutcome {
  /** Changes the engine now holds (or ignored as older than what it holds). */
  applied: SinkChange[];
  /** Resolves once readers see them (at once for engines that show what is durable). */
  visible: Promise<void>;
  /** Records sent to the dead-letter topic. */
  deadLettered: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function describeError(error: unknown): { reason: string; errorClass: string } {
  if (error instanceof UndecodableRecord) return { reason: error.message, errorClass: error.errorClass };
  if (error instanceof Error) return { reason: error.message, errorClass: error.name };
  return { reason: String(error), errorClass: 'Error' };
}

/**
 * Applies one partition's records to an adapter: decodes them, sends what cannot be decoded or
 * is refused to the dead-letter topic, evolves a table before the first change with a new
 * schema, and retries transient failures (engine or registry unavailable) until they clear or
 * the batch is given up. The live pipeline, a rebuild and dead-letter retries all apply this way.
 */
export class ChangeApplier {
  /** Schema id each table was last prepared with. */
  private readonly prepared = new Map<string, number>();

  constructor(
    private readonly adapter: SinkAdapter,
    private readonly decoder: ChangeDecoder,
    /** Where a record that cannot be applied goes (the dead-letter topic, for the live pipeline). */
    private readonly sendToDeadLetters: (record: ConsumedRecord, why: DeadLetterReason) => Promise<unknown>,
    private readonly options: { retry: RetryPolicy; maxBatchRecords: number; logger: Logger },
  ) {}

  /** Forgets what was prepared: the adapter's tables were replaced (after a rebuild swap). */
  forgetPrepared(): void {
    this.prepared.clear();
  }

  /**
   * Applies `records` (one partition, offset order); throws BatchAbandoned if given up.
   * `retries`: for dead letters applied again, how often they were retried before.
   */
  async apply(
    records: readonly ConsumedRecord[],
    context: ApplyContext,
    retries?: number,
  ): Promise<ApplyOutcome> {
    // Dead letters applied again carry how often they failed: once more if they fail now.
    const failures = retries === undefined ? 0 : retries + 1;
    const send = (record: ConsumedRecord, why: { reason: string; errorClass: string }) =>
      this.deadLetter(context, record, { ...why, retries: failures });
    const decoded: { table: SinkTable; change: SinkChange }[] = [];
    let deadLettered = 0;
    for (const record of records) {
      try {
        decoded.push(await this.retrying(context, () => this.decoder.decode(record)));
      } catch (error) {
        if (error instanceof BatchAbandoned) throw error;
        await send(record, describeError(error));
        deadLettered += 1;
      }
    }
    const applied: SinkChange[] = [];
    const visible: Promise<void>[] = [];
    const last = records.at(-1);
    for (const run of runs(decoded, this.options.maxBatchRecords)) {
      const batch: SinkBatch = {
        topic: run.table.topic,
        partition: run.changes[0]!.partition,
        table: run.table,
        changes: run.changes,
        nextOffset: run.changes.at(-1)!.offset + 1n,
      };
      if (run.isLast && last !== undefined) batch.nextOffset = last.offset + 1n;
      const result = await this.applyBatch(batch, records, context, send);
      applied.push(...result.applied);
      visible.push(result.visible);
      deadLettered += result.deadLettered;
    }
    return { applied, visible: allVisible(visible), deadLettered };
  }

  private async applyBatch(
    batch: SinkBatch,
    records: readonly ConsumedRecord[],
    context: ApplyContext,
    send: (record: ConsumedRecord, why: { reason: string; errorClass: string }) => Promise<void>,
  ): Promise<ApplyOutcome> {
    await this.ensurePrepared(batch.table, context);
    try {
      await this.retrying(context, () => this.adapter.apply(batch));
      return {
        applied: batch.changes,
        visible: this.adapter.visible?.(batch.table) ?? VISIBLE_NOW,
        deadLettered: 0,
      };
    } catch (error) {
      if (error instanceof BatchAbandoned) throw error;
      if (error instanceof ChangesRejected) {
        const refused = new Set(error.rejected.map((r) => r.change.offset));
        for (const { change, reason } of error.rejected) {
          await send(recordOf(records, change), {
            reason,
            errorClass: 'ChangesRejected',
          });
        }
        // The engine said nothing of when the rest shows: counted as visible now.
        return {
          applied: batch.changes.filter((c) => !refused.has(c.offset)),
          visible: VISIBLE_NOW,
          deadLettered: refused.size,
        };
      }
      if (batch.changes.length === 1) {
        await send(recordOf(records, batch.changes[0]!), describeError(error));
        return { applied: [], visible: VISIBLE_NOW, deadLettered: 1 };
      }
      // Find the culprits: one change at a time, each failing one to the dead-letter topic.
      this.options.logger.warn(
        { topic: batch.topic, partition: batch.partition, reason: describeError(error).reason },
        'a batch failed; applying its changes one by one',
      );
      const applied: SinkChange[] = [];
      const visible: Promise<void>[] = [];
      let deadLettered = 0;
      for (const change of batch.changes) {
        const single = { ...batch, changes: [change], nextOffset: change.offset + 1n };
        if (change === batch.changes.at(-1)) single.nextOffset = batch.nextOffset;
        const result = await this.applyBatch(single, records, context, send);
        applied.push(...result.applied);
        visible.push(result.visible);
        deadLettered += result.deadLettered;
      }
      return { applied, visible: allVisible(visible), deadLettered };
    }
  }

  private async ensurePrepared(table: SinkTable, context: ApplyContext): Promise<void> {
    if (this.prepared.get(table.name) === table.schemaId) return;
    await this.retrying(context, () => this.adapter.prepare(table));
    this.prepared.set(table.name, table.schemaId);
  }

  private async deadLetter(
    context: ApplyContext,
    record: ConsumedRecord,
    why: DeadLetterReason,
  ): Promise<void> {
    await this.retrying(context, () => this.sendToDeadLetters(record, why));
    this.options.logger.warn(
      {
        topic: record.topic,
        partition: record.partition,
        offset: record.offset.toString(),
        reason: why.reason,
      },
      'a record went to the dead-letter topic',
    );
  }

  /** Runs `work` until it succeeds or fails for good, backing off while it fails transiently. */
  async retrying<T>(context: ApplyContext, work: () => Promise<T>): Promise<T> {
    let delay = this.options.retry.initialMs;
    let failed = false;
    for (;;) {
      if (!context.isRunning()) throw new BatchAbandoned('the batch was given up');
      try {
        const result = await work();
        if (failed) context.onRetry?.(undefined);
        return result;
      } catch (error) {
        if (!isTransient(error)) throw error;
        failed = true;
        context.onRetry?.(error);
        await context.heartbeat().catch(() => undefined);
        await sleep(delay);
        delay = Math.min(delay * 2, this.options.retry.maxMs);
      }
    }
  }
}

const VISIBLE_NOW: Promise<void> = Promise.resolve();

/** Resolves when every one has; a failure to make sure of visibility only leaves it unmeasured. */
function allVisible(visible: readonly Promise<void>[]): Promise<void> {
  return visible.every((v) => v === VISIBLE_NOW) ? VISIBLE_NOW : Promise.all(visible).then(() => undefined);
}

function recordOf(records: readonly ConsumedRecord[], change: SinkChange): ConsumedRecord {
  return records.find((r) => r.offset === change.offset) ?? { ...change, key: null, value: null };
}

/** Consecutive changes of one table shape, at most `max` each; the last run is marked. */
function runs(
  decoded: readonly { table: SinkTable; change: SinkChange }[],
  max: number,
): { table: SinkTable; changes: SinkChange[]; isLast: boolean }[] {
  const out: { table: SinkTable; changes: SinkChange[]; isLast: boolean }[] = [];
  for (const { table, change } of decoded) {
    const current = out.at(-1);
    if (current !== undefined && current.table === table && current.changes.length < max)
      current.changes.push(change);
    else out.push({ table, changes: [change], isLast: false });
  }
  if (out.length > 0) out.at(-1)!.isLast = true;
  return out;
}
