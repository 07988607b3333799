import { compressRecords } from './compress';
import { type FilteredBatch, filterBatch } from './filter';
import {
  AttributeBits,
  BatchLayout,
  Compression,
  parseStoredBatches,
  RecordBatchView,
  recordBatchCrc,
} from './record-batch';
import { encodeBatch } from './record-encoding';
import { buildRecordBatch, type NewRecord, readRecords } from './records';

const records: NewRecord[] = [
  {
    key: Buffer.from('a'),
    value: Buffer.from('1'),
    timestamp: 1000n,
    headers: [{ key: 'h', value: Buffer.from('x') }],
  },
  { key: Buffer.from('b'), value: Buffer.from('2'), timestamp: 1010n },
  { key: Buffer.from('c'), value: null, timestamp: 990n, headers: [{ key: 'n', value: null }] },
  { key: Buffer.from('d'), value: Buffer.from('4'), timestamp: 1005n },
];

/** A stored batch as a producer would have sent it: codec, attribute bits and producer fields. */
function storedBatch(codec: number = Compression.none, extraBits = 0): RecordBatchView {
  const plain = new RecordBatchView(
    buildRecordBatch(records, { baseOffset: 100n, producerId: 7n, producerEpoch: 3, baseSequence: 20 }),
  );
  return new RecordBatchView(
    encodeBatch(
      {
        baseOffset: plain.baseOffset,
        partitionLeaderEpoch: 5,
        attributes: codec | extraBits,
        lastOffsetDelta: plain.lastOffsetDelta,
        baseTimestamp: plain.baseTimestamp,
        maxTimestamp: plain.maxTimestamp,
        producerId: plain.producerId,
        producerEpoch: plain.producerEpoch,
        baseSequence: plain.baseSequence,
        recordsCount: plain.recordsCount,
      },
      compressRecords(codec, plain.bytes.subarray(BatchLayout.records)),
    ),
  );
}

/** The rewritten batch, after checking its framing and CRC the way a reader would. */
function rewritten(result: FilteredBatch): RecordBatchView {
  if (result.kind !== 'rewritten') throw new Error(`expected a rewritten batch, got ${result.kind}`);
  const [view, ...rest] = parseStoredBatches(result.bytes);
  expect(rest).toHaveLength(0);
  expect(view!.bytes.length).toBe(result.bytes.length);
  expect(view!.bytes.readUInt32BE(BatchLayout.crc)).toBe(recordBatchCrc(view!.bytes));
  return view!;
}

const keyIsNot =
  (...keys: string[]) =>
  (record: { key: Buffer | null }) =>
    !keys.includes(record.key!.toString());

describe('filterBatch', () => {
  it('keeps offsets, timestamps, headers and producer fields of the retained records', () => {
    const view = rewritten(
      filterBatch(storedBatch(Compression.none, AttributeBits.transactional), keyIsNot('b', 'd'), {}),
    );
    expect(view.baseOffset).toBe(100n);
    expect(view.lastOffsetDelta).toBe(3); // the dropped last record's offset still ends the batch
    expect(view.recordsCount).toBe(2);
    expect(view.producerId).toBe(7n);
    expect(view.producerEpoch).toBe(3);
    expect(view.baseSequence).toBe(20);
    expect(view.partitionLeaderEpoch).toBe(5);
    expect(view.isTransactional).toBe(true);
    expect(view.isControl).toBe(false);
    expect(view.compression).toBe(Compression.none);
    expect(view.hasDeleteHorizon).toBe(false);
    expect(view.baseTimestamp).toBe(990n); // the original base, kept
    expect(view.maxTimestamp).toBe(1000n); // the largest retained timestamp, not 1010
    expect(readRecords(view)).toEqual([
      {
        offset: 100n,
        timestamp: 1000n,
        key: Buffer.from('a'),
        value: Buffer.from('1'),
        headers: [{ key: 'h', value: Buffer.from('x') }],
      },
      {
        offset: 102n,
        timestamp: 990n,
        key: Buffer.from('c'),
        value: null,
        headers: [{ key: 'n', value: null }],
      },
    ]);
  });

  it('calls retain once per record, in offset order', () => {
    const seen: bigint[] = [];
    filterBatch(storedBatch(), (record) => seen.push(record.offset) > 0, {});
    expect(seen).toEqual([100n, 101n, 102n, 103n]);
  });

  it('leaves a batch unchanged when every record stays and no horizon is due', () => {
    expect(filterBatch(storedBatch(), () => true, {})).toEqual({ kind: 'unchanged' });
    expect(filterBatch(storedBatch(), () => true, { retainEmpty: true })).toEqual({ kind: 'unchanged' });
  });

  it('removes a batch none of whose records stay', () => {
    expect(filterBatch(storedBatch(), () => false, {})).toEqual({ kind: 'removed' });
    expect(filterBatch(storedBatch(), () => false, { retainEmpty: false })).toEqual({ kind: 'removed' });
  });

  it('keeps an empty batch spanning the same offsets when asked to', () => {
    const original = storedBatch(Compression.gzip, AttributeBits.transactional | AttributeBits.control);
    const view = rewritten(
      filterBatch(original, () => false, { retainEmpty: true, setDeleteHorizonMs: 5000n }),
    );
    expect(view.bytes.length).toBe(BatchLayout.records);
    expect(view.recordsCount).toBe(0);
    expect(view.baseOffset).toBe(100n);
    expect(view.lastOffsetDelta).toBe(3);
    expect(view.lastOffset).toBe(103n);
    expect(view.compression).toBe(Compression.none);
    expect(view.isTransactional).toBe(true);
    expect(view.isControl).toBe(true);
    expect(view.hasDeleteHorizon).toBe(false);
    expect(view.baseTimestamp).toBe(990n);
    expect(view.maxTimestamp).toBe(1010n);
    expect([view.producerId, view.producerEpoch, view.baseSequence, view.partitionLeaderEpoch]).toEqual([
      7n,
      3,
      20,
      5,
    ]);
    expect(readRecords(view)).toEqual([]);
  });

  it('sets a delete horizon, re-basing deltas so timestamps read back unchanged', () => {
    // The horizon is later than every record: each delta becomes negative.
    const view = rewritten(filterBatch(storedBatch(), () => true, { setDeleteHorizonMs: 86_400_000n }));
    expect(view.hasDeleteHorizon).toBe(true);
    expect(view.deleteHorizonMs).toBe(86_400_000n);
    expect(view.baseTimestamp).toBe(86_400_000n);
    expect(view.maxTimestamp).toBe(1010n);
    expect(view.recordsCount).toBe(4);
    expect(readRecords(view).map((r) => [r.offset, r.timestamp])).toEqual([
      [100n, 1000n],
      [101n, 1010n],
      [102n, 990n],
      [103n, 1005n],
    ]);
  });

  it('keeps a delete horizon already set, whatever horizon is offered', () => {
    const first = rewritten(filterBatch(storedBatch(), keyIsNot('a'), { setDeleteHorizonMs: 5000n }));
    expect(filterBatch(first, () => true, { setDeleteHorizonMs: 9000n })).toEqual({ kind: 'unchanged' });
    const second = rewritten(filterBatch(first, keyIsNot('c'), { setDeleteHorizonMs: 9000n }));
    expect(second.deleteHorizonMs).toBe(5000n);
    const emptied = rewritten(filterBatch(first, () => false, { retainEmpty: true }));
    expect(emptied.deleteHorizonMs).toBe(5000n); // its baseTimestamp is still the horizon
    expect(second.maxTimestamp).toBe(1010n);
    expect(readRecords(second).map((r) => [r.offset, r.timestamp])).toEqual([
      [101n, 1010n],
      [103n, 1005n],
    ]);
  });

  it('stamps a horizon only on a batch that keeps a tombstone (c is the tombstone)', () => {
    expect(filterBatch(storedBatch(), keyIsNot('a'), { setDeleteHorizonMs: 5000n })).toMatchObject({
      kind: 'rewritten',
    });
    const withoutTombstone = rewritten(
      filterBatch(storedBatch(), keyIsNot('c'), { setDeleteHorizonMs: 5000n }),
    );
    expect(withoutTombstone.hasDeleteHorizon).toBe(false);
    expect(withoutTombstone.baseTimestamp).toBe(storedBatch().baseTimestamp);
  });

  it('has no delete horizon on a batch the cleaner never stamped', () => {
    expect(storedBatch().hasDeleteHorizon).toBe(false);
    expect(storedBatch().deleteHorizonMs).toBeUndefined();
  });

  it('keeps LogAppendTime batches reading the broker timestamp', () => {
    const original = storedBatch();
    original.setLogAppendTime(7777n);
    const view = rewritten(filterBatch(original, keyIsNot('a'), { setDeleteHorizonMs: 5000n }));
    expect(view.isLogAppendTime).toBe(true);
    expect(view.maxTimestamp).toBe(7777n);
    expect(view.deleteHorizonMs).toBe(5000n);
    expect(readRecords(view).map((r) => r.timestamp)).toEqual([7777n, 7777n, 7777n]);
  });

  it.each([
    ['gzip', Compression.gzip, [0x1f, 0x8b]],
    ['snappy', Compression.snappy, [0x82, 0x53]],
    ['lz4', Compression.lz4, [0x04, 0x22]],
    ['zstd', Compression.zstd, [0x28, 0xb5]],
  ])('rewrites a %s batch with the same codec', (_, codec, magic) => {
    const view = rewritten(filterBatch(storedBatch(codec), keyIsNot('b'), { setDeleteHorizonMs: 2000n }));
    expect(view.compression).toBe(codec);
    expect([...view.bytes.subarray(BatchLayout.records, BatchLayout.records + 2)]).toEqual(magic);
    expect(view.deleteHorizonMs).toBe(2000n);
    expect(
      readRecords(view).map((r) => [r.offset, r.key?.toString(), r.value?.toString(), r.timestamp]),
    ).toEqual([
      [100n, 'a', '1', 1000n],
      [102n, 'c', undefined, 990n],
      [103n, 'd', '4', 1005n],
    ]);
  });
});
