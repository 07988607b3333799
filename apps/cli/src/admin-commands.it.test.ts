import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand, TrunklineTestBroker, trunklineCommand } from '@trunkline/testing';
import { Kafka, logLevel, Partitioners } from 'kafkajs';

const broker = new TrunklineTestBroker();
const tierDir = mkdtempSync(join(tmpdir(), 'cli-tier-'));

beforeAll(
  () =>
    broker.start([
      '--tier-dir',
      tierDir,
      '--tier-upload-interval',
      '200ms',
      '--log-retention-check-interval',
      '200ms',
    ]),
  60_000,
);
afterAll(async () => {
  await broker.destroy();
  rmSync(tierDir, { recursive: true, force: true });
});

function trunkline(...args: string[]) {
  return runCommand(trunklineCommand(...args, '--broker-admin', broker.grpcAddress));
}

describe('admin commands against a running broker', () => {
  it('create, list and describe topics, as tables and as JSON', async () => {
    const created = await trunkline(
      'topics',
      'create',
      'clicks',
      '--partitions',
      '2',
      '--config',
      'retention.ms=60000',
    );
    expect(created).toMatchObject({ code: 0, stdout: 'created: clicks (2 partitions)\n' });

    const table = await trunkline('topics', 'list');
    expect(table.stdout).toMatch(/^TOPIC +PARTITIONS +BYTES +INTERNAL$/m);
    expect(table.stdout).toMatch(/^clicks +2 +0$/m);

    const json = JSON.parse((await trunkline('topics', 'describe', 'clicks', '--json')).stdout);
    expect(json.topic.partitions).toHaveLength(2);
    expect(json.topic.configs).toContainEqual(
      expect.objectContaining({ name: 'retention.ms', value: '60000' }),
    );

    const described = await trunkline('topics', 'describe', 'clicks');
    expect(described.stdout).toMatch(/^retention\.ms +60000$/m);
  });

  it('describes where a tiered topic lives: local disk, the tier, and the upload lag', async () => {
    const config = 'remote.storage.enable=true,segment.bytes=2048,local.retention.bytes=2048';
    expect((await trunkline('topics', 'create', 'tiered', '--config', config)).code).toBe(0);
    const producer = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).producer({
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    for (let i = 0; i < 20; i++)
      await producer.send({
        topic: 'tiered',
        messages: [{ value: 'x'.repeat(500) }, { value: 'y'.repeat(500) }],
      });
    await producer.disconnect();
    let partition: Record<string, string | number> = {};
    for (let attempt = 0; attempt < 100; attempt++) {
      partition = JSON.parse((await trunkline('topics', 'describe', 'tiered', '--json')).stdout).topic
        .partitions[0];
      if (partition.localLogStartOffset !== undefined && Number(partition.localLogStartOffset) > 20) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(partition).toMatchObject({ logStartOffset: expect.anything(), remoteLogStartOffset: '0' });
    expect(Number(partition.remoteSegments)).toBeGreaterThan(5);
    const table = (await trunkline('topics', 'describe', 'tiered')).stdout;
    expect(table).toMatch(/LOCAL START +REMOTE START +REMOTE END +REMOTE BYTES +REMOTE SEGMENTS +UPLOAD LAG/);
    expect(table).toMatch(/^0 +1 +0 +40 +\d+ +\d+ +\d+ +0 +\d+ +\d+ +\d+ +\d+ \(\d+ B\)$/m);
  });

  it('tails records and describes the group that read them', async () => {
    const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({
      topic: 'clicks',
      messages: [0, 1, 2].map((i) => ({ key: `k${i}`, value: `v${i}`, partition: 0 })),
    });
    await producer.disconnect();

    const tail = await trunkline('tail', 'clicks', '--from', 'earliest', '--partition', '0', '--max', '3');
    expect(tail.code).toBe(0);
    expect(
      tail.stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split('\t').filter((_, i) => i !== 2)),
    ).toEqual([
      ['0', '0', 'k0', 'v0'],
      ['0', '1', 'k1', 'v1'],
      ['0', '2', 'k2', 'v2'],
    ]);

    const reset = await trunkline(
      'groups',
      'reset-offsets',
      'analysts',
      '--topic',
      'clicks',
      '--to',
      'offset:1',
      '--dry-run',
    );
    expect(reset.stdout).toMatch(/^clicks +0 +-1 +1$/m);
    expect(reset.stdout).toContain('dry run: nothing changed');
    await trunkline('groups', 'reset-offsets', 'analysts', '--topic', 'clicks', '--to', 'earliest');
    const group = await trunkline('groups', 'describe', 'analysts');
    expect(group.stdout).toMatch(/^clicks +0 +0 +3 +3$/m);
    expect((await trunkline('groups', 'list', '--json')).stdout).toContain('"groupId": "analysts"');
  });

  it('reports a failed call in one line and exits 1', async () => {
    const missing = await trunkline('topics', 'describe', 'nowhere');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('trunkline topics: topic "nowhere" does not exist (NotFound)\n');
    const bad = await trunkline('tail', 'clicks', '--from', 'yesterday');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      '--from "yesterday" is invalid: expected earliest, latest, offset:N or timestamp:ISO-8601',
    );
  });
});
