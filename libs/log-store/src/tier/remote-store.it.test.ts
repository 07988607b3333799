import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { describeWithEngine } from '@trunkline/testing';
import { FolderRemoteStore } from './folder-remote-store';
import { openRemoteStore } from './open-remote-store';
import { RemoteStoreError } from './remote-store';
import { describeRemoteStoreContract } from './remote-store-contract';
import { S3RemoteStore, type S3RemoteStoreOptions } from './s3-remote-store';

const temporaryDirs: string[] = [];
afterAll(async () => {
  for (const dir of temporaryDirs) await rm(dir, { recursive: true, force: true });
});

async function temporaryDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'folder-remote-store-'));
  temporaryDirs.push(dir);
  return dir;
}

describeRemoteStoreContract('FolderRemoteStore', async () =>
  FolderRemoteStore.open(join(await temporaryDir(), 'tier')),
);

describe('FolderRemoteStore', () => {
  it('creates its directory, nested, when missing', async () => {
    const dir = join(await temporaryDir(), 'a', 'b', 'tier');
    const store = await openRemoteStore({ kind: 'folder', dir });
    expect((await stat(dir)).isDirectory()).toBe(true);
    expect(store.description).toBe(`folder ${dir}`);
    await store.put('t-0/x', Buffer.from('x'));
    expect((await stat(join(dir, 't-0', 'x'))).size).toBe(1);
    await store.close();
  });

  it('does not list partial uploads, nor refuse names that merely resemble them', async () => {
    const dir = await temporaryDir();
    const store = await FolderRemoteStore.open(dir);
    await store.put('t-0/done.log', Buffer.from('done'));
    await writeFile(join(dir, 't-0', '.0123456789abcdef.trunkline-partial'), 'crashed mid-upload');
    expect(await store.list('')).toEqual(['t-0/done.log']);
    await expect(store.put('t-0/x.trunkline-partial', Buffer.from('x'))).rejects.toBeInstanceOf(
      RemoteStoreError,
    );
    await store.put('t-0/.hidden', Buffer.from('ok'));
    expect(await store.list('t-0/.')).toEqual(['t-0/.hidden']);
    await store.close();
  });

  it('removes directories that deletions leave empty, but not the root', async () => {
    const dir = await temporaryDir();
    const store = await FolderRemoteStore.open(dir);
    await store.put('topic-0/a/00.log', Buffer.from('a'));
    await store.put('topic-1/00.log', Buffer.from('b'));
    await store.delete(['topic-0/a/00.log']);
    expect(await readdir(dir)).toEqual(['topic-1']);
    await store.delete(['topic-1/00.log']);
    expect(await readdir(dir)).toEqual([]);
    await store.close();
  });

  it('refuses use after close', async () => {
    const store = await FolderRemoteStore.open(await temporaryDir());
    await store.close();
    await expect(store.size('x')).rejects.toMatchObject({ retriable: false });
  });
});

describeWithEngine('s3', 'S3RemoteStore on the s3 engine', (env) => {
  const runPrefix = `remote-store-test-${randomBytes(6).toString('hex')}`;
  const options: S3RemoteStoreOptions = {
    bucket: env.S3_BUCKET!,
    endpoint: env.S3_ENDPOINT!,
    region: env.S3_REGION ?? 'us-east-1',
    accessKeyId: env.S3_ACCESS_KEY_ID!,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY!,
    forcePathStyle: true,
  };
  const raw = new S3Client({
    endpoint: options.endpoint!,
    region: options.region,
    forcePathStyle: true,
    credentials: { accessKeyId: options.accessKeyId!, secretAccessKey: options.secretAccessKey! },
  });
  afterAll(() => raw.destroy());

  // Pages of 7 keys, so that the contract's listing of 23 keys needs four ListObjectsV2 calls.
  describeRemoteStoreContract('S3RemoteStore', async () =>
    openRemoteStore({ kind: 's3', ...options, prefix: `${runPrefix}/contract`, listPageSize: 7 }),
  );

  it('keeps its objects under its prefix and strips the prefix from listings', async () => {
    const store = new S3RemoteStore({ ...options, prefix: `${runPrefix}/prefixed/` });
    try {
      expect(store.description).toBe(`s3://${options.bucket}/${runPrefix}/prefixed/ at ${options.endpoint}`);
      await store.put('topic-0/00.log', Buffer.from('hello'));
      const listed = await raw.send(new ListObjectsV2Command({ Bucket: options.bucket, Prefix: runPrefix }));
      expect(listed.Contents?.map((c) => c.Key)).toEqual([`${runPrefix}/prefixed/topic-0/00.log`]);
      expect(await store.list('')).toEqual(['topic-0/00.log']);
      await store.delete(['topic-0/00.log']);
      expect(await store.list('')).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('the gateway honours MaxKeys, so the paged listing really pages', async () => {
    const store = new S3RemoteStore({ ...options, prefix: `${runPrefix}/pages`, listPageSize: 3 });
    try {
      const keys = Array.from({ length: 10 }, (_, i) => `k${i}`);
      await Promise.all(keys.map((key) => store.put(key, Buffer.from(key))));
      const first = await raw.send(
        new ListObjectsV2Command({ Bucket: options.bucket, Prefix: `${runPrefix}/pages/`, MaxKeys: 3 }),
      );
      expect(first.Contents).toHaveLength(3);
      expect(first.IsTruncated).toBe(true);
      expect(await store.list('')).toEqual(keys);
      await store.delete(keys);
      expect(await store.list('')).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('deletes key by key when the server refuses DeleteObjects', async () => {
    const store = new S3RemoteStore({ ...options, prefix: `${runPrefix}/no-multi-delete` });
    const client = (store as unknown as { client: S3Client }).client;
    const commands: string[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        commands.push(context.commandName ?? '');
        if (context.commandName === 'DeleteObjectsCommand') {
          throw Object.assign(
            new Error('A header you provided implies functionality that is not implemented'),
            {
              name: 'NotImplemented',
              $fault: 'server',
              $metadata: { httpStatusCode: 501 },
            },
          );
        }
        return next(args);
      },
      { step: 'initialize', name: 'refuseDeleteObjects' },
    );
    try {
      const keys = ['a', 'b/c', 'd/e/f'];
      for (const key of keys) await store.put(key, Buffer.from(key));
      commands.length = 0;
      await store.delete([...keys, 'absent']);
      expect(await store.list('')).toEqual([]);
      expect(commands.filter((c) => c === 'DeleteObjectsCommand')).toHaveLength(1);
      expect(commands.filter((c) => c === 'DeleteObjectCommand')).toHaveLength(4);
      // Remembered: the next deletion goes key by key straight away.
      await store.put('g', Buffer.from('g'));
      commands.length = 0;
      await store.delete(['g']);
      expect(commands).toEqual(['DeleteObjectCommand']);
      expect(await store.size('g')).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('fails with a non-retriable RemoteStoreError when the secret is wrong', async () => {
    const store = new S3RemoteStore({ ...options, prefix: runPrefix, secretAccessKey: 'not-the-secret' });
    try {
      for (const call of [
        () => store.put('x', Buffer.from('x')),
        () => store.get('x'),
        () => store.size('x'),
        () => store.list(''),
        () => store.delete(['x']),
      ]) {
        const error = await call().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(RemoteStoreError);
        expect(error).toMatchObject({ retriable: false, notFound: false });
      }
    } finally {
      await store.close();
    }
  });

  it('fails with a non-retriable RemoteStoreError for a missing bucket', async () => {
    const store = new S3RemoteStore({
      ...options,
      bucket: `no-such-bucket-${randomBytes(4).toString('hex')}`,
    });
    try {
      await expect(store.put('x', Buffer.from('x'))).rejects.toMatchObject({ retriable: false });
      await expect(store.get('x')).rejects.toMatchObject({ retriable: false, notFound: false });
      await expect(store.size('x')).rejects.toMatchObject({ retriable: false });
    } finally {
      await store.close();
    }
  });

  it('fails with a retriable RemoteStoreError when nothing listens at the endpoint', async () => {
    const store = new S3RemoteStore({ ...options, endpoint: 'http://127.0.0.1:9' });
    try {
      await expect(store.size('x')).rejects.toMatchObject({ name: 'RemoteStoreError', retriable: true });
    } finally {
      await store.close();
    }
  });
});
