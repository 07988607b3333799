import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  runCommand,
  TrunklineTestBroker,
  TrunklineTestSchemaRegistry,
  trunklineCommand,
} from '@trunkline/testing';

const broker = new TrunklineTestBroker();
let registry: TrunklineTestSchemaRegistry;
const dir = mkdtempSync(join(tmpdir(), 'trunkline-schemas-'));

const avro = (fields: unknown[], name = 'User') => JSON.stringify({ type: 'record', name, fields });
function schemaFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
const v1 = schemaFile('v1.avsc', avro([{ name: 'id', type: 'long' }]));
const v2 = schemaFile(
  'v2.avsc',
  avro([
    { name: 'id', type: 'long' },
    { name: 'email', type: 'string', default: '' },
  ]),
);
const breaking = schemaFile(
  'breaking.avsc',
  avro([
    { name: 'id', type: 'long' },
    { name: 'age', type: 'int' },
  ]),
);

beforeAll(async () => {
  await broker.start();
  registry = new TrunklineTestSchemaRegistry(broker.bootstrap);
  await registry.start();
}, 90_000);

afterAll(async () => {
  await registry?.stop();
  await broker.destroy();
  rmSync(dir, { recursive: true, force: true });
});

function trunkline(...args: string[]) {
  return runCommand(trunklineCommand('schemas', ...args, '--registry-admin', registry.grpcAddress));
}

describe('trunkline schemas against a running registry', () => {
  it('registers schemas, lists subjects and versions, and reads them as text and JSON', async () => {
    expect(await trunkline('register', 'users-value', '--file', v1)).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^registered: users-value version 1 \(id \d+\)\n$/),
    });
    const second = await trunkline('register', 'users-value', '--file', v2, '--type', 'avro', '--json');
    expect(second.code).toBe(0);
    const { id, version } = JSON.parse(second.stdout);
    expect(version).toBe(2);

    expect(await trunkline('register', 'orders-value', '--file', v1)).toMatchObject({ code: 0 });
    expect((await trunkline('subjects')).stdout).toBe('orders-value\nusers-value\n');
    expect(JSON.parse((await trunkline('subjects', '--prefix', 'users', '--json')).stdout)).toEqual({
      subjects: ['users-value'],
    });
    expect((await trunkline('versions', 'users-value')).stdout).toBe('1\n2\n');

    const latest = await trunkline('get', 'users-value');
    expect(latest.stdout).toMatch(/^subject: users-value$/m);
    expect(latest.stdout).toMatch(/^version: 2$/m);
    expect(latest.stdout).toMatch(new RegExp(`^id: ${id}$`, 'm'));
    expect(latest.stdout).toMatch(/^type: AVRO$/m);
    expect(latest.stdout).toContain('"email"');

    const first = JSON.parse((await trunkline('get', 'users-value', '1', '--json')).stdout);
    expect(first.schema).toMatchObject({
      subject: 'users-value',
      version: 1,
      schemaType: 'SCHEMA_TYPE_AVRO',
    });
    expect(JSON.parse(first.schema.schema)).toEqual(JSON.parse(avro([{ name: 'id', type: 'long' }])));

    const byId = await trunkline('get-id', String(first.schema.id));
    expect(byId.stdout).toMatch(/^used by: orders-value:1, users-value:1$/m);
  });

  it('checks compatibility and changes the level', async () => {
    expect(await trunkline('check', 'users-value', '--file', v2)).toMatchObject({
      code: 0,
      stdout: 'compatible with users-value\n',
    });
    const refused = await trunkline('check', 'users-value', '--file', breaking);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/^incompatible with users-value:\n {2}- /);
    const json = JSON.parse((await trunkline('check', 'users-value', '--file', breaking, '--json')).stdout);
    expect(json.compatible).toBe(false);
    expect(json.messages.length).toBeGreaterThan(0);

    const rejected = await trunkline('register', 'users-value', '--file', breaking);
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toMatch(/incompatible.*\(FailedPrecondition\)/);

    expect((await trunkline('compatibility')).stdout).toMatch(/^\(global\) +BACKWARD$/m);
    expect((await trunkline('compatibility', 'users-value')).stdout).toMatch(/^users-value +BACKWARD$/m);
    expect((await trunkline('compatibility', 'users-value', '--set', 'none')).stdout).toMatch(
      /^users-value +NONE$/m,
    );
    expect(JSON.parse((await trunkline('compatibility', 'users-value', '--json')).stdout)).toEqual({
      level: 'COMPATIBILITY_LEVEL_NONE',
    });
    expect(await trunkline('check', 'users-value', '--file', breaking)).toMatchObject({ code: 0 });
    expect((await trunkline('register', 'users-value', '--file', breaking)).stdout).toMatch(/version 3/);

    expect((await trunkline('mode')).stdout).toMatch(/^\(global\) +READWRITE$/m);
    expect((await trunkline('mode', 'orders-value', '--set', 'READONLY')).stdout).toMatch(
      /^orders-value +READONLY$/m,
    );
  });

  it('rejects bad usage and reports missing subjects', async () => {
    const missing = await trunkline('versions', 'nobody');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("Subject 'nobody' not found. (NotFound)");
    const badLevel = await trunkline('compatibility', '--set', 'sideways');
    expect(badLevel.code).toBe(2);
    expect(badLevel.stderr).toContain('--set takes one of NONE, BACKWARD');
    expect((await trunkline('register', 'x', '--file', v1, '--reference', 'oops')).code).toBe(2);
    expect((await trunkline('register', 'x')).code).toBe(2);
  });
});
