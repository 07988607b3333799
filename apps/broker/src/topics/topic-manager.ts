import { join } from 'node:path';
import { ErrorCode } from '@trunkline/kafka-protocol';
import {
  DEFAULT_LOG_CONFIG,
  type Durability,
  PartitionLog,
  type PartitionLogConfig,
} from '@trunkline/log-store';
import type { Logger } from '@trunkline/runtime';
import { KafkaError } from '../kafka-error';
import { TopicCatalog, type TopicRecord } from './topic-catalog';
import { configNumber, InvalidConfigError, validateTopicConfig } from './topic-config';
import { topicNameProblem } from './topic-name';

export interface TopicDefaults {
  partitions: number;
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
  ) {}

  static async open(dataDir: string, durability: Durability, logger: Logger, defaults: TopicDefaults) {
    const catalog = await TopicCatalog.open(dataDir);
    const manager = new TopicManager(dataDir, catalog, durability, logger, defaults);
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
    if (validateOnly) return;
    const configs = { ...topic.configs };
    for (const [key, value] of Object.entries(changes)) {
      if (value === null) delete configs[key];
      else configs[key] = value;
    }
    topic.configs = configs;
    await this.catalog.update(topic);
    for (const log of this.partitions(name)) log.reconfigure(logConfig(configs));
  }

  async close(): Promise<void> {
    for (const logs of this.logs.values()) for (const log of logs) await log.close();
  }
}
