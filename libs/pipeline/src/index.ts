export type { SinkAdapter } from './sink-adapter';
export type {
  ChangeOperation,
  Row,
  SinkBatch,
  SinkChange,
  SinkColumn,
  SinkColumnType,
  SinkTable,
} from './sink-change';
