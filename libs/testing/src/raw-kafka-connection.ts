import { connect, type Socket } from 'node:net';
import { type ApiSpec, decodeResponse, encodeRequest } from '@trunkline/kafka-protocol';

/**
 * A Kafka connection without a client library: send any bytes, read response frames. For
 * tests of what a broker does with exact, malformed or hostile requests.
 */
export class RawKafkaConnection {
  private buffered = Buffer.alloc(0);
  private waiting: { resolve: (frame: Buffer) => void; reject: (error: Error) => void }[] = [];
  private nextCorrelationId = 1;
  readonly closed: Promise<void>;

  private constructor(private readonly socket: Socket) {
    // A request goes out in several writes: without this, Nagle holds each one back for the ACK.
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
        const size = this.buffered.readInt32BE(0);
        const frame = this.buffered.subarray(4, 4 + size);
        this.buffered = this.buffered.subarray(4 + size);
        this.waiting.shift()?.resolve(frame);
      }
    });
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        for (const w of this.waiting.splice(0)) w.reject(new Error('the broker closed the connection'));
        resolve();
      }),
    );
    socket.on('error', () => undefined);
  }

  static open(bootstrap: string): Promise<RawKafkaConnection> {
    const [host, port] = bootstrap.split(':');
    return new Promise((resolve, reject) => {
      const socket = connect({ host: host!, port: Number(port) }, () =>
        resolve(new RawKafkaConnection(socket)),
      );
      socket.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.socket.destroyed;
  }

  /** Writes raw bytes (a whole frame, size prefix included, or anything else). */
  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** The next response frame (after its size prefix). */
  nextFrame(): Promise<Buffer> {
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** Sends a well-formed request and decodes its response. */
  async request(api: ApiSpec, version: number, body: object): Promise<Record<string, unknown>> {
    const correlationId = this.nextCorrelationId++;
    const frame = this.nextFrame();
    for (const chunk of encodeRequest(
      api,
      { apiKey: api.apiKey, apiVersion: version, correlationId, clientId: 'raw-test' },
      body,
    )) {
      this.socket.write(chunk);
    }
    const decoded = decodeResponse(api, version, await frame);
    if (decoded.correlationId !== correlationId)
      throw new Error(`correlation id ${decoded.correlationId}, expected ${correlationId}`);
    return decoded.body;
  }

  close(): void {
    this.socket.destroy();
  }
}
