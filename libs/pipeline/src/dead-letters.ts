import { randomUUID } from 'node:crypto';
import type { Admin, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { ConsumedRecord } from './decoding/change-decoder';

/** Kafka Connect's dead-letter headers, so tools made for Connect's DLQs read these too. */
export const DLQ_HEADERS = {
  topic: '__connect.errors.topic',
  partition: '__connect.errors.partition',
  offset: '__connect.errors.offset',
  service: '__connect.errors.connector.name',
  errorClass: '__connect.errors.exception.class.name',
  reason: '__connect.errors.exception.message',
  retries: 'trunkline.dlq.retries',
} as const;

/** `<topic>.dlq.<service>`: where one sink service's failed records of one topic go. */
export function deadLetterTopic(topic: string, service: string): string {
  return `${topic}.dlq.${service}`;
}

/** A record waiting in a dead-letter topic, with where it came from and why it is there. */
export interface DeadLetter {
  dlqTopic: string;
  dlqPartition: number;
  dlqOffset: bigint;
  record: ConsumedRecord;
  reason: string;
  errorClass: string;
  failedAt: Date;
  retries: number;
}

export interface DeadLetterReason {
  reason: string;
  errorClass: string;
  /** Times the record was retried before (0 when it first fails). */
  retries?: number;
}

/** How long reading the dead letters may take before what was read is returned. */
const READ_TIMEOUT_MS = 20_000;

function header(headers: IHeaders | undefined, name: string): string {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? '' : first.toString();
}

/**
 * The dead-letter topics of one sink service. A record goes to `<topic>.dlq.<service>` with its
 * key and value unchanged and the reason in headers. What has been retried is tracked as the
 * committed offsets of the group `<group>.dlq`, which no consumer ever joins: every record past
 * them is waiting, whichever instance asks. A retry that fails again appends the record anew.
 */
export class DeadLetterQueue {
  private readonly created = new Set<string>();
  private readonly retryGroup: string;

  constructor(
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    private readonly producer: Producer,
    private readonly service: string,
    group: string,
    /** Whether a change topic is one this service consumes: only its dead letters are its own. */
    private readonly consumes: (topic: string) => boolean,
  ) {
    this.retryGroup = `${group}.dlq`;
  }

  /** Whether `topic` is the dead-letter topic of a change topic this service consumes. */
  isDeadLetterTopic(topic: string): boolean {
    const suffix = `.dlq.${this.service}`;
    return topic.endsWith(suffix) && this.consumes(topic.slice(0, -suffix.length));
  }

  async send(record: ConsumedRecord, why: DeadLetterReason): Promise<string> {
    const topic = deadLetterTopic(record.topic, this.service);
    await this.ensureTopic(topic);
    await this.producer.send({
      topic,
      acks: -1,
      messages: [
        {
          key: record.key,
          value: record.value,
          headers: {
            [DLQ_HEADERS.topic]: record.topic,
            [DLQ_HEADERS.partition]: String(record.partition),
            [DLQ_HEADERS.offset]: record.offset.toString(),
            [DLQ_HEADERS.service]: this.service,
            [DLQ_HEADERS.errorClass]: why.errorClass,
            [DLQ_HEADERS.reason]: why.reason,
            [DLQ_HEADERS.retries]: String(why.retries ?? 0),
          },
        },
      ],
    });
    return topic;
  }

  /** This service's dead-letter topics, optionally only the one of `sourceTopic`. */
  async topics(sourceTopic?: string): Promise<string[]> {
    const all = (await this.admin.listTopics()).filter((t) => this.isDeadLetterTopic(t));
    return sourceTopic ? all.filter((t) => t === deadLetterTopic(sourceTopic, this.service)) : all.sort();
  }

  /** Per dead-letter partition, the first waiting offset and the end. */
  async ranges(
    topics: readonly string[],
  ): Promise<{ topic: string; partition: number; from: bigint; end: bigint }[]> {
    if (topics.length === 0) return [];
    const committed = await this.admin.fetchOffsets({ groupId: this.retryGroup, topics: [...topics] });
    const ranges = [];
    for (const topic of topics) {
      const ends = await this.admin.fetchTopicOffsets(topic);
      const done = committed.find((c) => c.topic === topic)?.partitions ?? [];
      for (const end of ends) {
        const mark = done.find((p) => p.partition === end.partition)?.offset ?? '-1';
        const from = BigInt(mark) < 0n ? BigInt(end.low) : BigInt(mark);
        ranges.push({ topic, partition: end.partition, from, end: BigInt(end.high) });
      }
    }
    return ranges;
  }

  /** Records waiting in all of this service's dead-letter topics. */
  async waitingCount(): Promise<number> {
    const ranges = await this.ranges(await this.topics());
    return ranges.reduce((sum, r) => sum + Math.max(0, Number(r.end - r.from)), 0);
  }

  /** Waiting dead letters, oldest first per topic, at most `limit`. */
  async list(
    sourceTopic: string | undefined,
    limit: number,
  ): Promise<{ letters: DeadLetter[]; waiting: number }> {
    const ranges = (await this.ranges(await this.topics(sourceTopic))).filter((r) => r.end > r.from);
    const waiting = ranges.reduce((sum, r) => sum + Number(r.end - r.from), 0);
    const letters = await this.read(ranges, limit);
    return { letters, waiting };
  }

  /**
   * Hands every waiting record to `retry`, oldest first, then marks them done; `retry` sends
   * what fails again back to the dead-letter topic. Returns how many were handed over.
   */
  async drain(
    sourceTopic: string | undefined,
    retry: (letter: DeadLetter) => Promise<void>,
  ): Promise<number> {
    const ranges = (await this.ranges(await this.topics(sourceTopic))).filter((r) => r.end > r.from);
    const letters = await this.read(ranges, Number.MAX_SAFE_INTEGER);
    const handled = new Map<string, DeadLetter>();
    for (const letter of letters) {
      await retry(letter);
      handled.set(`${letter.dlqTopic}\u0000${letter.dlqPartition}`, letter);
    }
    // Only up to what was read: a record the read missed stays waiting.
    for (const letter of handled.values()) {
      await this.admin.setOffsets({
        groupId: this.retryGroup,
        topic: letter.dlqTopic,
        partitions: [{ partition: letter.dlqPartition, offset: (letter.dlqOffset + 1n).toString() }],
      });
    }
    return letters.length;
  }

  private async read(
    ranges: readonly { topic: string; partition: number; from: bigint; end: bigint }[],
    limit: number,
  ): Promise<DeadLetter[]> {
    if (ranges.length === 0) return [];
    const wanted = ranges.reduce((sum, r) => sum + Number(r.end - r.from), 0);
    const letters: DeadLetter[] = [];
    const consumer = this.kafka.consumer({
      groupId: `${this.retryGroup}-reader-${randomUUID()}`,
      maxWaitTimeInMs: 100,
    });
    await consumer.connect();
    try {
      const topics = [...new Set(ranges.map((r) => r.topic))];
      await consumer.subscribe({ topics, fromBeginning: true });
      let seen = 0;
      const done = new Promise<void>((resolve, reject) => {
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ topic, partition, message }) => {
              const range = ranges.find((r) => r.topic === topic && r.partition === partition);
              const offset = BigInt(message.offset);
              if (range === undefined || offset < range.from || offset >= range.end) return;
              seen += 1;
              if (letters.length < limit) letters.push(deadLetterOf(topic, partition, message));
              if (seen >= wanted || letters.length >= limit) resolve();
            },
          })
          .catch(reject);
      });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, READ_TIMEOUT_MS);
      });
      await Promise.race([done, timeout]);
      clearTimeout(timer);
    } finally {
      await consumer.disconnect();
    }
    return letters.sort((a, b) =>
      a.dlqTopic === b.dlqTopic ? Number(a.dlqOffset - b.dlqOffset) : a.dlqTopic < b.dlqTopic ? -1 : 1,
    );
  }

  private async ensureTopic(topic: string): Promise<void> {
    if (this.created.has(topic)) return;
    await this.admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    this.created.add(topic);
  }
}

function deadLetterOf(dlqTopic: string, dlqPartition: number, message: KafkaMessage): DeadLetter {
  const headers = message.headers;
  return {
    dlqTopic,
    dlqPartition,
    dlqOffset: BigInt(message.offset),
    record: {
      topic: header(headers, DLQ_HEADERS.topic),
      partition: Number(header(headers, DLQ_HEADERS.partition) || 0),
      offset: BigInt(header(headers, DLQ_HEADERS.offset) || 0),
      key: message.key,
      value: message.value,
    },
    reason: header(headers, DLQ_HEADERS.reason),
    errorClass: header(headers, DLQ_HEADERS.errorClass),
    failedAt: new Date(Number(message.timestamp)),
    retries: Number(header(headers, DLQ_HEADERS.retries) || 0),
  };
}
