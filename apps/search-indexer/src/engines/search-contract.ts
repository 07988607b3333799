import type { SinkBatch, SinkChange, SinkTable } from '@trunkline/pipeline';
import { Code, TrunklineError } from '@trunkline/runtime';
import type { SearchEngine, SearchHit } from './search-engine';

/** How the search contract opens one engine and cleans up after it. */
export interface SearchHarness {
  /** Opens the engine, empty or holding nothing of the contract's table. */
  open(): Promise<SearchEngine>;
  /** Removes what the tests stored (called once, after all of them). */
  cleanUp?(): Promise<void>;
}

const TOPIC = 'search-contract.public.products';

/** The contract's table: text to search, a category and a price to filter on. */
export const productsTable: SinkTable = {
  name: 'public.products',
  topic: TOPIC,
  key: ['id'],
  columns: [
    { name: 'id', type: 'integer', nullable: false },
    { name: 'title', type: 'string', nullable: true },
    { name: 'body', type: 'string', nullable: true },
    { name: 'category', type: 'string', nullable: true },
    { name: 'price', type: 'float', nullable: true },
  ],
  schemaId: 1,
};

interface Product {
  id: number;
  title: string;
  body: string;
  category: string;
  price: number;
}

const FILLER =
  'built for calm lakes and long weekends with room for a dry bag a cooler and a map of the ' +
  'coastline plus a spare seat cushion and adjustable foot pegs for every size of paddler';

/**
 * "kayak" appears in three documents of seven: twice in document 1's two-word title, once in
 * document 2's long body, once in document 6's short title. Any BM25 (per field or over all
 * text, whatever its parameters) ranks 1 above 2: more occurrences, in a far shorter field.
 */
const PRODUCTS: Product[] = [
  { id: 1, title: 'kayak kayak', body: 'the classic', category: 'boats', price: 450 },
  {
    id: 2,
    title: 'touring canoe',
    body: `an open canoe ${FILLER} it also works as a kayak`,
    category: 'boats',
    price: 900,
  },
  { id: 3, title: 'carbon paddle', body: 'light and stiff blade', category: 'gear', price: 120 },
  { id: 4, title: 'red helmet', body: 'for white water', category: 'gear', price: 60 },
  { id: 5, title: 'dry bag', body: 'keeps a phone dry on the water', category: 'gear', price: 25 },
  { id: 6, title: 'red kayak', body: 'a short boat for rivers', category: 'boats', price: 380 },
  { id: 7, title: 'pump', body: 'bilge pump with hose', category: 'gear', price: 30 },
];

let nextOffset = 0n;
let nextLsn = 1_000n;

function change(op: SinkChange['op'], id: number, after: Product | null): SinkChange {
  nextLsn += 10n;
  return {
    topic: TOPIC,
    partition: 0,
    offset: nextOffset++,
    table: productsTable.name,
    key: { id },
    op,
    before: null,
    after: after === null ? null : { ...after },
    lsn: nextLsn,
    commitTimeMs: Date.now(),
    tombstone: false,
  };
}

function batch(changes: SinkChange[]): SinkBatch {
  const last = changes[changes.length - 1]!;
  return { topic: TOPIC, partition: 0, table: productsTable, changes, nextOffset: last.offset + 1n };
}

const ids = (hits: SearchHit[]) => hits.map((hit) => Number(hit.key.id));

/**
 * What every search engine must answer, whatever its implementation: the same tests for the
 * embedded engine and OpenSearch. A batch is searchable as soon as `apply` returns. Assertions
 * say which documents come back and in what order where BM25 leaves no doubt, never a score.
 */
export function describeSearchContract(name: string, harness: SearchHarness): void {
  describe(`the search engine contract: ${name}`, () => {
    let engine: SearchEngine;

    beforeAll(async () => {
      engine = await harness.open();
      await engine.prepare(productsTable);
      await engine.apply(batch(PRODUCTS.map((product) => change('r', product.id, product))));
    }, 60_000);

    afterAll(async () => {
      await engine?.close();
      await harness.cleanUp?.();
    }, 60_000);

    it('returns the matching documents, best first, with their key, row and a positive score', async () => {
      const { hits, total } = await engine.search({ table: productsTable.name, query: 'kayak' });
      expect(total).toBe(3);
      expect(ids(hits).sort()).toEqual([1, 2, 6]);
      // Twice in a two-word title beats once in a long body.
      expect(ids(hits).indexOf(1)).toBeLessThan(ids(hits).indexOf(2));
      for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
      const first = hits.find((hit) => Number(hit.key.id) === 1)!;
      expect(first.key).toEqual({ id: 1 });
      expect(first.document).toMatchObject({ id: 1, title: 'kayak kayak', category: 'boats', price: 450 });
      expect(first.score).toBeGreaterThan(0);
    });

    it('requires every word of the query', async () => {
      const { hits, total } = await engine.search({ table: productsTable.name, query: 'red kayak' });
      expect(ids(hits)).toEqual([6]);
      expect(total).toBe(1);
      expect((await engine.search({ table: productsTable.name, query: 'kayak helmet' })).total).toBe(0);
    });

    it('matches words whatever their case, and finds nothing for an absent word', async () => {
      expect(ids((await engine.search({ table: productsTable.name, query: 'HELMET' })).hits)).toEqual([4]);
      expect(await engine.search({ table: productsTable.name, query: 'submarine' })).toEqual({
        hits: [],
        total: 0,
      });
    });

    it('keeps only the documents every filter matches exactly', async () => {
      const boats = await engine.search({
        table: productsTable.name,
        query: 'kayak',
        filters: { category: 'boats' },
      });
      expect(ids(boats.hits).sort()).toEqual([1, 2, 6]);
      const gear = await engine.search({
        table: productsTable.name,
        query: 'water',
        filters: { category: 'gear' },
      });
      expect(ids(gear.hits).sort()).toEqual([4, 5]);
      const priced = await engine.search({
        table: productsTable.name,
        query: 'kayak',
        filters: { category: 'boats', price: 380 },
      });
      expect(ids(priced.hits)).toEqual([6]);
      expect(priced.total).toBe(1);
      const none = await engine.search({
        table: productsTable.name,
        query: 'kayak',
        filters: { category: 'gear' },
      });
      expect(none).toEqual({ hits: [], total: 0 });
    });

    it('returns at most `size` hits and counts them all in `total`', async () => {
      const two = await engine.search({ table: productsTable.name, query: 'kayak', size: 2 });
      expect(two.hits).toHaveLength(2);
      expect(two.total).toBe(3);
      expect(ids(two.hits)).toContain(1);
      const one = await engine.search({ table: productsTable.name, query: 'kayak', size: 1 });
      expect(ids(one.hits)).toEqual([1]);
    });

    it('highlights the matched words in the fields they matched', async () => {
      const { hits } = await engine.search({ table: productsTable.name, query: 'kayak' });
      const byId = new Map(hits.map((hit) => [Number(hit.key.id), hit.highlights]));
      expect(byId.get(1)?.title?.join(' ')).toMatch(/<em>kayak<\/em>/);
      expect(byId.get(2)?.body?.join(' ')).toMatch(/<em>kayak<\/em>/);
      expect(byId.get(2)?.title).toBeUndefined();
      expect(byId.get(2)?.category).toBeUndefined();
    });

    it('finds a document by its new text once it is updated, and no longer by its old one', async () => {
      const pump = PRODUCTS.find((product) => product.id === 7)!;
      await engine.apply(batch([change('u', 7, { ...pump, title: 'foot pump', body: 'inflates a kayak' })]));
      expect(ids((await engine.search({ table: productsTable.name, query: 'bilge' })).hits)).toEqual([]);
      const { hits } = await engine.search({ table: productsTable.name, query: 'inflates kayak' });
      expect(ids(hits)).toEqual([7]);
      expect(hits[0]!.document).toMatchObject({ id: 7, title: 'foot pump' });
      expect((await engine.search({ table: productsTable.name, query: 'kayak' })).total).toBe(4);
    });

    it('no longer finds a deleted document', async () => {
      await engine.apply(batch([change('d', 6, null)]));
      const { hits, total } = await engine.search({ table: productsTable.name, query: 'kayak' });
      expect(ids(hits)).not.toContain(6);
      expect(total).toBe(3);
      expect((await engine.search({ table: productsTable.name, query: 'rivers' })).total).toBe(0);
    });

    it('rejects a search of a table it never prepared as not found', async () => {
      const search = engine.search({ table: 'public.never_prepared', query: 'kayak' });
      await expect(search).rejects.toBeInstanceOf(TrunklineError);
      await expect(search).rejects.toMatchObject({ code: Code.NotFound });
    });
  });
}
