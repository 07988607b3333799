import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { BATCH_SIZE, changeAt, crashTable } from './crash-writer.fixture';
import { baseName, names } from './sqlite-schema';
import { SqliteSearchEngine } from './sqlite-search-engine';

/** Runs the writer until it acknowledged `acks` batches, then SIGKILLs it; the last offset acknowledged. */
async function writeThenKill(path: string, acks: number): Promise<bigint> {
  const child = spawn(
    process.execPath,
    ['--require', require.resolve('tsx/cjs'), join(__dirname, 'crash-writer.fixture.ts'), path],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let acked = -1n;
  let seen = 0;
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      acked = BigInt(line.slice('ack '.length));
      if (++seen === acks) child.kill('SIGKILL');
    }
  });
  await exited;
  if (seen < acks) throw new Error(`the writer exited after ${seen} batches: ${stderr}`);
  return acked;
}

/** The rows offsets [0, end) leave, by id. */
function expectedRows(end: bigint): Map<number, string> {
  const rows = new Map<number, string>();
  for (let offset = 0n; offset < end; offset++) {
    const change = changeAt(offset);
    const id = Number(change.key!.id);
    if (change.after === null) rows.delete(id);
    else rows.set(id, change.after.text as string);
  }
  return rows;
}

describe('SqliteSearchEngine under SIGKILL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trunkline-sqlite-crash-'));
  const path = join(dir, 'search.db');

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('holds exactly the batches up to its stored offset, at least every one acknowledged', async () => {
    for (let round = 0; round < 5; round++) {
      const acked = await writeThenKill(path, 20 + round * 7);
      const engine = await SqliteSearchEngine.open({ path });
      try {
        const stored = (await engine.storedOffsets(crashTable.topic)).get(0)!;
        expect(stored).toBeGreaterThanOrEqual(acked);
        expect(stored % BATCH_SIZE).toBe(0n);
        const expected = expectedRows(stored);
        const rows = await engine.rows(crashTable.name);
        expect(new Map(rows.map((row) => [row.id as number, row.text as string]))).toEqual(expected);
        const all = await engine.search({ table: crashTable.name, query: 'item', size: 100 });
        expect(all.total).toBe(expected.size);
        const [someId, someText] = [...expected][0]!;
        const one = await engine.search({ table: crashTable.name, query: someText.split(' ')[1]! });
        expect(one.hits.map((hit) => hit.key)).toEqual([{ id: someId }]);
      } finally {
        await engine.close();
      }
      // The full-text index agrees with the documents it was built from, row for row.
      const raw = new Database(path);
      try {
        const fts = names(baseName(crashTable.name)).fts;
        expect(() =>
          raw.prepare(`INSERT INTO ${fts} (${fts}, rank) VALUES ('integrity-check', 1)`).run(),
        ).not.toThrow();
        expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        raw.close();
      }
    }
  }, 120_000);
});
