import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import { DatabaseError } from 'pg';
import { PG_EPOCH_OFFSET_MICROS } from './pg-time';
import { ReplicationError } from './replication-error';
import { type CopyBothConnection, ReplicationStream } from './replication-stream';

/**
 * Drives the stream the way pg's Client does (submit, then handle* per backend message) over an
 * in-memory socket that records what the stream writes.
 */
class MemoryConnection extends EventEmitter implements CopyBothConnection {
  readonly queries: string[] = [];
  readonly written: Buffer[] = [];
  readonly stream = new Duplex({
    read: () => undefined,
    write: (chunk: Buffer, _encoding, callback) => {
      this.written.push(chunk);
      callback();
    },
  });

  query(text: string): void {
    this.queries.push(text);
  }

  /** The standby status updates written so far, as [written, flushed, applied, replyRequested]. */
  statusUpdates(): [bigint, bigint, bigint, number][] {
    return this.written.map((frame) => {
      expect(frame.toString('latin1', 0, 1)).toBe('d');
      expect(frame.readInt32BE(1)).toBe(4 + 34);
      expect(frame.toString('latin1', 5, 6)).toBe('r');
      return [
        frame.readBigUInt64BE(6),
        frame.readBigUInt64BE(14),
        frame.readBigUInt64BE(22),
        frame.readUInt8(38),
      ];
    });
  }
}

function xlogData(walStart: bigint, pgoutput: Buffer): { chunk: Buffer } {
  const header = Buffer.alloc(25);
  header.write('w', 0, 'latin1');
  header.writeBigUInt64BE(walStart, 1);
  header.writeBigUInt64BE(walStart + 0x100n, 9);
  header.writeBigInt64BE(5n, 17);
  return { chunk: Buffer.concat([header, pgoutput]) };
}

function keepalive(walEnd: bigint, replyRequested: boolean): { chunk: Buffer } {
  const chunk = Buffer.alloc(18);
  chunk.write('k', 0, 'latin1');
  chunk.writeBigUInt64BE(walEnd, 1);
  chunk.writeBigInt64BE(0n, 9);
  chunk.writeUInt8(replyRequested ? 1 : 0, 17);
  return { chunk };
}

const STREAM_STOP = Buffer.from('E');

async function started(
  options: { highWaterMark?: number; highWaterBytes?: number; statusIntervalMs?: number } = {},
) {
  const stream = new ReplicationStream('START_REPLICATION SLOT s LOGICAL 0/0', {
    highWaterMark: options.highWaterMark ?? 1000,
    ...(options.highWaterBytes === undefined ? {} : { highWaterBytes: options.highWaterBytes }),
    statusIntervalMs: options.statusIntervalMs ?? 60_000,
  });
  const connection = new MemoryConnection();
  stream.submit(connection);
  connection.emit('replicationStart');
  await stream.started;
  return { stream, connection };
}

describe('ReplicationStream', () => {
  it('sends the command and yields decoded XLogData', async () => {
    const { stream, connection } = await started();
    expect(connection.queries).toEqual(['START_REPLICATION SLOT s LOGICAL 0/0']);
    stream.handleCopyData(xlogData(0x10n, STREAM_STOP));
    await expect(stream.next()).resolves.toEqual({
      done: false,
      value: {
        walStart: 0x10n,
        walEnd: 0x110n,
        serverClock: 5n + PG_EPOCH_OFFSET_MICROS,
        message: { tag: 'streamStop' },
      },
    });
    expect(stream.lastServerWalEnd).toBe(0x110n);
    stream.beginClose();
  });

  it('answers a keepalive only when the server asks, with what was acknowledged', async () => {
    const { stream, connection } = await started();
    stream.handleCopyData(keepalive(0x500n, false));
    expect(connection.written).toHaveLength(0);
    stream.handleCopyData(keepalive(0x500n, true));
    expect(connection.statusUpdates()).toEqual([[0n, 0n, 0n, 0]]);
    expect(stream.lastServerWalEnd).toBe(0x500n);
    expect(stream.bufferedCount).toBe(0);
    stream.beginClose();
  });

  it('acknowledges only forward, never more than it was told', async () => {
    const { stream, connection } = await started();
    stream.acknowledge(0x300n);
    stream.acknowledge(0x200n);
    stream.handleCopyData(keepalive(0x900n, true));
    expect(connection.statusUpdates()).toEqual([
      [0x300n, 0x300n, 0x300n, 0],
      [0x300n, 0x300n, 0x300n, 0],
    ]);
    stream.beginClose();
  });

  it('sends a status update every interval', async () => {
    const { stream, connection } = await started({ statusIntervalMs: 20 });
    stream.acknowledge(0x42n);
    await new Promise((resolve) => setTimeout(resolve, 110));
    const updates = connection.statusUpdates();
    expect(updates.length).toBeGreaterThanOrEqual(3);
    expect(new Set(updates.map((update) => update[1]))).toEqual(new Set([0x42n]));
    stream.beginClose();
    const count = connection.written.length;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(connection.written.length).toBe(count);
  });

  it('pauses the socket at the high-water mark and resumes at half of it', async () => {
    const { stream, connection } = await started({ highWaterMark: 4 });
    for (let i = 0; i < 4; i++) stream.handleCopyData(xlogData(BigInt(i), STREAM_STOP));
    expect(stream.isReadingPaused).toBe(true);
    expect(connection.stream.isPaused()).toBe(true);
    await stream.next();
    expect(connection.stream.isPaused()).toBe(true);
    await stream.next();
    expect(stream.bufferedCount).toBe(2);
    expect(connection.stream.isPaused()).toBe(false);
    stream.beginClose();
  });

  it('pauses the socket when the buffered messages reach the high-water bytes, whatever their count', async () => {
    // A logical decoding message of 100 bytes: 'M', flags, LSN, prefix "p\0", length, content.
    const header = Buffer.alloc(1 + 1 + 8 + 2 + 4);
    header.write('M', 0, 'latin1');
    header.write('p\0', 10, 'latin1');
    header.writeInt32BE(84, 12);
    const big = Buffer.concat([header, Buffer.alloc(84)]);
    const { stream, connection } = await started({ highWaterMark: 1000, highWaterBytes: 300 });
    for (let i = 0; i < 2; i++) stream.handleCopyData(xlogData(BigInt(i), big));
    expect(connection.stream.isPaused()).toBe(false);
    stream.handleCopyData(xlogData(2n, big));
    expect(stream.bufferedBytes).toBe(300);
    expect(connection.stream.isPaused()).toBe(true);
    await stream.next();
    expect(connection.stream.isPaused()).toBe(true);
    await stream.next();
    expect(stream.bufferedBytes).toBe(100);
    expect(connection.stream.isPaused()).toBe(false);
    stream.beginClose();
  });

  it('stays paused after pause() until resume()', async () => {
    const { stream, connection } = await started({ highWaterMark: 2 });
    stream.pause();
    expect(connection.stream.isPaused()).toBe(true);
    stream.handleCopyData(xlogData(1n, STREAM_STOP));
    await stream.next();
    expect(connection.stream.isPaused()).toBe(true);
    stream.resume();
    expect(connection.stream.isPaused()).toBe(false);
    stream.beginClose();
  });

  it('iterates with for await, and again after a break', async () => {
    const { stream } = await started();
    for (let i = 1n; i <= 3n; i++) stream.handleCopyData(xlogData(i, STREAM_STOP));
    const seen: bigint[] = [];
    for await (const event of stream) {
      seen.push(event.walStart);
      if (seen.length === 2) break;
    }
    for await (const event of stream) {
      seen.push(event.walStart);
      break;
    }
    expect(seen).toEqual([1n, 2n, 3n]);
    stream.handleReadyForQuery();
    await expect(stream.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it('rejects the start with the server error and its SQLSTATE', async () => {
    const stream = new ReplicationStream('START_REPLICATION', { highWaterMark: 10, statusIntervalMs: 1000 });
    stream.submit(new MemoryConnection());
    const error = new DatabaseError('replication slot "s" does not exist', 0, 'error');
    error.code = '42704';
    stream.handleError(error);
    await expect(stream.started).rejects.toMatchObject({ kind: 'server', code: '42704' });
    await expect(stream.next()).rejects.toBeInstanceOf(ReplicationError);
  });

  it('delivers buffered events before a connection error', async () => {
    const { stream } = await started();
    stream.handleCopyData(xlogData(1n, STREAM_STOP));
    stream.handleError(new Error('Connection terminated unexpectedly'));
    await expect(stream.next()).resolves.toMatchObject({ done: false });
    await expect(stream.next()).rejects.toMatchObject({ kind: 'connection', code: undefined });
  });

  it('fails with a protocol error on undecodable data', async () => {
    const { stream } = await started();
    stream.handleCopyData(xlogData(1n, Buffer.from('Z')));
    await expect(stream.next()).rejects.toMatchObject({
      kind: 'protocol',
      message: expect.stringContaining('unknown message type "Z"'),
    });
  });
});
