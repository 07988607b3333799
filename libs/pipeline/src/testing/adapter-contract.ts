import type { SinkAdapter, SinkRebuild } from '../sink-adapter';
import type { Row, SinkBatch, SinkChange, SinkTable } from '../sink-change';

/** How the contract drives and observes one engine's adapter. */
export interface AdapterHarness {
  /** Opens the adapter on the engine; opened again after `close`, it must find what it stored. */
  open(): Promise<SinkAdapter>;
  /** Every row the engine holds for `table`, each with at least the table's fields. */
  rows(adapter: SinkAdapter, table: SinkTable): Promise<Row[]>;
  /** Removes what the tests stored (called once, after all of them). */
  cleanUp?(): Promise<void>;
}

const TOPIC = 'contract.public.items';

export function itemsTable(columns: SinkTable['columns'] = BASE_COLUMNS, schemaId = 1): SinkTable {
  return { name: 'public.items', topic: TOPIC, key: ['id'], columns, schemaId };
}

const BASE_COLUMNS: SinkTable['columns'] = [
  { name: 'id', type: 'integer', nullable: false },
  { name: 'title', type: 'string', nullable: true },
  { name: 'price', type: 'float', nullable: true },
];

let nextOffset = 0n;

/** A change of public.items; offsets grow across the whole suite, as in one partition. */
export function change(
  op: SinkChange['op'],
  id: number | null,
  after: Row | null,
  lsn: bigint,
  options: { before?: Row | null; tombstone?: boolean } = {},
): SinkChange {
  return {
    topic: TOPIC,
    partition: 0,
    offset: nextOffset++,
    table: 'public.items',
    key: id === null ? null : { id },
    op,
    before: options.before ?? null,
    after,
    lsn,
    commitTimeMs: Date.now(),
    tombstone: options.tombstone ?? false,
  };
}

export function batch(table: SinkTable, changes: SinkChange[]): SinkBatch {
  const last = changes[changes.length - 1];
  return {
    topic: table.topic,
    partition: 0,
    table,
    changes,
    nextOffset: last === undefined ? 0n : last.offset + 1n,
  };
}

/** Rows by id, each reduced to `fields`, for comparisons that ignore an engine's extra fields. */
function byId(rows: Row[], fields: readonly string[]): Record<string, Row> {
  const out: Record<string, Row> = {};
  for (const row of rows) out[String(row.id)] = Object.fromEntries(fields.map((f) => [f, row[f] ?? null]));
  return out;
}

/**
 * What every sink adapter must do, whatever its engine: the same tests for the embedded engine
 * and the distributed one. Run it with `describeAdapterContract('sqlite', harness)`.
 */
export function describeAdapterContract(name: string, harness: AdapterHarness): void {
  describe(`the sink adapter contract: ${name}`, () => {
    let adapter: SinkAdapter;
    const table = itemsTable();
    const fields = ['id', 'title', 'price'];
    const state = async (t: SinkTable = table, f: readonly string[] = fields) =>
      byId(await harness.rows(adapter, t), f);

    beforeAll(async () => {
      adapter = await harness.open();
      await adapter.prepare(table);
    }, 60_000);

    afterAll(async () => {
      await adapter?.close();
      await harness.cleanUp?.();
    }, 60_000);

    it('applies creates, snapshot reads, updates and deletes', async () => {
      await adapter.apply(
        batch(table, [
          change('r', 1, { id: 1, title: 'kayak', price: 450 }, 100n),
          change('c', 2, { id: 2, title: 'paddle', price: 35.5 }, 110n),
          change('c', 3, { id: 3, title: 'helmet', price: null }, 110n),
          change('u', 1, { id: 1, title: 'red kayak', price: 420 }, 120n),
          change('d', 3, null, 130n, { before: { id: 3, title: 'helmet', price: null } }),
          // The pipeline gives tombstones LSN 0: they carry no source position.
          change('d', 3, null, 0n, { tombstone: true }),
        ]),
      );
      expect(await state()).toEqual({
        1: { id: 1, title: 'red kayak', price: 420 },
        2: { id: 2, title: 'paddle', price: 35.5 },
      });
    });

    it('deletes a row whose delete and tombstone come in one batch', async () => {
      await adapter.apply(batch(table, [change('c', 9, { id: 9, title: 'anchor', price: 80 }, 115n)]));
      expect(Object.keys(await state())).toContain('9');
      await adapter.apply(
        batch(table, [
          change('d', 9, null, 125n, { before: { id: 9, title: 'anchor', price: 80 } }),
          change('d', 9, null, 0n, { tombstone: true }),
        ]),
      );
      expect(Object.keys(await state())).not.toContain('9');
    });

    it('gives the same state when a batch comes again (a retry or a replay)', async () => {
      const again = batch(table, [
        change('u', 2, { id: 2, title: 'long paddle', price: 40 }, 140n),
        change('c', 4, { id: 4, title: 'pump', price: 12 }, 140n),
      ]);
      await adapter.apply(again);
      await adapter.apply(again);
      expect(await state()).toEqual({
        1: { id: 1, title: 'red kayak', price: 420 },
        2: { id: 2, title: 'long paddle', price: 40 },
        4: { id: 4, title: 'pump', price: 12 },
      });
    });

    it('ignores a change older than the row it would overwrite, and lets a same-LSN later one win', async () => {
      await adapter.apply(
        batch(table, [
          // A replay from the start of the topic: older than what the engine holds.
          change('r', 1, { id: 1, title: 'kayak', price: 450 }, 100n),
          change('d', 2, null, 110n, { before: { id: 2 } }),
          // Two changes of one transaction: same LSN, the later offset wins.
          change('c', 5, { id: 5, title: 'rope', price: 3 }, 150n),
          change('u', 5, { id: 5, title: 'blue rope', price: 4 }, 150n),
        ]),
      );
      expect(await state()).toEqual({
        1: { id: 1, title: 'red kayak', price: 420 },
        2: { id: 2, title: 'long paddle', price: 40 },
        4: { id: 4, title: 'pump', price: 12 },
        5: { id: 5, title: 'blue rope', price: 4 },
      });
    });

    it('evolves the table: a column added later is filled from then on', async () => {
      const evolved = itemsTable([...table.columns, { name: 'colour', type: 'string', nullable: true }], 2);
      await adapter.prepare(evolved);
      await adapter.apply(
        batch(evolved, [change('u', 4, { id: 4, title: 'pump', price: 12, colour: 'red' }, 160n)]),
      );
      const rows = await state(evolved, [...fields, 'colour']);
      expect(rows[4]).toEqual({ id: 4, title: 'pump', price: 12, colour: 'red' });
      expect(rows[1]).toEqual({ id: 1, title: 'red kayak', price: 420, colour: null });
    });

    it('keeps what it applied across a close and a new open', async () => {
      await adapter.close();
      adapter = await harness.open();
      expect(Object.keys(await state()).sort()).toEqual(['1', '2', '4', '5']);
    }, 60_000);

    it('stores the offset with the data, when the engine has transactions', async () => {
      if (adapter.storedOffsets === undefined) return;
      const last = batch(table, [change('c', 6, { id: 6, title: 'map', price: 9 }, 170n)]);
      await adapter.apply(last);
      expect((await adapter.storedOffsets(table.topic)).get(0)).toBe(last.nextOffset);
    });

    it('empties the table on a truncate', async () => {
      await adapter.apply(batch(table, [change('t', null, null, 180n)]));
      expect(await state()).toEqual({});
      await adapter.apply(batch(table, [change('c', 7, { id: 7, title: 'after', price: 1 }, 190n)]));
      expect(Object.keys(await state())).toEqual(['7']);
    });

    // Engines that can rebuild: the tables built anew beside the live ones, then swapped in.
    describe('rebuilding beside the live tables', () => {
      let rebuild: SinkRebuild | undefined;
      const replayed = batch(table, [
        change('r', 7, { id: 7, title: 'seven rebuilt', price: 1 }, 195n),
        change('c', 10, { id: 10, title: 'rebuilt only', price: 2 }, 200n),
      ]);

      afterAll(async () => {
        await rebuild?.close();
      });

      it('keeps what a rebuild takes out of the live tables until the swap', async () => {
        if (adapter.rebuild === undefined) return;
        rebuild = await adapter.rebuild();
        await rebuild.prepare(table);
        await rebuild.apply(replayed);
        // Live writes go on meanwhile, to the live tables only.
        await adapter.apply(batch(table, [change('c', 8, { id: 8, title: 'live only', price: 3 }, 210n)]));
        expect(await state()).toEqual({
          7: { id: 7, title: 'after', price: 1 },
          8: { id: 8, title: 'live only', price: 3 },
        });
        if (rebuild.storedOffsets !== undefined) {
          expect((await rebuild.storedOffsets(table.topic)).get(0)).toBe(replayed.nextOffset);
        }
      }, 60_000);

      it('swaps the rebuilt tables in: the live adapter then reads and writes them', async () => {
        if (rebuild === undefined) return;
        await rebuild.swap();
        expect(await state()).toEqual({
          7: { id: 7, title: 'seven rebuilt', price: 1 },
          10: { id: 10, title: 'rebuilt only', price: 2 },
        });
        if (adapter.storedOffsets !== undefined) {
          expect((await adapter.storedOffsets(table.topic)).get(0)).toBe(replayed.nextOffset);
        }
        await adapter.apply(
          batch(table, [change('u', 10, { id: 10, title: 'live after swap', price: 4 }, 220n)]),
        );
        expect(await state()).toEqual({
          7: { id: 7, title: 'seven rebuilt', price: 1 },
          10: { id: 10, title: 'live after swap', price: 4 },
        });
      }, 60_000);

      it('keeps the rebuilt tables across a close and a new open', async () => {
        if (rebuild === undefined) return;
        await adapter.close();
        adapter = await harness.open();
        expect(await state()).toEqual({
          7: { id: 7, title: 'seven rebuilt', price: 1 },
          10: { id: 10, title: 'live after swap', price: 4 },
        });
      }, 60_000);

      it('discards a rebuild, leaving the live tables as they are', async () => {
        if (adapter.rebuild === undefined) return;
        const before = await state();
        const discarded = await adapter.rebuild();
        try {
          await discarded.prepare(table);
          await discarded.apply(
            batch(table, [
              change('c', 11, { id: 11, title: 'discarded', price: 5 }, 230n),
              change('d', 7, null, 230n, { before: { id: 7 } }),
            ]),
          );
          await discarded.discard();
        } finally {
          await discarded.close();
        }
        expect(await state()).toEqual(before);
        await adapter.apply(batch(table, [change('c', 12, { id: 12, title: 'still live', price: 6 }, 240n)]));
        expect(Object.keys(await state()).sort()).toEqual(['10', '12', '7']);
      }, 60_000);
    });
  });
}
