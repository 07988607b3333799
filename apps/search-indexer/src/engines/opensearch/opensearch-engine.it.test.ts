import { randomBytes } from 'node:crypto';
import { Client } from '@opensearch-project/opensearch';
import { ChangesRejected, type SinkTable } from '@trunkline/pipeline';
import { batch, change, describeAdapterContract, itemsTable } from '@trunkline/pipeline/testing';
import { Code, type TrunklineError } from '@trunkline/runtime';
import { describeWithEngine } from '@trunkline/testing';
import { describeSearchContract } from '../search-contract';
import { generationIndexName } from './index-names';
import { OpenSearchEngine } from './opensearch-engine';

describeWithEngine('opensearch', 'the OpenSearch engine', (env) => {
  const url = env.OPENSEARCH_URL!;
  const runPrefix = `it-${randomBytes(4).toString('hex')}-`;
  const admin = new Client({ node: url });

  /** Deletes every index (and so alias) a prefix made. */
  const deleteIndexes = async (prefix: string) => {
    await admin.indices.delete({ index: `${prefix}*`, expand_wildcards: 'all' }).catch(() => undefined);
  };

  afterAll(async () => {
    await deleteIndexes(runPrefix);
    await admin.close();
  });

  const contractPrefix = `${runPrefix}contract-`;
  describeAdapterContract('opensearch', {
    open: async () => new OpenSearchEngine({ node: url, indexPrefix: contractPrefix }),
    rows: async (adapter, table) => (adapter as OpenSearchEngine).documents(table.name),
    cleanUp: () => deleteIndexes(contractPrefix),
  });

  const searchPrefix = `${runPrefix}search-`;
  // The contract searches right after apply: this engine then waits for the refresh.
  describeSearchContract('opensearch', {
    open: async () => new OpenSearchEngine({ node: url, indexPrefix: searchPrefix, waitForRefresh: true }),
    cleanUp: () => deleteIndexes(searchPrefix),
  });

  it('swaps in a rebuilt index already searchable, whatever its refresh interval', async () => {
    const prefix = `${runPrefix}swap-refresh-`;
    // No scheduled refresh within the test: only the swap's own refresh can show the rebuild.
    const engine = new OpenSearchEngine({ node: url, indexPrefix: prefix, refreshInterval: '60s' });
    const table = itemsTable();
    try {
      await engine.prepare(table);
      const rebuild = await engine.rebuild();
      await rebuild.prepare(table);
      await rebuild.apply(batch(table, [change('c', 1, { id: 1, title: 'rebuilt kayak', price: 10 }, 10n)]));
      await rebuild.swap();
      expect((await engine.search({ table: table.name, query: 'kayak' })).hits.map((h) => h.key)).toEqual([
        { id: 1 },
      ]);
    } finally {
      await engine.close();
      await deleteIndexes(prefix);
    }
  });

  it('makes applied changes searchable at the next refresh when it does not wait for it', async () => {
    const prefix = `${runPrefix}refresh-`;
    const engine = new OpenSearchEngine({ node: url, indexPrefix: prefix, refreshInterval: '100ms' });
    const table = itemsTable();
    try {
      await engine.prepare(table);
      await engine.apply(batch(table, [change('c', 1, { id: 1, title: 'touring kayak', price: 10 }, 10n)]));
      const applied = Date.now();
      let hits = 0;
      while (hits === 0 && Date.now() - applied < 5000) {
        hits = (await engine.search({ table: table.name, query: 'kayak' })).hits.length;
        if (hits === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(hits).toBe(1);
      expect(Date.now() - applied).toBeLessThan(1000);
    } finally {
      await engine.close();
      await deleteIndexes(prefix);
    }
  });

  describe('beyond the contracts', () => {
    const prefix = `${runPrefix}own-`;
    let engine: OpenSearchEngine;
    const table = itemsTable();

    beforeAll(async () => {
      engine = new OpenSearchEngine({ node: url, indexPrefix: prefix, waitForRefresh: true });
      await engine.prepare(table);
    });

    afterAll(async () => {
      await engine.close();
      await deleteIndexes(prefix);
    });

    it('puts each table in a generation index behind an alias, with the table in _meta', async () => {
      const alias = engine.aliasOf(table.name);
      expect(alias).toBe(`${prefix}public.items`);
      const { body } = await admin.indices.getAlias({ name: alias });
      expect(Object.keys(body)).toEqual([generationIndexName(alias, 1)]);
      const mapping = await admin.indices.getMapping({ index: alias });
      const mappings = Object.values(mapping.body)[0]!.mappings as { _meta: unknown; properties: unknown };
      expect(mappings._meta).toMatchObject({ trunkline: { table: 'public.items', key: ['id'] } });
      expect(mappings.properties).toMatchObject({ title: { type: 'text' }, price: { type: 'double' } });
    });

    it('applies what it can of a batch and names the documents OpenSearch rejected', async () => {
      const bad = change('c', 21, { id: 21, title: 'bad', price: 'not a number' }, 500n);
      const apply = engine.apply(
        batch(table, [change('c', 20, { id: 20, title: 'good', price: 1 }, 500n), bad]),
      );
      const error = await apply.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ChangesRejected);
      expect(error).toMatchObject({ code: Code.InvalidArgument });
      expect((error as ChangesRejected).rejected).toEqual([{ change: bad, reason: expect.any(String) }]);
      expect((error as TrunklineError).message).toContain('document {"id":21}');
      expect(JSON.parse((error as TrunklineError).details.rejected!)).toEqual([
        expect.objectContaining({ offset: String(bad.offset), id: '{"id":21}', status: 400 }),
      ]);
      const ids = (await engine.documents(table.name)).map((row) => row.id);
      expect(ids).toContain(20);
      expect(ids).not.toContain(21);
    });

    it('keeps LSNs beyond 2^53 exact as versions', async () => {
      const big = 9_007_199_254_740_993n;
      await engine.apply(batch(table, [change('c', 30, { id: 30, title: 'big', price: 1 }, big)]));
      await engine.apply(batch(table, [change('u', 30, { id: 30, title: 'older', price: 1 }, big - 1n)]));
      // Read raw: JSON.parse would round the version to a double.
      const response = await fetch(
        `${url}/${engine.aliasOf(table.name)}/_doc/${encodeURIComponent('{"id":30}')}`,
      );
      const text = await response.text();
      expect(text).toContain(`"_version":${big}`);
      const body = JSON.parse(text) as { _source: unknown };
      expect(body._source).toMatchObject({ title: 'big' });
    });

    it('converts timestamps and keeps them searchable by date', async () => {
      const evolved: SinkTable = itemsTable(
        [...table.columns, { name: 'at', type: 'timestamp', nullable: true }],
        2,
      );
      await engine.prepare(evolved);
      await engine.apply(
        batch(evolved, [
          change('c', 40, { id: 40, title: 'dated', price: 1, at: 1_700_000_000_123_456n }, 600n),
        ]),
      );
      const row = (await engine.documents(table.name)).find((r) => r.id === 40);
      expect(row?.at).toBe('2023-11-14T22:13:20.123456Z');
      const { body } = await admin.count({
        index: engine.aliasOf(table.name),
        body: {
          query: { range: { at: { gte: '2023-11-14T22:13:20.123Z', lt: '2023-11-14T22:13:20.124Z' } } },
        },
      });
      expect(body.count).toBe(1);
    });

    it('indexes a row of every column type', async () => {
      const all: SinkTable = {
        name: 'public.every_type',
        topic: 'contract.public.every_type',
        key: ['id', 'code'],
        columns: [
          { name: 'id', type: 'integer', nullable: false },
          { name: 'code', type: 'string', nullable: false },
          { name: 'ratio', type: 'float', nullable: true },
          { name: 'flag', type: 'boolean', nullable: true },
          { name: 'amount', type: 'decimal', nullable: true },
          { name: 'at', type: 'timestamp', nullable: true },
          { name: 'day', type: 'date', nullable: true },
          { name: 'clock', type: 'time', nullable: true },
          { name: 'attrs', type: 'json', nullable: true },
          { name: 'blob', type: 'bytes', nullable: true },
          { name: 'tags', type: 'array', nullable: true },
          { name: 'embedding', type: 'vector', nullable: true },
        ],
        schemaId: 1,
      };
      await engine.prepare(all);
      const row = {
        id: 9_007_199_254_740_993n,
        code: 'A-1',
        ratio: 0.5,
        flag: true,
        amount: '12.30',
        at: -1n,
        day: 19_000,
        clock: 45_296_000_007n,
        attrs: '{"colour": "teal"}',
        blob: new Uint8Array([1, 2, 255]),
        tags: ['x', 'y'],
        embedding: [0.25, -1, 3],
      };
      const c = { ...change('c', null, row, 800n), table: all.name, key: { id: row.id, code: 'A-1' } };
      await engine.apply({ ...batch(all, [c]), table: all });
      expect(await engine.documents(all.name)).toEqual([
        {
          id: '9007199254740993',
          code: 'A-1',
          ratio: 0.5,
          flag: true,
          amount: '12.30',
          at: '1969-12-31T23:59:59.999999Z',
          day: '2022-01-08',
          clock: '12:34:56.000007',
          attrs: '{"colour": "teal"}',
          blob: 'AQL/',
          tags: ['x', 'y'],
          embedding: [0.25, -1, 3],
        },
      ]);
      const found = await engine.search({
        table: all.name,
        query: 'teal',
        filters: { code: 'A-1', flag: true, amount: '12.30', day: '2022-01-08' },
      });
      expect(found.hits.map((h) => h.key)).toEqual([{ id: '9007199254740993', code: 'A-1' }]);
      expect(found.hits[0]!.highlights.attrs).toEqual(['{"colour": "<em>teal</em>"}']);
    });

    it('refuses to change a column type in place', async () => {
      const changed = itemsTable(
        table.columns.map((c) => (c.name === 'title' ? { ...c, type: 'integer' as const } : c)),
        3,
      );
      await expect(engine.prepare(changed)).rejects.toMatchObject({ code: Code.FailedPrecondition });
    });

    it('swaps the alias to a new generation atomically', async () => {
      const alias = engine.aliasOf(table.name);
      const v2 = generationIndexName(alias, 2);
      expect(await engine.createIndex(v2, table)).toBe(true);
      expect(await engine.createIndex(v2, table)).toBe(false);
      await engine.apply(batch(table, [change('c', 50, { id: 50, title: 'before swap', price: 1 }, 700n)]));
      expect(await engine.swapAlias(alias, v2)).toEqual([generationIndexName(alias, 1)]);
      expect((await engine.documents(table.name)).map((r) => r.id)).toEqual([]);
      await engine.apply(batch(table, [change('c', 51, { id: 51, title: 'after swap', price: 1 }, 710n)]));
      expect((await engine.documents(table.name)).map((r) => r.id)).toEqual([51]);
    });

    it('searches the same table from an engine that never prepared it', async () => {
      const reader = new OpenSearchEngine({ node: url, indexPrefix: prefix });
      try {
        const { hits } = await reader.search({ table: table.name, query: 'swap' });
        expect(hits.map((h) => h.key)).toEqual([{ id: 51 }]);
        expect(hits[0]!.highlights.title).toEqual(['after <em>swap</em>']);
        expect(hits[0]!.document).toEqual({ id: 51, title: 'after swap', price: 1 });
      } finally {
        await reader.close();
      }
    });
  });

  describe('rebuilds', () => {
    const prefix = `${runPrefix}rebuild-`;
    let engine: OpenSearchEngine;
    const items = itemsTable();
    const others: SinkTable = { ...itemsTable(), name: 'public.others', topic: 'contract.public.others' };
    const ids = async (name: string) => (await engine.documents(name)).map((row) => row.id).sort();
    const aliasTargets = async (name: string) =>
      Object.keys((await admin.indices.getAlias({ name: engine.aliasOf(name) })).body);
    const exists = async (index: string) => (await admin.indices.exists({ index })).body;

    beforeAll(async () => {
      engine = new OpenSearchEngine({ node: url, indexPrefix: prefix, waitForRefresh: true });
      for (const table of [items, others]) {
        await engine.prepare(table);
        const row = { ...change('c', 1, { id: 1, title: 'live', price: 1 }, 100n), table: table.name };
        await engine.apply({ ...batch(table, [row]), table });
      }
    });

    afterAll(async () => {
      await engine.close();
      await deleteIndexes(prefix);
    });

    it('describes itself by its node, without credentials', () => {
      const node = new URL(url);
      expect(engine.describe()).toBe(`opensearch ${node.protocol}//${node.host}`);
      const withUser = new OpenSearchEngine({ node: `http://user:secret@${node.host}`, indexPrefix: prefix });
      expect(withUser.describe()).toBe(`opensearch http://${node.host}`);
      return withUser.close();
    });

    it('builds the next generation without the alias, swaps every rebuilt alias, and keeps the others', async () => {
      const v1 = generationIndexName(engine.aliasOf(items.name), 1);
      const v2 = generationIndexName(engine.aliasOf(items.name), 2);
      const fresh: SinkTable = { ...itemsTable(), name: 'public.fresh', topic: 'contract.public.fresh' };
      const rebuild = await engine.rebuild();
      await expect(engine.rebuild()).rejects.toMatchObject({ code: Code.FailedPrecondition });
      await rebuild.prepare(items);
      await rebuild.apply(batch(items, [change('c', 2, { id: 2, title: 'rebuilt', price: 2 }, 100n)]));
      const freshRow = {
        ...change('c', 3, { id: 3, title: 'new table', price: 3 }, 100n),
        table: fresh.name,
      };
      await rebuild.apply({ ...batch(fresh, [freshRow]), table: fresh });
      expect(rebuild.describe()).toContain(v2);
      expect(await exists(v2)).toBe(true);
      expect(await aliasTargets(items.name)).toEqual([v1]);
      expect(await ids(items.name)).toEqual([1]);

      await rebuild.swap();
      expect(await aliasTargets(items.name)).toEqual([v2]);
      expect(await exists(v1)).toBe(false);
      expect(await ids(items.name)).toEqual([2]);
      expect(await ids(fresh.name)).toEqual([3]);
      // Never prepared in the rebuild: left as it was.
      expect(await aliasTargets(others.name)).toEqual([generationIndexName(engine.aliasOf(others.name), 1)]);
      expect(await ids(others.name)).toEqual([1]);

      await engine.apply(batch(items, [change('c', 4, { id: 4, title: 'live again', price: 4 }, 110n)]));
      expect(await ids(items.name)).toEqual([2, 4]);
      expect((await engine.search({ table: items.name, query: 'again' })).hits.map((h) => h.key)).toEqual([
        { id: 4 },
      ]);
      await expect(rebuild.apply(batch(items, []))).rejects.toMatchObject({ code: Code.FailedPrecondition });
    });

    it('starts over an index an unfinished rebuild left, and deletes what it discards', async () => {
      const v3 = generationIndexName(engine.aliasOf(items.name), 3);
      const unfinished = await engine.rebuild();
      await unfinished.apply(batch(items, [change('c', 5, { id: 5, title: 'left over', price: 5 }, 120n)]));
      await unfinished.close();
      expect(await exists(v3)).toBe(true);

      const rebuild = await engine.rebuild();
      await rebuild.prepare(items);
      await rebuild.apply(batch(items, [change('c', 6, { id: 6, title: 'discarded', price: 6 }, 120n)]));
      await admin.indices.refresh({ index: v3 });
      expect((await admin.count({ index: v3 })).body.count).toBe(1); // 6, not the left-over 5
      await rebuild.discard();
      expect(await exists(v3)).toBe(false);
      expect(await ids(items.name)).toEqual([2, 4]);
    });
  });

  it('says UNAVAILABLE when OpenSearch cannot be reached', async () => {
    const engine = new OpenSearchEngine({ node: 'http://127.0.0.1:1', indexPrefix: `${runPrefix}gone-` });
    try {
      await expect(engine.prepare(itemsTable())).rejects.toMatchObject({ code: Code.Unavailable });
      await expect(engine.search({ table: 'public.items', query: 'x' })).rejects.toMatchObject({
        code: Code.Unavailable,
      });
    } finally {
      await engine.close();
    }
  });
});
