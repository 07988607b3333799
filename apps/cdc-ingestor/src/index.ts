export { cdcIngestorService } from './cdc-service';
// What the ingestor writes, for the tests of consumers that read its change topics.
export {
  type ColumnDescription,
  parseRow,
  type TableCodec,
  type TableDescription,
  tableCodec,
} from './columns';
export { avroFormat } from './encoding/avro-format';
export type { EventFormat, TableEncoder } from './encoding/event-encoder';
export { jsonFormat } from './encoding/json-format';
export { protobufFormat } from './encoding/protobuf-format';
export type { ChangeEnvelope, SourceInfo } from './events/change-event';
