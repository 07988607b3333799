import { connect, createServer, type Server, type Socket } from 'node:net';
import { apiName } from './api-names';
import { FrameSplitter } from './frame-splitter';

/** Who is talking. A connection keeps the label current when it was accepted. */
export interface ClientLabel {
  /** kafkajs, kcat or java. */
  readonly client: string;
  /** What the client was asked to do, e.g. "kcat -P -z zstd". */
  readonly step: string;
}

/** A request and its response, as the bytes after each frame's size prefix. */
export interface Exchange extends ClientLabel {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
  readonly request: Buffer;
  /** A view into the proxy's read buffer: copy it to keep it. */
  readonly response: Buffer;
}

type PendingRequest = Omit<Exchange, 'response' | 'correlationId'>;

/** Request header v1/v2: apiKey int16, apiVersion int16, correlationId int32, clientId nullable string. */
function readClientId(frame: Buffer): string | null {
  if (frame.length < 10) return null;
  const length = frame.readInt16BE(8);
  return length < 0 || 10 + length > frame.length ? null : frame.toString('utf8', 10, 10 + length);
}

/**
 * A TCP proxy in front of one broker that forwards bytes unchanged and, reading Kafka's
 * framing on the side, pairs each response with its request by correlation id, per connection.
 * The broker must advertise the proxy's port, or clients leave the proxy after bootstrap.
 */
export class RecordingProxy {
  label: ClientLabel = { client: 'unknown', step: 'unknown' };
  /** Requests still unanswered when their connection closed (acks=0 produce would be), described. */
  readonly unanswered: string[] = [];
  readonly problems: string[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private readonly upstreamPort: number,
    private readonly onExchange: (exchange: Exchange) => void,
  ) {
    server.on('connection', (client) => this.relay(client));
  }

  /** Listens on a free loopback port; connects to the broker only when a client connects. */
  static start(upstreamPort: number, onExchange: (exchange: Exchange) => void): Promise<RecordingProxy> {
    const server = createServer();
    const proxy = new RecordingProxy(server, upstreamPort, onExchange);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(proxy));
    });
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  /** Stops listening and cuts every connection still open. */
  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket): void {
    const label = this.label;
    const upstream = connect({ host: '127.0.0.1', port: this.upstreamPort });
    const pending = new Map<number, PendingRequest>();
    const where = `${label.step}: connection from port ${client.remotePort}`;
    for (const socket of [client, upstream]) this.sockets.add(socket);

    this.parse(client, where, (frame) => {
      if (frame.length < 8) throw new Error(`request frame of ${frame.length} bytes`);
      pending.set(frame.readInt32BE(4), {
        ...label,
        apiKey: frame.readInt16BE(0),
        apiVersion: frame.readInt16BE(2),
        clientId: readClientId(frame),
        request: Buffer.from(frame),
      });
    });
    this.parse(upstream, where, (frame) => {
      const correlationId = frame.readInt32BE(0);
      const request = pending.get(correlationId);
      if (request === undefined) throw new Error(`response to unknown correlation id ${correlationId}`);
      pending.delete(correlationId);
      this.onExchange({ ...request, correlationId, response: frame });
    });
    client.pipe(upstream);
    upstream.pipe(client);

    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      for (const request of pending.values()) {
        this.unanswered.push(`${apiName(request.apiKey)} v${request.apiVersion} from ${request.step}`);
      }
      for (const socket of [client, upstream]) {
        socket.destroy();
        this.sockets.delete(socket);
      }
    };
    for (const socket of [client, upstream]) {
      socket.on('close', close);
      // A reset connection is the clients' business; the close handler tidies up.
      socket.on('error', () => undefined);
    }
  }

  /** Reads frames off a socket beside the pipe; a framing error ends the reading, not the relaying. */
  private parse(socket: Socket, where: string, onFrame: (frame: Buffer) => void): void {
    const splitter = new FrameSplitter();
    const onData = (chunk: Buffer) => {
      try {
        for (const frame of splitter.push(chunk)) onFrame(frame);
      } catch (error) {
        this.problems.push(`${where}: ${(error as Error).message}; stopped reading it`);
        socket.off('data', onData);
      }
    };
    socket.on('data', onData);
  }
}
