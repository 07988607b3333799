import type { Logger } from '@trunkline/runtime';
import type { IHeaders, Kafka, Producer } from 'kafkajs';
import { Partitioners } from 'kafkajs';

/** One record for the broker, and what to do once the broker acknowledged it. */
export interface OutgoingEvent {
  topic: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
  onAcknowledged(): void;
}

export interface EventProducerOptions {
  logger: Logger;
  /** Most records in one produce request. */
  maxBatchRecords: number;
  /** Bytes of keys and values queued before `send` waits (backpressure on the source). */
  maxBufferedBytes: number;
  /** Per-request timeout; kafkajs retries after it, since nothing may be skipped. */
  requestTimeoutMs: number;
}

/**
 * Sends change events with the idempotent producer (acks=all), one request at a time so each
 * key keeps its order, batching whatever queued while the previous request was in flight.
 * When the broker is slow or down the queue fills and `send` waits, which pauses the reader.
 */
export class EventProducer {
  private readonly producer: Producer;
  private queue: OutgoingEvent[] = [];
  private queuedBytes = 0;
  private inFlight: Promise<void> | undefined;
  private roomWaiters: (() => void)[] = [];
  private acknowledged = 0;

  constructor(
    kafka: Kafka,
    private readonly options: EventProducerOptions,
  ) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 5000 },
    });
  }

  /** Records the broker acknowledged since start. */
  get acknowledgedRecords(): number {
    return this.acknowledged;
  }

  get bufferedBytes(): number {
    return this.queuedBytes;
  }

  async connect(): Promise<void> {
    await this.producer.connect();
  }

  /** Queues an event; waits first while the queue is full. */
  async send(event: OutgoingEvent): Promise<void> {
    while (this.queuedBytes >= this.options.maxBufferedBytes) {
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    }
    this.queue.push(event);
    this.queuedBytes += sizeOf(event);
    this.pump();
  }

  /** Resolves when everything queued so far is acknowledged. */
  async flush(): Promise<void> {
    while (this.queue.length > 0 || this.inFlight) {
      await (this.inFlight ?? Promise.resolve());
      if (!this.inFlight) this.pump();
    }
  }

  async stop(): Promise<void> {
    await this.flush().catch(() => undefined);
    await this.producer.disconnect();
  }

  private pump(): void {
    if (this.inFlight || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.options.maxBatchRecords);
    this.inFlight = this.sendBatch(batch).finally(() => {
      this.inFlight = undefined;
      this.pump();
    });
  }

  private async sendBatch(batch: OutgoingEvent[]): Promise<void> {
    const byTopic = new Map<string, OutgoingEvent[]>();
    for (const event of batch) {
      const list = byTopic.get(event.topic) ?? [];
      list.push(event);
      byTopic.set(event.topic, list);
    }
    const topicMessages = [...byTopic].map(([topic, events]) => ({
      topic,
      messages: events.map((e) => ({
        key: e.key,
        value: e.value,
        ...(e.headers ? { headers: e.headers } : {}),
      })),
    }));
    for (let attempt = 1; ; attempt++) {
      try {
        await this.producer.sendBatch({ topicMessages, acks: -1, timeout: this.options.requestTimeoutMs });
        break;
      } catch (error) {
        // Never skipped: the batch is sent again (a duplicate carries the same LSN) until the broker takes it.
        this.options.logger.warn(
          { attempt, records: batch.length, reason: (error as Error).message },
          'the broker did not take a batch of change events; retrying',
        );
        await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 100 * 2 ** Math.min(attempt, 6))));
      }
    }
    for (const event of batch) {
      this.queuedBytes -= sizeOf(event);
      event.onAcknowledged();
    }
    this.acknowledged += batch.length;
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const wake of waiters) wake();
  }
}

function sizeOf(event: OutgoingEvent): number {
  return (event.key?.length ?? 0) + (event.value?.length ?? 0) + 64;
}
