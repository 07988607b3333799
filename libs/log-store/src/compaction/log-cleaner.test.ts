import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildRecordBatch,
  parseStoredBatches,
  readRecords,
  validateRecordBatches,
} from '@trunkline/kafka-protocol';
import { Durability } from '../durability';
import { DEFAULT_LOG_CONFIG, PartitionLog } from '../partition-log';
import { IoThrottle } from './io-throttle';
import { KeyOffsetMap } from './key-offset-map';
import { cleanLog } from './log-cleaner';

const POLICY = {
  deleteRetentionMs: 1000,
  minCompactionLagMs: 0,
  maxCompactionLagMs: Number.MAX_SAFE_INTEGER,
  minCleanableDirtyRatio: 0.01,
};

/** One batch of [key, value] pairs at record time `timestamp`. */
function batch(pairs: [string, string | null][], timestamp: number) {
  return validateRecordBatches(
    buildRecordBatch(
      pairs.map(([key, value]) => ({
        key: Buffer.from(key),
        value: value === null ? null : Buffer.from(value),
        timestamp: BigInt(timestamp),
      })),
    ),
  );
}

async function contents(log: PartitionLog): Promise<[number, string, string | null][]> {
  const out: [number, string, string | null][] = [];
  let offset = log.logStartOffset;
  while (offset < log.highWatermark) {
    const batches = parseStoredBatches(await log.read(offset, 1 << 20));
    if (batches.length === 0) break;
    for (const b of batches) {
      for (const r of readRecords(b))
        if (r.offset >= offset) out.push([Number(r.offset), r.key!.toString(), r.value?.toString() ?? null]);
      offset = b.lastOffset + 1n;
    }
  }
  return out;
}

describe('cleanLog', () => {
  let dir: string;
  let now: number;
  const durability = new Durability('always');
  const open = () => PartitionLog.open(dir, { ...DEFAULT_LOG_CONFIG, segmentMs: 10 }, durability);
  const context = (keyMapBytes = 1 << 16) => ({
    keyMap: new KeyOffsetMap(keyMapBytes),
    throttle: new IoThrottle(0),
    now: () => now,
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'log-cleaner-'));
    now = 1_000_000;
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Five segments (each batch 100 ms of record time after the last); the last one is active. */
  async function compactedLog(): Promise<PartitionLog> {
    const { log } = await open();
    const batches: [string, string | null][][] = [
      [
        ['a', '1'],
        ['b', '1'],
        ['c', '1'],
      ],
      [['a', '2']],
      [['b', null]],
      [
        ['c', '2'],
        ['d', '1'],
      ],
      [['e', '1']],
    ];
    for (const [i, pairs] of batches.entries()) await log.append(batch(pairs, 1000 + i * 100));
    expect(log.segmentCount).toBe(5);
    return log;
  }

  it('keeps the newest record per key at its offset and the tombstone until its horizon', async () => {
    const log = await compactedLog();
    const result = await cleanLog(log, POLICY, context());
    expect(result).toMatchObject({ recordsRemoved: 3, tombstonesRemoved: 0, cleanedUpTo: 7n });
    expect(await contents(log)).toEqual([
      [3, 'a', '2'],
      [4, 'b', null],
      [5, 'c', '2'],
      [6, 'd', '1'],
      [7, 'e', '1'],
    ]);
    // Nothing new is dirty and the horizon is a second away: no pass is due.
    expect(await cleanLog(log, POLICY, context())).toBeUndefined();
    now += 999;
    expect(await cleanLog(log, POLICY, context())).toBeUndefined();
    now += 1;
    expect(await cleanLog(log, POLICY, context())).toMatchObject({
      plan: { reason: 'delete-horizon' },
      tombstonesRemoved: 1,
    });
    expect((await contents(log)).map(([offset]) => offset)).toEqual([3, 5, 6, 7]);
    await log.close();
  });

  it('reopens the cleaned log as it left it', async () => {
    const first = await compactedLog();
    await cleanLog(first, POLICY, context());
    await first.close();
    const { log } = await open();
    expect((await contents(log)).map(([offset, key]) => `${offset}:${key}`)).toEqual([
      '3:a',
      '4:b',
      '5:c',
      '6:d',
      '7:e',
    ]);
    expect(await log.append(batch([['f', '1']], 1500))).toEqual({ baseOffset: 8n, lastOffset: 8n });
    await log.close();
  });

  it('waits for min.cleanable.dirty.ratio and min.compaction.lag.ms', async () => {
    const log = await compactedLog();
    expect(await cleanLog(log, { ...POLICY, minCleanableDirtyRatio: 1 }, context())).toBeUndefined();
    // Records stamped 1000..1300 are younger than a lag reaching back to 1150: only the first two segments qualify.
    now = 1250 + 100;
    const lagged = await cleanLog(log, { ...POLICY, minCompactionLagMs: 250 }, context());
    expect(lagged?.plan.firstUncleanableOffset).toBe(4n);
    expect((await contents(log)).map(([offset]) => offset)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    await log.close();
  });

  it('cleans in several passes when the key map holds fewer keys than the dirty section', async () => {
    const log = await compactedLog();
    // Room for 3 keys: the first pass maps only the first batch.
    const small = context(24 * 4);
    const first = await cleanLog(log, POLICY, small);
    expect(first?.cleanedUpTo).toBe(3n);
    let passes = 1;
    while ((await cleanLog(log, POLICY, small)) !== undefined) passes++;
    expect(passes).toBeGreaterThan(1);
    expect((await contents(log)).map(([offset]) => offset)).toEqual([3, 4, 5, 6, 7]);
    await log.close();
  });

  it('stops a pass when aborted, discarding what it had written', async () => {
    const log = await compactedLog();
    const stop = new AbortController();
    const throttle = new IoThrottle(200);
    const pass = cleanLog(log, POLICY, { ...context(), throttle, signal: stop.signal });
    setTimeout(() => stop.abort(new Error('shutting down')), 20);
    await expect(pass).rejects.toThrow('shutting down');
    expect(readdirSync(dir).filter((f) => f.endsWith('.cleaned'))).toEqual([]);
    expect((await contents(log)).map(([offset]) => offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    await log.close();
  });

  it('after a crash before the swap committed, keeps the old segments and drops the half-written ones', async () => {
    const first = await compactedLog();
    await first.close();
    writeFileSync(join(dir, '00000000000000000000.log.cleaned'), Buffer.alloc(10, 1));
    writeFileSync(join(dir, '00000000000000000000.index.cleaned'), Buffer.alloc(0));
    const { log } = await open();
    expect(readdirSync(dir).filter((f) => f.endsWith('.cleaned'))).toEqual([]);
    expect((await contents(log)).map(([offset]) => offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    await log.close();
  });

  it('after a crash once the swap committed, finishes it: the new set, never a mix', async () => {
    // Build the cleaned result in a copy, then stage it beside the old segments as a crash mid-swap would leave it.
    const first = await compactedLog();
    await first.close();
    const cleanedDir = mkdtempSync(join(tmpdir(), 'log-cleaner-copy-'));
    for (const f of readdirSync(dir)) copyFileSync(join(dir, f), join(cleanedDir, f));
    const copy = (await PartitionLog.open(cleanedDir, { ...DEFAULT_LOG_CONFIG, segmentMs: 10 }, durability))
      .log;
    await cleanLog(copy, POLICY, context());
    await copy.close();
    // The cleaner turned segments 0..3 into one at base 0: stage it as `.cleaned` and commit the swap.
    for (const kind of ['log', 'index', 'timeindex'])
      copyFileSync(
        join(cleanedDir, `00000000000000000000.${kind}`),
        join(dir, `00000000000000000000.${kind}.cleaned`),
      );
    writeFileSync(
      join(dir, 'segment-swap.json'),
      JSON.stringify({ replaced: ['0', '3', '4', '5'], cleaned: ['0'] }),
    );
    rmSync(join(dir, '00000000000000000003.log')); // the crash came after the first deletion
    const { log } = await open();
    expect((await contents(log)).map(([offset]) => offset)).toEqual([3, 4, 5, 6, 7]);
    expect(readdirSync(dir).filter((f) => f.endsWith('.log'))).toEqual([
      '00000000000000000000.log',
      '00000000000000000007.log',
    ]);
    await log.close();
    rmSync(cleanedDir, { recursive: true, force: true });
  });
});
