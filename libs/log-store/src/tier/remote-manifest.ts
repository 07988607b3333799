import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurably } from '../durable-files';
import type { RemoteStore } from './remote-store';

const LOCAL_FILE = 'remote-manifest.json';
export const MANIFEST_OBJECT = 'manifest.json';

/** One segment in the tier: its offsets and times, and where its three files are. */
export interface RemoteSegment {
  baseOffset: bigint;
  /** The offset after the segment's last record. */
  nextOffset: bigint;
  size: number;
  maxTimestamp: number;
  firstBatchTimestamp: number;
  largestTimestamp: number;
  /** Object keys of the segment's files, relative to the partition's prefix. */
  log: string;
  index: string;
  timeIndex: string;
}

/** What a partition holds in the tier, oldest segment first. */
export interface RemoteManifest {
  segments: RemoteSegment[];
}

interface ManifestFile {
  version: 1;
  segments: (Omit<RemoteSegment, 'baseOffset' | 'nextOffset'> & { baseOffset: string; nextOffset: string })[];
}

function encode(manifest: RemoteManifest): string {
  const file: ManifestFile = {
    version: 1,
    segments: manifest.segments.map((s) => ({
      ...s,
      baseOffset: String(s.baseOffset),
      nextOffset: String(s.nextOffset),
    })),
  };
  return `${JSON.stringify(file)}\n`;
}

function decode(text: string, where: string): RemoteManifest {
  const file = JSON.parse(text) as ManifestFile;
  if (file.version !== 1)
    throw new Error(`${where}: remote manifest version ${file.version} is not supported`);
  return {
    segments: file.segments.map((s) => ({
      ...s,
      baseOffset: BigInt(s.baseOffset),
      nextOffset: BigInt(s.nextOffset),
    })),
  };
}

/**
 * The durable record of which segments are in the tier, kept twice: beside the partition's
 * segments (read at startup) and as an object in the tier (so a partition whose local copy
 * is lost is rebuilt from it). A segment enters it only after its upload was verified, and
 * a local segment may be deleted only once the manifest holding it is durable in both places.
 */
export class ManifestStore {
  constructor(
    private readonly dir: string,
    private readonly store: RemoteStore,
    private readonly prefix: string,
  ) {}

  /** The local copy, else the tier's (after a local loss), else an empty manifest. */
  async load(): Promise<RemoteManifest> {
    const local = await readFile(join(this.dir, LOCAL_FILE), 'utf8').catch(() => undefined);
    if (local !== undefined) return decode(local, join(this.dir, LOCAL_FILE));
    const key = `${this.prefix}${MANIFEST_OBJECT}`;
    if ((await this.store.size(key)) === undefined) return { segments: [] };
    const manifest = decode((await this.store.get(key)).toString('utf8'), `${this.store.description} ${key}`);
    await writeFileDurably(join(this.dir, LOCAL_FILE), encode(manifest));
    return manifest;
  }

  /** Writes the tier's copy, then the local one. */
  async save(manifest: RemoteManifest): Promise<void> {
    const text = encode(manifest);
    await this.store.put(`${this.prefix}${MANIFEST_OBJECT}`, Buffer.from(text));
    await writeFileDurably(join(this.dir, LOCAL_FILE), text);
  }
}
