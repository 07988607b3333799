import { crc32c } from '@node-rs/crc32';

/** Byte offsets of a magic-2 record batch header (KIP-98). */
export const BatchLayout = {
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordsCount: 57,
  records: 61,
} as const;

/** Bytes before batchLength's count starts: baseOffset and batchLength itself. */
export const BATCH_OVERHEAD = 12;

export const Compression = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;

/** The bits of a batch's attributes field (KIP-98; the delete horizon flag is KIP-534's). */
export const AttributeBits = {
  compression: 0x07,
  logAppendTime: 0x08,
  transactional: 0x10,
  control: 0x20,
  /** Set by the log cleaner once it has scheduled this batch's tombstones for removal. */
  deleteHorizon: 0x40,
} as const;

/** A validated batch inside a buffer; getters read its header in place. */
export class RecordBatchView {
  constructor(
    /** The whole batch, baseOffset through its last record. */
    readonly bytes: Buffer,
  ) {}

  get baseOffset(): bigint {
    return this.bytes.readBigInt64BE(BatchLayout.baseOffset);
  }

  get partitionLeaderEpoch(): number {
    return this.bytes.readInt32BE(BatchLayout.partitionLeaderEpoch);
  }

  get attributes(): number {
    return this.bytes.readInt16BE(BatchLayout.attributes);
  }

  get compression(): number {
    return this.attributes & AttributeBits.compression;
  }

  /** LogAppendTime: every record's timestamp is maxTimestamp, whatever its own delta says. */
  get isLogAppendTime(): boolean {
    return (this.attributes & AttributeBits.logAppendTime) !== 0;
  }

  get isTransactional(): boolean {
    return (this.attributes & AttributeBits.transactional) !== 0;
  }

  get isControl(): boolean {
    return (this.attributes & AttributeBits.control) !== 0;
  }

  get lastOffsetDelta(): number {
    return this.bytes.readInt32BE(BatchLayout.lastOffsetDelta);
  }

  get baseTimestamp(): bigint {
    return this.bytes.readBigInt64BE(BatchLayout.baseTimestamp);
  }

  /** KIP-534: the cleaner has set a delete horizon, kept in the baseTimestamp field. */
  get hasDeleteHorizon(): boolean {
    return (this.attributes & AttributeBits.deleteHorizon) !== 0;
  }

  /** When tombstones and transaction markers of this batch may be dropped (undefined until set). */
  get deleteHorizonMs(): bigint | undefined {
    return this.hasDeleteHorizon ? this.baseTimestamp : undefined;
  }

  get maxTimestamp(): bigint {
    return this.bytes.readBigInt64BE(BatchLayout.maxTimestamp);
  }

  get producerId(): bigint {
    return this.bytes.readBigInt64BE(BatchLayout.producerId);
  }

  get producerEpoch(): number {
    return this.bytes.readInt16BE(BatchLayout.producerEpoch);
  }

  get baseSequence(): number {
    return this.bytes.readInt32BE(BatchLayout.baseSequence);
  }

  get recordsCount(): number {
    return this.bytes.readInt32BE(BatchLayout.recordsCount);
  }

  get lastOffset(): bigint {
    return this.baseOffset + BigInt(this.lastOffsetDelta);
  }

  /** The log assigns offsets: only baseOffset changes (it is outside the CRC). */
  setBaseOffset(offset: bigint): void {
    this.bytes.writeBigInt64BE(offset, BatchLayout.baseOffset);
  }

  /** For LogAppendTime topics: the broker's clock becomes every record's timestamp. */
  setLogAppendTime(timestampMs: bigint): void {
    this.bytes.writeInt16BE(this.attributes | AttributeBits.logAppendTime, BatchLayout.attributes);
    this.bytes.writeBigInt64BE(timestampMs, BatchLayout.maxTimestamp);
    this.bytes.writeUInt32BE(computeCrc(this.bytes), BatchLayout.crc);
  }
}

function computeCrc(batch: Buffer): number {
  return crc32c(batch.subarray(BatchLayout.attributes)) >>> 0;
}

/** Why a record set was refused; maps to CORRUPT_MESSAGE or INVALID_RECORD. */
export class InvalidRecordBatchError extends Error {
  override readonly name = 'InvalidRecordBatchError';
  constructor(
    message: string,
    readonly kind: 'corrupt' | 'invalid',
  ) {
    super(message);
  }
}

/**
 * Splits a produced record set into batches and validates each: sizes, magic 2, CRC32C
 * over attributes..end, and a record count that agrees with the last offset delta. Records
 * themselves are not decoded: batches are stored as received.
 */
export function validateRecordBatches(records: Buffer): RecordBatchView[] {
  const batches: RecordBatchView[] = [];
  let offset = 0;
  while (offset < records.length) {
    if (records.length - offset < BatchLayout.records) {
      throw new InvalidRecordBatchError(
        `${records.length - offset} trailing bytes are not a whole batch header`,
        'corrupt',
      );
    }
    const batchLength = records.readInt32BE(offset + BatchLayout.batchLength);
    const size = BATCH_OVERHEAD + batchLength;
    if (batchLength < BatchLayout.records - BATCH_OVERHEAD || offset + size > records.length) {
      throw new InvalidRecordBatchError(
        `batch length ${batchLength} does not fit the ${records.length - offset} bytes left`,
        'corrupt',
      );
    }
    const bytes = records.subarray(offset, offset + size);
    const magic = bytes.readInt8(BatchLayout.magic);
    if (magic !== 2)
      throw new InvalidRecordBatchError(`record batch magic ${magic}; only magic 2 is accepted`, 'invalid');
    const stored = bytes.readUInt32BE(BatchLayout.crc);
    const actual = computeCrc(bytes);
    if (stored !== actual) {
      throw new InvalidRecordBatchError(
        `CRC32C mismatch: batch says ${stored}, bytes give ${actual}`,
        'corrupt',
      );
    }
    const view = new RecordBatchView(bytes);
    if (view.recordsCount < 1 || view.lastOffsetDelta !== view.recordsCount - 1) {
      throw new InvalidRecordBatchError(
        `batch holds ${view.recordsCount} records but its last offset delta is ${view.lastOffsetDelta}`,
        'invalid',
      );
    }
    batches.push(view);
    offset += size;
  }
  return batches;
}

/**
 * Splits batches read back from the log into views. The log wrote them, so only their framing is
 * checked (header, length, magic 2), not their CRC; unlike a produced record set, a compacted batch
 * may hold fewer records than its offset range (gaps) or none at all (kept for its producer's
 * sequence). A read of a byte range may stop inside the last batch: that partial batch is left out.
 */
export function parseStoredBatches(bytes: Buffer): RecordBatchView[] {
  const batches: RecordBatchView[] = [];
  let offset = 0;
  while (bytes.length - offset >= BATCH_OVERHEAD) {
    const batchLength = bytes.readInt32BE(offset + BatchLayout.batchLength);
    if (batchLength < BatchLayout.records - BATCH_OVERHEAD) {
      throw new InvalidRecordBatchError(
        `batch at byte ${offset} has length ${batchLength}, shorter than a batch header`,
        'corrupt',
      );
    }
    const size = BATCH_OVERHEAD + batchLength;
    if (offset + size > bytes.length) break;
    const view = new RecordBatchView(bytes.subarray(offset, offset + size));
    const magic = view.bytes.readInt8(BatchLayout.magic);
    if (magic !== 2) {
      throw new InvalidRecordBatchError(
        `batch at byte ${offset} has magic ${magic}; only magic 2 is stored`,
        'invalid',
      );
    }
    batches.push(view);
    offset += size;
  }
  return batches;
}

export { computeCrc as recordBatchCrc };
