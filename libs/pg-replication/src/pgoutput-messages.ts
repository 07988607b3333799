import type { Lsn } from './lsn';

/** A column value that Postgres did not send: an unchanged TOASTed value ('u'). */
export const UNCHANGED_TOAST: unique symbol = Symbol('UNCHANGED_TOAST');
export type UnchangedToast = typeof UNCHANGED_TOAST;

/** One column of a tuple: 'n' → null, 'u' → UNCHANGED_TOAST, 't' → text, 'b' → binary. */
export type TupleValue = string | Buffer | null | UnchangedToast;

/** Column values in the relation's column order. */
export type TupleData = TupleValue[];

/** Replica identity of a relation: default (primary key), nothing, full row, or an index. */
export type ReplicaIdentity = 'd' | 'n' | 'f' | 'i';

export interface RelationColumn {
  /** Bit 1: the column is part of the replica identity key. */
  readonly flags: number;
  readonly isKey: boolean;
  readonly name: string;
  readonly typeOid: number;
  /** atttypmod, -1 when the type has none. */
  readonly typeModifier: number;
}

/** Present on messages sent inside a streamed (in-progress) transaction block, protocol version 2. */
interface Streamed {
  readonly xid?: number;
}

export interface BeginMessage {
  readonly tag: 'begin';
  readonly finalLsn: Lsn;
  /** Commit time in microseconds since the Unix epoch. */
  readonly commitTime: bigint;
  readonly xid: number;
}

export interface CommitMessage {
  readonly tag: 'commit';
  readonly flags: number;
  readonly commitLsn: Lsn;
  /** End of the transaction's commit record: acknowledge this to move past the transaction. */
  readonly endLsn: Lsn;
  /** Commit time in microseconds since the Unix epoch. */
  readonly commitTime: bigint;
}

export interface OriginMessage {
  readonly tag: 'origin';
  readonly originLsn: Lsn;
  readonly name: string;
}

export interface RelationMessage extends Streamed {
  readonly tag: 'relation';
  readonly relationId: number;
  /** Schema name; Postgres sends '' for pg_catalog. */
  readonly namespace: string;
  readonly name: string;
  readonly replicaIdentity: ReplicaIdentity;
  readonly columns: readonly RelationColumn[];
}

export interface TypeMessage extends Streamed {
  readonly tag: 'type';
  readonly typeOid: number;
  readonly namespace: string;
  readonly name: string;
}

export interface InsertMessage extends Streamed {
  readonly tag: 'insert';
  readonly relationId: number;
  readonly newTuple: TupleData;
}

export interface UpdateMessage extends Streamed {
  readonly tag: 'update';
  readonly relationId: number;
  /** The old key columns ('K', the key changed) or the whole old row ('O', REPLICA IDENTITY FULL). */
  readonly keyTuple?: TupleData;
  readonly oldTuple?: TupleData;
  readonly newTuple: TupleData;
}

export interface DeleteMessage extends Streamed {
  readonly tag: 'delete';
  readonly relationId: number;
  /** Exactly one of keyTuple ('K') and oldTuple ('O', REPLICA IDENTITY FULL) is set. */
  readonly keyTuple?: TupleData;
  readonly oldTuple?: TupleData;
}

export interface TruncateMessage extends Streamed {
  readonly tag: 'truncate';
  readonly cascade: boolean;
  readonly restartIdentity: boolean;
  readonly relationIds: readonly number[];
}

export interface LogicalDecodingMessage extends Streamed {
  readonly tag: 'message';
  readonly transactional: boolean;
  readonly lsn: Lsn;
  readonly prefix: string;
  readonly content: Buffer;
}

export interface StreamStartMessage {
  readonly tag: 'streamStart';
  readonly xid: number;
  readonly firstSegment: boolean;
}

export interface StreamStopMessage {
  readonly tag: 'streamStop';
}

export interface StreamCommitMessage {
  readonly tag: 'streamCommit';
  readonly xid: number;
  readonly flags: number;
  readonly commitLsn: Lsn;
  readonly endLsn: Lsn;
  /** Commit time in microseconds since the Unix epoch. */
  readonly commitTime: bigint;
}

export interface StreamAbortMessage {
  readonly tag: 'streamAbort';
  readonly xid: number;
  readonly subXid: number;
}

export type PgoutputMessage =
  | BeginMessage
  | CommitMessage
  | OriginMessage
  | RelationMessage
  | TypeMessage
  | InsertMessage
  | UpdateMessage
  | DeleteMessage
  | TruncateMessage
  | LogicalDecodingMessage
  | StreamStartMessage
  | StreamStopMessage
  | StreamCommitMessage
  | StreamAbortMessage;

export type PgoutputTag = PgoutputMessage['tag'];
