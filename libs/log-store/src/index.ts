export type { StoredBatch } from './batch-header';
export { DataDirInUseError, lockDataDir } from './data-dir-lock';
export { Durability, type FsyncPolicy, type Syncable } from './durability';
export { syncDirectory, writeFileDurably } from './durable-files';
export { OffsetOutOfRangeError } from './errors';
export {
  type AppendResult,
  DEFAULT_LOG_CONFIG,
  PartitionLog,
  type PartitionLogConfig,
  type RecoveryReport,
} from './partition-log';
