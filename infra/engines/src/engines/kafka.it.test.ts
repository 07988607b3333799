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

function jsonLines(output: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function expectedLines(producer: string): string[] {
  return Array.from({ length: RECORDS }, (_, i) => `key-${i}=${producer}-value-${i}`);
}

/** Reads a topic from the beginning to its end with kcat, one line per record in `format`. */
function kcatConsume(bootstrap: string, topic: string, format: string) {
  return runCommand([
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
    format,
  ]);
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
    const result = await kcatConsume(bootstrap, topic, '%k=%s\\n');
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

    it("Kafka's verifiable producer and consumer agree on every record", async () => {
      const topic = `verifiable-${run}`;
      const produced = await runCommand(
        await kafkaToolCommand('verifiable-producer', [
          '--bootstrap-server',
          broker.bootstrap,
          '--topic',
          topic,
          '--max-messages',
          '20',
          '--acks',
          '-1',
        ]),
      );
      const sent = jsonLines(produced.stdout).filter((e) => e.name === 'producer_send_success');
      expect(sent.map((e) => e.value)).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
      const consumed = await runCommand(
        await kafkaToolCommand('verifiable-consumer', [
          '--bootstrap-server',
          broker.bootstrap,
          '--topic',
          topic,
          '--group-id',
          `verifiable-${run}`,
          '--max-messages',
          '20',
          '--reset-policy',
          'earliest',
        ]),
      );
      const counts = jsonLines(consumed.stdout)
        .filter((e) => e.name === 'records_consumed')
        .map((e) => e.count as number);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(20);
      expect(
        jsonLines(consumed.stdout).some((e) => e.name === 'offsets_committed' && e.success === true),
      ).toBe(true);
    }, 60_000);

    it.each(['range', 'roundrobin', 'cooperative-sticky'])(
      'the Java consumer forms a group with the %s assignor',
      async (assignor) => {
        const classes: Record<string, string> = {
          range: 'org.apache.kafka.clients.consumer.RangeAssignor',
          roundrobin: 'org.apache.kafka.clients.consumer.RoundRobinAssignor',
          'cooperative-sticky': 'org.apache.kafka.clients.consumer.CooperativeStickyAssignor',
        };
        const topic = `assignor-${assignor}-${run}`;
        await runCommand(
          await kafkaToolCommand('verifiable-producer', [
            '--bootstrap-server',
            broker.bootstrap,
            '--topic',
            topic,
            '--max-messages',
            '10',
          ]),
        );
        const consumed = await runCommand(
          await kafkaToolCommand('verifiable-consumer', [
            '--bootstrap-server',
            broker.bootstrap,
            '--topic',
            topic,
            '--group-id',
            `assignor-${assignor}-${run}`,
            '--max-messages',
            '10',
            '--reset-policy',
            'earliest',
            '--assignment-strategy',
            classes[assignor]!,
          ]),
        );
        const events = jsonLines(consumed.stdout);
        expect(events.some((e) => e.name === 'partitions_assigned')).toBe(true);
        const counts = events.filter((e) => e.name === 'records_consumed').map((e) => e.count as number);
        expect(counts.reduce((a, b) => a + b, 0)).toBe(10);
      },
      60_000,
    );

    it("Kafka's performance tools measure throughput and latency", async () => {
      const topic = `perf-${run}`;
      const producerPerf = await runCommand(
        await kafkaToolCommand('producer-perf', [
          '--topic',
          topic,
          '--num-records',
          '2000',
          '--record-size',
          '1024',
          '--throughput',
          '-1',
          '--producer-props',
          `bootstrap.servers=${broker.bootstrap}`,
          'acks=all',
        ]),
      );
      expect(producerPerf.stdout).toMatch(/^2000 records sent, [\d.]+ records\/sec/m);
      const consumerPerf = await runCommand(
        await kafkaToolCommand('consumer-perf', [
          '--bootstrap-server',
          broker.bootstrap,
          '--topic',
          topic,
          '--messages',
          '2000',
        ]),
      );
      expect(consumerPerf.code).toBe(0);
      expect(consumerPerf.stdout).toContain('data.consumed.in.nMsg');
      const latency = await runCommand(
        await kafkaToolCommand('end-to-end-latency', [
          broker.bootstrap,
          `latency-${run}`,
          '100',
          'all',
          '100',
        ]),
      );
      expect(latency.stdout).toMatch(/Percentiles: 50th = \d+, 99th = \d+, 99.9th = \d+/);
    }, 120_000);

    it.each(['gzip', 'snappy', 'lz4', 'zstd'])(
      "kcat and the Java client read each other's %s-compressed batches",
      async (codec) => {
        const lines = expectedLines(codec);
        const fromKcat = `codec-kcat-${codec}-${run}`;
        const fromJava = `codec-java-${codec}-${run}`;
        const produced = await runCommand(
          ['kcat', '-P', '-b', broker.bootstrap, '-t', fromKcat, '-K', '=', '-z', codec],
          {
            input: `${lines.join('\n')}\n`,
          },
        );
        expect(produced.code).toBe(0);
        const javaProduced = await runCommand(
          await kafkaToolCommand('console-producer', [
            '--bootstrap-server',
            broker.bootstrap,
            '--topic',
            fromJava,
            '--compression-codec',
            codec,
            '--property',
            'parse.key=true',
            '--property',
            'key.separator==',
          ]),
          { input: `${lines.join('\n')}\n` },
        );
        expect(javaProduced.code).toBe(0);
        expect(await consumers.java!(broker.bootstrap, fromKcat)).toEqual(lines);
        expect(await consumers.kcat!(broker.bootstrap, fromJava)).toEqual(lines);
      },
      60_000,
    );

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
      const result = await kcatConsume(broker.bootstrap, topic, '%h|%k|%s\\n');
      expect(result.stdout.trim()).toBe('trace=abc,tenant=acme|k|v');
    }, 60_000);
  });
}
