/**
 * Where closed log segments are offloaded: a filesystem folder or an S3 bucket. Keys are
 * '/'-separated relative paths (`topic-0/00000000000000000000.log`).
 */
export interface RemoteStore {
  /** For logs and errors: `folder /data/tier` or `s3://bucket/prefix/`. */
  readonly description: string;
  /** Stores `body` under `key`, replacing any object there. */
  put(key: string, body: Buffer): Promise<void>;
  /** Stores the content of the local file `path` under `key`, streamed (never read whole into memory). */
  putFile(key: string, path: string): Promise<void>;
  /**
   * The object's bytes, or only those of `range` (`end` exclusive). A range reaching past the
   * object's end fails (non-retriable); a missing object fails with `notFound`.
   */
  get(key: string, range?: ByteRange): Promise<Buffer>;
  /** The object's length in bytes, or undefined when there is no such object. */
  size(key: string): Promise<number | undefined>;
  /** Every key beginning with `prefix` (a plain string prefix, as in S3), sorted by UTF-8 bytes. */
  list(prefix: string): Promise<string[]>;
  /** Deletes the objects; keys with no object are fine. */
  delete(keys: readonly string[]): Promise<void>;
  /** Releases connections; the store must not be used afterwards. */
  close(): Promise<void>;
}

/** Bytes [start, end) of an object. */
export interface ByteRange {
  start: number;
  /** Exclusive. */
  end: number;
}

export interface RemoteStoreErrorOptions {
  /** Whether trying the same operation again may succeed (network errors, 5xx, throttling). */
  retriable: boolean;
  /** Set when a `get` found no object under the key. */
  notFound?: boolean;
  key?: string;
  cause?: unknown;
}

/** A remote-store operation failed. */
export class RemoteStoreError extends Error {
  override readonly name = 'RemoteStoreError';
  /** Whether trying the same operation again may succeed (network errors, 5xx, throttling). */
  readonly retriable: boolean;
  /** True when a `get` found no object under the key (never retriable). */
  readonly notFound: boolean;
  readonly key?: string;

  constructor(message: string, options: RemoteStoreErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retriable = options.retriable;
    this.notFound = options.notFound ?? false;
    if (options.key !== undefined) this.key = options.key;
  }
}

/**
 * Names ending with this are a folder store's partial uploads; keys may not use it, so that a
 * listing never shows an upload in progress.
 */
export const PARTIAL_UPLOAD_SUFFIX = '.trunkline-partial';

function invalid(what: string, value: string, why: string): RemoteStoreError {
  return new RemoteStoreError(`invalid ${what} ${JSON.stringify(value)}: ${why}`, {
    retriable: false,
    key: value,
  });
}

function checkSegments(what: string, value: string, segments: readonly string[]): void {
  for (const segment of segments) {
    if (segment === '.' || segment === '..') throw invalid(what, value, `'${segment}' is not allowed`);
    if (segment.endsWith(PARTIAL_UPLOAD_SUFFIX)) {
      throw invalid(what, value, `names ending with ${PARTIAL_UPLOAD_SUFFIX} are reserved`);
    }
  }
}

/**
 * Throws a non-retriable RemoteStoreError unless `key` is a relative '/'-separated path with
 * no empty, '.' or '..' segments.
 */
export function checkKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw invalid('key', String(key), 'empty');
  if (key.includes('\0')) throw invalid('key', key, 'contains NUL');
  if (key.startsWith('/')) throw invalid('key', key, 'starts with /');
  if (key.includes('\\')) throw invalid('key', key, 'contains a backslash');
  const segments = key.split('/');
  if (segments.some((s) => s.length === 0)) throw invalid('key', key, 'has an empty path segment');
  checkSegments('key', key, segments);
}

/** Like checkKey for a listing prefix, which may be empty, end with '/' or stop mid-name. */
export function checkPrefix(prefix: string): void {
  if (typeof prefix !== 'string') throw invalid('prefix', String(prefix), 'not a string');
  if (prefix.length === 0) return;
  if (prefix.includes('\0')) throw invalid('prefix', prefix, 'contains NUL');
  if (prefix.startsWith('/')) throw invalid('prefix', prefix, 'starts with /');
  if (prefix.includes('\\')) throw invalid('prefix', prefix, 'contains a backslash');
  const segments = prefix.split('/');
  if (segments.slice(0, -1).some((s) => s.length === 0)) {
    throw invalid('prefix', prefix, 'has an empty path segment');
  }
  // The last segment may be a partial name ('.' could start '.hidden'), but not '..'.
  checkSegments('prefix', prefix, segments.slice(0, -1));
  if (segments.at(-1) === '..') throw invalid('prefix', prefix, `'..' is not allowed`);
}

/** Throws unless `range` is a valid [start, end) of non-negative safe integers. */
export function checkRange(key: string, range: ByteRange): void {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new RemoteStoreError(`invalid range [${start}, ${end}) for ${key}`, { retriable: false, key });
  }
}

/** The error for a range that reaches past the end of an object of `size` bytes. */
export function rangeBeyondEnd(key: string, range: ByteRange, size: number): RemoteStoreError {
  return new RemoteStoreError(
    `range [${range.start}, ${range.end}) is beyond the end of ${key} (${size} bytes)`,
    { retriable: false, key },
  );
}

/** The error for a `get` of a missing object. */
export function notFound(key: string, description: string, cause?: unknown): RemoteStoreError {
  return new RemoteStoreError(`no object ${key} in ${description}`, {
    retriable: false,
    notFound: true,
    key,
    cause,
  });
}

/** Orders keys as S3 lists them: by their UTF-8 bytes. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
