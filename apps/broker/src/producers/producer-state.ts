import { ErrorCode, type RecordBatchView } from '@trunkline/kafka-protocol';
import type { StoredBatch } from '@trunkline/log-store';
import { KafkaError } from '../kafka-error';

/** Batches remembered per producer and partition, as Kafka does: a client has at most 5 in flight. */
const REMEMBERED_BATCHES = 5;
const MAX_SEQUENCE = 0x7fffffff;

interface BatchSequence {
  firstSeq: number;
  lastSeq: number;
  baseOffset: bigint;
}

interface ProducerEntry {
  epoch: number;
  batches: BatchSequence[];
}

export type SequenceCheck = { kind: 'append' } | { kind: 'duplicate'; baseOffset: bigint };

/** A batch's last sequence: its first plus its offset span, which compaction never shrinks. */
function lastSequence(firstSeq: number, offsetDelta: number): number {
  return (firstSeq + offsetDelta) % (MAX_SEQUENCE + 1);
}

function nextSequence(seq: number): number {
  return seq === MAX_SEQUENCE ? 0 : seq + 1;
}

/**
 * Idempotent producers: per partition and producer id, the epoch and the sequences of the
 * last 5 batches, so a retried batch is answered with its original offset instead of being
 * written twice, and a gap in sequences is refused.
 */
export class ProducerStateManager {
  private readonly partitions = new Map<string, Map<bigint, ProducerEntry>>();

  private entries(topic: string, partition: number): Map<bigint, ProducerEntry> {
    const key = `${topic}\u0000${partition}`;
    let entries = this.partitions.get(key);
    if (entries === undefined) {
      entries = new Map();
      this.partitions.set(key, entries);
    }
    return entries;
  }

  /** Decides whether a batch is new, a duplicate of one already written, or refused. */
  check(topic: string, partition: number, batch: RecordBatchView): SequenceCheck {
    const producerId = batch.producerId;
    if (producerId < 0n) return { kind: 'append' };
    const entry = this.entries(topic, partition).get(producerId);
    const firstSeq = batch.baseSequence;
    if (entry === undefined) {
      if (firstSeq !== 0) {
        throw new KafkaError(
          ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
          `producer ${producerId} starts at sequence ${firstSeq}, not 0`,
        );
      }
      return { kind: 'append' };
    }
    if (batch.producerEpoch < entry.epoch) {
      throw new KafkaError(
        ErrorCode.INVALID_PRODUCER_EPOCH,
        `producer ${producerId} epoch ${batch.producerEpoch} is older than ${entry.epoch}`,
      );
    }
    if (batch.producerEpoch > entry.epoch) {
      if (firstSeq !== 0) {
        throw new KafkaError(
          ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
          `a new epoch of producer ${producerId} must start at sequence 0`,
        );
      }
      return { kind: 'append' };
    }
    const lastSeq = lastSequence(firstSeq, batch.lastOffsetDelta);
    const duplicate = entry.batches.find((b) => b.firstSeq === firstSeq && b.lastSeq === lastSeq);
    if (duplicate !== undefined) return { kind: 'duplicate', baseOffset: duplicate.baseOffset };
    const latest = entry.batches[entry.batches.length - 1];
    if (latest !== undefined && firstSeq !== nextSequence(latest.lastSeq)) {
      throw new KafkaError(
        ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        `producer ${producerId}: expected sequence ${nextSequence(latest.lastSeq)}, got ${firstSeq}`,
      );
    }
    return { kind: 'append' };
  }

  /** Records a batch written at `baseOffset`. */
  record(
    topic: string,
    partition: number,
    batch: Pick<StoredBatch, 'producerId' | 'producerEpoch' | 'baseSequence' | 'baseOffset' | 'lastOffset'>,
  ): void {
    if (batch.producerId < 0n) return;
    const entries = this.entries(topic, partition);
    let entry = entries.get(batch.producerId);
    if (entry === undefined || batch.producerEpoch > entry.epoch) {
      entry = { epoch: batch.producerEpoch, batches: [] };
      entries.set(batch.producerId, entry);
    }
    entry.batches.push({
      firstSeq: batch.baseSequence,
      lastSeq: lastSequence(batch.baseSequence, Number(batch.lastOffset - batch.baseOffset)),
      baseOffset: batch.baseOffset,
    });
    if (entry.batches.length > REMEMBERED_BATCHES) entry.batches.shift();
  }

  /**
   * Whether the batch at `baseOffset` is one of those remembered for its producer: compaction
   * keeps such a batch (emptied if need be), so the state survives a restart.
   */
  remembers(topic: string, partition: number, producerId: bigint, baseOffset: bigint): boolean {
    const entry = this.entries(topic, partition).get(producerId);
    return entry?.batches.some((b) => b.baseOffset === baseOffset) ?? false;
  }

  /** Rebuilds a partition's producer state from the batch headers of its log (at startup). */
  async rebuild(topic: string, partition: number, headers: AsyncIterable<StoredBatch>): Promise<void> {
    for await (const header of headers) this.record(topic, partition, header);
  }

  forget(topic: string): void {
    for (const key of [...this.partitions.keys()])
      if (key.startsWith(`${topic}\u0000`)) this.partitions.delete(key);
  }
}
