// Kafka's own Java client, librdkafka (kcat) and kafkajs each write records that every
// other client reads back unchanged, through each broker under test.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { describeEachBroker, describeUnavailable, enginesRequired, runCommand } from '@trunkline/testing';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { kafkaToolCommand } from '../kafka-tools';

const RECORDS = 5;

function kcatAvailable(): boolean {
  try {
    execFileSync('kcat', ['-V']);
    return true;
  } catch {
    return false;
  }
}

function expectedLines(producer: string): string[] {
  return Array.from({ length: RECORDS }, (_, i) => `key-${i}=${producer}-value-${i}`);
}

type Producer = (bootstrap: string, topic: string, lines: string[]) => Promise<void>;
type Consumer = (bootstrap: string, topic: string) => Promise<string[]>;

const producers: Record<string, Producer> = {
  async kafkajs(bootstrap, topic, lines) {
    const producer = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).producer({
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    try {
      await producer.send({
        topic,
        acks: -1,
        messages: lines.map((line) => {
          const [key, value] = line.split('=');
          return { key: key!, value: value! };
        }),
      });
    } finally {
      await producer.disconnect();
    }
  },
  async kcat(bootstrap, topic, lines) {
    const result = await runCommand(['kcat', '-P', '-b', bootstrap, '-t', topic, '-K', '='], {
      input: `${lines.join('\n')}\n`,
    });
    expect(result).toMatchObject({ code: 0 });
  },
  async java(bootstrap, topic, lines) {
    const command = await kafkaToolCommand('console-producer', [
      '--bootstrap-server',
      bootstrap,
      '--topic',
      topic,
      '--property',
      'parse.key=true',
      '--property',
      'key.separator==',
    ]);
    const result = await runCommand(command, { input: `${lines.join('\n')}\n` });
    expect(result).toMatchObject({ code: 0 });
  },
};

const consumers: Record<string, Consumer> = {
  async kafkajs(bootstrap, topic) {
    const consumer = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).consumer({
      groupId: `test-${randomUUID()}`,
    });
    await consumer.connect();
    const lines: string[] = [];
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`kafkajs read ${lines.length} of ${RECORDS}`)),
          30_000,
        );
        void consumer.run({
          eachMessage: async ({ message }) => {
            lines.push(`${message.key?.toString()}=${message.value?.toString()}`);
            if (lines.length === RECORDS) {
              clearTimeout(timer);
              resolve();
            }
          },
        });
      });
    } finally {
      await consumer.disconnect();
    }
    return lines;
  },
  async kcat(bootstrap, topic) {
    const result = await runCommand([
      'kcat',
      '-C',
      '-b',
      bootstrap,
      '-t',
      topic,
      '-o',
      'beginning',
      '-e',
      '-q',
      '-f',
      '%k=%s\\n',
    ]);
    expect(result.code).toBe(0);
    return result.stdout.split('\n').filter(Boolean);
  },
  async java(bootstrap, topic) {
    const command = await kafkaToolCommand('console-consumer', [
      '--bootstrap-server',
      bootstrap,
      '--topic',
      topic,
      '--from-beginning',
      '--max-messages',
      String(RECORDS),
      '--timeout-ms',
      '30000',
      '--property',
      'print.key=true',
      '--property',
      'key.separator==',
    ]);
    const result = await runCommand(command);
    expect(result.code).toBe(0);
    return result.stdout.split('\n').filter(Boolean);
  },
};

if (!kcatAvailable() && !enginesRequired()) {
  describeUnavailable('Kafka clients', 'kcat is not installed (npm run -s engine -- install kcat)');
} else {
  describeEachBroker('Kafka clients', (broker) => {
    const run = randomUUID().slice(0, 8);
    const topicOf = (producer: string) => `clients-${producer}-${run}`;

    beforeAll(async () => {
      const admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      try {
        await admin.createTopics({
          waitForLeaders: true,
          topics: Object.keys(producers).map((p) => ({ topic: topicOf(p), numPartitions: 1 })),
        });
      } finally {
        await admin.disconnect();
      }
      for (const [name, produce] of Object.entries(producers)) {
        await produce(broker.bootstrap, topicOf(name), expectedLines(name));
      }
    }, 120_000);

    for (const consumer of Object.keys(consumers)) {
      for (const producer of Object.keys(producers)) {
        it(`${consumer} reads what ${producer} wrote`, async () => {
          const lines = await consumers[consumer]!(broker.bootstrap, topicOf(producer));
          expect(lines).toEqual(expectedLines(producer));
        }, 60_000);
      }
    }

    it('kcat reads the headers kafkajs wrote', async () => {
      const topic = `headers-${run}`;
      const producer = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).producer({
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await producer.connect();
      await producer.send({
        topic,
        messages: [{ key: 'k', value: 'v', headers: { trace: 'abc', tenant: 'acme' } }],
      });
      await producer.disconnect();
      const result = await runCommand([
        'kcat',
        '-C',
        '-b',
        broker.bootstrap,
        '-t',
        topic,
        '-o',
        'beginning',
        '-e',
        '-q',
        '-f',
        '%h|%k|%s\\n',
      ]);
      expect(result.stdout.trim()).toBe('trace=abc,tenant=acme|k|v');
    }, 60_000);
  });
}
