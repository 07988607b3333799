import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedPostgres, type RunningPostgres } from '@trunkline/embedded-postgres';
import { createLogger } from '@trunkline/runtime';
import { Client } from 'pg';
import { startDemoLoad } from './demo-load';
import { ensureDemoDatabase } from './demo-schema';

/** Every row of the demo tables, as text: equal snapshots mean nothing changed. */
async function snapshot(url: string): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const tables = [];
    for (const table of ['customers', 'products', 'orders']) {
      const { rows } = await client.query(`select * from ${table} order by id`);
      tables.push(JSON.stringify(rows));
    }
    return tables.join('\n');
  } finally {
    await client.end();
  }
}

describe('the demo load', () => {
  let parent: string;
  let postgres: RunningPostgres;
  let url: string;
  const logger = createLogger({ service: 'demo-load', instanceId: 'test', level: 'silent' });

  beforeAll(async () => {
    parent = mkdtempSync(join(tmpdir(), 'trunkline-demo-load-'));
    postgres = await EmbeddedPostgres.start({ dataDir: join(parent, 'postgres'), port: 0 });
    url = await ensureDemoDatabase(postgres);
  }, 120_000);

  afterAll(async () => {
    await postgres?.stop();
    if (postgres?.location.relocated) rmSync(postgres.location.path, { recursive: true, force: true });
    rmSync(parent, { recursive: true, force: true });
  });

  it('creates the demo database once, with its seed rows', async () => {
    const before = await snapshot(url);
    expect(await ensureDemoDatabase(postgres)).toBe(url);
    expect(await snapshot(url)).toBe(before);
    expect(before).toContain('Sea kayak');
  });

  it('at 50 a second for 2 s, inserts, updates and deletes rows', async () => {
    const before = await snapshot(url);
    const load = await startDemoLoad({ url, opsPerSecond: 50, logger });
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await load.stop();
    const counts = load.counts();
    expect(counts.failures).toBe(0);
    expect(counts.inserts).toBeGreaterThan(0);
    expect(counts.updates).toBeGreaterThan(0);
    expect(counts.deletes).toBeGreaterThan(0);
    // About 100 statements; some change no row (nothing left to cancel), none is lost to slowness.
    const changed = counts.inserts + counts.updates + counts.deletes;
    expect(changed).toBeGreaterThan(50);
    expect(changed).toBeLessThan(150);
    expect(await snapshot(url)).not.toBe(before);
  });
});
