import { ErrorCode, errorByCode, Produce } from '@trunkline/kafka-protocol';
import type { Logger } from '@trunkline/runtime';
import { Cluster } from './cluster';
import { KeyPartitioner } from './key-partitioner';
import { PartitionQueue, type QueuedBatch } from './partition-queue';
import { type OutgoingRecord, stampRecordBatch } from './record-batch-writer';

export interface IdempotentProducerOptions {
  /** Bootstrap addresses, `host:port`. */
  brokers: readonly string[];
  clientId: string;
  /** How long the broker may take to answer a produce request (acks=all). */
  requestTimeoutMs: number;
  logger?: Logger;
  /** Produce requests in flight per partition; Kafka keeps idempotence up to 5. */
  maxInFlightPerPartition?: number;
  /** Largest record batch; the broker refuses batches over its max.message.bytes (1 MiB by default). */
  maxBatchBytes?: number;
}

/** Errors that mean the broker no longer knows this producer's sequences: start a new identity. */
const IDENTITY_LOST = new Set<number>([
  ErrorCode.UNKNOWN_PRODUCER_ID,
  ErrorCode.INVALID_PRODUCER_EPOCH,
  ErrorCode.INVALID_PRODUCER_ID_MAPPING,
]);

/** Errors after which the topic's leaders are looked up again. */
const STALE_ROUTE = new Set<number>([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.LEADER_NOT_AVAILABLE,
]);

const INITIAL_BACKOFF_MS = 100;
const CONNECT_ATTEMPTS = 6;
const MAX_BACKOFF_MS = 5000;

function backoff(attempt: number): number {
  return Math.min(MAX_BACKOFF_MS, INITIAL_BACKOFF_MS * 2 ** Math.min(attempt - 1, 6));
}

interface ProduceResponse {
  responses: {
    name: string;
    partitionResponses: { index: number; errorCode: number; errorMessage?: string | null }[];
  }[];
}

/**
 * An idempotent Kafka producer (acks=all) built on libs/kafka-protocol, for callers that send
 * many small records and need each acknowledged: records are appended to a per-partition batch
 * that goes out as soon as the partition has nothing in flight, or once it is full (up to 5
 * requests in flight), so batches grow with the broker's latency instead of being cut at a
 * record count. A failed request is sent again
 * with the same sequence numbers, after every request in flight for that partition settled and
 * in the original order, until the broker takes it: nothing is skipped and a key's records stay
 * in order. If the broker forgets the producer (its state lost), a new producer id is taken and
 * what is unacknowledged is sent again under it (possibly a duplicate, never a gap).
 */
export class IdempotentProducer {
  private readonly cluster: Cluster;
  private readonly partitioner = new KeyPartitioner();
  private readonly queues = new Map<string, PartitionQueue[]>();
  private readonly unrouted = new Map<string, { record: OutgoingRecord; ack: () => void }[]>();
  private readonly maxInFlight: number;
  private readonly maxBatchBytes: number;
  private identity: { producerId: bigint; producerEpoch: number; generation: number } | undefined;
  private identityLost = false;
  private resetting = false;
  private refreshWanted = new Set<string>();
  private refreshing = false;
  private refreshAttempts = 0;
  private scheduled = false;
  private wakeTimer: NodeJS.Timeout | undefined;
  private outstanding = 0;
  private flushWaiters: (() => void)[] = [];
  private closed = false;

  constructor(private readonly options: IdempotentProducerOptions) {
    this.cluster = new Cluster({
      bootstrap: options.brokers,
      clientId: options.clientId,
      // The broker may hold an acks=all answer for its own timeout: wait a little longer.
      requestTimeoutMs: options.requestTimeoutMs + 5000,
    });
    this.maxInFlight = Math.min(5, Math.max(1, options.maxInFlightPerPartition ?? 5));
    this.maxBatchBytes = options.maxBatchBytes ?? 1024 * 1024 - 1024;
  }

  /** Records sent and not yet acknowledged. */
  get pendingRecords(): number {
    return this.outstanding;
  }

  /** Agrees API versions with a broker and takes a producer id. */
  async connect(): Promise<void> {
    // A broker still starting may refuse for a moment (its coordinator loading): a few tries.
    for (let attempt = 1; ; attempt++) {
      try {
        const { producerId, producerEpoch } = await this.cluster.initProducerId();
        this.identity = { producerId, producerEpoch, generation: 1 };
        return;
      } catch (error) {
        if (attempt >= CONNECT_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, backoff(attempt)));
      }
    }
  }

  /** Queues a record; `onAcknowledged` runs once the broker acknowledged it (and those before it). */
  send(topic: string, record: OutgoingRecord, onAcknowledged: () => void): void {
    if (this.closed) throw new Error('the producer is closed');
    this.outstanding++;
    const ack = onAcknowledged;
    const waiting = this.unrouted.get(topic);
    const queues = waiting === undefined ? this.routedQueues(topic) : undefined;
    if (queues === undefined) {
      // Behind records still waiting for the topic's metadata, to keep their order.
      if (waiting === undefined) this.unrouted.set(topic, [{ record, ack }]);
      else waiting.push({ record, ack });
    } else {
      queues[this.partitioner.partition(record.key, queues.length)]!.append(record, ack);
    }
    this.schedule();
  }

  /** Resolves once every record sent so far is acknowledged. */
  flush(): Promise<void> {
    if (this.outstanding === 0) return Promise.resolve();
    return new Promise((resolve) => this.flushWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.wakeTimer);
    this.cluster.close();
  }

  /** Sends on the next turn of the event loop, so records sent in one go share batches. */
  private schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.dispatch();
    });
  }

  private wakeFlushers(): void {
    const waiters = this.flushWaiters;
    this.flushWaiters = [];
    for (const wake of waiters) wake();
  }

  /** The partition queues of a topic whose partitions are known (grown if partitions were added). */
  private routedQueues(topic: string): PartitionQueue[] | undefined {
    const route = this.cluster.route(topic);
    if (route === undefined) return this.queues.get(topic);
    let queues = this.queues.get(topic);
    if (queues === undefined) {
      queues = [];
      this.queues.set(topic, queues);
    }
    while (queues.length < route.partitions)
      queues.push(new PartitionQueue(topic, queues.length, this.maxBatchBytes));
    return queues;
  }

  private dispatch(): void {
    if (this.closed || this.identity === undefined || this.resetting) return;
    if (this.identityLost) {
      this.resetIdentity();
      return;
    }
    for (const [topic, waiting] of this.unrouted) {
      const queues = this.routedQueues(topic);
      if (queues === undefined) {
        this.refresh(topic);
        continue;
      }
      this.unrouted.delete(topic);
      for (const { record, ack } of waiting)
        queues[this.partitioner.partition(record.key, queues.length)]!.append(record, ack);
    }
    const now = Date.now();
    let wakeAt = Number.POSITIVE_INFINITY;
    for (const [topic, queues] of this.queues) {
      const route = this.cluster.route(topic);
      for (const queue of queues) {
        if (queue.failed) {
          if (queue.inFlight > 0) continue;
          if (now < queue.retryAt) {
            wakeAt = Math.min(wakeAt, queue.retryAt);
            continue;
          }
          queue.rewind();
        }
        while (queue.inFlight < this.maxInFlight && queue.hasUnsent) {
          const leader = route?.leaders[queue.partition] ?? -1;
          if (leader < 0) {
            this.refresh(topic);
            break;
          }
          const batch = queue.nextToSend(queue.inFlight === 0);
          if (batch === undefined) break;
          queue.sent++;
          queue.inFlight++;
          void this.produce(queue, batch, leader);
        }
      }
    }
    clearTimeout(this.wakeTimer);
    if (wakeAt !== Number.POSITIVE_INFINITY)
      this.wakeTimer = setTimeout(() => this.schedule(), Math.max(1, wakeAt - now));
  }

  private async produce(queue: PartitionQueue, batch: QueuedBatch, leader: number): Promise<void> {
    try {
      const connection = await this.cluster.node(leader);
      const identity = this.identity!;
      if (batch.stampedFor !== identity.generation) {
        stampRecordBatch(batch.bytes, { ...identity, baseSequence: batch.baseSequence });
        batch.stampedFor = identity.generation;
      }
      const body = (await connection.request(Produce, this.cluster.version(Produce), {
        transactionalId: null,
        acks: -1,
        timeoutMs: this.options.requestTimeoutMs,
        topicData: [{ name: queue.topic, partitionData: [{ index: queue.partition, records: batch.bytes }] }],
      })) as unknown as ProduceResponse;
      const answer = body.responses
        .find((r) => r.name === queue.topic)
        ?.partitionResponses.find((p) => p.index === queue.partition);
      const code = answer?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
      queue.inFlight--;
      if (code === ErrorCode.NONE || code === ErrorCode.DUPLICATE_SEQUENCE_NUMBER) {
        queue.attempts = 0;
        this.outstanding -= queue.acknowledge(batch);
        if (this.outstanding === 0) this.wakeFlushers();
      } else {
        this.failed(queue, batch, code, answer?.errorMessage ?? errorByCode(code)?.name ?? `error ${code}`);
      }
    } catch (error) {
      queue.inFlight--;
      this.failed(queue, batch, undefined, (error as Error).message);
    }
    this.schedule();
  }

  private failed(queue: PartitionQueue, batch: QueuedBatch, code: number | undefined, reason: string): void {
    if (this.closed) return;
    const firstFailure = !queue.failed;
    queue.failed = true;
    if (firstFailure) {
      queue.attempts++;
      queue.retryAt = Date.now() + backoff(queue.attempts);
    }
    if (code === undefined || STALE_ROUTE.has(code)) this.cluster.forget(queue.topic);
    // Out of order on the oldest unacknowledged batch: nothing earlier can fill the gap, so the
    // broker lost this producer's sequences (as with an unknown producer id).
    if (
      code !== undefined &&
      (IDENTITY_LOST.has(code) ||
        (code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER && queue.batches[0] === batch))
    )
      this.identityLost = true;
    if (firstFailure)
      this.options.logger?.warn(
        {
          topic: queue.topic,
          partition: queue.partition,
          attempt: queue.attempts,
          records: batch.acks.length,
          reason,
        },
        'the broker did not take a batch; sending it again',
      );
  }

  /** Takes a new producer id once nothing is in flight, then numbers what is unacknowledged from 0. */
  private resetIdentity(): void {
    for (const queues of this.queues.values()) if (queues.some((q) => q.inFlight > 0)) return;
    this.resetting = true;
    void (async () => {
      for (let attempt = 1; !this.closed; attempt++) {
        try {
          const { producerId, producerEpoch } = await this.cluster.initProducerId();
          this.identity = { producerId, producerEpoch, generation: this.identity!.generation + 1 };
          break;
        } catch (error) {
          this.options.logger?.warn(
            { attempt, reason: (error as Error).message },
            'InitProducerId failed; retrying',
          );
          await new Promise((resolve) => setTimeout(resolve, backoff(attempt)));
        }
      }
      this.options.logger?.warn(
        { producerId: this.identity!.producerId.toString() },
        'the broker lost this producer: unacknowledged records go again under a new producer id',
      );
      for (const queues of this.queues.values()) for (const queue of queues) queue.renumber();
      this.identityLost = false;
      this.resetting = false;
      this.schedule();
    })();
  }

  /** Looks up leaders of `topic` (with the others wanted), one lookup at a time, backing off on failure. */
  private refresh(topic: string): void {
    this.refreshWanted.add(topic);
    if (this.refreshing) return;
    this.refreshing = true;
    void (async () => {
      const topics = [...this.refreshWanted];
      this.refreshWanted.clear();
      try {
        await this.cluster.refresh(topics);
        this.refreshAttempts = 0;
      } catch (error) {
        this.refreshAttempts++;
        this.options.logger?.warn(
          { topics, attempt: this.refreshAttempts, reason: (error as Error).message },
          'cannot look up partition leaders; retrying',
        );
        await new Promise((resolve) => setTimeout(resolve, backoff(this.refreshAttempts)));
      }
      this.refreshing = false;
      this.schedule();
    })();
  }
}
