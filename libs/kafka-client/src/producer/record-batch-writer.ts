import { BATCH_OVERHEAD, BatchLayout, Compression, recordBatchCrc } from '@trunkline/kafka-protocol';

/** One record as the producer hands it over: bytes only, header keys already UTF-8. */
export interface OutgoingRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers?: readonly { key: Buffer; value: Buffer | null }[] | undefined;
}

/** The producer identity and first sequence a batch carries (KIP-98). */
export interface BatchIdentity {
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
}

/** Bytes of `value` as a zigzag varint (Kafka's record field encoding); values fit in int32. */
function varintSize(value: number): number {
  let rest = value >= 0 ? value * 2 : -value * 2 - 1;
  let size = 1;
  while (rest >= 0x80) {
    rest = Math.floor(rest / 128);
    size++;
  }
  return size;
}

function writeVarint(buffer: Buffer, offset: number, value: number): number {
  let rest = value >= 0 ? value * 2 : -value * 2 - 1;
  while (rest >= 0x80) {
    buffer[offset++] = (rest & 0x7f) | 0x80;
    rest = Math.floor(rest / 128);
  }
  buffer[offset++] = rest;
  return offset;
}

function bytesSize(bytes: Buffer | null): number {
  return bytes === null ? 1 : varintSize(bytes.length) + bytes.length;
}

function writeBytes(buffer: Buffer, offset: number, bytes: Buffer | null): number {
  if (bytes === null) return writeVarint(buffer, offset, -1);
  const at = writeVarint(buffer, offset, bytes.length);
  bytes.copy(buffer, at);
  return at + bytes.length;
}

/** The body of record `index` (attributes through headers), without its length prefix. */
function bodySize(record: OutgoingRecord, index: number): number {
  // attributes (1) + timestampDelta 0 (1) + offsetDelta + key + value + header count.
  let size = 2 + varintSize(index) + bytesSize(record.key) + bytesSize(record.value);
  const headers = record.headers ?? [];
  size += varintSize(headers.length);
  for (const header of headers) size += bytesSize(header.key) + bytesSize(header.value);
  return size;
}

/** Bytes a record adds to a batch: the producer uses it to cut batches at a size. */
export function recordSize(record: OutgoingRecord, index: number): number {
  const body = bodySize(record, index);
  return varintSize(body) + body;
}

/** Bytes a batch takes besides its records. */
export const BATCH_HEADER_SIZE = BatchLayout.records;

/**
 * An uncompressed magic-2 record batch written as records arrive: each record's bytes go into
 * the batch's buffer at once, so the caller's key and value buffers can be freed young (the
 * garbage collector then copies one large buffer instead of many small ones). `finish` fills
 * the header but for the producer identity; `stampRecordBatch` writes that and the CRC32C.
 * Every record gets the timestamp of the batch's creation (delta 0).
 */
export class RecordBatchBuilder {
  private buffer: Buffer;
  private position: number = BatchLayout.records;
  private records = 0;
  private readonly timestamp = BigInt(Date.now());

  constructor(initialBytes = 16 * 1024) {
    this.buffer = Buffer.allocUnsafe(Math.max(BatchLayout.records + 64, initialBytes));
  }

  get count(): number {
    return this.records;
  }

  /** The batch's size so far. */
  get bytes(): number {
    return this.position;
  }

  /**
   * Appends a record unless it would take the batch past `maxBytes` (a first record is always
   * taken, however large: a batch holds at least one).
   */
  tryAppend(record: OutgoingRecord, maxBytes: number): boolean {
    const body = bodySize(record, this.records);
    const size = varintSize(body) + body;
    if (this.records > 0 && this.position + size > maxBytes) return false;
    if (this.position + size > this.buffer.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.position + size));
      this.buffer.copy(bigger, 0, 0, this.position);
      this.buffer = bigger;
    }
    const batch = this.buffer;
    let offset = writeVarint(batch, this.position, body);
    batch[offset++] = 0; // attributes
    batch[offset++] = 0; // timestampDelta
    offset = writeVarint(batch, offset, this.records);
    offset = writeBytes(batch, offset, record.key);
    offset = writeBytes(batch, offset, record.value);
    const headers = record.headers ?? [];
    offset = writeVarint(batch, offset, headers.length);
    for (const header of headers) {
      offset = writeBytes(batch, offset, header.key);
      offset = writeBytes(batch, offset, header.value);
    }
    this.position = offset;
    this.records++;
    return true;
  }

  /** The batch, its header filled but for the producer identity and the CRC (see stampRecordBatch). */
  finish(): Buffer {
    if (this.records === 0) throw new RangeError('a record batch holds at least one record');
    const batch = this.buffer.subarray(0, this.position);
    batch.writeBigInt64BE(0n, BatchLayout.baseOffset);
    batch.writeInt32BE(this.position - BATCH_OVERHEAD, BatchLayout.batchLength);
    batch.writeInt32BE(-1, BatchLayout.partitionLeaderEpoch);
    batch.writeInt8(2, BatchLayout.magic);
    batch.writeInt16BE(Compression.none, BatchLayout.attributes);
    batch.writeInt32BE(this.records - 1, BatchLayout.lastOffsetDelta);
    batch.writeBigInt64BE(this.timestamp, BatchLayout.baseTimestamp);
    batch.writeBigInt64BE(this.timestamp, BatchLayout.maxTimestamp);
    batch.writeInt32BE(this.records, BatchLayout.recordsCount);
    return batch;
  }
}

/**
 * Writes the producer identity and first sequence into a finished batch, then its CRC32C (which
 * covers them). Done again, in place, when the broker lost the producer and a new id is taken.
 */
export function stampRecordBatch(batch: Buffer, identity: BatchIdentity): void {
  batch.writeBigInt64BE(identity.producerId, BatchLayout.producerId);
  batch.writeInt16BE(identity.producerEpoch, BatchLayout.producerEpoch);
  batch.writeInt32BE(identity.baseSequence, BatchLayout.baseSequence);
  batch.writeUInt32BE(recordBatchCrc(batch), BatchLayout.crc);
}

/** A whole batch at once (for tests and one-off writes). */
export function writeRecordBatch(records: readonly OutgoingRecord[], identity: BatchIdentity): Buffer {
  const builder = new RecordBatchBuilder();
  for (const record of records) builder.tryAppend(record, Number.POSITIVE_INFINITY);
  const batch = builder.finish();
  stampRecordBatch(batch, identity);
  return batch;
}
