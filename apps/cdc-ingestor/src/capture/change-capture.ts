import type {
  DeleteMessage,
  InsertMessage,
  ReplicationStream,
  TruncateMessage,
  UpdateMessage,
} from '@trunkline/pg-replication';
import type { Logger } from '@trunkline/runtime';
import type { EventProducer } from '../delivery/event-producer';
import type { LsnTracker, Transaction } from '../delivery/lsn-tracker';
import type { ChangeEnvelope, Operation, Row, SourceInfo } from '../events/change-event';
import type { TransactionEvent, TransactionTopic } from '../events/transaction-metadata';
import type { ClosedWindow, IncrementalSnapshots } from '../snapshot/incremental-snapshot';
import { WINDOW_PREFIX } from '../snapshot/snapshot-window';
import type { CapturedTable } from './captured-table';
import { completeRow, keyOf, resolveUnchanged, sameKey, tupleRow } from './row-values';
import type { TableCatalog } from './table-catalog';

export const CONNECTOR_VERSION = '0.1.0';
export const HEARTBEAT_PREFIX = 'trunkline.heartbeat';

export interface ChangeCaptureOptions {
  topicPrefix: string;
  database: string;
  logger: Logger;
  /** Incremental snapshots, whose chunks the stream reconciles between their watermarks. */
  snapshots?: IncrementalSnapshots | undefined;
  /** `schema.table` of the signal table: its inserts are signals, not change events. */
  signalTable?: string | undefined;
  onSignal?(values: Record<string, string | null>): void;
  /** With --provide-transaction-metadata: BEGIN/END records go there, events get a `transaction` block. */
  transactions?: TransactionTopic | undefined;
}

interface OpenTransaction {
  xid: number;
  commitTimeMs: bigint;
  finalLsn: bigint;
  tracked: Transaction;
  /** Events sent so far, in all and per table (for transaction metadata). */
  events: number;
  tableEvents: Map<string, number>;
}

/**
 * Turns the slot's stream into change events: one per row change, a tombstone after each
 * delete, delete + tombstone + create when a key changes, a truncate event per table. Every
 * event of a transaction is tracked until the broker acknowledges it; only then may the slot
 * move past the transaction (see LsnTracker).
 */
export class ChangeCapture {
  private readonly relationColumns = new Map<number, string[]>();
  private signalRelationId: number | undefined;
  private open: OpenTransaction | undefined;
  private lastCommitTimeMs = 0n;
  private stopped = false;
  /** Change events handed to the producer, for the events/s figure. */
  eventsRead = 0;

  constructor(
    private readonly catalog: TableCatalog,
    private readonly producer: EventProducer,
    private readonly tracker: LsnTracker,
    private readonly options: ChangeCaptureOptions,
  ) {}

  get lastCommitTime(): bigint {
    return this.lastCommitTimeMs;
  }

  stop(): void {
    this.stopped = true;
  }

  /** Reads the stream until it ends, fails or `stop()` is called. */
  async run(stream: ReplicationStream): Promise<void> {
    for await (const { walEnd, message } of stream) {
      if (this.stopped) return;
      switch (message.tag) {
        case 'begin':
          this.open = {
            xid: message.xid,
            commitTimeMs: message.commitTime / 1000n,
            finalLsn: message.finalLsn,
            tracked: this.tracker.begin(),
            events: 0,
            tableEvents: new Map(),
          };
          break;
        case 'relation':
          this.relationColumns.set(
            message.relationId,
            message.columns.map((c) => c.name),
          );
          if (`${message.namespace}.${message.name}` === this.options.signalTable)
            this.signalRelationId = message.relationId;
          else await this.catalog.ensure(message.relationId, message);
          break;
        case 'insert':
          if (message.relationId === this.signalRelationId) {
            this.signal(message);
            break;
          }
          await this.change(message);
          break;
        case 'update':
        case 'delete':
          if (message.relationId === this.signalRelationId) break;
          await this.change(message);
          break;
        case 'truncate':
          await this.truncate(message);
          break;
        case 'commit':
          if (this.open !== undefined && this.open.events > 0 && this.options.transactions !== undefined)
            await this.sendTransactionRecord(this.open, 'END');
          this.open?.tracked.seal(message.endLsn);
          this.lastCommitTimeMs = message.commitTime / 1000n;
          this.open = undefined;
          break;
        case 'message':
          // A heartbeat outside any transaction: once everything before it is acknowledged the
          // slot may move to it, even when no captured table changed.
          if (message.prefix === HEARTBEAT_PREFIX && !message.transactional)
            this.tracker.begin().seal(walEnd > message.lsn ? walEnd : message.lsn);
          if (message.prefix === WINDOW_PREFIX) {
            const closed = this.options.snapshots?.watermark(message.content);
            if (closed !== undefined) await this.sendChunk(closed, message.lsn);
          }
          break;
        default:
          break;
      }
    }
  }

  private async change(message: InsertMessage | UpdateMessage | DeleteMessage): Promise<void> {
    const table = this.catalog.get(message.relationId) ?? (await this.catalog.ensure(message.relationId));
    if (table === undefined || table.state === 'stopped') return;
    const columns =
      this.relationColumns.get(message.relationId) ?? table.codec.fields.map((f) => f.column.name);
    const codec = table.codec;
    if (message.tag === 'insert') {
      const after = completeRow(
        codec,
        resolveUnchanged(codec, tupleRow(codec, columns, message.newTuple), undefined),
      );
      await this.emit(table, 'c', null, after);
      return;
    }
    if (message.tag === 'delete') {
      const old = message.oldTuple ?? message.keyTuple;
      const before =
        old === undefined
          ? null
          : completeRow(codec, resolveUnchanged(codec, tupleRow(codec, columns, old), undefined));
      await this.emit(table, 'd', before, null);
      await this.tombstone(table, before === null ? null : keyOf(codec, before));
      return;
    }
    const oldParsed = message.oldTuple ? tupleRow(codec, columns, message.oldTuple) : undefined;
    const after = completeRow(
      codec,
      resolveUnchanged(codec, tupleRow(codec, columns, message.newTuple), oldParsed),
    );
    const before = oldParsed ? completeRow(codec, resolveUnchanged(codec, oldParsed, undefined)) : null;
    const oldKeyTuple = message.keyTuple
      ? resolveUnchanged(codec, tupleRow(codec, columns, message.keyTuple), undefined)
      : before;
    const oldKey = oldKeyTuple === null ? null : keyOf(codec, oldKeyTuple);
    const newKey = keyOf(codec, after);
    if (oldKey !== null && newKey !== null && !sameKey(oldKey, newKey)) {
      // A primary key change: Debezium's delete of the old key, its tombstone, then a create.
      await this.emit(table, 'd', before ?? completeRow(codec, oldKeyTuple!), null);
      await this.tombstone(table, oldKey);
      await this.emit(table, 'c', null, after);
      return;
    }
    await this.emit(table, 'u', before, after);
  }

  private async truncate(message: TruncateMessage): Promise<void> {
    for (const relationId of message.relationIds) {
      const table = this.catalog.get(relationId) ?? (await this.catalog.ensure(relationId));
      if (table === undefined || table.state === 'stopped') continue;
      this.options.snapshots?.noteChange(relationId, null);
      await this.emit(table, 't', null, null, true);
    }
  }

  private async emit(
    table: CapturedTable,
    op: Operation,
    before: Row | null,
    after: Row | null,
    keyless = false,
  ): Promise<void> {
    const open = this.open;
    if (open === undefined) throw new Error(`a ${op} change outside a transaction`);
    const envelope: ChangeEnvelope = {
      before,
      after,
      source: this.source(table, open),
      op,
      ts_ms: BigInt(Date.now()),
    };
    if (this.options.transactions !== undefined) {
      if (open.events === 0) await this.sendTransactionRecord(open, 'BEGIN');
      open.events++;
      const inTable = (open.tableEvents.get(table.name) ?? 0) + 1;
      open.tableEvents.set(table.name, inTable);
      envelope.transaction = {
        id: transactionId(open),
        total_order: BigInt(open.events),
        data_collection_order: BigInt(inTable),
      };
    }
    const key = keyless ? null : keyOf(table.codec, (after ?? before)!);
    if (key !== null) this.options.snapshots?.noteChange(table.relationId, key);
    await this.send(table, table.encoder.encodeKey(key), table.encoder.encodeValue(envelope));
  }

  /**
   * An incremental snapshot chunk, at its closing watermark: `r` events after every change
   * streamed before the watermark and before any after it. The slot may move past the
   * watermark once they are all acknowledged.
   */
  private async sendChunk(closed: ClosedWindow, lsn: bigint): Promise<void> {
    const { table, rows } = closed;
    const tracked = this.tracker.begin();
    let unacknowledged = rows.length;
    if (unacknowledged === 0) closed.acknowledged();
    for (const after of rows) {
      const acknowledged = tracked.add();
      const envelope: ChangeEnvelope = {
        before: null,
        after,
        source: {
          ...this.source(table, undefined),
          snapshot: 'incremental',
          sequence: JSON.stringify([null, lsn.toString()]),
          lsn,
        },
        op: 'r',
        ts_ms: BigInt(Date.now()),
      };
      this.eventsRead++;
      await this.producer.send({
        topic: table.topic,
        key: table.encoder.encodeKey(keyOf(table.codec, after)),
        value: table.encoder.encodeValue(envelope),
        onAcknowledged: () => {
          table.eventsSent++;
          acknowledged();
          if (--unacknowledged === 0) closed.acknowledged();
        },
      });
    }
    tracked.seal(lsn);
  }

  /** BEGIN before a transaction's first event, END (with its counts) after its last. */
  private async sendTransactionRecord(open: OpenTransaction, status: 'BEGIN' | 'END'): Promise<void> {
    const topic = this.options.transactions!;
    const event: TransactionEvent = {
      status,
      id: transactionId(open),
      event_count: status === 'END' ? open.events : null,
      data_collections:
        status === 'END'
          ? [...open.tableEvents].map(([name, count]) => ({ data_collection: name, event_count: count }))
          : null,
      ts_ms: Number(open.commitTimeMs),
    };
    const { key, value } = await topic.record(event);
    const acknowledged = open.tracked.add();
    await this.producer.send({ topic: topic.topic, key, value, onAcknowledged: acknowledged });
  }

  private signal(message: InsertMessage): void {
    const columns = this.relationColumns.get(message.relationId) ?? [];
    const values: Record<string, string | null> = {};
    for (const [i, name] of columns.entries()) {
      const value = message.newTuple[i];
      values[name] =
        typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString('utf8') : null;
    }
    this.options.onSignal?.(values);
  }

  private async tombstone(table: CapturedTable, key: Row | null): Promise<void> {
    if (key === null) return;
    await this.send(table, table.encoder.encodeKey(key), null);
  }

  private async send(table: CapturedTable, key: Buffer | null, value: Buffer | null): Promise<void> {
    const acknowledged = this.open!.tracked.add();
    this.eventsRead++;
    await this.producer.send({
      topic: table.topic,
      key,
      value,
      onAcknowledged: () => {
        table.eventsSent++;
        acknowledged();
      },
    });
  }

  /** `source` of a streamed change, or of an incremental snapshot row (no transaction). */
  private source(table: CapturedTable, open: OpenTransaction | undefined): SourceInfo {
    const [schema, name] = [table.codec.table.schema, table.codec.table.table];
    return {
      version: CONNECTOR_VERSION,
      connector: 'postgresql',
      name: this.options.topicPrefix,
      ts_ms: open?.commitTimeMs ?? BigInt(Date.now()),
      snapshot: 'false',
      db: this.options.database,
      sequence: open === undefined ? null : JSON.stringify([null, open.finalLsn.toString()]),
      schema,
      table: name,
      txId: open === undefined ? null : BigInt(open.xid),
      lsn: open?.finalLsn ?? null,
      xmin: null,
    };
  }
}

/** `<txId>:<commit LSN>`, as Debezium's Postgres connector names a transaction. */
function transactionId(open: OpenTransaction): string {
  return `${open.xid}:${open.finalLsn}`;
}
