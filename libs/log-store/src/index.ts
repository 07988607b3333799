export type { StoredBatch } from './batch-header';
export type { CompactionPolicy } from './compaction/cleaning-plan';
export { IoThrottle } from './compaction/io-throttle';
export { KeyOffsetMap } from './compaction/key-offset-map';
export {
  type CleanerContext,
  type CleaningResult,
  cleanLog,
  KeyMapTooSmallError,
} from './compaction/log-cleaner';
export { DataDirInUseError, lockDataDir } from './data-dir-lock';
export { Durability, type FsyncPolicy, type Syncable } from './durability';
export { syncDirectory, writeFileDurably } from './durable-files';
export { OffsetOutOfRangeError } from './errors';
export {
  type AppendResult,
  DEFAULT_LOG_CONFIG,
  type LogStorage,
  PartitionLog,
  type PartitionLogConfig,
  type RecoveryReport,
} from './partition-log';
export type { RetentionPlan, RetentionPolicy, SegmentSummary } from './retention';
export { openRemoteStore, type RemoteStoreConfig } from './tier/open-remote-store';
export type { PartitionTierLocation } from './tier/partition-tier';
export { type ChunkCacheOptions, DEFAULT_CHUNK_CACHE, RemoteChunkCache } from './tier/remote-chunk-cache';
export { type RemoteStore, RemoteStoreError } from './tier/remote-store';
