import { kafkaLogCreator } from '@trunkline/kafka-client';
import { Code, type Logger, TrunklineError } from '@trunkline/runtime';
import { type Admin, type Consumer, Kafka, Partitioners, type Producer } from 'kafkajs';
import { errors, RegistryError } from '../registry/registry-error';
import type { RegistryState } from './registry-state';
import {
  decodeRecord,
  encodeKey,
  encodeValue,
  type RegistryRecord,
  SchemaRecordError,
} from './schema-records';

export interface SchemasTopicOptions {
  brokers: string[];
  topic: string;
  /** Consumer group of this instance's reader; unique per instance, nothing is committed. */
  readerGroupId: string;
  clientId: string;
  logger: Logger;
  /** How long a write or a catch-up may wait for the broker and the reader. */
  timeoutMs: number;
}

interface Waiter {
  offset: number;
  resolve(): void;
}

/**
 * The registry's only state: the single-partition compacted `_schemas` topic. A reader
 * applies every record to the state in order; writers append and wait until the reader has
 * applied what they wrote, so a caller always reads its own writes.
 */
export class SchemasTopic {
  private readonly kafka: Kafka;
  private readonly admin: Admin;
  private readonly producer: Producer;
  private readonly consumer: Consumer;
  /** Offset of the next record the reader will apply. */
  private applied = 0;
  private waiters: Waiter[] = [];

  constructor(
    private readonly options: SchemasTopicOptions,
    private readonly state: RegistryState,
  ) {
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      logCreator: kafkaLogCreator(options.logger),
      retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 5000 },
    });
    this.admin = this.kafka.admin();
    this.producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
      // An idempotent producer retries until acknowledged; `append` bounds the wait instead.
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 5000 },
    });
    this.consumer = this.kafka.consumer({
      groupId: options.readerGroupId,
      maxWaitTimeInMs: 500,
      sessionTimeout: 30_000,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 5000 },
    });
  }

  get topic(): string {
    return this.options.topic;
  }

  /** Offset of the next record to apply: everything before it is in the state. */
  get appliedOffset(): number {
    return this.applied;
  }

  /** Creates the topic if missing (compacted, one partition), starts reading it, catches up. */
  async start(): Promise<void> {
    try {
      await this.admin.connect();
    } catch (error) {
      throw new TrunklineError(
        Code.Unavailable,
        `cannot reach the brokers given by --kafka-brokers (${this.options.brokers.join(',')}): ${(error as Error).message}`,
        { cause: error },
      );
    }
    await this.ensureTopic();
    await this.producer.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset }) => {
        for (const message of batch.messages) {
          this.applyMessage(message.key, message.value, Number(message.offset));
          resolveOffset(message.offset);
        }
        if (!batch.isEmpty()) this.advance(Number(batch.lastOffset()) + 1);
      },
    });
    await this.catchUp();
  }

  /** Waits until every record written before this call is applied (the topic's end offset). */
  async catchUp(): Promise<void> {
    const [partition] = await this.admin.fetchTopicOffsets(this.topic);
    await this.waitFor(Number(partition?.high ?? 0));
  }

  /**
   * Appends records in one batch (acks=all, idempotent) and resolves, with the offset after
   * the last, once the reader has applied them: the writer then reads its own write.
   */
  async append(records: readonly RegistryRecord[]): Promise<number> {
    let metadata: Awaited<ReturnType<Producer['send']>>;
    const send = this.producer.send({
      topic: this.topic,
      acks: -1,
      timeout: this.options.timeoutMs,
      messages: records.map((record) => ({ key: encodeKey(record.key), value: encodeValue(record) })),
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            errors.timeout(
              `the broker did not acknowledge the write to ${this.topic} in ${this.options.timeoutMs} ms`,
            ),
          ),
        this.options.timeoutMs,
      );
    });
    try {
      metadata = await Promise.race([send, timeout]);
    } catch (error) {
      if (error instanceof RegistryError) throw error;
      throw errors.storeError(`writing to ${this.topic} failed: ${(error as Error).message}`, error);
    } finally {
      clearTimeout(timer);
    }
    const base = Number(metadata[0]?.baseOffset ?? -1);
    if (base < 0)
      throw errors.storeError(`the broker did not report the offset of the write to ${this.topic}`);
    const end = base + records.length;
    await this.waitFor(end);
    return end;
  }

  /** Resolves once the reader applied every record before `offset`. */
  waitFor(offset: number, timeoutMs = this.options.timeoutMs): Promise<void> {
    if (this.applied >= offset) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        offset,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(errors.timeout(`the ${this.topic} reader did not reach offset ${offset} in ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
    await this.producer.disconnect();
    await this.admin.disconnect();
  }

  private applyMessage(key: Buffer | null, value: Buffer | null, offset: number): void {
    try {
      this.state.apply(decodeRecord(key, value));
    } catch (error) {
      if (!(error instanceof SchemaRecordError)) throw error;
      this.options.logger.warn(
        { topic: this.topic, offset, reason: error.message },
        'skipped an unreadable record',
      );
    }
  }

  private advance(next: number): void {
    if (next <= this.applied) return;
    this.applied = next;
    const done = this.waiters.filter((w) => w.offset <= next);
    if (done.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.offset > next);
    for (const waiter of done) waiter.resolve();
  }

  private async ensureTopic(): Promise<void> {
    await this.admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: this.topic,
          numPartitions: 1,
          configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ],
    });
    const { topics } = await this.admin.fetchTopicMetadata({ topics: [this.topic] });
    const partitions = topics[0]?.partitions.length ?? 0;
    if (partitions !== 1) {
      throw errors.storeError(
        `the ${this.topic} topic has ${partitions} partitions; the registry needs exactly 1 to keep its records in order`,
      );
    }
  }
}
