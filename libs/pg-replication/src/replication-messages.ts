import type { Lsn } from './lsn';
import { pgMicrosToUnixMicros, unixMicrosToPgMicros } from './pg-time';
import { PgoutputReader } from './pgoutput-reader';

/**
 * The streaming replication protocol's CopyData payloads (no I/O): XLogData and primary keepalive
 * from the server, standby status update from the client.
 */

/** 'w': WAL data; `data` is one pgoutput message. Clocks are microseconds since the Unix epoch. */
export interface XLogData {
  readonly type: 'xlogData';
  readonly walStart: Lsn;
  readonly walEnd: Lsn;
  readonly serverClock: bigint;
  readonly data: Buffer;
}

/** 'k': the server's WAL end and clock; `replyRequested` asks for a status update now. */
export interface PrimaryKeepalive {
  readonly type: 'keepalive';
  readonly walEnd: Lsn;
  readonly serverClock: bigint;
  readonly replyRequested: boolean;
}

export type ServerCopyData = XLogData | PrimaryKeepalive;

const XLOG_DATA_HEADER = 1 + 8 + 8 + 8;

/** Decodes a CopyData payload sent by the walsender. Throws PgoutputError when malformed. */
export function decodeServerCopyData(payload: Buffer): ServerCopyData {
  const reader = new PgoutputReader(payload);
  const type = reader.char('replication message type');
  reader.messageType = type;
  if (type === 'w') {
    const walStart = reader.uint64('WAL start');
    const walEnd = reader.uint64('WAL end');
    const serverClock = pgMicrosToUnixMicros(reader.int64('server clock'));
    return { type: 'xlogData', walStart, walEnd, serverClock, data: payload.subarray(XLOG_DATA_HEADER) };
  }
  if (type === 'k') {
    const walEnd = reader.uint64('WAL end');
    const serverClock = pgMicrosToUnixMicros(reader.int64('server clock'));
    const replyRequested = reader.uint8('reply requested') === 1;
    reader.expectEnd();
    return { type: 'keepalive', walEnd, serverClock, replyRequested };
  }
  return reader.fail(`unknown replication message type ${JSON.stringify(type)}`, 0);
}

export interface StandbyStatus {
  readonly written: Lsn;
  readonly flushed: Lsn;
  readonly applied: Lsn;
  /** Microseconds since the Unix epoch. */
  readonly clock: bigint;
  readonly replyRequested: boolean;
}

/** 'r': the standby status update payload (34 bytes). */
export function encodeStandbyStatus(status: StandbyStatus): Buffer {
  const payload = Buffer.alloc(34);
  payload.write('r', 0, 'latin1');
  payload.writeBigUInt64BE(status.written, 1);
  payload.writeBigUInt64BE(status.flushed, 9);
  payload.writeBigUInt64BE(status.applied, 17);
  payload.writeBigInt64BE(unixMicrosToPgMicros(status.clock), 25);
  payload.writeUInt8(status.replyRequested ? 1 : 0, 33);
  return payload;
}

/** Frames a payload as a frontend CopyData message: 'd', Int32 length (including itself), bytes. */
export function frameCopyData(payload: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write('d', 0, 'latin1');
  header.writeInt32BE(payload.length + 4, 1);
  return Buffer.concat([header, payload]);
}
