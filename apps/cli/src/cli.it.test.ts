import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataLocation, postgresOsUser } from '@trunkline/embedded-postgres';
import { flagName } from '@trunkline/runtime';
import { ChildService, trunklineCommand } from '@trunkline/testing';
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
  }, 90_000);
});
