import { BrokerAdminService } from '@trunkline/contracts/broker/v1/broker_admin';
import {
  DEFAULT_CHUNK_CACHE,
  Durability,
  lockDataDir,
  openRemoteStore,
  RemoteChunkCache,
} from '@trunkline/log-store';
import { defineService } from '@trunkline/runtime';
import { brokerAdmin } from './admin/broker-admin';
import { brokerSettings } from './broker-settings';
import type { BrokerState } from './broker-state';
import { GroupCoordinator } from './groups/group-coordinator';
import { OFFSETS_TOPIC, OffsetStore } from './groups/offset-store';
import { brokerHandlers } from './handlers/all-handlers';
import { Dispatcher } from './handlers/dispatcher';
import { ProducerIdAllocator } from './producers/producer-ids';
import { ProducerStateManager } from './producers/producer-state';
import { LogMaintenance } from './storage/log-maintenance';
import { tierStoreConfig } from './storage/tier-config';
import { TopicManager } from './topics/topic-manager';
import { KafkaServer } from './transport/kafka-server';

export const brokerService = defineService({
  name: 'broker',
  summary: 'A durable, partitioned log over the Kafka wire protocol, with a gRPC admin API.',
  ports: { grpc: 50051, http: 9641 },
  settings: brokerSettings,
  async start({ config, logger, addListener, listeners, grpc, instanceId, version, startedAt }) {
    const unlock = lockDataDir(config.dataDir);
    const durability = new Durability(config.fsync, config.fsyncInterval);
    const tierConfig = tierStoreConfig(config);
    const tierStore = tierConfig === undefined ? undefined : await openRemoteStore(tierConfig);
    const tier =
      tierStore === undefined
        ? undefined
        : {
            store: tierStore,
            cache: new RemoteChunkCache(tierStore, {
              ...DEFAULT_CHUNK_CACHE,
              chunkBytes: config.tierChunkSize,
              maxBytes: config.tierCacheSize,
            }),
          };
    const topics = await TopicManager.open(
      config.dataDir,
      durability,
      logger,
      { partitions: config.numPartitions },
      tier,
    );
    const producers = new ProducerStateManager();
    for (const topic of topics.list()) {
      if (topic.name === OFFSETS_TOPIC) continue;
      for (const [partition, log] of topics.partitions(topic.name).entries()) {
        await producers.rebuild(topic.name, partition, log.batchHeaders());
      }
    }
    const offsets = new OffsetStore(topics);
    await offsets.load();
    const groups = new GroupCoordinator(offsets, logger, config.groupInitialRebalanceDelay);
    const maintenance = new LogMaintenance(topics, producers, logger, {
      retentionCheckIntervalMs: config.logRetentionCheckInterval,
      cleanerBackoffMs: config.logCleanerBackoff,
      dedupeBufferBytes: config.logCleanerDedupeBufferSize,
      cleanerIoBytesPerSecond: config.logCleanerIoMaxBytesPerSecond,
      tierUploadIntervalMs: config.tierUploadInterval,
    });
    maintenance.start();
    const dispatcher = new Dispatcher(brokerHandlers);
    const advertised = {
      host:
        config.advertisedHost ??
        (config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host),
      port: config.kafkaPort,
    };
    const state: BrokerState = {
      nodeId: config.nodeId,
      advertised,
      topics,
      producers,
      producerIds: await ProducerIdAllocator.open(config.dataDir),
      groups,
      autoCreateTopics: config.autoCreateTopics,
      supportedApis: () => dispatcher.supportedVersions(),
    };
    const server = new KafkaServer({ dispatcher, state, logger, maxRequestBytes: config.maxRequestBytes });
    const port = await server.listen(config.host, config.kafkaPort);
    advertised.port = port;
    addListener({ protocol: 'kafka', address: `${advertised.host}:${port}` });
    grpc.addService(
      BrokerAdminService,
      brokerAdmin({ state, dataDir: config.dataDir, instanceId, version, startedAt, listeners }),
    );
    logger.info(
      {
        dataDir: config.dataDir,
        fsync: config.fsync,
        topics: topics.list().length,
        tier: tierStore?.description,
      },
      'broker storage open',
    );
    return {
      async stop() {
        await server.close();
        await maintenance.close();
        groups.close();
        await durability.flushAll();
        await topics.close();
        await tierStore?.close();
        unlock();
      },
    };
  },
});
