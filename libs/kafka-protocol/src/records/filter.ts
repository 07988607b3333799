import { ByteWriter } from '../codec/byte-writer';
import { compressRecords } from './compress';
import { AttributeBits, type RecordBatchView } from './record-batch';
import { encodeBatch, writeRecord } from './record-encoding';
import { type KafkaRecord, readRecords } from './records';

export interface FilterOptions {
  /**
   * The delete horizon to stamp on a batch that keeps a tombstone and has no horizon yet
   * (KIP-534); a batch that already has one keeps its own, a batch without tombstones gets none.
   */
  setDeleteHorizonMs?: bigint;
  /** Keep a batch none of whose records survive as an empty batch (its producer's last sequence). */
  retainEmpty?: boolean;
}

export type FilteredBatch =
  | { kind: 'unchanged' }
  | { kind: 'removed' }
  | { kind: 'rewritten'; bytes: Buffer };

/** Attribute bits that describe the batch rather than its encoding: kept through any rewrite. */
const KEPT_BITS = AttributeBits.logAppendTime | AttributeBits.transactional | AttributeBits.control;

/**
 * Keeps the records of one stored batch that `retain` accepts, as Kafka's log cleaner does
 * (MemoryRecords.filterTo for magic 2). A rewritten batch keeps the original's base offset and
 * last offset delta, so offsets never move and the producer's last sequence survives even when
 * the batch's last record is dropped.
 */
export function filterBatch(
  batch: RecordBatchView,
  retain: (record: KafkaRecord) => boolean,
  options: FilterOptions,
): FilteredBatch {
  const records = readRecords(batch);
  const retained = records.filter((record) => retain(record));
  const keepsTombstone = retained.some((record) => record.value === null);
  const newHorizon = batch.hasDeleteHorizon || !keepsTombstone ? undefined : options.setDeleteHorizonMs;
  if (retained.length === records.length && newHorizon === undefined) return { kind: 'unchanged' };
  if (retained.length === 0) {
    return options.retainEmpty ? { kind: 'rewritten', bytes: emptyBatch(batch) } : { kind: 'removed' };
  }

  // A delete horizon takes the baseTimestamp field, so deltas are re-based on it (they may turn
  // negative); otherwise the original base stays and so do the deltas.
  const baseTimestamp = newHorizon ?? batch.baseTimestamp;
  const hasHorizon = batch.hasDeleteHorizon || newHorizon !== undefined;
  const attributes =
    (batch.attributes & KEPT_BITS) | batch.compression | (hasHorizon ? AttributeBits.deleteHorizon : 0);
  const body = new ByteWriter(256);
  let maxTimestamp = retained[0]!.timestamp;
  for (const record of retained) {
    if (record.timestamp > maxTimestamp) maxTimestamp = record.timestamp;
    writeRecord(body, record, Number(record.offset - batch.baseOffset), record.timestamp - baseTimestamp);
  }
  const bytes = encodeBatch(
    {
      ...headerOf(batch),
      attributes,
      baseTimestamp,
      // Under LogAppendTime every record reads as maxTimestamp: it must not change.
      maxTimestamp: batch.isLogAppendTime ? batch.maxTimestamp : maxTimestamp,
      recordsCount: retained.length,
    },
    compressRecords(batch.compression, body.toBuffer()),
  );
  return { kind: 'rewritten', bytes };
}

/**
 * A batch with no records that still spans the original offsets, so a producer's sequence and
 * epoch stay known after all its records are cleaned. Uncompressed: there is nothing to compress.
 * The horizon flag is kept with the baseTimestamp it explains.
 */
function emptyBatch(batch: RecordBatchView): Buffer {
  return encodeBatch(
    {
      ...headerOf(batch),
      attributes: batch.attributes & (KEPT_BITS | AttributeBits.deleteHorizon),
      baseTimestamp: batch.baseTimestamp,
      maxTimestamp: batch.maxTimestamp,
      recordsCount: 0,
    },
    Buffer.alloc(0),
  );
}

function headerOf(batch: RecordBatchView) {
  return {
    baseOffset: batch.baseOffset,
    partitionLeaderEpoch: batch.partitionLeaderEpoch,
    lastOffsetDelta: batch.lastOffsetDelta,
    producerId: batch.producerId,
    producerEpoch: batch.producerEpoch,
    baseSequence: batch.baseSequence,
  };
}
