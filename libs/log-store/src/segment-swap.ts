import { existsSync } from 'node:fs';
import { readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDirectory, writeFileDurably } from './durable-files';
import { segmentPaths } from './segment-files';

/** Suffix of segment files the cleaner writes beside the live ones. */
export const CLEANED_SUFFIX = '.cleaned';
const SWAP_FILE = 'segment-swap.json';

/** Replacing a run of segments: `replaced` go, `cleaned` (written with CLEANED_SUFFIX) take their place. */
export interface SegmentSwap {
  replaced: bigint[];
  cleaned: bigint[];
}

interface SwapFile {
  replaced: string[];
  cleaned: string[];
}

/**
 * Replaces segments atomically across a crash. Writing the swap file is the commit point:
 * before it the old set stands and recovery deletes the `.cleaned` files; after it
 * recovery finishes the swap. Every step of finishing is idempotent.
 */
export async function swapSegmentFiles(dir: string, swap: SegmentSwap): Promise<void> {
  const file: SwapFile = {
    replaced: swap.replaced.map(String),
    cleaned: swap.cleaned.map(String),
  };
  await writeFileDurably(join(dir, SWAP_FILE), `${JSON.stringify(file)}\n`);
  await finishSwap(dir, swap);
}

async function finishSwap(dir: string, swap: SegmentSwap): Promise<void> {
  const kept = new Set(swap.cleaned.map(String));
  for (const base of swap.replaced) {
    if (kept.has(String(base))) continue;
    const paths = segmentPaths(dir, base);
    await Promise.all([paths.log, paths.index, paths.timeIndex].map((p) => rm(p, { force: true })));
  }
  for (const base of swap.cleaned) {
    const from = segmentPaths(dir, base, CLEANED_SUFFIX);
    const to = segmentPaths(dir, base);
    for (const kind of ['log', 'index', 'timeIndex'] as const) {
      if (existsSync(from[kind])) await rename(from[kind], to[kind]);
    }
  }
  await syncDirectory(dir);
  await rm(join(dir, SWAP_FILE), { force: true });
  await syncDirectory(dir);
}

/** At open: finishes a committed swap, or drops the leftovers of one that never committed. */
export async function recoverSegmentSwap(dir: string): Promise<void> {
  const text = await readFile(join(dir, SWAP_FILE), 'utf8').catch(() => undefined);
  if (text !== undefined) {
    const file = JSON.parse(text) as SwapFile;
    await finishSwap(dir, { replaced: file.replaced.map(BigInt), cleaned: file.cleaned.map(BigInt) });
    return;
  }
  const leftovers = (await readdir(dir)).filter((f) => f.endsWith(CLEANED_SUFFIX));
  if (leftovers.length === 0) return;
  await Promise.all(leftovers.map((f) => rm(join(dir, f), { force: true })));
  await syncDirectory(dir);
}
