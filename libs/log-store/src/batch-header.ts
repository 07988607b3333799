import { BATCH_OVERHEAD, BatchLayout, recordBatchCrc } from '@trunkline/kafka-protocol';

/** What the log needs to know about a stored batch, read from its header alone. */
export interface StoredBatch {
  position: number;
  size: number;
  baseOffset: bigint;
  lastOffset: bigint;
  maxTimestamp: bigint;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordsCount: number;
}

export const HEADER_BYTES = BatchLayout.records;

/** Parses a batch header at `at` in `bytes`; undefined if the header is incomplete or absurd. */
export function parseBatchHeader(bytes: Buffer, at: number, position: number): StoredBatch | undefined {
  if (bytes.length - at < HEADER_BYTES) return undefined;
  const batchLength = bytes.readInt32BE(at + BatchLayout.batchLength);
  if (batchLength < HEADER_BYTES - BATCH_OVERHEAD || bytes.readInt8(at + BatchLayout.magic) !== 2)
    return undefined;
  const baseOffset = bytes.readBigInt64BE(at + BatchLayout.baseOffset);
  return {
    position,
    size: BATCH_OVERHEAD + batchLength,
    baseOffset,
    lastOffset: baseOffset + BigInt(bytes.readInt32BE(at + BatchLayout.lastOffsetDelta)),
    maxTimestamp: bytes.readBigInt64BE(at + BatchLayout.maxTimestamp),
    producerId: bytes.readBigInt64BE(at + BatchLayout.producerId),
    producerEpoch: bytes.readInt16BE(at + BatchLayout.producerEpoch),
    baseSequence: bytes.readInt32BE(at + BatchLayout.baseSequence),
    recordsCount: bytes.readInt32BE(at + BatchLayout.recordsCount),
  };
}

/** True when a whole batch's stored CRC32C matches its bytes. */
export function batchIntact(batch: Buffer): boolean {
  return batch.readUInt32BE(BatchLayout.crc) === recordBatchCrc(batch);
}

/** The leading whole batches of `bytes` (a read may cut the last one) whose offsets start below `upTo`. */
export function wholeBatchesBelow(bytes: Buffer, upTo: bigint): Buffer {
  let end = 0;
  while (end < bytes.length) {
    const header = parseBatchHeader(bytes, end, end);
    if (header === undefined || header.baseOffset >= upTo || end + header.size > bytes.length) break;
    end += header.size;
  }
  return bytes.subarray(0, end);
}
