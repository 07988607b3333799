import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RemoteStore, RemoteStoreError } from './remote-store';

/** Keys that every RemoteStore must refuse. */
const INVALID_KEYS = ['', '..', '../escape', 'a/../../escape', 'a/./b', '/absolute', 'a//b', 'a/', 'a\\b'];

async function expectRemoteStoreError(
  promise: Promise<unknown>,
  expected: Partial<Pick<RemoteStoreError, 'retriable' | 'notFound' | 'key'>>,
): Promise<RemoteStoreError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a RemoteStoreError, but the call succeeded');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RemoteStoreError);
  expect(error).toMatchObject(expected);
  return error as RemoteStoreError;
}

/**
 * The behaviour every RemoteStore must have, as a jest describe block. `open` gives a store
 * that is empty (or, for a shared bucket, scoped to a fresh prefix); the block deletes what it
 * wrote and closes the store.
 */
export function describeRemoteStoreContract(name: string, open: () => Promise<RemoteStore>): void {
  describe(`${name} (RemoteStore contract)`, () => {
    let store: RemoteStore;
    let scratch: string;

    beforeAll(async () => {
      store = await open();
      scratch = await mkdtemp(join(tmpdir(), 'remote-store-contract-'));
    });

    afterAll(async () => {
      if (store !== undefined) {
        await store.delete(await store.list(''));
        await store.close();
      }
      if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
    });

    it('has a description', () => {
      expect(store.description.length).toBeGreaterThan(0);
    });

    it('gets back the binary data it put, and a put replaces the object', async () => {
      const body = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(4096)]);
      await store.put('roundtrip/segment.log', body);
      expect((await store.get('roundtrip/segment.log')).equals(body)).toBe(true);

      const replacement = randomBytes(100);
      await store.put('roundtrip/segment.log', replacement);
      expect((await store.get('roundtrip/segment.log')).equals(replacement)).toBe(true);
      expect(await store.size('roundtrip/segment.log')).toBe(100);
    });

    it('stores an empty object', async () => {
      await store.put('empty/object', Buffer.alloc(0));
      expect(await store.size('empty/object')).toBe(0);
      expect((await store.get('empty/object')).length).toBe(0);
      expect(await store.list('empty/')).toEqual(['empty/object']);
    });

    it('reads only the asked range: first byte, middle, last byte, all, none', async () => {
      const body = randomBytes(1000);
      await store.put('ranged/segment.log', body);
      const key = 'ranged/segment.log';
      expect((await store.get(key, { start: 0, end: 1 })).equals(body.subarray(0, 1))).toBe(true);
      expect((await store.get(key, { start: 400, end: 623 })).equals(body.subarray(400, 623))).toBe(true);
      expect((await store.get(key, { start: 999, end: 1000 })).equals(body.subarray(999))).toBe(true);
      expect((await store.get(key, { start: 0, end: 1000 })).equals(body)).toBe(true);
      expect((await store.get(key, { start: 500, end: 500 })).length).toBe(0);
    });

    it('refuses ranges that are invalid or reach past the end, not retriably', async () => {
      await store.put('ranged/short', randomBytes(10));
      await expectRemoteStoreError(store.get('ranged/short', { start: 5, end: 11 }), { retriable: false });
      await expectRemoteStoreError(store.get('ranged/short', { start: 10, end: 12 }), { retriable: false });
      await expectRemoteStoreError(store.get('ranged/short', { start: 20, end: 30 }), { retriable: false });
      await expectRemoteStoreError(store.get('ranged/short', { start: 11, end: 11 }), { retriable: false });
      await expectRemoteStoreError(store.get('ranged/short', { start: 5, end: 4 }), { retriable: false });
      await expectRemoteStoreError(store.get('ranged/short', { start: -1, end: 4 }), { retriable: false });
      await expectRemoteStoreError(store.get('ranged/absent', { start: 0, end: 1 }), {
        notFound: true,
        retriable: false,
      });
      await expectRemoteStoreError(store.get('ranged/absent', { start: 0, end: 0 }), { notFound: true });
    });

    it('knows the size of a present object and that an absent one has none', async () => {
      await store.put('size/present', randomBytes(12345));
      expect(await store.size('size/present')).toBe(12345);
      expect(await store.size('size/absent')).toBeUndefined();
      expect(await store.size('size')).toBeUndefined(); // a "directory" of objects is no object
    });

    it('fails a get of a missing key with a not-found RemoteStoreError', async () => {
      const error = await expectRemoteStoreError(store.get('missing/segment.log'), {
        notFound: true,
        retriable: false,
        key: 'missing/segment.log',
      });
      expect(error.message).toContain('missing/segment.log');
    });

    it('lists keys under nested prefixes, sorted', async () => {
      const keys = ['list/a/1', 'list/a/b/2', 'list/a/b/c/3', 'list/ab/4', 'list/b/5', 'list/a.x'];
      for (const key of keys) await store.put(key, Buffer.from(key));
      expect(await store.list('list/')).toEqual([...keys].sort());
      expect(await store.list('list/a/')).toEqual(['list/a/1', 'list/a/b/2', 'list/a/b/c/3']);
      expect(await store.list('list/a')).toEqual([
        'list/a.x',
        'list/a/1',
        'list/a/b/2',
        'list/a/b/c/3',
        'list/ab/4',
      ]);
      expect(await store.list('list/a/b/c/')).toEqual(['list/a/b/c/3']);
      expect(await store.list('list/a/b/c/3')).toEqual(['list/a/b/c/3']);
      expect(await store.list('list/nothing/')).toEqual([]);
      expect(await store.list('nothing-at-all/')).toEqual([]);
      expect(await store.list('')).toEqual(expect.arrayContaining(keys));
    });

    it('lists every key of a prefix holding many (across pages where the store pages)', async () => {
      const keys = Array.from({ length: 23 }, (_, i) => `many/${String(i).padStart(20, '0')}.log`);
      await Promise.all(keys.map((key) => store.put(key, Buffer.from(key))));
      expect(await store.list('many/')).toEqual(keys);
      expect(await store.list('many/0000000000000000001')).toEqual(keys.slice(10, 20));
    });

    it('deletes present and absent keys alike', async () => {
      await store.put('delete/keep', Buffer.from('keep'));
      await store.put('delete/x/gone-1', Buffer.from('1'));
      await store.put('delete/x/gone-2', Buffer.from('2'));
      await store.delete(['delete/x/gone-1', 'delete/never-was', 'delete/x/gone-2', 'delete/x/y/z']);
      expect(await store.size('delete/x/gone-1')).toBeUndefined();
      expect(await store.list('delete/')).toEqual(['delete/keep']);
      await store.delete(['delete/x/gone-1']);
      await store.delete([]);
      await expectRemoteStoreError(store.get('delete/x/gone-2'), { notFound: true });
      // A key can be written again after its directory emptied.
      await store.put('delete/x/gone-1', Buffer.from('again'));
      expect((await store.get('delete/x/gone-1')).toString()).toBe('again');
    });

    it('uploads a 5 MB file byte-exact with putFile', async () => {
      const path = join(scratch, 'big.log');
      const content = randomBytes(5 * 1024 * 1024 + 17);
      await writeFile(path, content);
      await store.putFile('putfile/00000000000000000000.log', path);
      expect(await store.size('putfile/00000000000000000000.log')).toBe(content.length);
      const back = await store.get('putfile/00000000000000000000.log');
      expect(back.equals(content)).toBe(true);
      const tail = await store.get('putfile/00000000000000000000.log', {
        start: content.length - 1000,
        end: content.length,
      });
      expect(tail.equals(content.subarray(-1000))).toBe(true);
    });

    it('fails putFile of a missing local file and stores nothing', async () => {
      await expect(store.putFile('putfile/absent', join(scratch, 'no-such-file'))).rejects.toThrow();
      expect(await store.size('putfile/absent')).toBeUndefined();
    });

    it('rejects keys with "..", a leading "/" or empty segments', async () => {
      const path = join(scratch, 'small');
      await writeFile(path, 'small');
      for (const key of INVALID_KEYS) {
        await expectRemoteStoreError(store.put(key, Buffer.from('x')), { retriable: false });
        await expectRemoteStoreError(store.putFile(key, path), { retriable: false });
        await expectRemoteStoreError(store.get(key), { retriable: false, notFound: false });
        await expectRemoteStoreError(store.size(key), { retriable: false });
        await expectRemoteStoreError(store.delete(['valid/key', key]), { retriable: false });
      }
      await expectRemoteStoreError(store.list('../'), { retriable: false });
      await expectRemoteStoreError(store.list('/abs'), { retriable: false });
      await expectRemoteStoreError(store.list('a/../'), { retriable: false });
    });
  });
}
