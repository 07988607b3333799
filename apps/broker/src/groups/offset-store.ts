import {
  buildRecordBatch,
  parseStoredBatches,
  readRecords,
  validateRecordBatches,
} from '@trunkline/kafka-protocol';
import type { TopicManager } from '../topics/topic-manager';

/** The internal, compacted topic where committed offsets live, as in Kafka. */
export const OFFSETS_TOPIC = '__consumer_offsets';
const OFFSETS_PARTITIONS = 8;
/** Kafka's offsets.topic.* defaults: compacted, in 100 MiB segments so closed ones get cleaned. */
const OFFSETS_TOPIC_CONFIGS = { 'cleanup.policy': 'compact', 'segment.bytes': String(100 * 1024 * 1024) };

export interface CommittedOffset {
  offset: bigint;
  leaderEpoch: number;
  metadata: string | null;
  commitTimestamp: bigint;
}

export interface OffsetCommit {
  topic: string;
  partition: number;
  committed: CommittedOffset | null;
}

interface OffsetKey {
  group: string;
  topic: string;
  partition: number;
}

function partitionOf(group: string): number {
  let hash = 0;
  for (let i = 0; i < group.length; i++) hash = (hash * 31 + group.charCodeAt(i)) | 0;
  return Math.abs(hash) % OFFSETS_PARTITIONS;
}

function encodeKey(key: OffsetKey): Buffer {
  return Buffer.from(JSON.stringify(['offset', key.group, key.topic, key.partition]));
}

function encodeValue(value: CommittedOffset): Buffer {
  return Buffer.from(
    JSON.stringify({
      offset: value.offset.toString(),
      leaderEpoch: value.leaderEpoch,
      metadata: value.metadata,
      commitTimestamp: value.commitTimestamp.toString(),
    }),
  );
}

/**
 * Committed offsets of every group, in memory for reads and in `__consumer_offsets` for
 * durability: a commit is answered only once its record is in the log (fsynced under
 * --fsync=always), and the map is rebuilt from the topic at startup. Deleting a group
 * writes tombstones, which compaction will remove.
 */
export class OffsetStore {
  private readonly offsets = new Map<string, Map<string, CommittedOffset>>();

  constructor(private readonly topics: TopicManager) {}

  /** Creates the internal topic if needed and loads every committed offset from it. */
  async load(): Promise<void> {
    if (this.topics.topic(OFFSETS_TOPIC) === undefined) {
      await this.topics.create(OFFSETS_TOPIC, OFFSETS_PARTITIONS, OFFSETS_TOPIC_CONFIGS, true);
    }
    for (const log of this.topics.partitions(OFFSETS_TOPIC)) {
      let offset = log.logStartOffset;
      while (offset < log.highWatermark) {
        const batches = parseStoredBatches(await log.read(offset, 1 << 20));
        if (batches.length === 0) break;
        for (const batch of batches) {
          for (const record of readRecords(batch)) this.apply(record.key, record.value);
          offset = batch.lastOffset + 1n;
        }
      }
    }
  }

  private apply(key: Buffer | null, value: Buffer | null): void {
    if (key === null) return;
    const [kind, group, topic, partition] = JSON.parse(key.toString()) as [string, string, string, number];
    if (kind !== 'offset') return;
    if (value === null) {
      this.offsets.get(group)?.delete(`${topic}\u0000${partition}`);
      return;
    }
    const parsed = JSON.parse(value.toString()) as {
      offset: string;
      leaderEpoch: number;
      metadata: string | null;
      commitTimestamp: string;
    };
    this.set(group, topic, partition, {
      offset: BigInt(parsed.offset),
      leaderEpoch: parsed.leaderEpoch,
      metadata: parsed.metadata,
      commitTimestamp: BigInt(parsed.commitTimestamp),
    });
  }

  private set(group: string, topic: string, partition: number, committed: CommittedOffset): void {
    let offsets = this.offsets.get(group);
    if (offsets === undefined) {
      offsets = new Map();
      this.offsets.set(group, offsets);
    }
    offsets.set(`${topic}\u0000${partition}`, committed);
  }

  /** Persists commits (null = delete), then makes them visible. */
  async commit(group: string, commits: readonly OffsetCommit[]): Promise<void> {
    if (commits.length === 0) return;
    const log = this.topics.partition(OFFSETS_TOPIC, partitionOf(group))!;
    const batch = buildRecordBatch(
      commits.map((c) => ({
        key: encodeKey({ group, topic: c.topic, partition: c.partition }),
        value: c.committed === null ? null : encodeValue(c.committed),
      })),
    );
    await log.append(validateRecordBatches(batch));
    for (const c of commits) {
      if (c.committed === null) this.offsets.get(group)?.delete(`${c.topic}\u0000${c.partition}`);
      else this.set(group, c.topic, c.partition, c.committed);
    }
  }

  get(group: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.offsets.get(group)?.get(`${topic}\u0000${partition}`);
  }

  /** Every committed offset of a group: [topic, partition, offset]. */
  all(group: string): { topic: string; partition: number; committed: CommittedOffset }[] {
    return [...(this.offsets.get(group) ?? new Map<string, CommittedOffset>()).entries()].map(
      ([key, committed]) => {
        const [topic, partition] = key.split('\u0000');
        return { topic: topic!, partition: Number(partition), committed };
      },
    );
  }

  groups(): string[] {
    return [...this.offsets.entries()].filter(([, offsets]) => offsets.size > 0).map(([group]) => group);
  }

  async deleteGroup(group: string): Promise<void> {
    await this.commit(
      group,
      this.all(group).map((o) => ({ topic: o.topic, partition: o.partition, committed: null })),
    );
    this.offsets.delete(group);
  }

  /** Removes the offsets of a deleted topic from every group. */
  async forgetTopic(topic: string): Promise<void> {
    for (const group of this.groups()) {
      const gone = this.all(group).filter((o) => o.topic === topic);
      await this.commit(
        group,
        gone.map((o) => ({ topic: o.topic, partition: o.partition, committed: null })),
      );
    }
  }
}
