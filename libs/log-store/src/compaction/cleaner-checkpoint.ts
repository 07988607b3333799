import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurably } from '../durable-files';

const FILE = 'cleaner-checkpoint.json';

/** Where a partition's cleaning stands, kept durably beside its segments. */
export interface CleanerCheckpoint {
  /** Records from here on have not been deduplicated yet (Kafka's first dirty offset). */
  firstDirtyOffset: bigint;
  /** The earliest delete horizon of a tombstone kept by the last pass: cleaning again after it removes the tombstone. */
  deleteHorizonMs?: number;
}

export async function readCleanerCheckpoint(dir: string): Promise<CleanerCheckpoint | undefined> {
  const text = await readFile(join(dir, FILE), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const parsed = JSON.parse(text) as { firstDirtyOffset: string; deleteHorizonMs?: number };
  return {
    firstDirtyOffset: BigInt(parsed.firstDirtyOffset),
    ...(parsed.deleteHorizonMs === undefined ? {} : { deleteHorizonMs: parsed.deleteHorizonMs }),
  };
}

export async function writeCleanerCheckpoint(dir: string, checkpoint: CleanerCheckpoint): Promise<void> {
  const file = {
    firstDirtyOffset: String(checkpoint.firstDirtyOffset),
    ...(checkpoint.deleteHorizonMs === undefined ? {} : { deleteHorizonMs: checkpoint.deleteHorizonMs }),
  };
  await writeFileDurably(join(dir, FILE), `${JSON.stringify(file)}\n`);
}
