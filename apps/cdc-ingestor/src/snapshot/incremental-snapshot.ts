import { randomUUID } from 'node:crypto';
import { Code, type Logger, TrunklineError } from '@trunkline/runtime';
import { Client, type ClientConfig } from 'pg';
import type { CapturedTable } from '../capture/captured-table';
import { resolveUnchanged, textRow } from '../capture/row-values';
import type { Row } from '../events/change-event';
import {
  type ChunkSource,
  chunkSourceOf,
  estimateRows,
  type KeyText,
  keyOfText,
  lastKey,
  readChunk,
  snapshotTable,
} from './chunk-queries';
import { parseWatermark, SnapshotWindow, WINDOW_PREFIX, watermarkContent } from './snapshot-window';

/** One requested incremental snapshot and how far it got: what the state topic keeps. */
export interface IncrementalSnapshotState {
  id: string;
  /** Tables still to read, the one being read first. */
  tables: string[];
  chunkSize: number;
  /** The last key read of the first table (null: not started). */
  lastKey: KeyText | null;
  /** The first table's largest key when its snapshot began: rows inserted after are streamed anyway. */
  maxKey: KeyText | null;
}

/** What the incremental snapshots need from the ingestor. */
export interface SnapshotHost {
  table(name: string): CapturedTable | undefined;
  /** Records the requests' progress durably (the state topic). */
  save(requests: readonly IncrementalSnapshotState[]): Promise<void>;
}

export interface IncrementalSnapshotOptions {
  connection: ClientConfig;
  chunkSize: number;
  logger: Logger;
}

/** A chunk whose `close` watermark was read: its rows go out, then `acknowledged` is called. */
export interface ClosedWindow {
  table: CapturedTable;
  rows: Row[];
  acknowledged(): void;
}

interface RunningWindow {
  window: SnapshotWindow;
  table: CapturedTable;
  done: Promise<void>;
  resolve(): void;
  reject(error: Error): void;
}

class WindowAborted extends Error {}

/** How long a chunk waits for transactions that were committing when its window opened. */
const SETTLE_TIMEOUT_MS = 500;

/**
 * Incremental snapshots while streaming goes on, DBLog's way: each chunk of a table is read
 * between two watermarks written to the WAL, reconciled with the changes streamed between
 * them (see SnapshotWindow) and sent when the stream reaches the closing watermark. Progress
 * is saved after every chunk the broker acknowledged, so a restart goes on from the last one.
 */
export class IncrementalSnapshots {
  private readonly requests: IncrementalSnapshotState[] = [];
  private running: RunningWindow | undefined;
  private client: Client | undefined;
  private sources = new Map<number, { shape: string; source: ChunkSource }>();
  private streaming = false;
  private paused = false;
  private stopped = false;
  private wake: (() => void) | undefined;
  /** Transactions that outlived a settle wait: long-running, so their commits come later. */
  private readonly longRunning = new Set<string>();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly host: SnapshotHost,
    private readonly options: IncrementalSnapshotOptions,
  ) {}

  /** Requests not finished, as last saved (or restored). */
  get pending(): readonly IncrementalSnapshotState[] {
    return this.requests;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  restore(requests: readonly IncrementalSnapshotState[]): void {
    this.requests.push(...requests.map((r) => ({ ...r, tables: [...r.tables] })));
    for (const request of this.requests)
      for (const name of request.tables) this.markQueued(this.host.table(name));
  }

  /** Queues a snapshot of captured tables; returns its id. */
  async trigger(tables: readonly string[], chunkSize = 0, id: string = randomUUID()): Promise<string> {
    if (tables.length === 0)
      throw new TrunklineError(Code.InvalidArgument, 'an incremental snapshot needs at least one table');
    for (const name of tables) {
      const table = this.host.table(name);
      if (table === undefined)
        throw new TrunklineError(Code.NotFound, `table ${name} is not captured by this ingestor`);
      if (table.codec.table.primaryKey.length === 0)
        throw new TrunklineError(
          Code.FailedPrecondition,
          `table ${name} has no key to snapshot it in chunks by`,
        );
    }
    // A signal read again after a restart asks for a snapshot already queued.
    if (this.requests.some((r) => r.id === id)) return id;
    const request: IncrementalSnapshotState = {
      id,
      tables: [...new Set(tables)],
      chunkSize: chunkSize > 0 ? chunkSize : this.options.chunkSize,
      lastKey: null,
      maxKey: null,
    };
    this.requests.push(request);
    for (const name of request.tables) this.markQueued(this.host.table(name));
    await this.host.save(this.requests);
    this.options.logger.info({ snapshot: id, tables: request.tables }, 'incremental snapshot requested');
    this.wake?.();
    return id;
  }

  /** Drops tables (all when none named) from the queued and running snapshots. */
  async cancel(tables: readonly string[]): Promise<void> {
    const all = tables.length === 0;
    for (const request of this.requests) {
      const keep = request.tables.filter((t) => !all && !tables.includes(t));
      if (keep[0] !== request.tables[0]) {
        request.lastKey = null;
        request.maxKey = null;
      }
      for (const name of request.tables.filter((t) => !keep.includes(t))) {
        const table = this.host.table(name);
        if (table?.state === 'snapshotting') table.state = 'capturing';
      }
      request.tables = keep;
    }
    this.requests.splice(0, this.requests.length, ...this.requests.filter((r) => r.tables.length > 0));
    this.running?.reject(new WindowAborted('the snapshot was stopped'));
    await this.host.save(this.requests);
    this.options.logger.info({ tables: all ? 'all' : tables }, 'incremental snapshot stopped');
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    this.options.logger.info({ paused }, 'incremental snapshots paused or resumed');
    this.wake?.();
  }

  /** The stream runs (again): chunks may be read. */
  streamStarted(): void {
    this.streaming = true;
    this.loop ??= this.drive();
    this.wake?.();
  }

  /** The stream stopped: a chunk in flight can no longer be reconciled, so it is read again later. */
  streamStopped(): void {
    this.streaming = false;
    this.running?.reject(new WindowAborted('the replication stream stopped'));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.streamStopped();
    this.wake?.();
    await this.loop?.catch(() => undefined);
    await this.client?.end().catch(() => undefined);
  }

  /** A streamed change (key null: the whole table) of a table, read between the watermarks. */
  noteChange(relationId: number, key: Row | null): void {
    const running = this.running;
    if (running !== undefined && running.window.relationId === relationId) running.window.noteChange(key);
  }

  /**
   * A watermark read from the stream. An `open` starts the window's reconciliation; a `close`
   * hands back the chunk's surviving rows. Watermarks of other windows (a chunk read before a
   * restart) are ignored.
   */
  watermark(content: Buffer): ClosedWindow | undefined {
    const watermark = parseWatermark(content.toString('utf8'));
    const running = this.running;
    if (watermark === undefined || running === undefined || watermark.window !== running.window.id)
      return undefined;
    if (watermark.edge === 'open') {
      running.window.open();
      return undefined;
    }
    // A close without an open read means the open came before where this stream started: the
    // changes in between are unknown, so the chunk is read again.
    if (!running.window.isOpen) {
      running.reject(new WindowAborted('the window opened before the stream started'));
      return undefined;
    }
    const codec = running.table.codec;
    const keyFields = codec.keyFields.map((f) => f.field);
    const rows = running.window.close((row) => Object.fromEntries(keyFields.map((f) => [f, row[f] ?? null])));
    return { table: running.table, rows, acknowledged: running.resolve };
  }

  private markQueued(table: CapturedTable | undefined): void {
    if (table === undefined) return;
    table.snapshotDone = false;
    table.snapshotRows = 0;
  }

  private async drive(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      const request = this.requests[0];
      if (request === undefined || !this.streaming || this.paused) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = undefined;
        continue;
      }
      try {
        await this.step(request);
        failures = 0;
      } catch (error) {
        if (this.stopped) return;
        if (!(error instanceof WindowAborted)) {
          failures++;
          const delay = Math.min(30_000, 250 * 2 ** Math.min(failures, 7));
          this.options.logger.warn(
            { snapshot: request.id, reason: (error as Error).message, retryInMs: delay },
            'incremental snapshot chunk failed; retrying',
          );
          await this.client?.end().catch(() => undefined);
          this.client = undefined;
          await new Promise((resolve) => setTimeout(resolve, delay));
        }
      } finally {
        this.running = undefined;
      }
    }
  }

  /** Reads and sends one chunk of the request's first table, or moves on to its next table. */
  private async step(request: IncrementalSnapshotState): Promise<void> {
    const name = request.tables[0];
    const table = name === undefined ? undefined : this.host.table(name);
    if (name === undefined || table === undefined || table.state === 'stopped') {
      if (name !== undefined)
        this.options.logger.warn(
          { snapshot: request.id, table: name },
          'table not captured: not snapshotted',
        );
      await this.finishTable(request, table);
      return;
    }
    const client = await this.connection();
    const source = await this.sourceOf(client, table);
    if (request.maxKey === null) {
      const max = await lastKey(client, source);
      table.snapshotRows = 0;
      table.snapshotTotalRows = await estimateRows(client, table.relationId);
      if (max === undefined) {
        await this.finishTable(request, table);
        return;
      }
      request.maxKey = max;
      request.lastKey = null;
    }
    table.state = 'snapshotting';
    const window = new SnapshotWindow(randomUUID(), table.relationId);
    let resolve!: () => void;
    let reject!: (error: Error) => void;
    const done = new Promise<void>((ok, fail) => {
      resolve = ok;
      reject = fail;
    });
    done.catch(() => undefined);
    this.running = { window, table, done, resolve, reject };
    await this.emitWatermark(client, window.id, 'open');
    await this.settleCommits(client);
    const texts = await readChunk(client, source, request.lastKey, request.maxKey, request.chunkSize);
    window.setChunk(
      texts.map((values) => resolveUnchanged(table.codec, textRow(table.codec, values), undefined)),
    );
    await this.emitWatermark(client, window.id, 'close');
    await done;
    table.snapshotRows += texts.length;
    const tail = texts[texts.length - 1];
    if (texts.length < request.chunkSize || tail === undefined) {
      await this.finishTable(request, table);
      return;
    }
    request.lastKey = keyOfText(source, tail);
    await this.host.save(this.requests);
  }

  private async finishTable(
    request: IncrementalSnapshotState,
    table: CapturedTable | undefined,
  ): Promise<void> {
    if (table !== undefined) {
      table.snapshotDone = true;
      // The estimate was a progress total; now the count is known.
      table.snapshotTotalRows = table.snapshotRows;
      if (table.state === 'snapshotting') table.state = 'capturing';
      this.options.logger.info(
        { snapshot: request.id, table: table.name, rows: table.snapshotRows },
        'incremental snapshot of a table done',
      );
    }
    request.tables.shift();
    request.lastKey = null;
    request.maxKey = null;
    if (request.tables.length === 0) {
      this.requests.shift();
      this.options.logger.info({ snapshot: request.id }, 'incremental snapshot done');
    }
    await this.host.save(this.requests);
  }

  private async emitWatermark(client: Client, window: string, edge: 'open' | 'close'): Promise<void> {
    // Transactional, in a transaction of its own: its commit flushes the WAL, so the stream
    // reads it at once (a non-transactional message waits for the WAL writer, up to 200 ms).
    await client.query('SELECT pg_logical_emit_message(true, $1, $2)', [
      WINDOW_PREFIX,
      watermarkContent({ window, edge }),
    ]);
  }

  /**
   * A transaction's commit record can precede the open watermark in the WAL while the
   * transaction is not yet visible (it is still flushing, or waiting for a synchronous
   * standby): its changes were streamed before the window, so the chunk must see them or it
   * would send older values. The chunk is read once the transactions running when the window
   * opened have ended, except those that run on for long: their commits will come after it.
   */
  private async settleCommits(client: Client): Promise<void> {
    const running = async (among?: string[]) => {
      const { rows } = await client.query<{ xids: string[] }>(
        `SELECT array(SELECT x::text FROM txid_snapshot_xip(txid_current_snapshot()) AS x
                       WHERE $1::bigint[] IS NULL OR x = ANY ($1::bigint[]))::text[] AS xids`,
        [among ?? null],
      );
      return rows[0]!.xids.filter((xid) => !this.longRunning.has(xid));
    };
    let waiting = await running();
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    while (waiting.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      waiting = await running(waiting);
    }
    for (const xid of waiting) this.longRunning.add(xid);
  }

  private async sourceOf(client: Client, table: CapturedTable): Promise<ChunkSource> {
    const known = this.sources.get(table.relationId);
    if (known !== undefined && known.shape === table.shape) return known.source;
    const source = chunkSourceOf(await snapshotTable(client, table));
    this.sources.set(table.relationId, { shape: table.shape, source });
    return source;
  }

  private async connection(): Promise<Client> {
    if (this.client !== undefined) return this.client;
    const client = new Client(this.options.connection);
    client.on('error', () => undefined);
    await client.connect();
    this.client = client;
    return client;
  }
}
