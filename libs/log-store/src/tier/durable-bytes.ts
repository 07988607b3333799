import { randomBytes } from 'node:crypto';
import { copyFile, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { syncDirectory } from '../durable-files';
import { PARTIAL_UPLOAD_SUFFIX } from './remote-store';

/**
 * A fresh name beside `path` for a partial write. Short (a long final name stays under the
 * 255-byte limit) and unique, so that concurrent writes of one path do not collide.
 */
export function partialPathFor(path: string): string {
  return join(dirname(path), `.${randomBytes(8).toString('hex')}${PARTIAL_UPLOAD_SUFFIX}`);
}

/** True for the name of a partial write made by writeBytesDurably or copyFileDurably. */
export function isPartialName(name: string): boolean {
  return basename(name).endsWith(PARTIAL_UPLOAD_SUFFIX);
}

/** Writes a file under a temporary name, fsyncs it, renames it to `path` and fsyncs the directory. */
async function replaceDurably(path: string, fill: (partial: string) => Promise<void>): Promise<void> {
  const partial = partialPathFor(path);
  try {
    await fill(partial);
    const handle = await open(partial, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(partial, path);
  } catch (error) {
    await rm(partial, { force: true }).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dirname(path));
}

/** Replaces `path` with `body` atomically and durably (the bytes form of writeFileDurably). */
export async function writeBytesDurably(path: string, body: Uint8Array): Promise<void> {
  await replaceDurably(path, async (partial) => {
    const handle = await open(partial, 'wx');
    try {
      await handle.writeFile(body);
    } finally {
      await handle.close();
    }
  });
}

/**
 * Replaces `path` with a copy of the file `source`, atomically and durably. The kernel copies
 * (copy_file_range or sendfile, or a reflink where the filesystem can), so the file is never
 * held in memory.
 */
export async function copyFileDurably(source: string, path: string): Promise<void> {
  await replaceDurably(path, (partial) => copyFile(source, partial));
}
