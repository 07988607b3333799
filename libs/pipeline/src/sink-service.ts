import { SinkAdminService } from '@trunkline/contracts/sink/v1/sink_admin';
import { kafkaLogCreator } from '@trunkline/kafka-client';
import type { ConfigOf, RunningService, ServiceContext } from '@trunkline/runtime';
import { SchemaRegistryClient } from '@trunkline/serde';
import { Kafka } from 'kafkajs';
import { pipelineMetrics } from './pipeline-metrics';
import { ReplayRunner } from './replay';
import type { SinkAdapter } from './sink-adapter';
import { sinkAdmin } from './sink-admin';
import { SinkPipeline } from './sink-pipeline';
import type { sinkSettings } from './sink-settings';

/** The config every sink service gets from sinkSettings. */
export type SinkConfig = ConfigOf<ReturnType<typeof sinkSettings>>;

/** Backoff of the first retry of a transient failure; it doubles up to --retry-backoff-max. */
const FIRST_RETRY_MS = 200;

/**
 * Runs a sink service's shared half: the pipeline from the change topics into `adapter`, the
 * replays and the SinkAdminService. The service adds what is its own (a query API) around it.
 */
export async function startSinkPipeline(
  service: string,
  context: ServiceContext<SinkConfig>,
  adapter: SinkAdapter,
): Promise<RunningService & { pipeline: SinkPipeline }> {
  const { config, logger } = context;
  const kafka = new Kafka({
    clientId: `${service}-${context.instanceId}`,
    brokers: config.kafkaBrokers,
    logCreator: kafkaLogCreator(logger),
  });
  const pipeline = new SinkPipeline({
    service,
    group: config.group,
    kafka,
    registry: new SchemaRegistryClient({ url: config.schemaRegistryUrl }),
    adapter,
    topics: config.topics,
    logger,
    metrics: pipelineMetrics(context.metrics),
    maxBatchRecords: config.maxBatchRecords,
    topicRefreshMs: config.topicRefreshInterval,
    sessionTimeoutMs: config.sessionTimeout,
    retry: { initialMs: Math.min(FIRST_RETRY_MS, config.retryBackoffMax), maxMs: config.retryBackoffMax },
  });
  await pipeline.start();
  const replays = new ReplayRunner(pipeline, kafka, logger);
  context.grpc.addService(SinkAdminService, sinkAdmin(service, pipeline, replays, context));
  return {
    pipeline,
    async stop() {
      await pipeline.stop();
      await adapter.close();
    },
  };
}
