import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
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

export interface S3RemoteStoreOptions {
  bucket: string;
  /** For S3-compatible servers (`http://127.0.0.1:19000`); AWS when absent. */
  endpoint?: string;
  region: string;
  /** With secretAccessKey; when both are absent the SDK's default credential chain is used. */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Prepended to every key ('/' is appended when missing) and stripped from listings. */
  prefix?: string;
  /** `bucket` as a path element of the URL rather than a host name; most S3-compatible servers need it. */
  forcePathStyle?: boolean;
  /** MaxKeys of each ListObjectsV2 page (S3's default and maximum: 1000). For tests of pagination. */
  listPageSize?: number;
}

/** DeleteObjects takes at most this many keys. */
const DELETE_BATCH = 1000;
/** Concurrent DeleteObject calls when a server lacks DeleteObjects. */
const SINGLE_DELETE_CONCURRENCY = 16;

/** Error names (S3 codes) of throttling and passing server trouble. */
const RETRIABLE_NAMES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'BandwidthLimitExceeded',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'ServiceUnavailable',
  'TimeoutError',
]);

/** Node network error codes: the request may not have reached S3, or its answer was lost. */
const RETRIABLE_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

const NETWORK_CODE_IN_MESSAGE = new RegExp(`\\b(${[...RETRIABLE_NETWORK_CODES].join('|')})\\b`);

/** Errors by which a server says it has no DeleteObjects (or cannot take the SDK's form of it). */
const NO_MULTI_DELETE_NAMES = new Set(['NotImplemented', 'MissingContentMD5', 'MethodNotAllowed']);

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

function statusOf(error: unknown): number | undefined {
  const status = (error as SdkErrorShape | null)?.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

function nameOf(error: unknown): string | undefined {
  const name = (error as SdkErrorShape | null)?.name;
  return typeof name === 'string' ? name : undefined;
}

/** Whether an error of @aws-sdk/client-s3 (or of the network under it) may pass on a retry. */
export function isRetriableS3Error(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  const shape = error as SdkErrorShape;
  if (shape.$retryable !== undefined && shape.$retryable !== null) return true;
  const status = statusOf(error);
  if (status !== undefined && (status >= 500 || status === 429 || status === 408)) return true;
  const name = nameOf(error);
  if (name !== undefined && RETRIABLE_NAMES.has(name)) return true;
  for (let cause: unknown = error; cause !== null && typeof cause === 'object'; ) {
    const { code, message } = cause as SdkErrorShape;
    if (typeof code === 'string' && RETRIABLE_NETWORK_CODES.has(code)) return true;
    // The SDK's retry middleware rewraps errors that fail `instanceof Error` (as Node's own
    // errors do inside a jest sandbox) into an Error keeping only the message.
    if (typeof message === 'string' && NETWORK_CODE_IN_MESSAGE.test(message)) return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * A RemoteStore over an S3 bucket (AWS, or an S3-compatible server with `endpoint`).
 * Objects are written with one PutObject each (S3 takes up to 5 GiB so), files streamed.
 */
export class S3RemoteStore implements RemoteStore {
  readonly description: string;
  readonly bucket: string;
  /** '' or ending with '/'. */
  readonly prefix: string;
  private readonly client: S3Client;
  private readonly listPageSize: number | undefined;
  /** Set once the server refused DeleteObjects: from then on keys are deleted one by one. */
  private multiDeleteUnsupported = false;
  /** Set once a HeadBucket found the bucket (to tell a missing object from a missing bucket). */
  private bucketConfirmed = false;
  private closed = false;

  constructor(options: S3RemoteStoreOptions) {
    if (!options.bucket)
      throw new RemoteStoreError('an S3 remote store needs a bucket', { retriable: false });
    if ((options.accessKeyId === undefined) !== (options.secretAccessKey === undefined)) {
      throw new RemoteStoreError('accessKeyId and secretAccessKey go together', { retriable: false });
    }
    let prefix = options.prefix ?? '';
    if (prefix !== '' && !prefix.endsWith('/')) prefix += '/';
    if (prefix !== '') checkKey(prefix.slice(0, -1));
    const pageSize = options.listPageSize;
    if (pageSize !== undefined && (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000)) {
      throw new RemoteStoreError(`listPageSize must be 1..1000, not ${pageSize}`, { retriable: false });
    }
    this.bucket = options.bucket;
    this.prefix = prefix;
    this.listPageSize = pageSize;
    this.description = `s3://${options.bucket}/${prefix}${options.endpoint ? ` at ${options.endpoint}` : ''}`;
    const config: S3ClientConfig = {
      region: options.region,
      forcePathStyle: options.forcePathStyle ?? false,
      // Bounds a dead connection; a slow but moving transfer is fine.
      requestHandler: { connectionTimeout: 10_000, socketTimeout: 60_000 },
    };
    if (options.endpoint !== undefined) config.endpoint = options.endpoint;
    if (options.accessKeyId !== undefined && options.secretAccessKey !== undefined) {
      config.credentials = { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey };
    }
    this.client = new S3Client(config);
  }

  async put(key: string, body: Buffer): Promise<void> {
    const Key = this.objectKey(key);
    await this.send(key, 'put', () =>
      this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key, Body: body, ContentLength: body.length }),
      ),
    );
  }

  async putFile(key: string, path: string): Promise<void> {
    const Key = this.objectKey(key);
    // A missing or unreadable source is the caller's problem: it fails with the plain fs error.
    const source = await stat(path);
    if (!source.isFile()) throw new Error(`${path} is not a file`);
    const body = createReadStream(path);
    try {
      await this.send(key, 'put', () =>
        this.client.send(
          new PutObjectCommand({ Bucket: this.bucket, Key, Body: body, ContentLength: source.size }),
        ),
      );
    } finally {
      body.destroy();
    }
  }

  async get(key: string, range?: ByteRange): Promise<Buffer> {
    const Key = this.objectKey(key);
    if (range !== undefined) {
      checkRange(key, range);
      if (range.start === range.end) {
        // HTTP cannot ask for no bytes; check the object and the range instead.
        const size = await this.size(key);
        if (size === undefined) throw notFound(key, this.description);
        if (range.start > size) throw rangeBeyondEnd(key, range, size);
        return Buffer.alloc(0);
      }
    }
    const Range = range === undefined ? undefined : `bytes=${range.start}-${range.end - 1}`;
    return await this.send(key, 'get', async () => {
      let response: GetObjectCommandOutput;
      try {
        response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key, Range }));
      } catch (error) {
        const status = statusOf(error);
        if (status === 404 && nameOf(error) !== 'NoSuchBucket') throw notFound(key, this.description, error);
        if (status === 416 && range !== undefined) {
          const size = await this.size(key);
          if (size === undefined) throw notFound(key, this.description, error);
          throw rangeBeyondEnd(key, range, size);
        }
        throw error;
      }
      const bytes =
        response.Body === undefined ? new Uint8Array(0) : await response.Body.transformToByteArray();
      const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      if (range !== undefined && buffer.length !== range.end - range.start) {
        const total = Number(
          /\/(\d+)$/.exec(response.ContentRange ?? '')?.[1] ?? range.start + buffer.length,
        );
        throw rangeBeyondEnd(key, range, total);
      }
      return buffer;
    });
  }

  async size(key: string): Promise<number | undefined> {
    const Key = this.objectKey(key);
    return await this.send(key, 'size', async () => {
      try {
        const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }));
        return head.ContentLength ?? 0;
      } catch (error) {
        if (statusOf(error) !== 404 || nameOf(error) === 'NoSuchBucket') throw error;
        // HeadObject has no body, so a missing bucket is a bare 404 too: check the bucket once.
        await this.confirmBucket();
        return undefined;
      }
    });
  }

  async list(prefix: string): Promise<string[]> {
    this.checkOpen();
    checkPrefix(prefix);
    const keys: string[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await this.send(undefined, 'list', () =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: this.prefix + prefix,
            ContinuationToken,
            MaxKeys: this.listPageSize,
          }),
        ),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key?.startsWith(this.prefix)) keys.push(object.Key.slice(this.prefix.length));
      }
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      if (page.IsTruncated && ContinuationToken === undefined) {
        throw new RemoteStoreError(`${this.description}: a truncated listing without a continuation token`, {
          retriable: false,
        });
      }
    } while (ContinuationToken !== undefined);
    return keys.sort(compareKeys);
  }

  async delete(keys: readonly string[]): Promise<void> {
    this.checkOpen();
    const objectKeys = keys.map((key) => this.objectKey(key));
    for (let from = 0; from < objectKeys.length; from += DELETE_BATCH) {
      const batch = objectKeys.slice(from, from + DELETE_BATCH);
      if (!this.multiDeleteUnsupported) {
        try {
          await this.deleteBatch(batch);
          continue;
        } catch (error) {
          if (!(error instanceof RemoteStoreError) || !isNoMultiDelete(error.cause)) throw error;
          this.multiDeleteUnsupported = true;
        }
      }
      for (let i = 0; i < batch.length; i += SINGLE_DELETE_CONCURRENCY) {
        await Promise.all(batch.slice(i, i + SINGLE_DELETE_CONCURRENCY).map((Key) => this.deleteOne(Key)));
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.client.destroy();
  }

  private async deleteBatch(objectKeys: readonly string[]): Promise<void> {
    const result = await this.send(undefined, 'delete', () =>
      this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: objectKeys.map((Key) => ({ Key })), Quiet: true },
        }),
      ),
    );
    const failures = (result.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
    const first = failures[0];
    if (first === undefined) return;
    const key = first.Key?.startsWith(this.prefix) ? first.Key.slice(this.prefix.length) : first.Key;
    throw new RemoteStoreError(
      `cannot delete ${failures.length} of ${objectKeys.length} objects from ${this.description}, ` +
        `${key}: ${first.Code} ${first.Message ?? ''}`.trimEnd(),
      {
        retriable: failures.every((e) => e.Code !== undefined && RETRIABLE_NAMES.has(e.Code)),
        ...(key === undefined ? {} : { key }),
      },
    );
  }

  private async deleteOne(objectKey: string): Promise<void> {
    const key = objectKey.slice(this.prefix.length);
    await this.send(key, 'delete', async () => {
      try {
        await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: objectKey }));
      } catch (error) {
        if (nameOf(error) === 'NoSuchKey') return;
        throw error;
      }
    });
  }

  /** Throws a NoSuchBucket error unless the bucket exists (asked once, then remembered). */
  private async confirmBucket(): Promise<void> {
    if (this.bucketConfirmed) return;
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket })).catch((error: unknown) => {
      if (statusOf(error) === 404) {
        const noSuchBucket = new Error(`the bucket ${this.bucket} does not exist`);
        noSuchBucket.name = 'NoSuchBucket';
        Object.assign(noSuchBucket, { $metadata: { httpStatusCode: 404 }, cause: error });
        throw noSuchBucket;
      }
      throw error;
    });
    this.bucketConfirmed = true;
  }

  private checkOpen(): void {
    if (this.closed) throw new RemoteStoreError(`${this.description} is closed`, { retriable: false });
  }

  private objectKey(key: string): string {
    this.checkOpen();
    checkKey(key);
    return this.prefix + key;
  }

  /** Runs one SDK call, turning its failures into RemoteStoreErrors. */
  private async send<T>(key: string | undefined, action: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof RemoteStoreError) throw error;
      const name = nameOf(error);
      const status = statusOf(error);
      const message = error instanceof Error ? error.message : String(error);
      const what = key === undefined ? this.description : `${key} in ${this.description}`;
      throw new RemoteStoreError(
        `cannot ${action} ${what}: ${name ?? 'Error'}${status === undefined ? '' : ` (HTTP ${status})`}: ${message}`,
        { retriable: isRetriableS3Error(error), cause: error, ...(key === undefined ? {} : { key }) },
      );
    }
  }
}

function isNoMultiDelete(error: unknown): boolean {
  const name = nameOf(error);
  const status = statusOf(error);
  return (name !== undefined && NO_MULTI_DELETE_NAMES.has(name)) || status === 501 || status === 405;
}
