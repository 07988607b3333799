import type { Socket } from 'node:net';
import { MalformedFrameError } from '@trunkline/kafka-protocol';
import type { Logger } from '@trunkline/runtime';
import type { Dispatcher } from '../handlers/dispatcher';
import { FrameError, FrameReader } from './frame-reader';

/**
 * One client connection. Requests are handled one at a time, in order, as Kafka does, so
 * responses go out in request order; reading pauses while a response cannot be written.
 */
export class KafkaConnection<State> {
  private readonly frames: FrameReader;
  private readonly queue: Buffer[] = [];
  private processing = false;
  private readonly closed = new AbortController();
  private idle: Promise<void> = Promise.resolve();
  private markIdle: () => void = () => undefined;

  constructor(
    private readonly socket: Socket,
    readonly id: string,
    private readonly dispatcher: Dispatcher<State>,
    private readonly state: State,
    private readonly logger: Logger,
    maxRequestBytes: number,
    shutdown: AbortSignal,
  ) {
    this.frames = new FrameReader(maxRequestBytes);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (error) => this.logger.debug({ err: error, connection: id }, 'connection error'));
    const onShutdown = () => this.closed.abort();
    shutdown.addEventListener('abort', onShutdown, { once: true });
    // A closed connection stops listening, so a long-lived server does not collect listeners.
    socket.on('close', () => {
      shutdown.removeEventListener('abort', onShutdown);
      this.closed.abort();
    });
  }

  get signal(): AbortSignal {
    return this.closed.signal;
  }

  /** Resolves when no request is being handled (for draining at shutdown). */
  whenIdle(): Promise<void> {
    return this.idle;
  }

  private receive(chunk: Buffer): void {
    try {
      this.queue.push(...this.frames.push(chunk));
    } catch (error) {
      this.close(error instanceof FrameError ? error.message : String(error));
      return;
    }
    if (!this.processing && this.queue.length > 0) void this.process();
  }

  private async process(): Promise<void> {
    this.processing = true;
    this.idle = new Promise((resolve) => {
      this.markIdle = resolve;
    });
    try {
      while (this.queue.length > 0 && !this.socket.destroyed) {
        const frame = this.queue.shift()!;
        let request: ReturnType<Dispatcher<State>['decode']>;
        try {
          request = this.dispatcher.decode(frame);
        } catch (error) {
          if (error instanceof MalformedFrameError) {
            this.close(`malformed request: ${error.message}`);
            return;
          }
          throw error;
        }
        const outcome = await this.dispatcher.dispatch(request, {
          clientHost: this.socket.remoteAddress ?? 'unknown',
          connectionId: this.id,
          logger: this.logger,
          signal: this.closed.signal,
          state: this.state,
        });
        if (outcome.kind === 'close') {
          this.close(outcome.reason);
          return;
        }
        if (outcome.kind === 'respond') await this.write(outcome.frame);
      }
    } catch (error) {
      this.logger.error({ err: error, connection: this.id }, 'request failed; closing the connection');
      this.socket.destroy();
    } finally {
      this.processing = false;
      this.markIdle();
    }
  }

  private write(chunks: Buffer[]): Promise<void> {
    this.socket.cork();
    let flushed = true;
    for (const chunk of chunks) flushed = this.socket.write(chunk);
    this.socket.uncork();
    if (flushed) return Promise.resolve();
    this.socket.pause();
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off('close', done);
        this.socket.resume();
        resolve();
      };
      this.socket.once('drain', done);
      this.socket.once('close', done);
    });
  }

  /** Closes the connection, logging why (bad input never crashes the broker). */
  close(reason: string): void {
    this.logger.warn(
      { connection: this.id, client: this.socket.remoteAddress, reason },
      'closing connection',
    );
    this.socket.destroy();
  }

  end(): void {
    this.socket.end();
  }
}
