export {
  ChildService,
  type ChildServiceOptions,
  type Exit,
  type LogEntry,
  repoRoot,
  trunklineCommand,
  tsCommand,
} from './child-service';
export { type Stoppable, stopAll, track, untrack } from './cleanup';
export { probeService } from './fixtures/probe-service';
export { fileContainingSymbol, listServicesByReflection } from './grpc-reflection';
export { InProcessService } from './in-process-service';

/** Path of the probe fixture's entry point, for starting it as a child process. */
export const PROBE_MAIN = require.resolve('./fixtures/probe-main.ts');
export {
  describeEachBroker,
  describeWithApacheKafka,
  type TestBroker,
  TrunklineTestBroker,
  testBrokerNames,
} from './brokers';
export { type CdcIngestorOptions, TrunklineTestCdcIngestor } from './cdc-ingestors';
export { CdcTestStack } from './cdc-stack';
export { DocumentLoad, type DocumentLoadOptions } from './document-load';
export { describeUnavailable, describeWithEngine, engineEnv, enginesRequired } from './engines';
export { type FetchedBatch, type PartitionContents, readPartitionContents } from './partition-reader';
export { TestDatabase } from './postgres-databases';
export { RawKafkaConnection } from './raw-kafka-connection';
export { type CommandResult, runCommand } from './run-command';
export { TrunklineTestSchemaRegistry } from './schema-registries';
export { type SearchIndexerOptions, TrunklineTestSearchIndexer } from './search-indexers';
export { s3TierFlags } from './tier-flags';
export { waitUntil } from './wait';
