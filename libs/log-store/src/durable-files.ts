import { open, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** fsyncs a directory so that files created, renamed or deleted in it survive a crash. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `path` atomically and durably: `fill` writes the `temporary` file, which is then
 * fsynced and renamed over `path`, and the directory fsynced. A failure removes the temporary file.
 */
export async function replaceFileDurably(
  path: string,
  fill: (temporary: string) => Promise<void>,
  temporary = `${path}.tmp`,
): Promise<void> {
  try {
    await fill(temporary);
    const handle = await open(temporary, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dirname(path));
}

/** Replaces a small file with `content` atomically and durably (see replaceFileDurably). */
export function writeFileDurably(
  path: string,
  content: string | Uint8Array,
  temporary?: string,
): Promise<void> {
  return replaceFileDurably(path, (file) => writeFile(file, content), temporary);
}
