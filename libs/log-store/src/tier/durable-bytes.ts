import { randomBytes } from 'node:crypto';
import { copyFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { replaceFileDurably, writeFileDurably } from '../durable-files';
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

/** Replaces `path` with `body` atomically and durably, under a partial name no listing shows meanwhile. */
export function writeBytesDurably(path: string, body: Uint8Array): Promise<void> {
  return writeFileDurably(path, body, partialPathFor(path));
}

/**
 * Replaces `path` with a copy of the file `source`, atomically and durably. The kernel copies
 * (copy_file_range or sendfile, or a reflink where the filesystem can), so the file is never
 * held in memory.
 */
export function copyFileDurably(source: string, path: string): Promise<void> {
  return replaceFileDurably(path, (partial) => copyFile(source, partial), partialPathFor(path));
}
