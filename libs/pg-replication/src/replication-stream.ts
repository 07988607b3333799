import type { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import type { Lsn } from './lsn';
import { nowUnixMicros } from './pg-time';
import { PgoutputDecoder } from './pgoutput';
import type { PgoutputMessage } from './pgoutput-messages';
import { ReplicationError } from './replication-error';
import { decodeServerCopyData, encodeStandbyStatus, frameCopyData } from './replication-messages';

/** One pgoutput message with the XLogData header it came in. Clocks are µs since the Unix epoch. */
export interface ReplicationEvent {
  readonly walStart: Lsn;
  readonly walEnd: Lsn;
  readonly serverClock: bigint;
  readonly message: PgoutputMessage;
}

export interface ReplicationStreamOptions {
  /** How often a standby status update is sent even when nothing was acknowledged (ms). */
  readonly statusIntervalMs: number;
  /** Decoded events buffered before reading from the socket stops until the consumer catches up. */
  readonly highWaterMark: number;
  /** Bytes of buffered events' messages at which reading stops too (big rows fill memory before the count does). */
  readonly highWaterBytes?: number;
}

const DEFAULT_HIGH_WATER_BYTES = 16 * 1024 * 1024;

type CopyDataMessage = { readonly chunk: Buffer };

/** What the stream needs of pg's Connection: its socket, the simple query message and its events. */
export interface CopyBothConnection extends EventEmitter {
  readonly stream: Duplex;
  query(text: string): void;
}

/**
 * The CopyBoth phase of START_REPLICATION, as a `pg` Submittable: the Client hands it every
 * backend message while it is the active query, so nothing of `pg` is patched.
 *
 * Consume it with `for await`; leaving the loop (break) does not end the stream, so it can be
 * iterated again. Backpressure: when `highWaterMark` events are buffered, or after `pause()`, the
 * socket is paused; the kernel's and the walsender's buffers then fill and Postgres stops sending.
 * At most one socket read (≤ 64 KiB of messages) more is decoded after a pause.
 */
export class ReplicationStream implements AsyncIterable<ReplicationEvent> {
  /** Resolves when the server answered CopyBothResponse; rejects when it refused the command. */
  readonly started: Promise<void>;

  private connection: CopyBothConnection | undefined;
  private readonly decoder = new PgoutputDecoder();
  private readonly queue: { event: ReplicationEvent; bytes: number }[] = [];
  private queuedBytes = 0;
  private wake: (() => void) | undefined;
  private failure: ReplicationError | undefined;
  private ended = false;
  private closing = false;
  private isStarted = false;
  private userPaused = false;
  private socketPaused = false;
  private acknowledged: Lsn = 0n;
  private serverWalEnd: Lsn = 0n;
  private timer: NodeJS.Timeout | undefined;
  private resolveStarted!: () => void;
  private rejectStarted!: (error: ReplicationError) => void;

  constructor(
    /** The START_REPLICATION command text. */
    readonly text: string,
    private readonly options: ReplicationStreamOptions,
  ) {
    this.started = new Promise<void>((resolve, reject) => {
      this.resolveStarted = resolve;
      this.rejectStarted = reject;
    });
    // A refusal is reported through `started` and again when iterating; never unhandled.
    this.started.catch(() => undefined);
  }

  private get highWaterBytes(): number {
    return this.options.highWaterBytes ?? DEFAULT_HIGH_WATER_BYTES;
  }

  /** Bytes of the messages decoded and not yet consumed. */
  get bufferedBytes(): number {
    return this.queuedBytes;
  }

  /** Events decoded and not yet consumed. */
  get bufferedCount(): number {
    return this.queue.length;
  }

  /** True while the socket is not being read (paused by the caller or by the high-water mark). */
  get isReadingPaused(): boolean {
    return this.socketPaused;
  }

  /** The highest LSN the caller acknowledged; what every status update reports. */
  get acknowledgedLsn(): Lsn {
    return this.acknowledged;
  }

  /** The server's WAL end as of the last XLogData or keepalive. */
  get lastServerWalEnd(): Lsn {
    return this.serverWalEnd;
  }

  /** Stops reading from the socket; buffered events can still be consumed. */
  pause(): void {
    this.userPaused = true;
    this.pauseSocket();
  }

  /** Reads from the socket again (unless the buffer is still above the low-water mark). */
  resume(): void {
    this.userPaused = false;
    this.maybeResumeSocket();
  }

  /**
   * Reports `lsn` as written, flushed and applied: Postgres may advance the slot's
   * confirmed_flush_lsn to it and recycle WAL before it. Acknowledge only what is durable
   * downstream, typically a Commit's `endLsn`. Lower values than before are ignored.
   */
  acknowledge(lsn: Lsn): void {
    if (lsn <= this.acknowledged) return;
    this.acknowledged = lsn;
    this.sendStatus(false);
  }

  [Symbol.asyncIterator](): AsyncIterator<ReplicationEvent> {
    return {
      next: () => this.next(),
      return: async () => ({ done: true, value: undefined }),
    };
  }

  /** The next event; `done` when the stream closed; throws the stream's ReplicationError. */
  async next(): Promise<IteratorResult<ReplicationEvent, undefined>> {
    for (;;) {
      const entry = this.queue.shift();
      if (entry !== undefined) {
        this.queuedBytes -= entry.bytes;
        this.maybeResumeSocket();
        return { done: false, value: entry.event };
      }
      if (this.failure !== undefined) throw this.failure;
      if (this.ended) return { done: true, value: undefined };
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  /** Sends a last status update and marks the stream as ending (the connection closes it). */
  beginClose(): void {
    if (this.closing) return;
    this.sendStatus(false);
    this.closing = true;
    this.stopTimer();
    // A paused socket would never see the server close the connection.
    this.connection?.stream.resume();
    this.socketPaused = false;
  }

  // ---- pg Submittable: called by pg's Client while this is its active query ----

  submit(connection: CopyBothConnection): void {
    this.connection = connection;
    connection.once('replicationStart', this.onCopyBoth);
    connection.query(this.text);
  }

  handleCopyData(message: CopyDataMessage): void {
    if (this.failure !== undefined || this.closing) return;
    try {
      const frame = decodeServerCopyData(message.chunk);
      if (frame.walEnd > this.serverWalEnd) this.serverWalEnd = frame.walEnd;
      if (frame.type === 'keepalive') {
        if (frame.replyRequested) this.sendStatus(false);
        return;
      }
      this.queue.push({
        event: {
          walStart: frame.walStart,
          walEnd: frame.walEnd,
          serverClock: frame.serverClock,
          message: this.decoder.decode(frame.data),
        },
        bytes: frame.data.length,
      });
      this.queuedBytes += frame.data.length;
    } catch (error) {
      this.fail(
        new ReplicationError('protocol', `undecodable replication message: ${String(error)}`, undefined, {
          cause: error,
        }),
      );
      return;
    }
    if (this.queue.length >= this.options.highWaterMark || this.queuedBytes >= this.highWaterBytes)
      this.pauseSocket();
    this.notify();
  }

  handleError(error: unknown): void {
    this.connection?.removeListener('replicationStart', this.onCopyBoth);
    if (this.closing) {
      this.finish();
      return;
    }
    const failure = ReplicationError.from(error, 'replication stream');
    if (!this.isStarted) this.rejectStarted(failure);
    this.fail(failure);
  }

  handleReadyForQuery(): void {
    // The server left CopyBoth (it sent CopyDone and CommandComplete): the stream is over.
    this.finish();
  }

  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}

  handleCopyInResponse(): void {
    this.fail(new ReplicationError('protocol', 'server answered START_REPLICATION with CopyInResponse'));
  }

  // ---- internals ----

  private readonly onCopyBoth = (): void => {
    this.isStarted = true;
    this.timer = setInterval(() => this.sendStatus(false), this.options.statusIntervalMs);
    this.timer.unref();
    this.resolveStarted();
  };

  private sendStatus(replyRequested: boolean): void {
    const socket = this.connection?.stream;
    if (!this.isStarted || this.closing || socket === undefined || !socket.writable) return;
    const lsn = this.acknowledged;
    socket.write(
      frameCopyData(
        encodeStandbyStatus({
          written: lsn,
          flushed: lsn,
          applied: lsn,
          clock: nowUnixMicros(),
          replyRequested,
        }),
      ),
    );
  }

  private pauseSocket(): void {
    if (this.socketPaused || this.closing || this.connection === undefined) return;
    this.socketPaused = true;
    this.connection.stream.pause();
  }

  private maybeResumeSocket(): void {
    if (!this.socketPaused || this.userPaused) return;
    if (this.queue.length > this.options.highWaterMark / 2 || this.queuedBytes > this.highWaterBytes / 2)
      return;
    this.socketPaused = false;
    this.connection?.stream.resume();
  }

  private fail(error: ReplicationError): void {
    if (this.failure === undefined) this.failure = error;
    if (!this.isStarted) this.rejectStarted(error);
    this.stopTimer();
    this.notify();
  }

  private finish(): void {
    this.ended = true;
    if (!this.isStarted) {
      this.rejectStarted(
        new ReplicationError('connection', 'the connection closed before streaming started'),
      );
    }
    this.stopTimer();
    this.notify();
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
