import { join } from 'node:path';
import { ErrorCode } from '@trunkline/kafka-protocol';
import {
  DEFAULT_LOG_CONFIG,
  type Durability,
  PartitionLog,
  type PartitionLogConfig,
  type PartitionTierLocation,
} from '@trunkline/log-store';
import type { Logger } from '@trunkline/runtime';
import { KafkaError } from '../kafka-error';
import { TopicCatalog, type TopicRecord } from './topic-catalog';
import { configNumber, InvalidConfigError, validateTopicConfig } from './topic-config';
import { topicNameProblem } from './topic-name';

export interface TopicDefaults {
  partitions: number;
}

/** The broker's tier, shared by every partition of topics with remote.storage.enable. */
export type TierStore = Omit<PartitionTierLocation, 'dir' | 'prefix'>;

function remoteStorageEnabled(configs: Readonly<Record<string, string | null>>): boolean {
  return configs['remote.storage.enable'] === 'true';
}

/** Throws KafkaError(INVALID_CONFIG) for the first unknown or malformed config. */
function checkConfigs(configs: Record<string, string | null>): void {
  for (const [key, value] of Object.entries(configs)) {
    try {
      validateTopicConfig(key, value);
    } catch (error) {
      if (error instanceof InvalidConfigError) throw new KafkaError(ErrorCode.INVALID_CONFIG, error.message);
      throw error;
    }
  }
}

/** Remote storage needs a tier, and (as in Kafka) is not for compacted topics nor undone once on. */
function checkRemoteStorage(
  before: Readonly<Record<string, string>>,
  after: Readonly<Record<string, string | null>>,
  tier: TierStore | undefined,
): void {
  const invalid = (message: string) => new KafkaError(ErrorCode.INVALID_CONFIG, message);
  if (remoteStorageEnabled(before) && !remoteStorageEnabled(after))
    throw invalid('remote.storage.enable cannot be turned off once a topic is tiered');
  if (!remoteStorageEnabled(after)) return;
  if (tier === undefined)
    throw invalid(
      'remote.storage.enable=true needs a tier: start the broker with --tier-dir or --tier-s3-bucket',
    );
  if ((after['cleanup.policy'] ?? 'delete').split(',').includes('compact'))
    throw invalid('remote storage is not supported on compacted topics (cleanup.policy=compact)');
}

function logConfig(configs: Readonly<Record<string, string>>): PartitionLogConfig {
  return {
    ...DEFAULT_LOG_CONFIG,
    segmentBytes: configNumber(configs, 'segment.bytes'),
    segmentMs: configNumber(configs, 'segment.ms'),
    indexIntervalBytes: configNumber(configs, 'index.interval.bytes'),
  };
}

/**
 * Topics and their partition logs: creation, deletion, growth and config changes are
 * validated as Kafka validates them and persisted before they are acknowledged.
 */
export class TopicManager {
  private readonly logs = new Map<string, PartitionLog[]>();
  private readonly creating = new Map<string, Promise<TopicRecord>>();

  private constructor(
    private readonly dataDir: string,
    readonly catalog: TopicCatalog,
    private readonly durability: Durability,
    private readonly logger: Logger,
    readonly defaults: TopicDefaults,
    readonly tier: TierStore | undefined,
  ) {}

  static async open(
    dataDir: string,
    durability: Durability,
    logger: Logger,
    defaults: TopicDefaults,
    tier?: TierStore,
  ) {
    const catalog = await TopicCatalog.open(dataDir);
    const manager = new TopicManager(dataDir, catalog, durability, logger, defaults, tier);
    for (const topic of catalog.list()) await manager.openLogs(topic, 0);
    return manager;
  }

  private partitionDir(topic: string, partition: number): string {
    return join(this.dataDir, 'logs', `${topic}-${partition}`);
  }

  private async openLogs(topic: TopicRecord, from: number): Promise<void> {
    const logs = this.logs.get(topic.name) ?? [];
    for (let partition = from; partition < topic.partitions; partition++) {
      const { log, recovery } = await PartitionLog.open(
        this.partitionDir(topic.name, partition),
        logConfig(topic.configs),
        this.durability,
        this.tierLocation(topic, partition),
      );
      if (recovery.truncatedBytes > 0) {
        this.logger.warn(
          {
            topic: topic.name,
            partition,
            truncatedBytes: recovery.truncatedBytes,
            segment: recovery.truncatedSegment,
            logEndOffset: String(recovery.logEndOffset),
          },
          'recovery truncated a torn or corrupt log tail',
        );
      } else if (!recovery.cleanShutdown) {
        this.logger.info(
          { topic: topic.name, partition, logEndOffset: String(recovery.logEndOffset) },
          'recovered log after unclean shutdown: nothing to truncate',
        );
      }
      logs[partition] = log;
    }
    this.logs.set(topic.name, logs);
  }

  /** Where a partition of a tiered topic lives in the tier: under its name and id, so a re-created topic starts afresh. */
  private tierLocation(
    topic: TopicRecord,
    partition: number,
  ): Omit<PartitionTierLocation, 'dir'> | undefined {
    if (this.tier === undefined || !remoteStorageEnabled(topic.configs)) return undefined;
    return { ...this.tier, prefix: `${topic.name}-${topic.id}/${partition}/` };
  }

  topic(name: string): TopicRecord | undefined {
    return this.catalog.get(name);
  }

  topicById(id: Buffer): TopicRecord | undefined {
    return this.catalog.byId(id.toString('hex'));
  }

  list(): TopicRecord[] {
    return this.catalog.list();
  }

  partition(topic: string, partition: number): PartitionLog | undefined {
    return this.logs.get(topic)?.[partition];
  }

  partitions(topic: string): readonly PartitionLog[] {
    return this.logs.get(topic) ?? [];
  }

  /** Validates a new topic as CreateTopics does; throws KafkaError with the code to return. */
  validateNew(
    name: string,
    partitions: number,
    replicationFactor: number,
    configs: Record<string, string | null>,
  ): void {
    const problem = topicNameProblem(name);
    if (problem !== undefined) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, problem);
    if (this.catalog.get(name) !== undefined)
      throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`);
    if (partitions < 1)
      throw new KafkaError(ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.');
    if (replicationFactor !== 1) {
      throw new KafkaError(
        ErrorCode.INVALID_REPLICATION_FACTOR,
        `Replication factor ${replicationFactor} is larger than the 1 available broker.`,
      );
    }
    checkConfigs(configs);
    checkRemoteStorage({}, configs, this.tier);
  }

  async create(
    name: string,
    partitions: number,
    configs: Record<string, string>,
    internal = false,
  ): Promise<TopicRecord> {
    const topic = await this.catalog.create(name, partitions, configs, internal);
    await this.openLogs(topic, 0);
    this.logger.info({ topic: name, partitions }, 'topic created');
    return topic;
  }

  /** Creates a topic a client asked for by name (auto.create.topics.enable); concurrent asks share one creation. */
  autoCreate(name: string): Promise<TopicRecord> {
    const existing = this.catalog.get(name);
    if (existing !== undefined) return Promise.resolve(existing);
    let creating = this.creating.get(name);
    if (creating === undefined) {
      creating = (async () => {
        this.validateNew(name, this.defaults.partitions, 1, {});
        return this.create(name, this.defaults.partitions, {});
      })().finally(() => this.creating.delete(name));
      this.creating.set(name, creating);
    }
    return creating;
  }

  async delete(name: string): Promise<void> {
    const logs = this.logs.get(name) ?? [];
    await this.catalog.delete(name);
    this.logs.delete(name);
    for (const log of logs) await log.destroy();
    this.logger.info({ topic: name }, 'topic deleted');
  }

  async addPartitions(name: string, total: number): Promise<void> {
    const topic = this.catalog.get(name);
    if (topic === undefined)
      throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist.`);
    if (total <= topic.partitions) {
      throw new KafkaError(
        ErrorCode.INVALID_PARTITIONS,
        `Topic currently has ${topic.partitions} partitions, which is higher than the requested ${total}.`,
      );
    }
    const from = topic.partitions;
    topic.partitions = total;
    await this.catalog.update(topic);
    await this.openLogs(topic, from);
  }

  /** Sets and removes config overrides; throws KafkaError(INVALID_CONFIG) for a bad one. */
  async alterConfigs(
    name: string,
    changes: Record<string, string | null>,
    validateOnly: boolean,
  ): Promise<void> {
    const topic = this.catalog.get(name);
    if (topic === undefined)
      throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist.`);
    checkConfigs(changes);
    const configs = { ...topic.configs };
    for (const [key, value] of Object.entries(changes)) {
      if (value === null) delete configs[key];
      else configs[key] = value;
    }
    checkRemoteStorage(topic.configs, configs, this.tier);
    if (validateOnly) return;
    topic.configs = configs;
    await this.catalog.update(topic);
    for (const [partition, log] of this.partitions(name).entries()) {
      log.reconfigure(logConfig(configs));
      const location = this.tierLocation(topic, partition);
      if (location !== undefined) await log.attachTier(location);
    }
  }

  async close(): Promise<void> {
    for (const logs of this.logs.values()) for (const log of logs) await log.close();
  }
}
