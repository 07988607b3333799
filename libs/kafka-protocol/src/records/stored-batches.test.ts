import { filterBatch } from './filter';
import {
  BatchLayout,
  InvalidRecordBatchError,
  parseStoredBatches,
  RecordBatchView,
  validateRecordBatches,
} from './record-batch';
import { buildRecordBatch } from './records';

const three = [
  { key: Buffer.from('a'), value: Buffer.from('1'), timestamp: 1n },
  { key: Buffer.from('b'), value: Buffer.from('2'), timestamp: 2n },
  { key: Buffer.from('c'), value: Buffer.from('3'), timestamp: 3n },
];

function rewrittenBytes(batch: Buffer, keep: string[], retainEmpty = false): Buffer {
  const result = filterBatch(new RecordBatchView(batch), (r) => keep.includes(r.key!.toString()), {
    retainEmpty,
  });
  if (result.kind !== 'rewritten') throw new Error(result.kind);
  return result.bytes;
}

describe('parseStoredBatches', () => {
  const normal = buildRecordBatch(three, { baseOffset: 0n });
  const gapped = rewrittenBytes(buildRecordBatch(three, { baseOffset: 3n }), ['b']);
  const empty = rewrittenBytes(buildRecordBatch(three, { baseOffset: 6n, producerId: 9n }), [], true);
  const last = buildRecordBatch(three.slice(0, 2), { baseOffset: 9n });
  const log = Buffer.concat([normal, gapped, empty, last]);

  it('splits normal, gapped and empty batches', () => {
    const views = parseStoredBatches(log);
    expect(views.map((v) => [v.baseOffset, v.lastOffset, v.recordsCount])).toEqual([
      [0n, 2n, 3],
      [3n, 5n, 1],
      [6n, 8n, 0],
      [9n, 10n, 2],
    ]);
    expect(views[2]!.producerId).toBe(9n);
    expect(views.map((v) => v.bytes.length)).toEqual([
      normal.length,
      gapped.length,
      empty.length,
      last.length,
    ]);
    // The produce-path validator refuses the same gapped and empty batches.
    expect(() => validateRecordBatches(gapped)).toThrow('last offset delta');
    expect(() => validateRecordBatches(empty)).toThrow('last offset delta');
  });

  it('leaves out a trailing batch cut short by the read', () => {
    for (const cut of [1, 11, 12, 30, BatchLayout.records, normal.length - 1]) {
      const views = parseStoredBatches(Buffer.concat([log, normal.subarray(0, cut)]));
      expect(views.map((v) => v.baseOffset)).toEqual([0n, 3n, 6n, 9n]);
    }
    expect(parseStoredBatches(Buffer.alloc(0))).toEqual([]);
  });

  it('does not check CRCs: the log is trusted', () => {
    const copy = Buffer.from(normal);
    copy.writeUInt32BE(0, BatchLayout.crc);
    expect(parseStoredBatches(copy)).toHaveLength(1);
  });

  it('refuses a batch length shorter than a header, and magic other than 2', () => {
    const short = Buffer.from(normal);
    short.writeInt32BE(20, BatchLayout.batchLength);
    expect(() => parseStoredBatches(short)).toThrow(InvalidRecordBatchError);
    expect(() => parseStoredBatches(short)).toThrow('shorter than a batch header');
    const magic1 = Buffer.concat([normal, Buffer.from(normal)]);
    magic1.writeInt8(1, normal.length + BatchLayout.magic);
    expect(() => parseStoredBatches(magic1)).toThrow(`batch at byte ${normal.length} has magic 1`);
  });
});
