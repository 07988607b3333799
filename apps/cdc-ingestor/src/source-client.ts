import { Client, type ClientConfig } from 'pg';

/**
 * A plain (non-replication) connection to the source that survives the server closing it:
 * a terminated backend, a Postgres restart, a network cut. pg's Client emits 'error' when its
 * idle connection is closed (unhandled, that ends the process) and is unusable afterwards; this
 * one logs the loss through `onLost` and opens a new connection for the next query. A query
 * running when the connection drops fails; the ones after it run on the new connection.
 *
 * Only promise-style queries (text, values or a query config) are forwarded; no session state
 * (SET, an open transaction) survives a reconnect, so none should be relied on.
 */
export class ReconnectingClient extends Client {
  // ES private names: nothing here can clash with the fields of pg's Client.
  readonly #settings: ClientConfig;
  readonly #onLost: (error: Error) => void;
  #opening: Promise<Client> | undefined;
  #closed = false;

  constructor(settings: ClientConfig, onLost: (error: Error) => void) {
    // The Client this extends never connects: it only gives callers the type they expect.
    super(settings);
    this.#settings = settings;
    this.#onLost = onLost;
  }

  override async connect(): Promise<Client> {
    await this.#open();
    return this;
  }

  // biome-ignore lint/suspicious/noExplicitAny: forwards every overload of Client#query
  override query(...args: any[]): any {
    return this.#open().then((client) => (client.query as (...forwarded: unknown[]) => unknown)(...args));
  }

  override async end(): Promise<void> {
    this.#closed = true;
    const client = await this.#opening?.catch(() => undefined);
    this.#opening = undefined;
    await client?.end();
  }

  /** The open connection, or a new one when there is none (the last one closed or failed). */
  #open(): Promise<Client> {
    if (this.#closed) return Promise.reject(new Error('the source connection was closed'));
    if (this.#opening !== undefined) return this.#opening;
    const client = new Client(this.#settings);
    const opening = client.connect().then(() => client);
    this.#opening = opening;
    const forget = () => {
      if (this.#opening === opening) this.#opening = undefined;
    };
    let lost = false;
    client.on('error', (error) => {
      forget();
      // pg reports a terminated backend twice (its FATAL message, then the closed socket).
      if (!lost && !this.#closed) this.#onLost(error);
      lost = true;
    });
    client.on('end', forget);
    opening.catch(forget);
    return opening;
  }
}
