import { randomUUID } from 'node:crypto';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { type Consumer, Kafka, logLevel } from 'kafkajs';

/** A change event as a Debezium consumer sees it, decoded through the registry. */
export interface ReadChange {
  offset: number;
  key: Record<string, unknown> | null;
  /** Null for a tombstone. */
  value: {
    before: Record<string, unknown> | null;
    after: Record<string, unknown> | null;
    op: string;
    source: Record<string, unknown>;
    ts_ms: unknown;
    transaction?: Record<string, unknown> | null;
  } | null;
}

/**
 * Reads a change topic from the start with a plain kafkajs consumer and Confluent's schema
 * registry client for JS, as a consumer outside Trunkline would.
 */
export class ChangeReader {
  private readonly consumer: Consumer;
  private readonly registry: SchemaRegistry;
  readonly changes: ReadChange[] = [];
  private decoding: Promise<unknown> = Promise.resolve();

  constructor(bootstrap: string, registryUrl: string) {
    const kafka = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING });
    this.consumer = kafka.consumer({ groupId: `change-reader-${randomUUID()}`, maxWaitTimeInMs: 200 });
    this.registry = new SchemaRegistry({ host: registryUrl });
  }

  async start(topics: string[]): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        const key = message.key
          ? (plain(await this.registry.decode(message.key)) as Record<string, unknown>)
          : null;
        const value = message.value
          ? (plain(await this.registry.decode(message.value)) as ReadChange['value'])
          : null;
        this.changes.push({ offset: Number(message.offset), key, value });
      },
    });
  }

  /** Waits until `predicate` holds for what was read, or fails after `timeoutMs`. */
  async waitFor(predicate: (changes: ReadChange[]) => boolean, timeoutMs = 20_000): Promise<ReadChange[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.changes)) {
      if (Date.now() > deadline)
        throw new Error(`timed out after ${timeoutMs} ms with ${this.changes.length} changes read`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await this.decoding;
    return this.changes;
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

/** Decoded records as plain objects (avsc gives class instances), values kept as they are. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
}
