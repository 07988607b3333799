// `npm run -s engine -- start|status|stop` as a script uses it, each run in a private run
// directory so it never touches engines a developer (or CI) already started.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand, tsCommand } from '@trunkline/testing';
import { Client } from 'pg';
import { type EngineState, isAlive } from './engine-state';
import { isListening } from './ports';

const CLI = join(__dirname, 'cli.ts');

describe('the engine command', () => {
  let runDir: string;
  const engine = (...args: string[]) =>
    runCommand(tsCommand(CLI, ...args), { env: { TRUNKLINE_ENGINES_RUN_DIR: runDir }, timeoutMs: 300_000 });

  beforeEach(() => {
    runDir = mkdtempSync(join(tmpdir(), 'engines-run-'));
  });

  afterEach(async () => {
    await engine('stop', '--all');
    rmSync(runDir, { recursive: true, force: true });
  });

  function parseEnv(stdout: string): Record<string, string> {
    const lines = stdout.split('\n').filter(Boolean);
    for (const line of lines) expect(line).toMatch(/^[A-Z][A-Z0-9_]*=\S+$/);
    return Object.fromEntries(lines.map((line) => line.split(/=(.*)/s).slice(0, 2)));
  }

  async function pidOf(name: string): Promise<number> {
    const status = JSON.parse((await engine('status', '--json')).stdout) as {
      name: string;
      state: string;
      pid: number;
    }[];
    const entry = status.find((s) => s.name === name)!;
    expect(entry.state).toBe('running');
    return entry.pid;
  }

  it('starts Apache Kafka within 90 s, prints its bootstrap address, and stop leaves no process or data', async () => {
    const began = Date.now();
    const started = await engine('start', 'kafka', '--port', '0');
    expect(started.code).toBe(0);
    expect(Date.now() - began).toBeLessThan(90_000);
    const env = parseEnv(started.stdout);
    expect(Object.keys(env)).toEqual(['KAFKA_BOOTSTRAP']);
    const port = Number(env.KAFKA_BOOTSTRAP!.split(':')[1]);
    expect(await isListening(port)).toBe(true);
    const pid = await pidOf('kafka');

    expect((await engine('stop', 'kafka')).code).toBe(0);
    expect(isAlive(pid)).toBe(false);
    expect(await isListening(port)).toBe(false);
    expect(readdirSync(runDir)).toEqual([]);
  }, 300_000);

  it('starts Postgres with a test database, again returns the same address, and stop removes its data', async () => {
    const started = await engine('start', 'postgres', '--port', '0');
    expect(started.code).toBe(0);
    const env = parseEnv(started.stdout);
    const client = new Client({ connectionString: env.POSTGRES_URL });
    await client.connect();
    const { rows } = await client.query<{ db: string }>('select current_database() as db');
    await client.end();
    expect(rows[0]!.db).toBe('trunkline_test');
    const { cleanup } = JSON.parse(
      readFileSync(join(runDir, 'postgres', 'state.json'), 'utf8'),
    ) as EngineState;
    expect(cleanup.length).toBe(1);
    expect(existsSync(cleanup[0]!)).toBe(true);
    const pid = await pidOf('postgres');

    const again = await engine('start', 'postgres');
    expect(parseEnv(again.stdout)).toEqual(env);
    expect(await pidOf('postgres')).toBe(pid);

    expect((await engine('stop', 'postgres')).code).toBe(0);
    expect(isAlive(pid)).toBe(false);
    expect(readdirSync(runDir)).toEqual([]);
    expect(existsSync(cleanup[0]!)).toBe(false);
  }, 120_000);

  it('refuses an unknown engine with one line', async () => {
    const result = await engine('start', 'nosuch');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'engine: unknown engine "nosuch" (engines: kafka, postgres, s3, opensearch, pgvector)\n',
    );
  });
});
