import { ByteReader } from '../codec/byte-reader';
import { ByteWriter } from '../codec/byte-writer';
import { MalformedFrameError } from '../codec/protocol-error';
import { decompressRecords } from './decompress';
import { BatchLayout, Compression, type RecordBatchView } from './record-batch';
import { encodeBatch, writeRecord } from './record-encoding';

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
  return encodeBatch(
    {
      baseOffset: options.baseOffset ?? 0n,
      partitionLeaderEpoch: -1,
      attributes: Compression.none,
      lastOffsetDelta: records.length - 1,
      baseTimestamp,
      maxTimestamp,
      producerId: options.producerId ?? -1n,
      producerEpoch: options.producerEpoch ?? -1,
      baseSequence: options.baseSequence ?? -1,
      recordsCount: records.length,
    },
    body.toBuffer(),
  );
}

/** Decodes every record of a batch (admin tools and internal topics; never on the produce path). */
export function readRecords(batch: RecordBatchView): KafkaRecord[] {
  const reader = new ByteReader(
    decompressRecords(batch.compression, batch.bytes.subarray(BatchLayout.records)),
  );
  const baseOffset = batch.baseOffset;
  const baseTimestamp = batch.baseTimestamp;
  const logAppendTime = batch.isLogAppendTime;
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
