import { Client, type ClientConfig, type QueryResultRow } from 'pg';
import { formatLsn, type Lsn, parseLsn } from './lsn';
import { checkSlotName, publicationNamesOption } from './names';
import { ReplicationError } from './replication-error';
import { ReplicationStream } from './replication-stream';

export type ReplicationConnectionConfig = string | ClientConfig;

export interface SystemIdentity {
  /** The cluster's unique system identifier (a 64-bit number, as text). */
  readonly systemId: string;
  readonly timeline: number;
  /** The current WAL flush location. */
  readonly xlogpos: Lsn;
  readonly dbname: string | null;
}

export interface CreateSlotOptions {
  /**
   * Export a snapshot of the database as of the slot's consistent point. Read it from another
   * connection with `BEGIN ISOLATION LEVEL REPEATABLE READ; SET TRANSACTION SNAPSHOT '<name>'`.
   * The snapshot is valid only while THIS connection stays open and runs no other command: import
   * it before calling anything else here (startReplication included) and before close().
   */
  readonly exportSnapshot: boolean;
  /** A slot dropped when this connection ends (and never persisted). */
  readonly temporary?: boolean;
}

export interface CreatedSlot {
  readonly slotName: string;
  /** The first LSN the slot decodes from: changes committed after the snapshot. */
  readonly consistentPoint: Lsn;
  readonly snapshotName?: string;
}

export interface StartReplicationOptions {
  /** Where to start; 0 (the default) means the slot's confirmed_flush_lsn. */
  readonly startLsn?: Lsn;
  readonly publications: readonly string[];
  /** pgoutput protocol version: 1, or 2 for streaming of in-progress transactions (PG 14+). */
  readonly protoVersion: 1 | 2;
  /** Also send logical decoding messages (pg_logical_emit_message), PG 14+. */
  readonly messages?: boolean;
  /** Stream large in-progress transactions (requires protoVersion 2). */
  readonly streaming?: boolean;
  /** Standby status update interval in ms; default 10 000. Keep it below wal_sender_timeout. */
  readonly statusIntervalMs?: number;
  /** Buffered events at which reading from the socket pauses; default 1000. */
  readonly highWaterMark?: number;
  /** Bytes of buffered messages at which reading pauses as well (default 16 MiB). */
  readonly highWaterBytes?: number;
}

const PG15 = 150_000;

/**
 * A connection in replication mode (`replication=database`): replication commands and, once
 * streaming, the CopyBoth protocol of START_REPLICATION. One stream per connection.
 */
export class ReplicationConnection {
  private stream: ReplicationStream | undefined;
  private closed = false;
  private serverVersion: number | undefined;
  private lastError: ReplicationError | undefined;

  private constructor(private readonly client: Client) {}

  /** Connects with `replication: 'database'` (overriding any replication setting in the config). */
  static async open(config: ReplicationConnectionConfig): Promise<ReplicationConnection> {
    const base: ClientConfig = typeof config === 'string' ? { connectionString: config } : config;
    const replicationConfig: ClientConfig & { replication: 'database' } = {
      ...base,
      replication: 'database',
    };
    const client = new Client(replicationConfig);
    const connection = new ReplicationConnection(client);
    client.on('error', (error) => {
      connection.lastError = ReplicationError.from(error, 'replication connection');
    });
    try {
      await client.connect();
    } catch (error) {
      throw ReplicationError.from(error, 'connecting for replication');
    }
    return connection;
  }

  /** IDENTIFY_SYSTEM. */
  async identifySystem(): Promise<SystemIdentity> {
    const [row] = await this.command<{
      systemid: string;
      timeline: number;
      xlogpos: string;
      dbname: string | null;
    }>('IDENTIFY_SYSTEM');
    if (row === undefined) throw new ReplicationError('protocol', 'IDENTIFY_SYSTEM returned no row');
    return {
      systemId: row.systemid,
      timeline: Number(row.timeline),
      xlogpos: parseLsn(row.xlogpos),
      dbname: row.dbname,
    };
  }

  /**
   * CREATE_REPLICATION_SLOT … LOGICAL pgoutput, with `(SNAPSHOT 'export'|'nothing')` on PG 15+ and
   * `EXPORT_SNAPSHOT`/`NOEXPORT_SNAPSHOT` before. See CreateSlotOptions.exportSnapshot for how
   * long the snapshot lives.
   */
  async createSlot(name: string, options: CreateSlotOptions): Promise<CreatedSlot> {
    checkSlotName(name);
    const version = await this.serverVersionNum();
    const temporary = options.temporary === true ? ' TEMPORARY' : '';
    const snapshot =
      version >= PG15
        ? `(SNAPSHOT '${options.exportSnapshot ? 'export' : 'nothing'}')`
        : options.exportSnapshot
          ? 'EXPORT_SNAPSHOT'
          : 'NOEXPORT_SNAPSHOT';
    const [row] = await this.command<{
      slot_name: string;
      consistent_point: string;
      snapshot_name: string | null;
    }>(`CREATE_REPLICATION_SLOT ${name}${temporary} LOGICAL pgoutput ${snapshot}`);
    if (row === undefined) throw new ReplicationError('protocol', 'CREATE_REPLICATION_SLOT returned no row');
    return {
      slotName: row.slot_name,
      consistentPoint: parseLsn(row.consistent_point),
      ...(row.snapshot_name === null ? {} : { snapshotName: row.snapshot_name }),
    };
  }

  /**
   * START_REPLICATION SLOT … LOGICAL: resolves once the server streams (CopyBoth), rejects with the
   * server's error otherwise (e.g. SQLSTATE 42704 for a missing slot, 55006 for a slot in use).
   */
  async startReplication(slot: string, options: StartReplicationOptions): Promise<ReplicationStream> {
    checkSlotName(slot);
    if (options.streaming === true && options.protoVersion < 2) {
      throw new ReplicationError('usage', 'streaming needs protoVersion 2');
    }
    const pluginOptions = [
      `proto_version '${options.protoVersion}'`,
      `publication_names ${publicationNamesOption(options.publications)}`,
      ...(options.messages === undefined ? [] : [`messages '${options.messages ? 'true' : 'false'}'`]),
      ...(options.streaming === undefined ? [] : [`streaming '${options.streaming ? 'on' : 'off'}'`]),
    ];
    const text = `START_REPLICATION SLOT ${slot} LOGICAL ${formatLsn(options.startLsn ?? 0n)} (${pluginOptions.join(', ')})`;
    this.checkUsable();
    const stream = new ReplicationStream(text, {
      statusIntervalMs: options.statusIntervalMs ?? 10_000,
      highWaterMark: options.highWaterMark ?? 1000,
      ...(options.highWaterBytes === undefined ? {} : { highWaterBytes: options.highWaterBytes }),
    });
    this.stream = stream;
    this.client.query(stream);
    try {
      await stream.started;
    } catch (error) {
      // Refused (no such slot, slot in use…): the connection is back to accepting commands.
      this.stream = undefined;
      throw error;
    }
    return stream;
  }

  /** The stream's acknowledge(): see ReplicationStream.acknowledge. */
  acknowledge(lsn: Lsn): void {
    if (this.stream === undefined)
      throw new ReplicationError('usage', 'acknowledge() before startReplication()');
    this.stream.acknowledge(lsn);
  }

  /** Sends a last status update with the acknowledged LSN and closes the connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stream?.beginClose();
    try {
      await this.client.end();
    } catch {
      // Already closed by the server or the network: nothing left to release.
    }
  }

  private async serverVersionNum(): Promise<number> {
    if (this.serverVersion === undefined) {
      const [row] = await this.command<{ server_version_num: string }>('SHOW server_version_num');
      this.serverVersion = Number(row?.server_version_num ?? 0);
    }
    return this.serverVersion;
  }

  private checkUsable(): void {
    if (this.closed) throw new ReplicationError('usage', 'the replication connection is closed');
    if (this.stream !== undefined) {
      throw new ReplicationError('usage', 'the connection is streaming; open another one for more commands');
    }
    if (this.lastError !== undefined) throw this.lastError;
  }

  private async command<R extends QueryResultRow>(text: string): Promise<R[]> {
    this.checkUsable();
    try {
      return (await this.client.query<R>(text)).rows;
    } catch (error) {
      throw ReplicationError.from(error, text);
    }
  }
}
