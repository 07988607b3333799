import { readRecords, validateRecordBatches } from '@trunkline/kafka-protocol';
import { RecordBatchBuilder, recordSize, stampRecordBatch, writeRecordBatch } from './record-batch-writer';

describe('writeRecordBatch', () => {
  const identity = { producerId: 4242n, producerEpoch: 3, baseSequence: 17 };

  it('writes a magic-2 batch the broker side validates and reads back', () => {
    const records = [
      { key: Buffer.from('k1'), value: Buffer.from('v1') },
      { key: null, value: null },
      { key: Buffer.alloc(300, 1), value: Buffer.alloc(70_000, 2) },
      {
        key: Buffer.from('k4'),
        value: Buffer.from('v4'),
        headers: [
          { key: Buffer.from('h'), value: Buffer.from('x') },
          { key: Buffer.from('ünï'), value: null },
        ],
      },
    ];
    const before = BigInt(Date.now());
    const batch = writeRecordBatch(records, identity);
    const [view, ...rest] = validateRecordBatches(batch);
    expect(rest).toHaveLength(0);
    expect(view!.producerId).toBe(4242n);
    expect(view!.producerEpoch).toBe(3);
    expect(view!.baseSequence).toBe(17);
    expect(view!.recordsCount).toBe(4);
    const read = readRecords(view!);
    expect(read.map((r) => [r.offset, r.key, r.value])).toEqual(
      records.map((r, i) => [BigInt(i), r.key, r.value]),
    );
    // One timestamp for the batch: when it was started.
    expect(new Set(read.map((r) => r.timestamp)).size).toBe(1);
    expect(read[0]!.timestamp).toBeGreaterThanOrEqual(before);
    expect(read[0]!.timestamp).toBeLessThanOrEqual(BigInt(Date.now()));
    expect(read[3]!.headers).toEqual([
      { key: 'h', value: Buffer.from('x') },
      { key: 'ünï', value: null },
    ]);
  });

  it('sizes each record as it writes it', () => {
    const records = Array.from({ length: 200 }, (_, i) => ({
      key: Buffer.alloc(i % 7),
      value: i % 5 === 0 ? null : Buffer.alloc(i * 3),
    }));
    const expected = records.reduce((sum, r, i) => sum + recordSize(r, i), 61);
    expect(writeRecordBatch(records, identity).length).toBe(expected);
  });

  it('cuts a batch at a size, but always takes a first record', () => {
    const builder = new RecordBatchBuilder(128);
    expect(builder.tryAppend({ key: null, value: Buffer.alloc(500) }, 100)).toBe(true);
    expect(builder.tryAppend({ key: null, value: Buffer.alloc(1) }, 100)).toBe(false);
    expect(builder.count).toBe(1);
    expect(builder.bytes).toBe(61 + recordSize({ key: null, value: Buffer.alloc(500) }, 0));
  });

  it('restamps a batch with another identity, its CRC still valid', () => {
    const batch = writeRecordBatch([{ key: null, value: Buffer.from('v') }], identity);
    stampRecordBatch(batch, { producerId: 7n, producerEpoch: 0, baseSequence: 0 });
    const [view] = validateRecordBatches(batch);
    expect([view!.producerId, view!.producerEpoch, view!.baseSequence]).toEqual([7n, 0, 0]);
    expect(readRecords(view!)[0]!.value).toEqual(Buffer.from('v'));
  });
});
