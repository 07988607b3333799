import { BatchLayout, InvalidRecordBatchError, validateRecordBatches } from './record-batch';
import { buildRecordBatch, readRecords } from './records';

const records = [
  {
    key: Buffer.from('k1'),
    value: Buffer.from('v1'),
    headers: [{ key: 'trace', value: Buffer.from('abc') }],
    timestamp: 1000n,
  },
  { key: null, value: Buffer.from('v2'), timestamp: 1005n },
  { key: Buffer.from('k3'), value: null, timestamp: 1002n },
];

describe('record batches', () => {
  it('builds a batch that validates and reads back record by record', () => {
    const batch = buildRecordBatch(records, { baseOffset: 42n });
    const [view] = validateRecordBatches(batch);
    expect(view!.recordsCount).toBe(3);
    expect(view!.baseOffset).toBe(42n);
    expect(view!.maxTimestamp).toBe(1005n);
    expect(readRecords(view!)).toEqual([
      {
        offset: 42n,
        timestamp: 1000n,
        key: Buffer.from('k1'),
        value: Buffer.from('v1'),
        headers: [{ key: 'trace', value: Buffer.from('abc') }],
      },
      { offset: 43n, timestamp: 1005n, key: null, value: Buffer.from('v2'), headers: [] },
      { offset: 44n, timestamp: 1002n, key: Buffer.from('k3'), value: null, headers: [] },
    ]);
  });

  it('splits several batches and lets the log rewrite base offsets without breaking the CRC', () => {
    const set = Buffer.concat([buildRecordBatch(records), buildRecordBatch(records.slice(0, 1))]);
    const views = validateRecordBatches(set);
    expect(views.map((v) => v.recordsCount)).toEqual([3, 1]);
    views[1]!.setBaseOffset(100n);
    expect(validateRecordBatches(set)[1]!.baseOffset).toBe(100n);
  });

  it('stamps LogAppendTime and keeps the batch valid', () => {
    const batch = buildRecordBatch(records);
    const [view] = validateRecordBatches(batch);
    view!.setLogAppendTime(9999n);
    const [again] = validateRecordBatches(batch);
    expect(readRecords(again!).map((r) => r.timestamp)).toEqual([9999n, 9999n, 9999n]);
  });

  it.each([
    ['a flipped bit', (b: Buffer) => b.writeUInt8(b.readUInt8(70) ^ 1, 70), 'CRC32C mismatch'],
    ['magic 1', (b: Buffer) => b.writeInt8(1, BatchLayout.magic), 'magic 1'],
    [
      'a length past the end',
      (b: Buffer) => b.writeInt32BE(b.length, BatchLayout.batchLength),
      'does not fit',
    ],
  ])('refuses %s', (_, corrupt, message) => {
    const batch = buildRecordBatch(records);
    corrupt(batch);
    expect(() => validateRecordBatches(batch)).toThrow(InvalidRecordBatchError);
    expect(() => validateRecordBatches(batch)).toThrow(message);
  });

  it('refuses a truncated record set', () => {
    const batch = buildRecordBatch(records);
    expect(() => validateRecordBatches(batch.subarray(0, batch.length - 1))).toThrow('does not fit');
    expect(() => validateRecordBatches(batch.subarray(0, 30))).toThrow('not a whole batch header');
  });
});
