import { setMaxListeners } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import type { Logger } from '@trunkline/runtime';
import type { Dispatcher } from '../handlers/dispatcher';
import { KafkaConnection } from './kafka-connection';

export interface KafkaServerOptions<State> {
  dispatcher: Dispatcher<State>;
  state: State;
  logger: Logger;
  maxRequestBytes: number;
}

/** The Kafka protocol listener: accepts connections and hands each to a KafkaConnection. */
export class KafkaServer<State> {
  private readonly server: Server;
  private readonly connections = new Set<KafkaConnection<State>>();
  private readonly shutdown = new AbortController();
  private nextId = 0;

  constructor(options: KafkaServerOptions<State>) {
    // Every open connection listens for the shutdown: as many listeners as clients.
    setMaxListeners(0, this.shutdown.signal);
    this.server = createServer((socket) => {
      const connection = new KafkaConnection(
        socket,
        `${socket.remoteAddress}:${socket.remotePort}-${this.nextId++}`,
        options.dispatcher,
        options.state,
        options.logger,
        options.maxRequestBytes,
        this.shutdown.signal,
      );
      this.connections.add(connection);
      socket.on('close', () => this.connections.delete(connection));
    });
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /** Stops accepting, ends long polls, lets requests in flight finish, then closes connections. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.shutdown.abort();
    await Promise.all([...this.connections].map((c) => c.whenIdle()));
    for (const connection of this.connections) connection.end();
    await closed;
  }
}
