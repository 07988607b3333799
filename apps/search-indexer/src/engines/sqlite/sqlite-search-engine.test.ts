import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { SinkAdapter, SinkTable } from '@trunkline/pipeline';
import { describeAdapterContract } from '@trunkline/pipeline/testing';
import { Code } from '@trunkline/runtime';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describeSearchContract } from '../search-contract';
import { SqliteSearchEngine } from './sqlite-search-engine';

function tempFile(prefix: string): { path: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `trunkline-${prefix}-`));
  return { path: join(dir, 'search.db'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

const contractFile = tempFile('sqlite-contract');
describeAdapterContract('sqlite', {
  open: () => SqliteSearchEngine.open({ path: contractFile.path }),
  rows: (adapter: SinkAdapter, table: SinkTable) => (adapter as SqliteSearchEngine).rows(table.name),
  cleanUp: async () => contractFile.remove(),
});

const searchFile = tempFile('sqlite-search');
describeSearchContract('sqlite', {
  open: () => SqliteSearchEngine.open({ path: searchFile.path }),
  cleanUp: async () => searchFile.remove(),
});

const notes: SinkTable = {
  name: 'app.notes',
  topic: 'test.app.notes',
  key: ['id'],
  columns: [
    { name: 'id', type: 'integer', nullable: false },
    { name: 'text', type: 'string', nullable: true },
    { name: 'big', type: 'integer', nullable: true },
    { name: 'raw', type: 'bytes', nullable: true },
  ],
  schemaId: 1,
};

let offset = 0n;
function upsert(id: number | bigint, row: Record<string, unknown>, lsn: bigint) {
  const at = offset++;
  return {
    topic: notes.topic,
    partition: 0,
    table: notes,
    changes: [
      {
        topic: notes.topic,
        partition: 0,
        offset: at,
        table: notes.name,
        key: { id },
        op: 'c' as const,
        before: null,
        after: { id, ...row },
        lsn,
        commitTimeMs: Date.now(),
        tombstone: false,
      },
    ],
    nextOffset: at + 1n,
  };
}

describe('SqliteSearchEngine', () => {
  let file: ReturnType<typeof tempFile>;
  let engine: SqliteSearchEngine;

  beforeEach(async () => {
    file = tempFile('sqlite-engine');
    engine = await SqliteSearchEngine.open({ path: file.path });
    await engine.prepare(notes);
  });

  afterEach(async () => {
    await engine.close();
    file.remove();
  });

  it('stores bigints as numbers when safe and as strings otherwise, and bytes as base64', async () => {
    await engine.apply(upsert(1n, { text: 'big', big: 2n ** 63n - 1n, raw: Buffer.from('hi') }, 10n));
    await engine.apply(upsert(2n, { text: 'small', big: -42n, raw: null }, 11n));
    expect(await engine.rows(notes.name)).toEqual([
      { id: 1, text: 'big', big: '9223372036854775807', raw: 'aGk=' },
      { id: 2, text: 'small', big: -42, raw: null },
    ]);
    const { hits } = await engine.search({
      table: notes.name,
      query: 'big',
      filters: { big: '9223372036854775807' },
    });
    expect(hits.map((hit) => hit.key)).toEqual([{ id: 1 }]);
  });

  it('puts the data and the offset on disk together: a new connection sees both without a close', async () => {
    await engine.apply(upsert(1, { text: 'durable note' }, 10n));
    // Another connection, as a process started after a crash would open it (the WAL not checkpointed).
    const other = await SqliteSearchEngine.open({ path: file.path });
    try {
      expect((await other.search({ table: notes.name, query: 'durable' })).total).toBe(1);
      expect(await other.storedOffsets(notes.topic)).toEqual(new Map([[0, offset]]));
    } finally {
      await other.close();
    }
    const raw = new Database(file.path, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      raw.close();
    }
  });

  it('keeps the index and the offsets across a close and a reopen', async () => {
    await engine.apply(upsert(1, { text: 'first note' }, 10n));
    await engine.apply(upsert(2, { text: 'second note' }, 11n));
    await engine.close();
    engine = await SqliteSearchEngine.open({ path: file.path });
    expect((await engine.search({ table: notes.name, query: 'note' })).total).toBe(2);
    expect(await engine.storedOffsets(notes.topic)).toEqual(new Map([[0, offset]]));
    await engine.apply(upsert(3, { text: 'third note' }, 12n));
    expect((await engine.search({ table: notes.name, query: 'note' })).total).toBe(3);
  });

  it('applies nothing of a batch that fails part way, not even its offset', async () => {
    await engine.apply(upsert(1, { text: 'kept' }, 10n));
    const before = await engine.storedOffsets(notes.topic);
    const good = upsert(2, { text: 'lost' }, 11n);
    const bad = upsert(3, { text: 'bad' }, 2n ** 64n); // no SQLite integer holds this LSN
    await expect(engine.apply({ ...bad, changes: [...good.changes, ...bad.changes] })).rejects.toThrow();
    expect(await engine.rows(notes.name)).toEqual([{ id: 1, text: 'kept' }]);
    expect(await engine.storedOffsets(notes.topic)).toEqual(before);
    expect((await engine.search({ table: notes.name, query: 'lost' })).total).toBe(0);
  });

  it('does not bring back a deleted row when an older change comes again', async () => {
    await engine.apply(upsert(1, { text: 'ghost' }, 10n));
    const del = upsert(1, {}, 20n);
    await engine.apply({ ...del, changes: [{ ...del.changes[0]!, op: 'd', after: null }] });
    await engine.apply(upsert(1, { text: 'ghost' }, 10n));
    expect(await engine.rows(notes.name)).toEqual([]);
    expect((await engine.search({ table: notes.name, query: 'ghost' })).total).toBe(0);
  });

  it('indexes a string column added by a new schema in rows stored before and after', async () => {
    await engine.apply(upsert(1, { text: 'alpha', tag: 'zebra' }, 10n));
    expect((await engine.search({ table: notes.name, query: 'zebra' })).total).toBe(0);
    const evolved = {
      ...notes,
      columns: [...notes.columns, { name: 'tag', type: 'string' as const, nullable: true }],
      schemaId: 2,
    };
    await engine.prepare(evolved);
    expect((await engine.search({ table: notes.name, query: 'zebra' })).total).toBe(1);
    const next = upsert(2, { text: 'beta', tag: 'zebra crossing' }, 11n);
    await engine.apply({ ...next, table: evolved });
    const { hits } = await engine.search({ table: notes.name, query: 'zebra' });
    expect(hits.map((hit) => hit.key.id).sort()).toEqual([1, 2]);
    expect(hits.find((hit) => hit.key.id === 2)?.highlights).toEqual({ tag: ['<em>zebra</em> crossing'] });
  });

  it('keeps tables with odd names apart', async () => {
    const odd: SinkTable = { ...notes, name: 'we"ird.ta\'ble; DROP TABLE offsets', topic: 'test.odd' };
    const alike: SinkTable = { ...notes, name: 'we_ird.ta_ble; DROP TABLE offsets', topic: 'test.alike' };
    await engine.prepare(odd);
    await engine.prepare(alike);
    await engine.apply({ ...upsert(1, { text: 'odd one' }, 10n), table: odd });
    expect((await engine.search({ table: odd.name, query: 'odd' })).total).toBe(1);
    expect((await engine.search({ table: alike.name, query: 'odd' })).total).toBe(0);
  });

  it('finds nothing for a query without words, and rejects a bad size', async () => {
    await engine.apply(upsert(1, { text: 'something' }, 10n));
    expect(await engine.search({ table: notes.name, query: '  -- "" * ' })).toEqual({ hits: [], total: 0 });
    await expect(engine.search({ table: notes.name, query: 'something', size: -1 })).rejects.toMatchObject({
      code: Code.InvalidArgument,
    });
  });

  it('treats whatever the user types as words, never as FTS5 or SQL syntax', async () => {
    await engine.apply(upsert(1, { text: 'NEAR the AND gate, OR not: "quoted" (x) * ^y' }, 10n));
    const syntax = fc.constantFrom(
      'AND',
      'OR',
      'NOT',
      'NEAR',
      'NEAR(',
      '"',
      "'",
      '*',
      '^',
      ':',
      '-',
      '+',
      '(',
      ')',
      '{',
      '}',
      ';',
      'text:',
      'DROP TABLE offsets',
      '--',
      '/*',
      '\\',
      '\u0000',
      '\u0002',
      'the',
      'gate',
    );
    const words = fc.array(fc.oneof(syntax, fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' })), {
      maxLength: 8,
    });
    await fc.assert(
      fc.asyncProperty(words, fc.boolean(), async (parts, spaced) => {
        const result = await engine.search({ table: notes.name, query: parts.join(spaced ? ' ' : '') });
        expect(result.total).toBeGreaterThanOrEqual(result.hits.length);
      }),
      { numRuns: 200 },
    );
    expect((await engine.search({ table: notes.name, query: 'NEAR AND OR' })).total).toBe(1);
    expect((await engine.search({ table: notes.name, query: '"quoted" (x)' })).total).toBe(1);
    expect((await engine.storedOffsets(notes.topic)).size).toBe(1);
  });
});

describe('SqliteSearchEngine rebuilds', () => {
  let file: ReturnType<typeof tempFile>;
  let engine: SqliteSearchEngine;
  const files = () => readdirSync(dirname(file.path)).sort();
  const texts = async (target: SqliteSearchEngine) => (await target.rows(notes.name)).map((row) => row.text);

  beforeEach(async () => {
    file = tempFile('sqlite-rebuild');
    engine = await SqliteSearchEngine.open({ path: file.path });
    await engine.prepare(notes);
    await engine.apply(upsert(1, { text: 'old generation' }, 10n));
  });

  afterEach(async () => {
    await engine.close();
    file.remove();
  });

  it('switches to the next generation file, names it in the pointer file, and deletes the old one', async () => {
    expect(engine.describe()).toBe(`sqlite ${file.path}`);
    const rebuild = await engine.rebuild();
    await rebuild.prepare(notes);
    await rebuild.apply(upsert(2, { text: 'new generation' }, 10n));
    expect(files()).toEqual([
      'search.db',
      'search.db-shm',
      'search.db-wal',
      'search.v2.db',
      'search.v2.db-shm',
      'search.v2.db-wal',
    ]);
    await rebuild.swap();
    const v2 = join(dirname(file.path), 'search.v2.db');
    expect(engine.describe()).toBe(`sqlite ${v2}`);
    expect(readFileSync(`${file.path}.current`, 'utf8')).toBe('2\n');
    expect(files().filter((name) => name.startsWith('search.db') && name !== 'search.db.current')).toEqual(
      [],
    );
    expect(await texts(engine)).toEqual(['new generation']);
    expect((await engine.search({ table: notes.name, query: 'generation' })).hits.map((h) => h.key)).toEqual([
      { id: 2 },
    ]);

    // A second rebuild goes one generation further and deletes the second.
    const again = await engine.rebuild();
    await again.apply(upsert(3, { text: 'third generation' }, 10n));
    await again.swap();
    expect(existsSync(v2)).toBe(false);
    await engine.close();
    engine = await SqliteSearchEngine.open({ path: file.path });
    expect(engine.describe()).toBe(`sqlite ${join(dirname(file.path), 'search.v3.db')}`);
    expect(await texts(engine)).toEqual(['third generation']);
  });

  it("deletes a discarded rebuild's file and lets another rebuild start; one at a time", async () => {
    const rebuild = await engine.rebuild();
    await expect(engine.rebuild()).rejects.toMatchObject({ code: Code.FailedPrecondition });
    await rebuild.apply(upsert(2, { text: 'discarded' }, 10n));
    await rebuild.discard();
    await expect(rebuild.swap()).rejects.toMatchObject({ code: Code.FailedPrecondition });
    expect(files().filter((name) => name.includes('.v2'))).toEqual([]);
    expect(await texts(engine)).toEqual(['old generation']);
    const next = await engine.rebuild();
    await next.discard();
  });

  it('starts a rebuild anew over what an unfinished one left, which open ignores', async () => {
    const unfinished = await engine.rebuild();
    await unfinished.apply(upsert(2, { text: 'left over' }, 10n));
    await unfinished.close(); // as a crash before the swap would leave it
    await engine.close();
    engine = await SqliteSearchEngine.open({ path: file.path });
    expect(await texts(engine)).toEqual(['old generation']);
    const rebuild = await engine.rebuild();
    await rebuild.apply(upsert(3, { text: 'fresh' }, 10n));
    await rebuild.swap();
    expect(await texts(engine)).toEqual(['fresh']);
  });

  it('opens the generation the pointer names after a crash before the old file was deleted', async () => {
    const rebuild = await engine.rebuild();
    await rebuild.apply(upsert(2, { text: 'new generation' }, 10n));
    await rebuild.swap();
    await engine.close();
    // What a crash between the pointer's rename and the deletion leaves: the old file still there.
    writeFileSync(file.path, 'stale');
    engine = await SqliteSearchEngine.open({ path: file.path });
    expect(await texts(engine)).toEqual(['new generation']);
    expect(existsSync(file.path)).toBe(false);
  });

  it('refuses a pointer file that names no generation', async () => {
    await engine.close();
    writeFileSync(`${file.path}.current`, 'two');
    await expect(SqliteSearchEngine.open({ path: file.path })).rejects.toMatchObject({
      code: Code.FailedPrecondition,
    });
    writeFileSync(`${file.path}.current`, '5\n');
    await expect(SqliteSearchEngine.open({ path: file.path })).rejects.toMatchObject({
      code: Code.FailedPrecondition,
    });
    rmSync(`${file.path}.current`);
    engine = await SqliteSearchEngine.open({ path: file.path });
  });
});
