import { mkdir, open, readdir, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { syncDirectory } from '../durable-files';
import { copyFileDurably, isPartialName, writeBytesDurably } from './durable-bytes';
import {
  type ByteRange,
  checkKey,
  checkPrefix,
  checkRange,
  compareKeys,
  notFound,
  type RemoteStore,
  RemoteStoreError,
  rangeBeyondEnd,
} from './remote-store';

/** Errors of a local filesystem that may pass (a full disk, a busy NFS server, too many open files). */
const RETRIABLE_FS_CODES = new Set([
  'EAGAIN',
  'EBUSY',
  'EINTR',
  'EIO',
  'EMFILE',
  'ENFILE',
  'ENOSPC',
  'EDQUOT',
  'ETIMEDOUT',
  'ESTALE',
]);

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * A RemoteStore over a local (or mounted) directory: an object is a file at its key's path.
 * Writes go to a temporary file that is fsynced, then renamed into place, and the directory
 * is fsynced, so an object is either absent or complete after a crash. Partial writes left by
 * a crash keep a reserved suffix and are never listed. Unlike S3, a key cannot be both an
 * object and a directory of others ('a' and 'a/b').
 */
export class FolderRemoteStore implements RemoteStore {
  readonly description: string;
  private closed = false;

  private constructor(readonly dir: string) {
    this.description = `folder ${dir}`;
  }

  /** Opens a store over `dir`, creating the directory when it is missing. */
  static async open(dir: string): Promise<FolderRemoteStore> {
    const root = resolve(dir);
    try {
      const created = await mkdir(root, { recursive: true });
      if (created !== undefined) await syncCreatedDirectories(root, created);
    } catch (error) {
      throw fsError(`cannot create ${root}`, error);
    }
    return new FolderRemoteStore(root);
  }

  async put(key: string, body: Buffer): Promise<void> {
    this.checkOpen();
    checkKey(key);
    await this.write(key, (path) => writeBytesDurably(path, body));
  }

  async putFile(key: string, path: string): Promise<void> {
    this.checkOpen();
    checkKey(key);
    // A missing or unreadable source is the caller's problem: it fails with the plain fs error.
    const source = await stat(path);
    if (!source.isFile()) throw new Error(`${path} is not a file`);
    await this.write(key, (target) => copyFileDurably(path, target));
  }

  async get(key: string, range?: ByteRange): Promise<Buffer> {
    this.checkOpen();
    checkKey(key);
    if (range !== undefined) checkRange(key, range);
    const path = this.pathOf(key);
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if (isAbsence(error)) throw notFound(key, this.description, error);
      throw fsError(`cannot open ${key} in ${this.description}`, error, key);
    }
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) throw notFound(key, this.description);
      const start = range?.start ?? 0;
      const end = range?.end ?? stats.size;
      if (end > stats.size) throw rangeBeyondEnd(key, { start, end }, stats.size);
      const buffer = Buffer.alloc(end - start);
      let filled = 0;
      while (filled < buffer.length) {
        const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, start + filled);
        if (bytesRead === 0) throw rangeBeyondEnd(key, { start, end }, start + filled);
        filled += bytesRead;
      }
      return buffer;
    } catch (error) {
      if (error instanceof RemoteStoreError) throw error;
      throw fsError(`cannot read ${key} in ${this.description}`, error, key);
    } finally {
      await handle.close();
    }
  }

  async size(key: string): Promise<number | undefined> {
    this.checkOpen();
    checkKey(key);
    try {
      const stats = await stat(this.pathOf(key));
      return stats.isFile() ? stats.size : undefined;
    } catch (error) {
      if (isAbsence(error)) return undefined;
      throw fsError(`cannot stat ${key} in ${this.description}`, error, key);
    }
  }

  async list(prefix: string): Promise<string[]> {
    this.checkOpen();
    checkPrefix(prefix);
    const keys: string[] = [];
    // Walk only the deepest directory that holds everything under the prefix.
    const base = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    const walk = async (relativeDir: string): Promise<void> => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await readdir(join(this.dir, relativeDir), { withFileTypes: true });
      } catch (error) {
        if (isAbsence(error)) return;
        throw fsError(`cannot list ${relativeDir || '.'} in ${this.description}`, error);
      }
      for (const entry of entries) {
        const relative = `${relativeDir}${entry.name}`;
        if (entry.isDirectory()) {
          const asDir = `${relative}/`;
          if (asDir.startsWith(prefix) || prefix.startsWith(asDir)) await walk(asDir);
        } else if (entry.isFile() && !isPartialName(entry.name) && relative.startsWith(prefix)) {
          keys.push(relative);
        }
      }
    };
    await walk(base);
    return keys.sort(compareKeys);
  }

  async delete(keys: readonly string[]): Promise<void> {
    this.checkOpen();
    for (const key of keys) checkKey(key);
    const touched = new Set<string>();
    for (const key of keys) {
      const path = this.pathOf(key);
      try {
        await unlink(path);
        touched.add(dirname(path));
      } catch (error) {
        // EISDIR/EPERM: the key names a directory of other objects, not an object.
        if (isAbsence(error) || errorCode(error) === 'EISDIR') continue;
        if (errorCode(error) === 'EPERM' && (await stat(path).catch(() => undefined))?.isDirectory())
          continue;
        throw fsError(`cannot delete ${key} in ${this.description}`, error, key);
      }
    }
    try {
      for (const dir of touched) await syncDirectory(dir);
      await this.pruneEmptyDirectories(touched);
    } catch (error) {
      throw fsError(`cannot sync deletions in ${this.description}`, error);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private checkOpen(): void {
    if (this.closed) throw new RemoteStoreError(`${this.description} is closed`, { retriable: false });
  }

  private pathOf(key: string): string {
    return join(this.dir, ...key.split('/'));
  }

  /** Creates the key's directories (durably), then writes; retried when a concurrent delete pruned them. */
  private async write(key: string, writeTo: (path: string) => Promise<void>): Promise<void> {
    const path = this.pathOf(key);
    const parent = dirname(path);
    for (let attempt = 1; ; attempt++) {
      try {
        const created = await mkdir(parent, { recursive: true });
        if (created !== undefined) await syncCreatedDirectories(parent, created);
        await writeTo(path);
        return;
      } catch (error) {
        if (errorCode(error) === 'ENOENT' && attempt < 3) continue;
        throw fsError(`cannot write ${key} in ${this.description}`, error, key);
      }
    }
  }

  /** Removes directories left empty by deletions, up to (not including) the store's root. */
  private async pruneEmptyDirectories(dirs: Iterable<string>): Promise<void> {
    for (const start of dirs) {
      for (let dir = start; dir !== this.dir && dir.startsWith(this.dir + sep); dir = dirname(dir)) {
        try {
          await rmdir(dir);
        } catch {
          break; // not empty (or already gone): its ancestors are not empty either
        }
        await syncDirectory(dirname(dir));
      }
    }
  }
}

/** After `mkdir(dir, { recursive: true })` created `firstCreated`..`dir`, fsyncs each new entry's parent. */
async function syncCreatedDirectories(dir: string, firstCreated: string): Promise<void> {
  const stop = dirname(firstCreated);
  for (let created = dir; ; created = dirname(created)) {
    await syncDirectory(dirname(created));
    if (dirname(created) === stop || created === dirname(created)) return;
  }
}

function isAbsence(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function fsError(message: string, error: unknown, key?: string): RemoteStoreError {
  if (error instanceof RemoteStoreError) return error;
  const code = errorCode(error);
  const detail = error instanceof Error ? error.message : String(error);
  return new RemoteStoreError(`${message}: ${detail}`, {
    retriable: code !== undefined && RETRIABLE_FS_CODES.has(code),
    cause: error,
    ...(key === undefined ? {} : { key }),
  });
}
