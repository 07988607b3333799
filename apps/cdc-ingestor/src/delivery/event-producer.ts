import { IdempotentProducer, type OutgoingRecord } from '@trunkline/kafka-client';
import type { Logger } from '@trunkline/runtime';
import type { IHeaders } from 'kafkajs';

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
  /** Bootstrap brokers. */
  brokers: readonly string[];
  /** Bytes of keys and values queued before `send` waits (backpressure on the source). */
  maxBufferedBytes: number;
  /** Per-request timeout; the request is sent again after it, since nothing may be skipped. */
  requestTimeoutMs: number;
  /** Largest record batch (default just under the broker's default max.message.bytes, 1 MiB). */
  maxBatchBytes?: number;
}

/**
 * Sends change events with an idempotent producer (acks=all; libs/kafka-client's, on our own
 * protocol codec, since kafkajs spent most of the snapshot's CPU building requests record by
 * record). Each partition keeps up to 5 requests in flight in sequence order, and a failed one
 * goes again with the same sequence numbers, so each key keeps its order and nothing is skipped.
 * When the broker is slow or down unacknowledged bytes pile up and `send` waits, which pauses
 * the reader.
 */
export class EventProducer {
  private producer: IdempotentProducer | undefined;
  private queuedBytes = 0;
  private roomWaiters: (() => void)[] = [];
  private acknowledged = 0;

  constructor(private readonly options: EventProducerOptions) {}

  /** Records the broker acknowledged since start. */
  get acknowledgedRecords(): number {
    return this.acknowledged;
  }

  get bufferedBytes(): number {
    return this.queuedBytes;
  }

  async connect(): Promise<void> {
    const producer = new IdempotentProducer({
      brokers: [...this.options.brokers],
      clientId: 'trunkline-cdc-ingestor',
      requestTimeoutMs: this.options.requestTimeoutMs,
      logger: this.options.logger,
      ...(this.options.maxBatchBytes === undefined ? {} : { maxBatchBytes: this.options.maxBatchBytes }),
    });
    await producer.connect();
    this.producer = producer;
  }

  /** Queues an event; waits first while the queue is full. */
  async send(event: OutgoingEvent): Promise<void> {
    while (this.queuedBytes >= this.options.maxBufferedBytes) {
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    }
    this.enqueue(event);
  }

  /**
   * Whether `send` would wait now. A caller with many events may `enqueue` while this is false
   * and await `send` only when it is true, saving a promise per event.
   */
  get isFull(): boolean {
    return this.queuedBytes >= this.options.maxBufferedBytes;
  }

  /** Queues an event without waiting for room (the caller checked `isFull`). */
  enqueue(event: OutgoingEvent): void {
    const producer = this.producer;
    if (producer === undefined) throw new Error('the event producer is not connected');
    const size = sizeOf(event);
    // The callback holds only what it needs, not the event: the producer copies key and value
    // into its batch at once, so they can be freed young.
    const { onAcknowledged } = event;
    this.queuedBytes += size;
    producer.send(event.topic, toRecord(event), () => {
      this.queuedBytes -= size;
      this.acknowledged++;
      onAcknowledged();
      if (this.roomWaiters.length > 0 && this.queuedBytes < this.options.maxBufferedBytes) {
        const waiters = this.roomWaiters;
        this.roomWaiters = [];
        for (const wake of waiters) wake();
      }
    });
  }

  /** Resolves when everything queued so far is acknowledged. */
  async flush(): Promise<void> {
    await this.producer?.flush();
  }

  async stop(): Promise<void> {
    await this.flush().catch(() => undefined);
    this.producer?.close();
  }
}

function toRecord(event: OutgoingEvent): OutgoingRecord {
  // Without headers the event is already a record (key and value): no copy per event.
  if (event.headers === undefined) return event as OutgoingRecord;
  const headers: { key: Buffer; value: Buffer | null }[] = [];
  for (const [name, value] of Object.entries(event.headers)) {
    if (value === undefined) continue;
    // kafkajs sends a list of values as one header per value.
    for (const item of Array.isArray(value) ? value : [value])
      headers.push({ key: Buffer.from(name), value: Buffer.isBuffer(item) ? item : Buffer.from(item) });
  }
  return { key: event.key, value: event.value, headers };
}

function sizeOf(event: OutgoingEvent): number {
  return (event.key?.length ?? 0) + (event.value?.length ?? 0) + 64;
}
