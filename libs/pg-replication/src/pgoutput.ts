import { pgMicrosToUnixMicros } from './pg-time';
import type {
  PgoutputMessage,
  RelationColumn,
  ReplicaIdentity,
  TupleData,
  TupleValue,
} from './pgoutput-messages';
import { UNCHANGED_TOAST } from './pgoutput-messages';
import { PgoutputReader } from './pgoutput-reader';

/**
 * Decoder of the pgoutput logical replication message format (protocol versions 1 and 2).
 * Pure functions over Buffers: no I/O, no state beyond what the caller passes in.
 */

export interface DecodeContext {
  /**
   * True between a Stream Start and a Stream Stop (protocol version 2): data messages then carry
   * the xid of the streamed transaction. PgoutputDecoder tracks this for you.
   */
  readonly inStreamBlock?: boolean;
}

type Decoder = (reader: PgoutputReader, context: DecodeContext) => PgoutputMessage;

const REPLICA_IDENTITIES: ReadonlySet<string> = new Set(['d', 'n', 'f', 'i']);
const TRUNCATE_CASCADE = 1;
const TRUNCATE_RESTART_IDENTITY = 2;
const COLUMN_FLAG_KEY = 1;

function timestamp(reader: PgoutputReader, what: string): bigint {
  return pgMicrosToUnixMicros(reader.int64(what));
}

function xid(reader: PgoutputReader): number {
  return reader.uint32('xid');
}

function streamedXid(reader: PgoutputReader, context: DecodeContext): { xid?: number } {
  return context.inStreamBlock === true ? { xid: xid(reader) } : {};
}

function tupleValue(reader: PgoutputReader, column: number): TupleValue {
  const at = reader.position;
  const kind = reader.char(`kind of column ${column}`);
  switch (kind) {
    case 'n':
      return null;
    case 'u':
      return UNCHANGED_TOAST;
    case 't':
      return reader.text(reader.int32(`length of column ${column}`), `text of column ${column}`);
    case 'b':
      return reader.bytes(reader.int32(`length of column ${column}`), `bytes of column ${column}`);
    default:
      return reader.fail(`unknown kind ${JSON.stringify(kind)} of column ${column}`, at);
  }
}

/** TupleData: Int16 column count, then per column a kind byte and for 't'/'b' a length and bytes. */
export function readTupleData(reader: PgoutputReader): TupleData {
  const at = reader.position;
  const count = reader.int16('tuple column count');
  if (count < 0) reader.fail(`negative tuple column count ${count}`, at);
  const values: TupleData = [];
  for (let column = 0; column < count; column++) values.push(tupleValue(reader, column));
  return values;
}

function expectTupleMarker(reader: PgoutputReader, expected: string, what: string): void {
  const at = reader.position;
  const marker = reader.char(what);
  if (marker !== expected) {
    reader.fail(`expected ${JSON.stringify(expected)} before ${what}, got ${JSON.stringify(marker)}`, at);
  }
}

const DECODERS: Readonly<Record<string, Decoder>> = {
  B: (reader) => ({
    tag: 'begin',
    finalLsn: reader.uint64('final LSN'),
    commitTime: timestamp(reader, 'commit timestamp'),
    xid: xid(reader),
  }),
  C: (reader) => ({
    tag: 'commit',
    flags: reader.uint8('flags'),
    commitLsn: reader.uint64('commit LSN'),
    endLsn: reader.uint64('end LSN'),
    commitTime: timestamp(reader, 'commit timestamp'),
  }),
  O: (reader) => ({
    tag: 'origin',
    originLsn: reader.uint64('origin commit LSN'),
    name: reader.cstring('origin name'),
  }),
  R: (reader, context) => {
    const streamed = streamedXid(reader, context);
    const relationId = reader.uint32('relation id');
    const namespace = reader.cstring('namespace');
    const name = reader.cstring('relation name');
    const identityAt = reader.position;
    const replicaIdentity = reader.char('replica identity');
    if (!REPLICA_IDENTITIES.has(replicaIdentity)) {
      reader.fail(`unknown replica identity ${JSON.stringify(replicaIdentity)}`, identityAt);
    }
    const countAt = reader.position;
    const count = reader.int16('column count');
    if (count < 0) reader.fail(`negative column count ${count}`, countAt);
    const columns: RelationColumn[] = [];
    for (let index = 0; index < count; index++) {
      const flags = reader.uint8(`flags of column ${index}`);
      columns.push({
        flags,
        isKey: (flags & COLUMN_FLAG_KEY) !== 0,
        name: reader.cstring(`name of column ${index}`),
        typeOid: reader.uint32(`type of column ${index}`),
        typeModifier: reader.int32(`type modifier of column ${index}`),
      });
    }
    return {
      tag: 'relation',
      ...streamed,
      relationId,
      namespace,
      name,
      replicaIdentity: replicaIdentity as ReplicaIdentity,
      columns,
    };
  },
  Y: (reader, context) => ({
    tag: 'type',
    ...streamedXid(reader, context),
    typeOid: reader.uint32('type id'),
    namespace: reader.cstring('namespace'),
    name: reader.cstring('type name'),
  }),
  I: (reader, context) => {
    const streamed = streamedXid(reader, context);
    const relationId = reader.uint32('relation id');
    expectTupleMarker(reader, 'N', 'new tuple');
    return { tag: 'insert', ...streamed, relationId, newTuple: readTupleData(reader) };
  },
  U: (reader, context) => {
    const streamed = streamedXid(reader, context);
    const relationId = reader.uint32('relation id');
    const at = reader.position;
    const marker = reader.char('tuple marker');
    if (marker === 'N') return { tag: 'update', ...streamed, relationId, newTuple: readTupleData(reader) };
    if (marker !== 'K' && marker !== 'O') {
      reader.fail(`expected 'K', 'O' or 'N' tuple marker, got ${JSON.stringify(marker)}`, at);
    }
    const old = readTupleData(reader);
    expectTupleMarker(reader, 'N', 'new tuple');
    const newTuple = readTupleData(reader);
    return marker === 'K'
      ? { tag: 'update', ...streamed, relationId, keyTuple: old, newTuple }
      : { tag: 'update', ...streamed, relationId, oldTuple: old, newTuple };
  },
  D: (reader, context) => {
    const streamed = streamedXid(reader, context);
    const relationId = reader.uint32('relation id');
    const at = reader.position;
    const marker = reader.char('tuple marker');
    if (marker !== 'K' && marker !== 'O') {
      reader.fail(`expected 'K' or 'O' tuple marker, got ${JSON.stringify(marker)}`, at);
    }
    const old = readTupleData(reader);
    return marker === 'K'
      ? { tag: 'delete', ...streamed, relationId, keyTuple: old }
      : { tag: 'delete', ...streamed, relationId, oldTuple: old };
  },
  T: (reader, context) => {
    const streamed = streamedXid(reader, context);
    const countAt = reader.position;
    const count = reader.int32('relation count');
    if (count < 0) reader.fail(`negative relation count ${count}`, countAt);
    const options = reader.uint8('options');
    const relationIds: number[] = [];
    for (let index = 0; index < count; index++) relationIds.push(reader.uint32(`relation id ${index}`));
    return {
      tag: 'truncate',
      ...streamed,
      cascade: (options & TRUNCATE_CASCADE) !== 0,
      restartIdentity: (options & TRUNCATE_RESTART_IDENTITY) !== 0,
      relationIds,
    };
  },
  M: (reader, context) => {
    const streamed = streamedXid(reader, context);
    const flags = reader.uint8('flags');
    const lsn = reader.uint64('message LSN');
    const prefix = reader.cstring('prefix');
    const content = reader.bytes(reader.int32('content length'), 'content');
    return { tag: 'message', ...streamed, transactional: (flags & 1) !== 0, lsn, prefix, content };
  },
  S: (reader) => ({
    tag: 'streamStart',
    xid: xid(reader),
    firstSegment: reader.uint8('first segment') === 1,
  }),
  E: () => ({ tag: 'streamStop' }),
  c: (reader) => ({
    tag: 'streamCommit',
    xid: xid(reader),
    flags: reader.uint8('flags'),
    commitLsn: reader.uint64('commit LSN'),
    endLsn: reader.uint64('end LSN'),
    commitTime: timestamp(reader, 'commit timestamp'),
  }),
  A: (reader) => ({ tag: 'streamAbort', xid: xid(reader), subXid: reader.uint32('subtransaction xid') }),
};

/**
 * Decodes one pgoutput message (the payload of an XLogData message). Throws PgoutputError, naming
 * the field and byte offset, for unknown message types, truncated or over-long input.
 */
export function decodePgoutput(data: Buffer, context: DecodeContext = {}): PgoutputMessage {
  const reader = new PgoutputReader(data);
  const type = reader.char('message type');
  reader.messageType = type;
  const decode = DECODERS[type];
  if (decode === undefined) return reader.fail(`unknown message type ${JSON.stringify(type)}`, 0);
  const message = decode(reader, context);
  reader.expectEnd();
  return message;
}

/** Decodes a sequence of pgoutput messages, tracking Stream Start / Stream Stop blocks. */
export class PgoutputDecoder {
  private inStreamBlock = false;

  decode(data: Buffer): PgoutputMessage {
    const message = decodePgoutput(data, { inStreamBlock: this.inStreamBlock });
    if (message.tag === 'streamStart') this.inStreamBlock = true;
    else if (message.tag === 'streamStop') this.inStreamBlock = false;
    return message;
  }
}
