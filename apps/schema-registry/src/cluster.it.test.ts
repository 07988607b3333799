import { randomUUID } from 'node:crypto';
import { describeEachBroker, type LogEntry, TrunklineTestSchemaRegistry } from '@trunkline/testing';
import { call, ok } from './testing/rest-client';

const SCHEMAS = 1000;
const CONCURRENCY = 24;
const KILL_AFTER = 300;

interface Acknowledged {
  subject: string;
  schema: string;
  id: number;
  version: number;
}

const schemaFor = (i: number) =>
  JSON.stringify({ type: 'record', name: `Load${i % 100}`, fields: [{ name: `f${i}`, type: 'long' }] });

/** The instance currently leading, as its own log says (the last election it took part in). */
function isLeading(registry: TrunklineTestSchemaRegistry): boolean {
  const elections = registry.process
    .logs()
    .filter(
      (e: LogEntry) =>
        e.msg === 'elected leader' || e.msg === 'following leader' || e.msg === 'no leader elected',
    );
  return elections.at(-1)?.msg === 'elected leader';
}

describeEachBroker('three schema registry instances', (broker) => {
  const suffix = randomUUID().slice(0, 8);
  const args = [
    '--topic',
    `_schemas-${suffix}`,
    '--group-id',
    `sr-${suffix}`,
    '--leader-session-timeout',
    '6s',
  ];
  let registries: TrunklineTestSchemaRegistry[] = [];

  beforeAll(async () => {
    registries = [0, 1, 2].map(() => new TrunklineTestSchemaRegistry(broker.bootstrap, args));
    await Promise.all(registries.map((r) => r.start()));
    await waitFor(() => registries.filter(isLeading).length === 1, 30_000, 'one leader elected');
  }, 90_000);
  afterAll(() => Promise.all(registries.map((r) => r.stop())));

  it('assigns no id twice under concurrent registrations and loses none acknowledged when the leader is killed', async () => {
    const urls = registries.map((r) => r.url);
    await ok(urls[1]!, 'PUT', '/config', { compatibility: 'NONE' });
    const leader = registries.find(isLeading)!;
    const acknowledged: Acknowledged[] = [];
    let killed = false;
    let next = 0;

    const registerOne = async (i: number) => {
      const subject = `load-${i % 100}`;
      const schema = schemaFor(i);
      const deadline = Date.now() + 60_000;
      for (let attempt = 0; ; attempt++) {
        const url = urls[(i + attempt) % urls.length]!;
        try {
          const answer = await call(url, 'POST', `/subjects/${subject}/versions`, { schema });
          if (answer.status === 200) {
            const { id, version } = answer.body as { id: number; version: number };
            acknowledged.push({ subject, schema, id, version });
            return;
          }
          if (answer.status < 500)
            throw new Error(`registration ${i} refused: ${JSON.stringify(answer.body)}`);
        } catch (error) {
          if ((error as Error).message.startsWith('registration')) throw error;
          // the killed instance refuses connections; try the next one
        }
        if (Date.now() > deadline) throw new Error(`registration ${i} found no leader for 60 s`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };

    const worker = async () => {
      while (next < SCHEMAS) {
        const i = next++;
        await registerOne(i);
        if (!killed && acknowledged.length >= KILL_AFTER) {
          killed = true;
          await leader.kill();
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect(killed).toBe(true);
    expect(acknowledged).toHaveLength(SCHEMAS);

    // distinct schemas got distinct ids
    const ids = new Map<number, string>();
    for (const a of acknowledged) {
      expect(ids.get(a.id) ?? a.schema).toBe(a.schema);
      ids.set(a.id, a.schema);
    }
    expect(ids.size).toBe(SCHEMAS);

    // every survivor serves every acknowledged registration with the same id and version
    const survivors = registries.filter((r) => r !== leader);
    await waitFor(() => survivors.filter(isLeading).length === 1, 30_000, 'a new leader elected');
    for (const registry of survivors) {
      for (const a of acknowledged) {
        const found = await ok<{ id: number; version: number }>(
          registry.url,
          'POST',
          `/subjects/${a.subject}`,
          {
            schema: a.schema,
          },
        );
        expect([found.id, found.version]).toEqual([a.id, a.version]);
      }
      const subjects = await ok<string[]>(registry.url, 'GET', '/subjects');
      expect(subjects).toHaveLength(100);
    }
    registries = survivors;
  }, 240_000);

  it('lets a caller read its own write through a follower', async () => {
    const follower = registries.find((r) => !isLeading(r))!;
    for (let i = 0; i < 20; i++) {
      const schema = JSON.stringify({
        type: 'record',
        name: 'Ryw',
        fields: [{ name: `g${i}`, type: 'int' }],
      });
      const { id } = await ok<{ id: number }>(follower.url, 'POST', '/subjects/ryw/versions', { schema });
      expect(await ok(follower.url, 'GET', `/schemas/ids/${id}`)).toEqual({ schema });
      expect(await ok<{ id: number }>(follower.url, 'GET', '/subjects/ryw/versions/latest')).toMatchObject({
        id,
      });
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
