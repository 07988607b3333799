export * from './apis/index';
export { ByteReader } from './codec/byte-reader';
export { ByteWriter } from './codec/byte-writer';
export { messageCodec } from './codec/message-codec';
export { MalformedFrameError } from './codec/protocol-error';
export { ErrorCode, errorByCode, errorByName, type KafkaErrorInfo, type KafkaErrorName } from './errors';
export {
  type DecodedRequest,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  type UnsupportedRequest,
} from './frames';
export { type RequestHeader, requestHeaderVersion, responseHeaderVersion } from './headers';
export { compressRecords } from './records/compress';
export { type FilteredBatch, type FilterOptions, filterBatch } from './records/filter';
export {
  AttributeBits,
  BATCH_OVERHEAD,
  BatchLayout,
  Compression,
  InvalidRecordBatchError,
  parseStoredBatches,
  RecordBatchView,
  recordBatchCrc,
  validateRecordBatches,
} from './records/record-batch';
export {
  type BatchOptions,
  buildRecordBatch,
  type KafkaRecord,
  type NewRecord,
  type RecordHeader as KafkaRecordHeader,
  readRecords,
} from './records/records';
export { type AnyField, type Field, field, type StructOf } from './schema/fields';
export { type ApiSpec, defineApi, type MessageSpec, type RequestOf, type ResponseOf } from './schema/message';
export { inVersions, parseVersions, type VersionRange } from './schema/versions';
