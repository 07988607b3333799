// SIGKILLs while the log cleaner rewrites segments: every restart finds a readable log, in
// order, where each key's last record is its last acknowledged value (or a later one whose
// acknowledgement the kill cut off), and the cleaner finishes the job afterwards.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readPartitionContents, TrunklineTestBroker } from '@trunkline/testing';
import { Kafka, logLevel, Partitioners } from 'kafkajs';

const KEYS = 5000;
// A slow cleaner: each pass over the topic takes seconds, so kills land inside passes.
const ARGS = ['--log-cleaner-backoff', '100ms', '--log-cleaner-io-max-bytes-per-second', '2MiB'];

const broker = new TrunklineTestBroker();
afterAll(() => broker.destroy(), 30_000);

/** Per key: the last acknowledged value, and values sent after it whose fate the kill decided. */
interface KeyHistory {
  acked?: string;
  unsure: string[];
}

async function produce(
  history: Map<string, KeyHistory>,
  round: number,
  until: Promise<void> | undefined,
  batches: number,
) {
  const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: 0 },
  });
  await producer.connect();
  let stopped = false;
  void until?.then(() => {
    stopped = true;
  });
  for (let n = 0; n < batches && !stopped; n++) {
    const messages = Array.from({ length: 50 }, (_, i) => {
      const key = `key-${(n * 50 + i) % KEYS}`;
      return { key, value: `r${round}-b${n}-${i}-${'z'.repeat(400)}` };
    });
    for (const m of messages) history.get(m.key)!.unsure.push(m.value);
    try {
      await producer.send({ topic: 'compacted', acks: -1, messages });
      for (const m of messages) history.set(m.key, { acked: m.value, unsure: [] });
    } catch {
      break;
    }
  }
  await producer.disconnect().catch(() => undefined);
}

async function checkLog(history: Map<string, KeyHistory>) {
  const contents = await readPartitionContents(broker.bootstrap, 'compacted');
  // Strictly increasing: order kept, no offset twice.
  const disorder = contents.records.findIndex((r, i) => i > 0 && r.offset <= contents.records[i - 1]!.offset);
  expect(disorder).toBe(-1);
  const last = new Map<string, string>();
  for (const r of contents.records) last.set(r.key!.toString(), r.value!.toString());
  for (const [key, { acked, unsure }] of history) {
    if (acked === undefined && unsure.length === 0) continue;
    expect([acked, ...unsure]).toContain(last.get(key));
  }
  return contents;
}

/** Files of a cleaning pass in flight: a killed broker leaves them for recovery. */
function passLeftovers(): string[] {
  const dir = join(broker.dataDirectory, 'logs', 'compacted-0');
  return readdirSync(dir).filter((f) => f.endsWith('.cleaned') || f === 'segment-swap.json');
}

describe('the broker killed while compacting', () => {
  it('leaves a readable log with every key at its latest acknowledged value, across 6 SIGKILLs', async () => {
    await broker.start(ARGS);
    const admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        {
          topic: 'compacted',
          numPartitions: 1,
          configEntries: [
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'segment.bytes', value: String(64 * 1024) },
            { name: 'min.cleanable.dirty.ratio', value: '0.01' },
          ],
        },
      ],
    });
    await admin.disconnect();
    const history = new Map(
      Array.from({ length: KEYS }, (_, k): [string, KeyHistory] => [`key-${k}`, { unsure: [] }]),
    );
    // Every key once, then updates: each pass rewrites at least the 2 MB of latest values.
    await produce(history, 0, undefined, 100);
    let cleanedPasses = 0;
    let killedMidPass = 0;
    for (let round = 1; round <= 6; round++) {
      const killed = new Promise<void>((resolve) =>
        setTimeout(() => void broker.kill().then(resolve), 1000 + Math.floor(Math.random() * 4000)),
      );
      await produce(history, round, killed, 40);
      await killed;
      if (passLeftovers().length > 0) killedMidPass++;
      cleanedPasses += broker.process.logs().filter((e) => e.msg === 'log cleaned').length;
      await broker.start(ARGS);
      await checkLog(history);
    }
    // Unhurried, the cleaner gets to the end: one record per key, bar the active segment.
    await broker.stop();
    // A clean stop abandons its pass and removes what the pass wrote.
    expect(passLeftovers()).toEqual([]);
    await broker.start(['--log-cleaner-backoff', '100ms']);
    const settled = await (async () => {
      for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
        const contents = await checkLog(history);
        if (contents.records.length <= KEYS + 1000) return contents;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      return checkLog(history);
    })();
    expect(settled.records.length).toBeLessThanOrEqual(KEYS + 1000);
    expect(cleanedPasses).toBeGreaterThan(0);
    expect(killedMidPass).toBeGreaterThan(0);
  }, 240_000);
});
