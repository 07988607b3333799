import { ByteWriter } from '../codec/byte-writer';
import { BATCH_OVERHEAD, BatchLayout, recordBatchCrc } from './record-batch';

/** The fields of one record as it is encoded; deltas are relative to its batch's header. */
export interface RecordFields {
  key?: Buffer | null;
  value: Buffer | null;
  headers?: readonly { key: string; value: Buffer | null }[];
}

/** Appends one magic-2 record (length-prefixed, attributes 0) to a records section. */
export function writeRecord(
  writer: ByteWriter,
  record: RecordFields,
  offsetDelta: number,
  timestampDelta: bigint,
): void {
  const body = new ByteWriter(64);
  body.int8(0);
  body.varlong(timestampDelta);
  body.varint(offsetDelta);
  const writeNullable = (bytes: Buffer | null | undefined) => {
    if (bytes === null || bytes === undefined) body.varint(-1);
    else {
      body.varint(bytes.length);
      body.bytes(bytes);
    }
  };
  writeNullable(record.key);
  writeNullable(record.value);
  const headers = record.headers ?? [];
  body.varint(headers.length);
  for (const header of headers) {
    const key = Buffer.from(header.key);
    body.varint(key.length);
    body.bytes(key);
    writeNullable(header.value);
  }
  writer.varint(body.length);
  for (const chunk of body.finish()) writer.bytes(chunk);
}

/** Every header field of a magic-2 batch except those derived from the bytes (length, magic, CRC). */
export interface BatchHeader {
  baseOffset: bigint;
  partitionLeaderEpoch: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: bigint;
  maxTimestamp: bigint;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordsCount: number;
}

/** A whole batch: the header, then the records section as given (already compressed if it is). */
export function encodeBatch(header: BatchHeader, records: Buffer): Buffer {
  const batch = Buffer.alloc(BatchLayout.records + records.length);
  batch.writeBigInt64BE(header.baseOffset, BatchLayout.baseOffset);
  batch.writeInt32BE(batch.length - BATCH_OVERHEAD, BatchLayout.batchLength);
  batch.writeInt32BE(header.partitionLeaderEpoch, BatchLayout.partitionLeaderEpoch);
  batch.writeInt8(2, BatchLayout.magic);
  batch.writeInt16BE(header.attributes, BatchLayout.attributes);
  batch.writeInt32BE(header.lastOffsetDelta, BatchLayout.lastOffsetDelta);
  batch.writeBigInt64BE(header.baseTimestamp, BatchLayout.baseTimestamp);
  batch.writeBigInt64BE(header.maxTimestamp, BatchLayout.maxTimestamp);
  batch.writeBigInt64BE(header.producerId, BatchLayout.producerId);
  batch.writeInt16BE(header.producerEpoch, BatchLayout.producerEpoch);
  batch.writeInt32BE(header.baseSequence, BatchLayout.baseSequence);
  batch.writeInt32BE(header.recordsCount, BatchLayout.recordsCount);
  records.copy(batch, BatchLayout.records);
  batch.writeUInt32BE(recordBatchCrc(batch), BatchLayout.crc);
  return batch;
}
