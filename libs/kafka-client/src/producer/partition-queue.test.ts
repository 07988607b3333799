import { readRecords, validateRecordBatches } from '@trunkline/kafka-protocol';
import { PartitionQueue } from './partition-queue';
import { stampRecordBatch } from './record-batch-writer';

const record = (n: number, bytes = 10) => ({ key: Buffer.from(`k${n}`), value: Buffer.alloc(bytes, n) });

/** The next `count` batches, as the producer takes them (each counted as sent). */
function take(queue: PartitionQueue, count: number) {
  return Array.from({ length: count }, () => {
    const batch = queue.nextToSend(true)!;
    queue.sent++;
    return batch;
  });
}

function valuesOf(bytes: Buffer): number[] {
  stampRecordBatch(bytes, { producerId: 1n, producerEpoch: 0, baseSequence: 0 });
  return readRecords(validateRecordBatches(bytes)[0]!).map((r) => r.value![0]!);
}

describe('PartitionQueue', () => {
  it('closes the open batch for a send only when allowed, or when it is full', () => {
    // Each record takes 19 bytes, a batch 61 more: 4 records fit in 150.
    const queue = new PartitionQueue('t', 0, 150);
    for (let n = 0; n < 3; n++) queue.append(record(n), () => {});
    expect(queue.nextToSend(false)).toBeUndefined();
    const first = queue.nextToSend(true)!;
    expect(valuesOf(first.bytes)).toEqual([0, 1, 2]);
    queue.sent++;
    // A full batch is closed on its own, and goes out even behind one in flight.
    for (let n = 3; n < 10; n++) queue.append(record(n), () => {});
    const full = queue.nextToSend(false)!;
    expect(valuesOf(full.bytes)).toEqual([3, 4, 5, 6]);
    expect(full.baseSequence).toBe(3);
    queue.sent++;
    expect(queue.nextToSend(false)).toBeUndefined();
    expect(queue.nextToSend(true)!.baseSequence).toBe(7);
  });

  it('acknowledges in order: a batch answered early waits for those before it', () => {
    const queue = new PartitionQueue('t', 0, 30);
    const acked: number[] = [];
    for (let n = 0; n < 3; n++) queue.append(record(n, 5), () => acked.push(n));
    const batches = take(queue, 3);
    expect(batches.map((b) => b.baseSequence)).toEqual([0, 1, 2]);
    expect(queue.acknowledge(batches[1]!)).toBe(0);
    expect(acked).toEqual([]);
    expect(queue.acknowledge(batches[0]!)).toBe(2);
    expect(acked).toEqual([0, 1]);
    expect(queue.acknowledge(batches[2]!)).toBe(1);
    expect(acked).toEqual([0, 1, 2]);
    expect(queue.hasUnsent).toBe(false);
  });

  it('sends again from the first unacknowledged batch after a failure, skipping those acknowledged', () => {
    const queue = new PartitionQueue('t', 0, 30);
    for (let n = 0; n < 3; n++) queue.append(record(n, 5), () => {});
    const batches = take(queue, 3);
    queue.acknowledge(batches[1]!); // answered, but behind batch 0, which failed
    queue.rewind();
    expect(queue.nextToSend(true)).toBe(batches[0]);
    queue.sent++;
    expect(queue.nextToSend(true)).toBe(batches[2]);
  });

  it('numbers what is unacknowledged from 0 for a new producer identity', () => {
    const queue = new PartitionQueue('t', 0, 30);
    for (let n = 0; n < 4; n++) queue.append(record(n, 5), () => {});
    const [first, second, third] = take(queue, 3);
    queue.acknowledge(first!);
    expect([second!.baseSequence, third!.baseSequence]).toEqual([1, 2]);
    queue.renumber();
    expect([second!.baseSequence, third!.baseSequence]).toEqual([0, 1]);
    // Everything unacknowledged goes again, then what was never sent, numbered after it.
    expect(take(queue, 3).map((b) => b.baseSequence)).toEqual([0, 1, 2]);
  });
});
