import { setTimeout as sleep } from 'node:timers/promises';
import { TestDatabase } from '@trunkline/testing';
import type { Client } from 'pg';

/** The captured table: a bigint key, a small integer, a 32-character text and a timestamp. */
export const TABLE = 'bench_rows';

/** A fresh database holding `rows` rows in public.bench_rows, vacuumed and analysed. */
export async function loadDatabase(postgresUrl: string, rows: number): Promise<TestDatabase> {
  const db = new TestDatabase(postgresUrl);
  await db.create();
  try {
    await db.sql.query(
      `CREATE TABLE ${TABLE} (id bigint PRIMARY KEY, n integer NOT NULL, payload text NOT NULL, created_at timestamptz NOT NULL)`,
    );
    await db.sql.query(
      `INSERT INTO ${TABLE} SELECT g, g % 1000, md5(g::text), now() FROM generate_series(1, $1::bigint) g`,
      [rows],
    );
    await db.sql.query(`VACUUM ANALYZE ${TABLE}`);
  } catch (error) {
    await db.drop();
    throw error;
  }
  return db;
}

/** Inserts rows [first, first + count) in one statement (one transaction). */
export async function insertRows(sql: Client, first: number, count: number): Promise<void> {
  await sql.query(
    `INSERT INTO ${TABLE} SELECT g, g % 1000, md5(g::text), clock_timestamp() FROM generate_series($1::bigint, $2::bigint) g`,
    [first, first + count - 1],
  );
}

export interface StreamLoad {
  rows: number;
  seconds: number;
  /** Rows per second actually inserted. */
  rate: number;
}

/**
 * Inserts `rate` rows a second for `seconds`, as one multi-row INSERT every 10 ms (so each
 * transaction carries rate/100 rows), starting at id `first`. A tick that falls behind is
 * not made up twice: the next one starts as soon as it can.
 */
export async function insertAtRate(
  sql: Client,
  first: number,
  rate: number,
  seconds: number,
): Promise<StreamLoad> {
  const perTick = Math.max(1, Math.round(rate / 100));
  const ticks = Math.round(seconds * 100);
  const start = performance.now();
  let next = first;
  for (let tick = 0; tick < ticks; tick++) {
    const wait = start + tick * 10 - performance.now();
    if (wait > 0) await sleep(wait);
    await insertRows(sql, next, perTick);
    next += perTick;
  }
  const elapsed = (performance.now() - start) / 1000;
  return { rows: next - first, seconds: elapsed, rate: (next - first) / elapsed };
}

/** Waits until `done()` holds, checking every 20 ms; fails with `what` after `timeoutMs`. */
export async function waitUntil(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}
