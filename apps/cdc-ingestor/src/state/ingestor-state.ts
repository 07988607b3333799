import { randomUUID } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';
import { Partitioners } from 'kafkajs';
import type { IncrementalSnapshotState } from '../snapshot/incremental-snapshot';

/** What an ingestor must remember across restarts beyond its slot: how far its snapshot got. */
export interface IngestorState {
  slot: string;
  /** The LSN the slot was created at, which the snapshot is consistent with. */
  slotLsn: string;
  /** Tables whose snapshot finished and was acknowledged by the broker. */
  snapshotted: string[];
  /** True once every table's snapshot is done (streaming may start). */
  snapshotCompleted: boolean;
  /** Incremental snapshots requested and not finished, with how far each got. */
  incrementalSnapshots?: IncrementalSnapshotState[];
  /** Ids of the latest signals acted on, so a signal read again after a restart is not redone. */
  signalsDone?: string[];
  /** Tables added and removed at runtime (AddTables, RemoveTables), beyond --tables. */
  addedTables?: string[];
  removedTables?: string[];
}

/**
 * Ingestor state in a compacted topic, keyed by slot name: the broker is the only place
 * Trunkline services keep state, and the slot's own position lives in Postgres.
 */
export class IngestorStateStore {
  private producer: Producer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
  ) {}

  async load(slot: string): Promise<IngestorState | undefined> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic: this.topic,
            numPartitions: 1,
            configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
          },
        ],
      });
      const [partition] = await admin.fetchTopicOffsets(this.topic);
      const end = Number(partition?.high ?? 0);
      if (end === 0) return undefined;
      return await this.readToEnd(slot, end);
    } finally {
      await admin.disconnect();
    }
  }

  async save(state: IngestorState): Promise<void> {
    await this.write(state.slot, JSON.stringify(state));
  }

  async forget(slot: string): Promise<void> {
    await this.write(slot, null);
  }

  async close(): Promise<void> {
    await this.producer?.disconnect().catch(() => undefined);
    this.producer = undefined;
  }

  /** Incremental snapshots save after every chunk: one connected producer serves every write. */
  private async write(key: string, value: string | null): Promise<void> {
    if (this.producer === undefined) {
      const producer = this.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      this.producer = producer;
    }
    await this.producer.send({ topic: this.topic, acks: -1, messages: [{ key, value }] });
  }

  private async readToEnd(slot: string, end: number): Promise<IngestorState | undefined> {
    const consumer = this.kafka.consumer({
      groupId: `trunkline-cdc-state-${randomUUID()}`,
      maxWaitTimeInMs: 200,
    });
    await consumer.connect();
    let latest: IngestorState | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        void consumer.subscribe({ topic: this.topic, fromBeginning: true }).then(() =>
          consumer
            .run({
              autoCommit: false,
              eachMessage: async ({ message }) => {
                if (message.key?.toString() === slot)
                  latest =
                    message.value === null
                      ? undefined
                      : (JSON.parse(message.value.toString()) as IngestorState);
                if (Number(message.offset) >= end - 1) resolve();
              },
            })
            .catch(reject),
        );
      });
    } finally {
      await consumer.disconnect();
    }
    return latest;
  }
}
