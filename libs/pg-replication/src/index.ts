export { formatLsn, INVALID_LSN, type Lsn, parseLsn } from './lsn';
export { checkSlotName, quoteTableName, type TableName } from './names';
export { PG_EPOCH_OFFSET_MICROS, pgMicrosToUnixMicros, unixMicrosToPgMicros } from './pg-time';
export { type DecodeContext, decodePgoutput, PgoutputDecoder } from './pgoutput';
export { PgoutputError } from './pgoutput-error';
export {
  type BeginMessage,
  type CommitMessage,
  type DeleteMessage,
  type InsertMessage,
  type LogicalDecodingMessage,
  type OriginMessage,
  type PgoutputMessage,
  type PgoutputTag,
  type RelationColumn,
  type RelationMessage,
  type ReplicaIdentity,
  type StreamAbortMessage,
  type StreamCommitMessage,
  type StreamStartMessage,
  type StreamStopMessage,
  type TruncateMessage,
  type TupleData,
  type TupleValue,
  type TypeMessage,
  UNCHANGED_TOAST,
  type UnchangedToast,
  type UpdateMessage,
} from './pgoutput-messages';
export {
  type CreatedSlot,
  type CreateSlotOptions,
  ReplicationConnection,
  type ReplicationConnectionConfig,
  type StartReplicationOptions,
  type SystemIdentity,
} from './replication-connection';
export { ReplicationError, type ReplicationErrorKind } from './replication-error';
export {
  decodeServerCopyData,
  encodeStandbyStatus,
  type PrimaryKeepalive,
  type ServerCopyData,
  type StandbyStatus,
  type XLogData,
} from './replication-messages';
export {
  type ReplicationEvent,
  ReplicationStream,
  type ReplicationStreamOptions,
} from './replication-stream';
export {
  confirmedFlushLsn,
  createPublication,
  dropPublication,
  dropSlot,
  getSlot,
  publicationExists,
  publicationTables,
  type Queryable,
  type SlotInfo,
  setPublicationTables,
  slotExists,
} from './slots';
