import { ByteReader } from '../codec/byte-reader';
import { ByteWriter } from '../codec/byte-writer';
import { MalformedFrameError } from '../codec/protocol-error';
import { decompressRecords } from './decompress';
import {
  BATCH_OVERHEAD,
  BatchLayout,
  Compression,
  type RecordBatchView,
  recordBatchCrc,
} from './record-batch';

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/** One record as a producer writes it and a consumer reads it. */
export interface KafkaRecord {
  offset: bigint;
  timestamp: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

export interface NewRecord {
  key?: Buffer | null;
  value: Buffer | null;
  headers?: RecordHeader[];
  timestamp?: bigint;
}

export interface BatchOptions {
  baseOffset?: bigint;
  producerId?: bigint;
  producerEpoch?: number;
  baseSequence?: number;
}

function writeRecord(
  writer: ByteWriter,
  record: NewRecord,
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

/** Builds an uncompressed magic-2 batch (for the broker's own internal records and for tests). */
export function buildRecordBatch(records: readonly NewRecord[], options: BatchOptions = {}): Buffer {
  if (records.length === 0) throw new RangeError('a record batch holds at least one record');
  const now = BigInt(Date.now());
  const timestamps = records.map((r) => r.timestamp ?? now);
  let baseTimestamp = timestamps[0]!;
  let maxTimestamp = baseTimestamp;
  for (const t of timestamps) {
    if (t < baseTimestamp) baseTimestamp = t;
    if (t > maxTimestamp) maxTimestamp = t;
  }
  const body = new ByteWriter(256);
  records.forEach((record, i) => {
    writeRecord(body, record, i, timestamps[i]! - baseTimestamp);
  });
  const recordsBytes = body.toBuffer();
  const batch = Buffer.alloc(BatchLayout.records + recordsBytes.length);
  batch.writeBigInt64BE(options.baseOffset ?? 0n, BatchLayout.baseOffset);
  batch.writeInt32BE(batch.length - BATCH_OVERHEAD, BatchLayout.batchLength);
  batch.writeInt32BE(-1, BatchLayout.partitionLeaderEpoch);
  batch.writeInt8(2, BatchLayout.magic);
  batch.writeInt16BE(Compression.none, BatchLayout.attributes);
  batch.writeInt32BE(records.length - 1, BatchLayout.lastOffsetDelta);
  batch.writeBigInt64BE(baseTimestamp, BatchLayout.baseTimestamp);
  batch.writeBigInt64BE(maxTimestamp, BatchLayout.maxTimestamp);
  batch.writeBigInt64BE(options.producerId ?? -1n, BatchLayout.producerId);
  batch.writeInt16BE(options.producerEpoch ?? -1, BatchLayout.producerEpoch);
  batch.writeInt32BE(options.baseSequence ?? -1, BatchLayout.baseSequence);
  batch.writeInt32BE(records.length, BatchLayout.recordsCount);
  recordsBytes.copy(batch, BatchLayout.records);
  batch.writeUInt32BE(recordBatchCrc(batch), BatchLayout.crc);
  return batch;
}

/** Decodes every record of a batch (admin tools and internal topics; never on the produce path). */
export function readRecords(batch: RecordBatchView): KafkaRecord[] {
  const reader = new ByteReader(
    decompressRecords(batch.compression, batch.bytes.subarray(BatchLayout.records)),
  );
  const baseOffset = batch.baseOffset;
  const baseTimestamp = batch.baseTimestamp;
  const logAppendTime = (batch.attributes & 0x08) !== 0;
  const records: KafkaRecord[] = [];
  for (let i = 0; i < batch.recordsCount; i++) {
    const length = reader.varint();
    const end = reader.position + length;
    reader.int8();
    const timestampDelta = reader.varlong();
    const offsetDelta = reader.varint();
    const nullable = () => {
      const n = reader.varint();
      return n < 0 ? null : reader.bytes(n);
    };
    const key = nullable();
    const value = nullable();
    const headerCount = reader.varint();
    const headers: RecordHeader[] = [];
    for (let h = 0; h < headerCount; h++) {
      const keyBytes = reader.bytes(reader.varint());
      headers.push({ key: keyBytes.toString('utf8'), value: nullable() });
    }
    if (reader.position !== end)
      throw new MalformedFrameError(`record ${i} length ${length} does not match its fields`);
    records.push({
      offset: baseOffset + BigInt(offsetDelta),
      timestamp: logAppendTime ? batch.maxTimestamp : baseTimestamp + timestampDelta,
      key,
      value,
      headers,
    });
  }
  return records;
}
