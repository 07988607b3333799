export { type ApplyContext, BatchAbandoned, ChangeApplier, type RetryPolicy } from './change-applier';
export { type DeadLetter, DeadLetterQueue, DLQ_HEADERS, deadLetterTopic } from './dead-letters';
export { ChangeDecoder, type ConsumedRecord, type DecodedChange } from './decoding/change-decoder';
export { type PipelineMetrics, pipelineMetrics } from './pipeline-metrics';
export { type ReplayFrom, type ReplayMode, type ReplayProgress, ReplayRunner } from './replay';
export type { SinkAdapter, SinkRebuild } from './sink-adapter';
export { sinkAdmin } from './sink-admin';
export type {
  ChangeOperation,
  Row,
  SinkBatch,
  SinkChange,
  SinkColumn,
  SinkColumnType,
  SinkTable,
} from './sink-change';
export { ChangesRejected, isTransient, type RejectedChange, UndecodableRecord } from './sink-errors';
export {
  type PartitionState,
  type PipelinePhase,
  SinkPipeline,
  type SinkPipelineOptions,
} from './sink-pipeline';
export { type SinkConfig, startSinkPipeline } from './sink-service';
export { sinkSettings } from './sink-settings';
export { TopicSelection } from './topic-selection';
