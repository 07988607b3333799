import { setTimeout as sleep } from 'node:timers/promises';
import { TestDatabase } from '@trunkline/testing';
import { Client } from 'pg';

/** The indexed table: documents with a title, a body of about 200 bytes and two small integers. */
export const TABLE = 'bench_docs';
/** How the search indexer names it (schema.table in the source). */
export const SEARCH_TABLE = `public.${TABLE}`;
/** A word in the title of exactly one snapshotted row (`needleId`), and nowhere else. */
export const NEEDLE_WORD = 'quokka';
/** A word in the title of every row. */
export const EVERY_ROW_WORD = 'document';

/**
 * The body of row `id` (an SQL expression over the bigint `id`): 33 words drawn from a vocabulary
 * of 5,000 (`w0` … `w4999`), about 200 bytes, different from row to row.
 */
const BODY = (id: string) =>
  `(SELECT string_agg('w' || ((${id} * 7919 + i * 104729 + i * i * ${id}) % 5000), ' ') FROM generate_series(1, 33) i)`;

/** The row of the snapshot that carries NEEDLE_WORD. */
export const needleId = (rows: number) => Math.floor(rows / 2) + 1;

/** The token that makes row `id` of the streaming load findable on its own. */
export const token = (id: number) => `tok${id}`;

/** A fresh database holding `rows` documents in public.bench_docs, vacuumed and analysed. */
export async function loadDocuments(postgresUrl: string, rows: number): Promise<TestDatabase> {
  const db = new TestDatabase(postgresUrl);
  await db.create();
  try {
    await db.sql.query(
      `CREATE TABLE ${TABLE} (id bigint PRIMARY KEY, title text NOT NULL, body text NOT NULL, category integer NOT NULL, stars integer NOT NULL, version integer NOT NULL)`,
    );
    await db.sql.query(
      `INSERT INTO ${TABLE}
         SELECT g, '${EVERY_ROW_WORD} ' || g || CASE WHEN g = $2 THEN ' ${NEEDLE_WORD}' ELSE '' END,
                ${BODY('g')}, g % 1000, g % 5, 1
           FROM generate_series(1, $1::bigint) g`,
      [rows, needleId(rows)],
    );
    await db.sql.query(`VACUUM ANALYZE ${TABLE}`);
  } catch (error) {
    await db.drop();
    throw error;
  }
  return db;
}

/** Inserts rows [first, first + count) in one transaction, each titled with its token. */
export async function insertTokenRows(sql: Client, first: number, count: number): Promise<void> {
  await sql.query(
    `INSERT INTO ${TABLE} SELECT g, '${EVERY_ROW_WORD} ' || g || ' tok' || g, ${BODY('g')}, g % 1000, g % 5, 1
       FROM generate_series($1::bigint, $2::bigint) g`,
    [first, first + count - 1],
  );
}

export interface WriteLoad {
  /** Row changes committed (inserts + updates), and of them inserts. */
  changes: number;
  inserts: number;
  seconds: number;
  /** Changes per second actually committed. */
  rate: number;
  /** Transactions whose COMMIT returned more than 10 ms after their tick was due. */
  lateTicks: number;
}

export interface WriterOptions {
  /** Row changes per second. */
  rate: number;
  seconds: number;
  /** Share of the changes that are updates of earlier rows (the rest are inserts). */
  updateShare: number;
  /** First id to insert; ids below it exist. */
  firstId: number;
}

/**
 * Commits `rate` row changes a second for `seconds`: one transaction every 10 ms (so each holds
 * rate/100 changes), inserts of new rows titled with their token and updates of random earlier
 * rows (new body, version + 1). `committed(first, count, at)` is called right after each COMMIT
 * returns with the ids inserted and `performance.now()`. A tick that falls behind is not made up
 * twice: the next one starts as soon as it can.
 */
export async function writeAtRate(
  url: string,
  options: WriterOptions,
  committed: (first: number, count: number, at: number) => void,
): Promise<WriteLoad> {
  const perTick = Math.max(1, Math.round(options.rate / 100));
  const updates = Math.min(perTick - 1, Math.round(perTick * options.updateShare));
  const inserts = perTick - updates;
  const ticks = Math.round(options.seconds * 100);
  const sql = new Client({ connectionString: url });
  await sql.connect();
  try {
    const start = performance.now();
    let next = options.firstId;
    let changes = 0;
    let lateTicks = 0;
    for (let tick = 0; tick < ticks; tick++) {
      const due = start + tick * 10;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const updated = Array.from({ length: updates }, () => 1 + Math.floor(Math.random() * (next - 1)));
      // One round trip (simple query protocol): only integers are spliced in.
      await sql.query(
        `BEGIN;
         INSERT INTO ${TABLE} SELECT g, '${EVERY_ROW_WORD} ' || g || ' tok' || g, ${BODY('g')}, g % 1000, g % 5, 1
           FROM generate_series(${next}, ${next + inserts - 1}) g;
         ${updates > 0 ? `UPDATE ${TABLE} SET version = version + 1, body = 'revised ' || (version + 1) || ' ' || left(body, 180) WHERE id IN (${updated.join(',')});` : ''}
         COMMIT;`,
      );
      const at = performance.now();
      if (at - due > 10) lateTicks++;
      committed(next, inserts, at);
      next += inserts;
      changes += inserts + updates;
    }
    const seconds = (performance.now() - start) / 1000;
    return {
      changes,
      inserts: next - options.firstId,
      seconds,
      rate: changes / seconds,
      lateTicks,
    };
  } finally {
    await sql.end();
  }
}
