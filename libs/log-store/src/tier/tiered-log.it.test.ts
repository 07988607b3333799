import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildRecordBatch,
  parseStoredBatches,
  readRecords,
  validateRecordBatches,
} from '@trunkline/kafka-protocol';
import { describeWithEngine } from '@trunkline/testing';
import { Durability } from '../durability';
import { OffsetOutOfRangeError } from '../errors';
import { DEFAULT_LOG_CONFIG, PartitionLog } from '../partition-log';
import { FolderRemoteStore } from './folder-remote-store';
import { RemoteChunkCache } from './remote-chunk-cache';
import type { RemoteStore } from './remote-store';
import { S3RemoteStore } from './s3-remote-store';

const SEGMENTS = 20;
const durability = new Durability('always');
const config = { ...DEFAULT_LOG_CONFIG, segmentMs: 10, indexIntervalBytes: 256 };
const unlimited = { retentionMs: -1, retentionBytes: -1 };

/** Every batch from `from` to the end, as raw bytes, read the way Fetch reads. */
async function readAll(log: PartitionLog, from: bigint): Promise<Buffer> {
  const parts: Buffer[] = [];
  let offset = from;
  while (offset < log.highWatermark) {
    const bytes = await log.read(offset, 64 * 1024);
    const batches = parseStoredBatches(bytes);
    if (batches.length === 0) break;
    parts.push(bytes);
    offset = batches[batches.length - 1]!.lastOffset + 1n;
  }
  return Buffer.concat(parts);
}

function describeTieredLog(name: string, openStore: () => Promise<RemoteStore>): void {
  describe(`a tiered partition log (${name})`, () => {
    let dir: string;
    let store: RemoteStore;
    let prefix: string;
    const open = () =>
      PartitionLog.open(dir, config, durability, {
        store,
        cache: new RemoteChunkCache(store, { chunkBytes: 4096, maxBytes: 1 << 20, readAhead: 2 }),
        prefix,
      });

    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), 'tiered-log-'));
      store = await openStore();
      prefix = `tiered-log-${randomUUID()}/0/`;
    });

    afterEach(async () => {
      await store.delete(await store.list(prefix));
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    /** SEGMENTS closed segments of 10 batches (5 records each, timestamps 1000 ms apart per segment) plus an active one. */
    async function filledLog(): Promise<{ log: PartitionLog; original: Buffer }> {
      const { log } = await open();
      for (let s = 0; s <= SEGMENTS; s++) {
        for (let b = 0; b < (s === SEGMENTS ? 1 : 10); b++) {
          const records = Array.from({ length: 5 }, (_, r) => ({
            key: Buffer.from(`k${s}-${b}-${r}`),
            value: Buffer.from(`value ${s}/${b}/${r} `.repeat(8)),
            timestamp: BigInt(100_000 + s * 1000 + b),
          }));
          await log.append(validateRecordBatches(buildRecordBatch(records)));
        }
      }
      expect(log.segmentCount).toBe(SEGMENTS + 1);
      return { log, original: await readAll(log, 0n) };
    }

    it('serves from the tier, byte for byte, what local retention deleted', async () => {
      const { log, original } = await filledLog();
      expect(log.storage().uploadLagSegments).toBe(SEGMENTS);
      expect(await log.uploadToTier()).toBe(SEGMENTS);
      expect(log.storage()).toMatchObject({
        uploadLagSegments: 0,
        remoteSegments: SEGMENTS,
        remoteLogStartOffset: 0n,
      });
      // Keep about 10% locally: the first 90% lives only in the tier.
      const keep = Math.ceil(log.sizeBytes * 0.1);
      const plan = await log.enforceRetention(unlimited, Date.now(), {
        retentionMs: -1,
        retentionBytes: keep,
      });
      expect(plan.count).toBe(0);
      expect(plan.local?.count).toBeGreaterThanOrEqual(SEGMENTS * 0.85);
      const storage = log.storage();
      expect(storage.logStartOffset).toBe(0n);
      expect(storage.localLogStartOffset).toBeGreaterThan(0n);
      expect(storage.remoteBytes).toBeGreaterThan(storage.localBytes * 5);
      expect(readdirSync(dir).filter((f) => f.endsWith('.log')).length).toBeLessThanOrEqual(3);
      expect((await readAll(log, 0n)).equals(original)).toBe(true);
      // From inside a remote batch, as a consumer resuming mid-batch would ask.
      const fromMiddle = parseStoredBatches(await log.read(123n, 1))[0]!;
      expect(fromMiddle.baseOffset <= 123n && fromMiddle.lastOffset >= 123n).toBe(true);
      // ListOffsets by time lands in the tier too.
      const found = await log.findByTimestamp(BigInt(100_000 + 3 * 1000 + 4));
      expect(found?.batch.baseOffset).toBe(BigInt((3 * 10 + 4) * 5));
      expect(readRecords(validateRecordBatches(found!.bytes)[0]!)[0]!.key!.toString()).toBe('k3-4-0');
      await log.close();
    });

    it('resumes after a restart, and rebuilds from the tier when the local copy is lost', async () => {
      const { log: first, original } = await filledLog();
      const active = BigInt(SEGMENTS * 50);
      const activeBytes = (await readAll(first, active)).length;
      await first.uploadToTier();
      await first.enforceRetention(unlimited, Date.now(), { retentionMs: -1, retentionBytes: 0 });
      await first.close();
      const reopened = (await open()).log;
      expect(reopened.logStartOffset).toBe(0n);
      expect((await readAll(reopened, 0n)).equals(original)).toBe(true);
      await reopened.close();
      // The whole partition directory is gone: the tier's manifest is all that is left.
      rmSync(dir, { recursive: true, force: true });
      const rebuilt = (await open()).log;
      expect(rebuilt.logStartOffset).toBe(0n);
      expect(rebuilt.logEndOffset).toBe(active);
      // The active segment was never uploaded: everything before it is back.
      expect((await readAll(rebuilt, 0n)).equals(original.subarray(0, original.length - activeBytes))).toBe(
        true,
      );
      expect(
        await rebuilt.append(validateRecordBatches(buildRecordBatch([{ value: Buffer.from('next') }]))),
      ).toEqual({
        baseOffset: active,
        lastOffset: active,
      });
      await rebuilt.close();
    });

    it('applies retention.ms across the tier: remote segments go, the log start moves', async () => {
      const { log } = await filledLog();
      await log.uploadToTier();
      await log.enforceRetention(unlimited, Date.now(), { retentionMs: -1, retentionBytes: 0 });
      const before = (await store.list(prefix)).length;
      // Records of segments 0..4 are older than 100_000 + 5000 - now + retention.
      const now = 100_000 + 5 * 1000 + 500;
      const plan = await log.enforceRetention({ retentionMs: 600, retentionBytes: -1 }, now);
      expect(plan).toMatchObject({ count: 5, reason: 'retention.ms' });
      expect(log.logStartOffset).toBe(250n);
      expect(log.storage().remoteLogStartOffset).toBe(250n);
      expect((await store.list(prefix)).length).toBe(before - 5 * 3);
      await expect(log.read(249n, 100)).rejects.toBeInstanceOf(OffsetOutOfRangeError);
      expect(parseStoredBatches(await log.read(250n, 1))[0]!.baseOffset).toBe(250n);
      await log.close();
    });

    it('deletes its tier objects with the partition', async () => {
      const { log } = await filledLog();
      await log.uploadToTier();
      expect((await store.list(prefix)).length).toBe(SEGMENTS * 3 + 1);
      await log.destroy();
      expect(await store.list(prefix)).toEqual([]);
    });
  });
}

const folders: string[] = [];
afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

describeTieredLog('folder', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tier-folder-'));
  folders.push(dir);
  return FolderRemoteStore.open(dir);
});

describeWithEngine('s3', 'S3 tier', (env) => {
  describeTieredLog(
    'S3',
    async () =>
      new S3RemoteStore({
        bucket: env.S3_BUCKET!,
        endpoint: env.S3_ENDPOINT!,
        region: env.S3_REGION ?? 'us-east-1',
        accessKeyId: env.S3_ACCESS_KEY_ID!,
        secretAccessKey: env.S3_SECRET_ACCESS_KEY!,
        forcePathStyle: true,
      }),
  );
});
