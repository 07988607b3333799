import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SearchService } from '@trunkline/contracts/search/v1/search';
import { dataLocation, postgresOsUser } from '@trunkline/embedded-postgres';
import { createGrpcClient, flagName } from '@trunkline/runtime';
import { ChildService, trunklineCommand } from '@trunkline/testing';
import { Client } from 'pg';
import { services } from './services';

async function trunkline(...args: string[]) {
  const child = ChildService.spawn({ command: trunklineCommand(...args) });
  const exit = await child.exited;
  return { code: exit.code, output: child.output() };
}

describe('trunkline', () => {
  it('--help lists every command', async () => {
    const { code, output } = await trunkline('--help');
    expect(code).toBe(0);
    for (const command of ['up', 'serve', 'version'])
      expect(output).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  it('serve --help lists the services and the flags every service takes', async () => {
    const { code, output } = await trunkline('serve', '--help');
    expect(code).toBe(0);
    for (const service of services) expect(output).toContain(service.name);
    for (const flag of ['--host', '--grpc-port', '--http-port', '--log-level', '--shutdown-timeout']) {
      expect(output).toContain(flag);
    }
    for (const service of services) {
      const own = await trunkline('serve', service.name, '--help');
      expect(own.code).toBe(0);
      expect(own.output).toContain(`Usage: trunkline serve ${service.name} [flags]`);
      for (const key of Object.keys(service.settings)) expect(own.output).toContain(`--${flagName(key)}`);
    }
  });

  it('up --help describes its flags', async () => {
    const { code, output } = await trunkline('up', '--help');
    expect(code).toBe(0);
    expect(output).toContain('--log-level');
  });

  it('version prints the version, and --json for scripts', async () => {
    const { version } = require('../../../package.json') as { version: string };
    expect((await trunkline('version')).output).toContain(`trunkline ${version}`);
    const json = await trunkline('version', '--json');
    expect(JSON.parse(json.output)).toMatchObject({ version });
  });

  it.each([
    [
      ['nonsense'],
      'trunkline nonsense: unknown command "nonsense" (commands: up, serve, topics, groups, schemas, sources, sinks, search, tail, version)',
    ],
    [['serve', 'nonsense'], 'trunkline serve: unknown service "nonsense"'],
    [['up', '--nonsense'], 'trunkline up: unknown flag --nonsense'],
  ])('%j exits 2 with one line', async (args, message) => {
    const { code, output } = await trunkline(...args);
    expect(code).toBe(2);
    expect(output.split('\n').filter(Boolean)).toHaveLength(1);
    expect(output).toContain(message);
  });

  it('up runs every service and stops them all on Ctrl-C', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'trunkline-up-'));
    const up = ChildService.spawn({ command: trunklineCommand('up', '--data-dir', dataDir) });
    if (services.length === 0) {
      expect((await up.exited).code).toBe(0);
      expect(up.output()).toContain('no services are built yet');
      return;
    }
    const deadline = Date.now() + 60_000;
    while (!up.output().includes('is up') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    // The embedded Postgres with the demo database first, then every service.
    expect(up.output()).toMatch(/^postgres +postgres 127\.0\.0\.1:5432$/m);
    for (const service of services) expect(up.output()).toMatch(new RegExp(`^${service.name} +grpc `, 'm'));
    await searchTheDemo();
    up.signal('SIGINT');
    // The output says why, when it does not stop cleanly.
    expect({ code: (await up.exited).code, output: up.output() }).toMatchObject({ code: 0 });
    expect(readdirSync(dataDir)).toEqual(
      expect.arrayContaining(services.filter((s) => 'dataDir' in s.settings).map((s) => s.name)),
    );
    // As root, Postgres's data lives under the temp dir when the postgres user cannot reach dataDir.
    const postgres = dataLocation(join(dataDir, 'postgres'), postgresOsUser());
    if (postgres.relocated) rmSync(postgres.path, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }, 150_000);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What a new user does after `npm start`: change the demo database and find the change with
 * `trunkline search`, a row inserted searchable within a second.
 */
async function searchTheDemo(): Promise<void> {
  const sql = new Client({ connectionString: 'postgres://postgres:postgres@127.0.0.1:5432/trunkline' });
  await sql.connect();
  const search = createGrpcClient(SearchService, '127.0.0.1:50054');
  try {
    // The snapshot's rows first: the platform indexes the demo data on its own (until then
    // the table is unknown to the index).
    const kayaks = () =>
      search.search({ table: 'public.products', query: 'kayak' }).then(
        (r) => r.hits.length,
        () => 0,
      );
    for (let tries = 0; (await kayaks()) < 2; tries++) {
      if (tries > 600) throw new Error('the demo products never became searchable');
      await sleep(100);
    }
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO products (sku, name, description, price, stock) VALUES ('SUP-INF', 'Inflatable paddleboard', 'Rolls up into a backpack; pumps up in minutes.', 499.00, 5) RETURNING id`,
    );
    const committed = Date.now();
    while ((await search.search({ table: 'public.products', query: 'paddleboard' })).hits.length === 0) {
      if (Date.now() - committed > 10_000) throw new Error('the inserted product never became searchable');
      await sleep(10);
    }
    expect(Date.now() - committed).toBeLessThan(1000);
    const found = await trunkline('search', 'paddleboard', '--table', 'public.products');
    expect(found.code).toBe(0);
    expect(found.output).toContain('Inflatable <em>paddleboard</em>');

    await sql.query(
      `UPDATE products SET description = 'Packs into a backpack with a hand pump.' WHERE id = $1`,
      [rows[0]!.id],
    );
    for (let tries = 0; ; tries++) {
      const updated = await trunkline('search', 'backpack', '--table', 'public.products', '--json');
      const hits =
        (JSON.parse(updated.output) as { hits?: { document: { description: string } }[] }).hits ?? [];
      if (hits[0]?.document.description === 'Packs into a backpack with a hand pump.') break;
      if (tries > 20) throw new Error(`the update never showed: ${updated.output}`);
    }
    await sql.query('DELETE FROM products WHERE id = $1', [rows[0]!.id]);
    for (let tries = 0; ; tries++) {
      const gone = await trunkline('search', 'paddleboard', '--table', 'public.products');
      if (gone.output.includes('no hits')) break;
      if (tries > 20) throw new Error(`the delete never showed: ${gone.output}`);
    }
  } finally {
    search.close();
    await sql.end();
  }
}
