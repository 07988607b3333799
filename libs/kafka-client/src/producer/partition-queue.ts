import { type OutgoingRecord, RecordBatchBuilder } from './record-batch-writer';

/** Sequence numbers wrap after 2^31 - 1 (Kafka's rule for idempotent producers). */
const SEQUENCE_LIMIT = 0x80000000;

/** A closed batch: its bytes, its records' callbacks, and the sequence its first record carries. */
export interface QueuedBatch {
  /** Finished but for the producer identity (see stampRecordBatch). */
  bytes: Buffer;
  acks: (() => void)[];
  baseSequence: number;
  acknowledged: boolean;
  /** The identity generation the bytes are stamped for (undefined: not yet stamped). */
  stampedFor: number | undefined;
}

/**
 * One partition's records, in the order they were sent: an open batch that grows until it is
 * sent (or full), then closed batches that keep their sequence numbers until the broker
 * acknowledged them. Acknowledgments are delivered in order, so a caller never learns of a
 * record before those sent ahead of it in the same partition.
 */
export class PartitionQueue {
  /** Closed batches not yet acknowledged, in sequence order; the first `sent` are out. */
  readonly batches: QueuedBatch[] = [];
  sent = 0;
  inFlight = 0;
  /** After a failure nothing new goes out until every request in flight settled. */
  failed = false;
  retryAt = 0;
  attempts = 0;
  private open: { builder: RecordBatchBuilder; acks: (() => void)[] } | undefined;
  private nextSequence = 0;

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly maxBatchBytes: number,
  ) {}

  get hasUnsent(): boolean {
    return this.sent < this.batches.length || this.open !== undefined;
  }

  append(record: OutgoingRecord, onAcknowledged: () => void): void {
    if (this.open !== undefined && !this.open.builder.tryAppend(record, this.maxBatchBytes)) this.close();
    if (this.open === undefined) {
      this.open = { builder: new RecordBatchBuilder(), acks: [] };
      this.open.builder.tryAppend(record, this.maxBatchBytes);
    }
    this.open.acks.push(onAcknowledged);
  }

  /**
   * The next batch to send. The open batch is closed for it only when `partial` allows (the
   * partition has nothing in flight): a broker handles a connection's requests one at a time,
   * so a small batch queued behind others would wait for each of their appends, while joining
   * the open batch costs it at most one.
   */
  nextToSend(partial: boolean): QueuedBatch | undefined {
    // A batch acknowledged behind one that failed is not sent again.
    while (this.batches[this.sent]?.acknowledged) this.sent++;
    if (this.sent === this.batches.length && partial) this.close();
    return this.batches[this.sent];
  }

  /**
   * Marks a batch acknowledged and runs the callbacks of the acknowledged prefix; returns how
   * many records that acknowledged.
   */
  acknowledge(batch: QueuedBatch): number {
    batch.acknowledged = true;
    let records = 0;
    while (this.batches.length > 0 && this.batches[0]!.acknowledged) {
      const done = this.batches.shift()!;
      this.sent = Math.max(0, this.sent - 1);
      records += done.acks.length;
      for (const ack of done.acks) ack();
    }
    return records;
  }

  /** After a failure, once nothing is in flight: send every unacknowledged batch again, in order. */
  rewind(): void {
    this.sent = 0;
    this.failed = false;
  }

  /** A new producer identity: sequences start at 0 again for what is still unacknowledged. */
  renumber(): void {
    let sequence = 0;
    for (const batch of this.batches) {
      // Sent again under the new identity, even if acknowledged behind a failure: sequences
      // must have no gap, and a duplicate is better than a loss.
      batch.acknowledged = false;
      batch.baseSequence = sequence;
      sequence = (sequence + batch.acks.length) % SEQUENCE_LIMIT;
    }
    this.nextSequence = sequence;
    this.sent = 0;
    this.failed = false;
  }

  private close(): void {
    const open = this.open;
    if (open === undefined) return;
    this.open = undefined;
    this.batches.push({
      bytes: open.builder.finish(),
      acks: open.acks,
      baseSequence: this.nextSequence,
      acknowledged: false,
      stampedFor: undefined,
    });
    this.nextSequence = (this.nextSequence + open.acks.length) % SEQUENCE_LIMIT;
  }
}
