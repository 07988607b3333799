import {
  appendFileSync,
  closeSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildRecordBatch, readRecords, validateRecordBatches } from '@trunkline/kafka-protocol';
import { Durability } from './durability';
import { OffsetOutOfRangeError } from './errors';
import { DEFAULT_LOG_CONFIG, PartitionLog, type PartitionLogConfig } from './partition-log';

function batch(values: string[], timestamp = 1000n) {
  return validateRecordBatches(
    buildRecordBatch(
      values.map((v, i) => ({
        key: Buffer.from(`k-${v}`),
        value: Buffer.from(v),
        timestamp: timestamp + BigInt(i),
      })),
    ),
  );
}

function values(bytes: Buffer): string[] {
  return validateRecordBatches(bytes).flatMap((b) => readRecords(b).map((r) => r.value!.toString()));
}

describe('PartitionLog', () => {
  let dir: string;
  const durability = new Durability('always');
  const open = (config: Partial<PartitionLogConfig> = {}) =>
    PartitionLog.open(dir, { ...DEFAULT_LOG_CONFIG, ...config }, durability);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'partition-log-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('assigns contiguous offsets and reads whole batches back from any offset', async () => {
    const { log } = await open();
    expect(await log.append(batch(['a', 'b', 'c']))).toEqual({ baseOffset: 0n, lastOffset: 2n });
    expect(await log.append(batch(['d']))).toEqual({ baseOffset: 3n, lastOffset: 3n });
    expect(log.logEndOffset).toBe(4n);
    expect(log.highWatermark).toBe(4n);
    expect(values(await log.read(0n, 1 << 20))).toEqual(['a', 'b', 'c', 'd']);
    // Offset 1 is inside the first batch: the whole batch comes back, as Kafka does.
    expect(values(await log.read(1n, 1 << 20))).toEqual(['a', 'b', 'c', 'd']);
    expect(values(await log.read(3n, 1 << 20))).toEqual(['d']);
    expect((await log.read(4n, 1 << 20)).length).toBe(0);
    await expect(log.read(5n, 1 << 20)).rejects.toBeInstanceOf(OffsetOutOfRangeError);
    await log.close();
  });

  it('returns at least one batch however small maxBytes is, and never half a batch', async () => {
    const { log } = await open();
    await log.append(batch(['first', 'batch']));
    await log.append(batch(['second']));
    expect(values(await log.read(0n, 1))).toEqual(['first', 'batch']);
    const both = (await log.read(0n, 1 << 20)).length;
    expect(values(await log.read(0n, both - 1))).toEqual(['first', 'batch']);
    await log.close();
  });

  it('rolls segments by size, names them by base offset, and reads across them', async () => {
    const { log } = await open({ segmentBytes: 300, indexIntervalBytes: 100 });
    for (let i = 0; i < 20; i++) await log.append(batch([`v${i}`]));
    expect(log.segmentCount).toBeGreaterThan(3);
    const logs = readdirSync(dir).filter((f) => f.endsWith('.log'));
    expect(logs[0]).toBe('00000000000000000000.log');
    const seen: string[] = [];
    let offset = 0n;
    while (offset < log.logEndOffset) {
      const bytes = await log.read(offset, 1 << 20);
      const batches = validateRecordBatches(bytes);
      seen.push(...batches.flatMap((b) => readRecords(b).map((r) => r.value!.toString())));
      offset = batches[batches.length - 1]!.lastOffset + 1n;
    }
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => `v${i}`));
    await log.close();
  });

  it('rolls on record time as Kafka does: once a batch is segment.ms newer than the first batch of the segment', async () => {
    const first = await open({ segmentMs: 20 });
    await first.log.append(batch(['old'], 1000n));
    await first.log.append(batch(['same segment'], 1020n));
    expect(first.log.segmentCount).toBe(1);
    await first.log.append(batch(['new'], 1021n));
    expect(first.log.segmentCount).toBe(2);
    await first.log.close();
    // After a restart the first batch's time is read back from the file.
    const { log } = await open({ segmentMs: 20 });
    await log.append(batch(['still the second'], 1041n));
    await log.append(batch(['third'], 1042n));
    expect(readdirSync(dir).filter((f) => f.endsWith('.log'))).toEqual([
      '00000000000000000000.log',
      '00000000000000000002.log',
      '00000000000000000004.log',
    ]);
    await log.close();
  });

  it('enforces retention by deleting whole old segments and remembers the new log start', async () => {
    const first = await open({ segmentMs: 10 });
    const now = Date.now();
    for (let i = 0; i < 6; i++) await first.log.append(batch([`v${i}`], BigInt(now - (6 - i) * 60_000)));
    expect(first.log.segmentCount).toBe(6);
    // Records of segments 0..2 are more than 3.5 minutes old.
    expect(await first.log.enforceRetention({ retentionMs: 210_000, retentionBytes: -1 }, now)).toEqual({
      count: 3,
      reason: 'retention.ms',
    });
    expect(first.log.logStartOffset).toBe(3n);
    await expect(first.log.read(2n, 100)).rejects.toBeInstanceOf(OffsetOutOfRangeError);
    expect(readdirSync(dir).filter((f) => f.endsWith('.log'))).toHaveLength(3);
    await first.log.close();
    const { log } = await open({ segmentMs: 10 });
    expect(log.logStartOffset).toBe(3n);
    expect(values(await log.read(3n, 1 << 20))[0]).toBe('v3');
    await log.close();
  });

  it('reopens after a clean shutdown with every offset and the same end', async () => {
    const first = await open({ segmentBytes: 300 });
    for (let i = 0; i < 10; i++) await first.log.append(batch([`v${i}`]));
    await first.log.close();
    const { log, recovery } = await open({ segmentBytes: 300 });
    expect(recovery).toMatchObject({ cleanShutdown: true, truncatedBytes: 0, logEndOffset: 10n });
    expect(values(await log.read(9n, 1 << 20))).toEqual(['v9']);
    expect(await log.append(batch(['v10']))).toEqual({ baseOffset: 10n, lastOffset: 10n });
    await log.close();
  });

  it.each([
    ['a torn last batch', (file: string) => truncateSync(file, statSync(file).size - 7)],
    ['garbage after the last batch', (file: string) => appendFileSync(file, Buffer.alloc(100, 0xab))],
    [
      'a flipped byte in the last batch',
      (file: string) => {
        const fd = openSync(file, 'r+');
        writeSync(fd, Buffer.from([0x5a]), 0, 1, statSync(file).size - 3);
        closeSync(fd);
      },
    ],
  ])('recovers from %s after a crash by truncating to the last whole batch', async (_, damage) => {
    const first = await open();
    for (let i = 0; i < 5; i++) await first.log.append(batch([`v${i}`]));
    // No close(): as if the process were killed.
    const file = join(dir, '00000000000000000000.log');
    damage(file);
    const { log, recovery } = await open();
    expect(recovery.cleanShutdown).toBe(false);
    expect(recovery.truncatedBytes).toBeGreaterThan(0);
    expect(recovery.truncatedSegment).toBe(file);
    const expectedEnd = _ === 'garbage after the last batch' ? 5n : 4n;
    expect(log.logEndOffset).toBe(expectedEnd);
    expect(await log.append(batch(['after']))).toEqual({ baseOffset: expectedEnd, lastOffset: expectedEnd });
    expect(values(await log.read(0n, 1 << 20)).slice(-1)).toEqual(['after']);
    await log.close();
  });

  it('rebuilds a missing index', async () => {
    const first = await open({ indexIntervalBytes: 50 });
    for (let i = 0; i < 30; i++) await first.log.append(batch([`v${i}`]));
    await first.log.close();
    rmSync(join(dir, '00000000000000000000.index'));
    writeFileSync(join(dir, '00000000000000000000.timeindex'), Buffer.alloc(5));
    const { log } = await open({ indexIntervalBytes: 50 });
    expect(values(await log.read(17n, 1 << 20))[0]).toBe('v17');
    await log.close();
  });

  it('finds the first batch at or after a timestamp', async () => {
    const { log } = await open({ indexIntervalBytes: 50 });
    for (let i = 0; i < 10; i++) await log.append(batch([`v${i}`], BigInt(1000 + i * 100)));
    expect((await log.findByTimestamp(1450n))?.batch.baseOffset).toBe(5n);
    expect((await log.findByTimestamp(0n))?.batch.baseOffset).toBe(0n);
    expect(await log.findByTimestamp(99999n)).toBeUndefined();
    await log.close();
  });

  it('deletes records before an offset, dropping whole segments, and remembers it', async () => {
    const first = await open({ segmentBytes: 300 });
    for (let i = 0; i < 20; i++) await first.log.append(batch([`v${i}`]));
    const before = first.log.segmentCount;
    expect(await first.log.deleteRecordsBefore(12n)).toBe(12n);
    expect(first.log.segmentCount).toBeLessThan(before);
    await expect(first.log.read(11n, 100)).rejects.toBeInstanceOf(OffsetOutOfRangeError);
    await first.log.close();
    const { log } = await open({ segmentBytes: 300 });
    expect(log.logStartOffset).toBe(12n);
    expect(values(await log.read(12n, 1 << 20))[0]).toBe('v12');
    await log.close();
  });

  it('shares fsyncs between concurrent appends (group commit) and acknowledges each', async () => {
    const { log } = await open();
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => log.append(batch([`c${i}`]))));
    const offsets = results.map((r) => r.baseOffset).sort((a, b) => (a < b ? -1 : 1));
    expect(offsets).toEqual(Array.from({ length: 50 }, (_, i) => BigInt(i)));
    expect(log.highWatermark).toBe(50n);
    await log.close();
  });
});
