import { createConnection, type Socket } from 'node:net';
import { type ApiSpec, decodeResponse, encodeRequest } from '@trunkline/kafka-protocol';

interface Pending {
  api: ApiSpec;
  version: number;
  resolve(body: Record<string, unknown>): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/** The connection failed or closed before a response came: the request may or may not have been applied. */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
}

/**
 * One TCP connection to a broker: size-framed requests with correlation ids, several in flight
 * (a broker answers a connection's requests in order). Any failure, including a request that
 * outlives its timeout, closes the connection and fails every request still waiting, since a
 * Kafka request cannot be cancelled and a later answer could no longer be trusted.
 */
export class BrokerConnection {
  private readonly pending = new Map<number, Pending>();
  private nextCorrelationId = 1;
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;
  private failure: Error | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly clientId: string,
    private readonly requestTimeoutMs: number,
  ) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (error) => this.fail(new ConnectionError(error.message)));
    socket.on('close', () => this.fail(new ConnectionError('the broker closed the connection')));
  }

  static open(
    host: string,
    port: number,
    options: { clientId: string; connectTimeoutMs: number; requestTimeoutMs: number },
  ): Promise<BrokerConnection> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({ host, port, noDelay: true });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new ConnectionError(`connecting to ${host}:${port} timed out`));
      }, options.connectTimeoutMs);
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(new ConnectionError(`cannot connect to ${host}:${port}: ${error.message}`));
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new BrokerConnection(socket, options.clientId, options.requestTimeoutMs));
      });
    });
  }

  get isOpen(): boolean {
    return this.failure === undefined;
  }

  request(api: ApiSpec, version: number, body: object): Promise<Record<string, unknown>> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = (this.nextCorrelationId + 1) & 0x7fffffff;
    const frame = encodeRequest(
      api,
      { apiKey: api.apiKey, apiVersion: version, correlationId, clientId: this.clientId },
      body,
    );
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => this.fail(new ConnectionError(`${api.name} got no answer in ${this.requestTimeoutMs} ms`)),
        this.requestTimeoutMs,
      );
      this.pending.set(correlationId, { api, version, resolve, reject, timer });
      this.socket.cork();
      for (const part of frame) this.socket.write(part);
      this.socket.uncork();
    });
  }

  close(): void {
    this.fail(new ConnectionError('the connection was closed'));
  }

  private fail(error: Error): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    this.socket.destroy();
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.pending.clear();
  }

  private receive(chunk: Buffer): void {
    this.buffered.push(chunk);
    this.bufferedBytes += chunk.length;
    while (this.bufferedBytes >= 4) {
      const head = this.buffered[0]!.length >= 4 ? this.buffered[0]! : this.join();
      const size = head.readInt32BE(0);
      if (this.bufferedBytes < 4 + size) return;
      const all = this.join();
      const frame = all.subarray(4, 4 + size);
      const rest = all.subarray(4 + size);
      this.buffered = rest.length > 0 ? [rest] : [];
      this.bufferedBytes = rest.length;
      this.answer(frame);
      if (this.failure !== undefined) return;
    }
  }

  private join(): Buffer {
    if (this.buffered.length > 1) this.buffered = [Buffer.concat(this.buffered, this.bufferedBytes)];
    return this.buffered[0]!;
  }

  private answer(frame: Buffer): void {
    // Every response header starts with the correlation id.
    const correlationId = frame.readInt32BE(0);
    const pending = this.pending.get(correlationId);
    if (pending === undefined) {
      this.fail(new ConnectionError(`a response to unknown correlation id ${correlationId}`));
      return;
    }
    this.pending.delete(correlationId);
    clearTimeout(pending.timer);
    try {
      pending.resolve(decodeResponse(pending.api, pending.version, frame).body);
    } catch (error) {
      pending.reject(error as Error);
      this.fail(new ConnectionError(`an undecodable ${pending.api.name} response`));
    }
  }
}
