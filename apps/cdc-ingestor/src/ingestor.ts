import { kafkaLogCreator } from '@trunkline/kafka-client';
import {
  createPublication,
  dropSlot,
  formatLsn,
  getSlot,
  publicationExists,
  ReplicationConnection,
  type ReplicationStream,
  setPublicationTables,
} from '@trunkline/pg-replication';
import { Code, type Logger, TrunklineError } from '@trunkline/runtime';
import { SchemaRegistryClient } from '@trunkline/serde';
import { Kafka } from 'kafkajs';
import { Client, type ClientConfig } from 'pg';
import type { CapturedTable } from './capture/captured-table';
import { ChangeCapture, HEARTBEAT_PREFIX } from './capture/change-capture';
import { TableCatalog } from './capture/table-catalog';
import { type KeyColumns, resolveTableKey } from './capture/table-key';
import { TableSelection } from './capture/table-selection';
import { describeColumns } from './columns';
import { EventProducer } from './delivery/event-producer';
import { LsnTracker } from './delivery/lsn-tracker';
import { avroFormat } from './encoding/avro-format';
import type { EventFormat } from './encoding/event-encoder';
import { jsonFormat } from './encoding/json-format';
import { protobufFormat } from './encoding/protobuf-format';
import { TransactionTopic, withTransactionBlock } from './events/transaction-metadata';
import { IncrementalSnapshots } from './snapshot/incremental-snapshot';
import { parseSignal, SignalError, signalTableDdl, tablesNamed } from './snapshot/signals';
import { runSnapshot, SnapshotStopped } from './snapshot/snapshot-runner';
import { ReconnectingClient } from './source-client';
import { type IngestorState, IngestorStateStore } from './state/ingestor-state';

export interface IngestorConfig {
  sourceUrl: string;
  kafkaBrokers: string[];
  schemaRegistryUrl: string;
  tables: string;
  excludeTables?: string | undefined;
  /** --key-columns: message key columns by `schema.table`, for tables without a primary key or over it. */
  keyColumns?: KeyColumns | undefined;
  topicPrefix: string;
  slotName: string;
  publicationName: string;
  snapshotMode: 'initial' | 'never' | 'initial-only' | 'when-needed';
  snapshotChunkSize: number;
  incrementalSnapshotChunkSize: number;
  /** `schema.table` whose inserted rows are signals (Debezium's signal table). */
  signalTable?: string | undefined;
  valueFormat: 'avro' | 'protobuf' | 'json';
  provideTransactionMetadata?: boolean | undefined;
  heartbeatInterval: number;
  maxBufferedBytes: number;
  stateTopic: string;
}

export type Phase = 'starting' | 'snapshotting' | 'streaming' | 'paused' | 'reconnecting' | 'stopped';

/** How long stop() waits for each of the broker's acknowledgements and the slot's reader. */
const STOP_WAIT_MS = 3000;

/** How many acted-on signal ids are remembered, to ignore signals read again after a restart. */
const SIGNALS_REMEMBERED = 100;

/** Session settings every connection uses, so values arrive in the text forms the parsers read. */
const SESSION_OPTIONS = '-c DateStyle=ISO -c IntervalStyle=postgres -c TimeZone=UTC -c extra_float_digits=3';

const FORMATS: Record<string, EventFormat> = { avro: avroFormat, json: jsonFormat, protobuf: protobufFormat };

/**
 * One CDC ingestor: finds the tables, keeps the publication and slot, snapshots when the mode
 * says so, then streams the slot into change topics, confirming to the slot only what the
 * broker acknowledged.
 */
export class CdcIngestor {
  private readonly kafka: Kafka;
  private readonly producer: EventProducer;
  private readonly registry: SchemaRegistryClient;
  private readonly sql: Client;
  private catalog!: TableCatalog;
  private selection!: TableSelection;
  private readonly states: IngestorStateStore;
  private state: IngestorState | undefined;
  private saving: Promise<void> = Promise.resolve();
  readonly snapshots: IncrementalSnapshots;
  private readonly transactions: TransactionTopic | undefined;
  private tracker = new LsnTracker(0n);
  private capture: ChangeCapture | undefined;
  private replication: ReplicationConnection | undefined;
  private stream: ReplicationStream | undefined;
  private timers: NodeJS.Timeout[] = [];
  private stopping = false;
  /** Called once stop() begins: waits that should end at once. */
  private readonly onStop: (() => void)[] = [];
  private running: Promise<void> | undefined;
  phase: Phase = 'starting';
  database = '';

  constructor(
    private readonly config: IngestorConfig,
    private readonly logger: Logger,
  ) {
    this.kafka = new Kafka({
      clientId: `cdc-${config.slotName}`,
      brokers: config.kafkaBrokers,
      logCreator: kafkaLogCreator(logger),
    });
    this.producer = new EventProducer({
      logger,
      brokers: config.kafkaBrokers,
      maxBufferedBytes: config.maxBufferedBytes,
      requestTimeoutMs: 30_000,
    });
    this.registry = new SchemaRegistryClient({ url: config.schemaRegistryUrl });
    // Catalog queries and heartbeats: a connection the server closes is opened again on next use.
    this.sql = new ReconnectingClient(this.connectionConfig(), (error) =>
      logger.warn({ reason: error.message }, 'the source connection closed; it reopens on next use'),
    );
    this.states = new IngestorStateStore(this.kafka, config.stateTopic);
    this.transactions = config.provideTransactionMetadata
      ? new TransactionTopic(config.topicPrefix, config.valueFormat, this.registry)
      : undefined;
    this.snapshots = new IncrementalSnapshots(
      {
        table: (name) => this.catalog?.byName(name),
        save: (requests) => this.saveState({ incrementalSnapshots: requests.map((r) => ({ ...r })) }),
      },
      { connection: this.connectionConfig(), chunkSize: config.incrementalSnapshotChunkSize, logger },
    );
  }

  get tables(): CapturedTable[] {
    return this.catalog?.all() ?? [];
  }

  get confirmedLsn(): bigint {
    return this.tracker.confirmed;
  }

  get eventsAcknowledged(): number {
    return this.producer.acknowledgedRecords;
  }

  get lastCommitTime(): bigint {
    return this.capture?.lastCommitTime ?? 0n;
  }

  async start(): Promise<void> {
    const format = FORMATS[this.config.valueFormat];
    if (format === undefined)
      throw new TrunklineError(
        Code.Unimplemented,
        `--value-format ${this.config.valueFormat} is not supported yet`,
      );
    await this.connectSource();
    if (this.config.signalTable !== undefined) await this.checkSignalTable(this.config.signalTable);
    this.state = await this.states.load(this.config.slotName);
    this.selection = new TableSelection(
      this.config.tables,
      this.config.excludeTables ?? '',
      this.state?.addedTables,
      this.state?.removedTables,
    );
    this.catalog = new TableCatalog(
      this.sql,
      this.registry,
      this.config.provideTransactionMetadata ? withTransactionBlock(format) : format,
      this.config.topicPrefix,
      this.logger,
      (schema, table) => this.selects(schema, table),
    );
    const relationIds = await this.selectTables();
    await this.producer.connect();
    for (const id of relationIds) await this.catalog.ensure(id);
    await this.createTopics(this.catalog.all());
    if (this.transactions !== undefined) await this.createTopics([this.transactions]);
    await this.preparePublication();
    this.snapshots.restore(this.state?.incrementalSnapshots ?? []);
    this.running = this.runSlot().catch((error: Error) => {
      if (error instanceof SnapshotStopped)
        this.logger.info('the snapshot was stopped; the next start takes it again');
      else this.logger.error({ err: error }, 'the ingestor stopped on an error');
      this.phase = 'stopped';
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const wake of this.onStop.splice(0)) wake();
    for (const timer of this.timers) clearInterval(timer);
    await this.snapshots.stop();
    this.capture?.stop();
    this.stream?.resume();
    // A broker that is down never acknowledges: what it did not take is read from the slot again
    // after the restart, so the wait is bounded.
    await within(STOP_WAIT_MS, this.producer.flush());
    // Before streaming started (during the snapshot) there is nothing to acknowledge.
    this.stream?.acknowledge(this.tracker.confirmed);
    await this.replication?.close().catch(() => undefined);
    await within(STOP_WAIT_MS, this.running);
    await within(STOP_WAIT_MS, this.producer.stop());
    await within(STOP_WAIT_MS, this.saving);
    await this.states.close();
    await this.sql.end().catch(() => undefined);
    this.phase = 'stopped';
  }

  /** Starts an incremental snapshot of captured tables while streaming goes on; returns its id. */
  async triggerSnapshot(tables: readonly string[], chunkSize = 0): Promise<string> {
    return this.snapshots.trigger(tables, chunkSize);
  }

  /** Captures more tables from now on (and snapshots them incrementally); returns the captured tables. */
  async addTables(names: readonly string[]): Promise<string[]> {
    const found = await this.relationsNamed(names);
    const added = names.filter((name) => this.catalog.byName(name) === undefined);
    this.selection.add(names);
    const tables = [];
    for (const name of names) {
      const table = await this.catalog.ensure(found.get(name)!);
      // Refused (no usable key, a schema the registry rejects): not published, and the caller is told why.
      if (table?.state === 'stopped' && added.includes(name)) {
        this.catalog.remove(table.relationId);
        this.selection.remove([name]);
        throw new TrunklineError(
          Code.FailedPrecondition,
          `table ${name} cannot be captured: ${table.lastError}`,
        );
      }
      if (table !== undefined) tables.push(table);
    }
    await this.createTopics(tables);
    await this.preparePublication();
    await this.saveState(this.selection.changes());
    this.logger.info({ tables: added }, 'tables added');
    const snapshot = added.filter((name) => this.catalog.byName(name)?.state === 'capturing');
    if (snapshot.length > 0) await this.snapshots.trigger(snapshot);
    return this.catalog.all().map((t) => t.name);
  }

  /** Stops capturing tables (their topics stay); returns the captured tables. */
  async removeTables(names: readonly string[]): Promise<string[]> {
    for (const name of names)
      if (this.catalog.byName(name) === undefined)
        throw new TrunklineError(Code.NotFound, `table ${name} is not captured by this ingestor`);
    await this.snapshots.cancel(names);
    this.selection.remove(names);
    for (const name of names) this.catalog.remove(this.catalog.byName(name)!.relationId);
    await this.preparePublication();
    await this.saveState(this.selection.changes());
    this.logger.info({ tables: names }, 'tables removed');
    return this.catalog.all().map((t) => t.name);
  }

  pause(): void {
    this.stream?.pause();
    this.phase = 'paused';
  }

  resume(): void {
    this.stream?.resume();
    if (this.phase === 'paused') this.phase = 'streaming';
  }

  private connectionConfig(replication = false): ClientConfig {
    return {
      connectionString: this.config.sourceUrl,
      options: SESSION_OPTIONS,
      ...(replication ? { replication: 'database' } : {}),
    } as ClientConfig;
  }

  private async connectSource(): Promise<void> {
    try {
      await this.sql.connect();
    } catch (error) {
      throw new TrunklineError(
        Code.Unavailable,
        `cannot connect to --source-url ${redact(this.config.sourceUrl)}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const { rows } = await this.sql.query<{ wal_level: string; db: string }>(
      "SELECT current_setting('wal_level') AS wal_level, current_database() AS db",
    );
    if (rows[0]?.wal_level !== 'logical') {
      throw new TrunklineError(
        Code.FailedPrecondition,
        `the database of --source-url has wal_level=${rows[0]?.wal_level}; logical replication needs wal_level=logical`,
      );
    }
    this.database = rows[0].db;
  }

  /**
   * The tables to capture, each with a usable message key (see resolveTableKey). A table without
   * one is refused, with the reason and the fix in an error line, and stays out of the
   * publication (where, lacking a replica identity, Postgres would refuse its UPDATEs and DELETEs).
   */
  private async selectTables(): Promise<number[]> {
    const keyColumns = this.config.keyColumns ?? new Map<string, readonly string[]>();
    this.catalog.useKeyColumns(keyColumns);
    const { rows } = await this.sql.query<{ oid: number; schema: string; table: string; unique: string[][] }>(
      `SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS table,
              coalesce((SELECT json_agg((SELECT json_agg(a.attname) FROM pg_attribute a
                                          WHERE a.attrelid = c.oid AND a.attnum = ANY (i.indkey)))
                          FROM pg_index i
                         WHERE i.indrelid = c.oid AND i.indisunique AND i.indpred IS NULL
                           AND i.indexprs IS NULL), '[]') AS unique
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
        ORDER BY 2, 3`,
    );
    const candidates = rows.filter((row) => this.selects(row.schema, row.table));
    const descriptions = await describeColumns(
      this.sql,
      candidates.map((row) => row.oid),
    );
    const chosen: number[] = [];
    for (const [i, row] of candidates.entries()) {
      const name = `${row.schema}.${row.table}`;
      const key = resolveTableKey(descriptions[i]!, keyColumns.get(name), { uniqueIndexes: row.unique });
      if ('refused' in key) {
        this.logger.error({ table: name }, key.refused);
        continue;
      }
      for (const warning of key.warnings) this.logger.warn({ table: name }, warning);
      chosen.push(row.oid);
    }
    for (const name of keyColumns.keys())
      if (!candidates.some((row) => `${row.schema}.${row.table}` === name))
        this.logger.warn(
          { table: name },
          `--key-columns names ${name}, which is not a table --tables selects`,
        );
    this.logger.info(
      { tables: candidates.filter((r) => chosen.includes(r.oid)).map((r) => `${r.schema}.${r.table}`) },
      'tables selected',
    );
    return chosen;
  }

  private async createTopics(topics: readonly { topic: string }[]): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        topics: topics.map((t) => ({ topic: t.topic, numPartitions: 1 })),
      });
    } finally {
      await admin.disconnect();
    }
  }

  private async preparePublication(): Promise<void> {
    const tables = this.catalog
      .all()
      .map((t) => ({ schema: t.codec.table.schema, name: t.codec.table.table }));
    if (this.config.signalTable !== undefined) {
      const [schema, name] = splitName(this.config.signalTable);
      tables.push({ schema, name });
    }
    if (await publicationExists(this.sql, this.config.publicationName))
      await setPublicationTables(this.sql, this.config.publicationName, tables);
    else await createPublication(this.sql, this.config.publicationName, tables);
  }

  /** Decides between snapshot and streaming from what the slot and the state topic say. */
  private async runSlot(): Promise<void> {
    const { slotName, snapshotMode } = this.config;
    let slot = await getSlot(this.sql, slotName);
    const state = this.state;
    if (slot && snapshotMode !== 'never' && !state?.snapshotCompleted) {
      this.logger.warn({ slot: slotName }, 'the slot exists but its snapshot never finished: starting over');
      await dropSlot(this.sql, slotName);
      slot = undefined;
    }
    if (!slot && state?.snapshotCompleted && snapshotMode === 'initial') {
      throw new TrunklineError(
        Code.FailedPrecondition,
        `slot ${slotName} is gone but its snapshot was taken: changes since may be lost; restart with --snapshot-mode when-needed to snapshot again`,
      );
    }
    this.replication = await ReplicationConnection.open(this.connectionConfig(true));
    let startLsn: bigint;
    if (slot) {
      startLsn = slot.confirmedFlushLsn ?? 0n;
    } else {
      const created = await this.replication.createSlot(slotName, {
        exportSnapshot: snapshotMode !== 'never',
      });
      startLsn = created.consistentPoint;
      this.logger.info({ slot: slotName, lsn: formatLsn(startLsn) }, 'replication slot created');
      if (snapshotMode !== 'never' && created.snapshotName) {
        this.phase = 'snapshotting';
        const reader = new Client(this.connectionConfig());
        await reader.connect();
        try {
          await runSnapshot(reader, created.snapshotName, startLsn, this.catalog.all(), this.producer, {
            topicPrefix: this.config.topicPrefix,
            database: this.database,
            chunkSize: this.config.snapshotChunkSize,
            logger: this.logger,
            stopping: () => this.stopping,
          });
        } finally {
          await reader.end().catch(() => undefined);
        }
        const snapshotted = this.catalog.all().map((t) => t.name);
        await this.saveState({ slotLsn: formatLsn(startLsn), snapshotted, snapshotCompleted: true });
        this.logger.info({ tables: snapshotted.length }, 'snapshot done');
      } else {
        await this.saveState({ slotLsn: formatLsn(startLsn), snapshotted: [], snapshotCompleted: true });
      }
    }
    if (snapshotMode === 'initial-only') {
      this.phase = 'stopped';
      this.logger.info('snapshot-mode initial-only: the snapshot is done, not streaming');
      return;
    }
    await this.stream_(startLsn);
  }

  private async stream_(startLsn: bigint): Promise<void> {
    this.tracker = new LsnTracker(startLsn);
    let attempt = 0;
    while (!this.stopping) {
      try {
        if (this.replication === undefined)
          this.replication = await ReplicationConnection.open(this.connectionConfig(true));
        // stop() closes what it sees; what opened while it ran is closed on the way out below.
        if (this.stopping) break;
        this.stream = await this.replication.startReplication(this.config.slotName, {
          startLsn: this.tracker.confirmed,
          publications: [this.config.publicationName],
          protoVersion: 1,
          messages: true,
        });
        if (this.stopping) break;
        this.phase = 'streaming';
        attempt = 0;
        this.startTimers();
        this.capture = new ChangeCapture(this.catalog, this.producer, this.tracker, {
          topicPrefix: this.config.topicPrefix,
          database: this.database,
          logger: this.logger,
          snapshots: this.snapshots,
          signalTable: this.config.signalTable,
          onSignal: (values) => this.signal(Object.values(values)),
          transactions: this.transactions,
        });
        this.snapshots.streamStarted();
        this.logger.info(
          { slot: this.config.slotName, from: formatLsn(this.tracker.confirmed) },
          'streaming',
        );
        await this.capture.run(this.stream);
        if (this.stopping) return;
        throw new Error('the replication stream ended');
      } catch (error) {
        if (this.stopping) return;
        this.snapshots.streamStopped();
        for (const timer of this.timers) clearInterval(timer);
        this.timers = [];
        this.phase = 'reconnecting';
        attempt++;
        const delay = Math.min(30_000, 250 * 2 ** Math.min(attempt, 7));
        this.logger.warn(
          { reason: (error as Error).message, retryInMs: delay },
          'replication interrupted; reconnecting',
        );
        await this.replication?.close().catch(() => undefined);
        this.replication = undefined;
        // Events read but not acknowledged are sent again after the reconnect: they carry the same LSNs.
        await this.producer.flush().catch(() => undefined);
        this.tracker = new LsnTracker(this.tracker.confirmed);
        await this.pauseUnlessStopping(delay);
      }
    }
    if (this.stopping) await this.replication?.close().catch(() => undefined);
  }

  /** Whether a table is captured: selected, and not the signal table. */
  private selects(schema: string, table: string): boolean {
    return `${schema}.${table}` !== this.config.signalTable && this.selection.matches(schema, table);
  }

  /** Waits `ms`, or less when stop() is called meanwhile. */
  private pauseUnlessStopping(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        const at = this.onStop.indexOf(done);
        if (at >= 0) this.onStop.splice(at, 1);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.onStop.push(done);
    });
  }

  /** Merges into the state kept in the state topic; writes go out in call order. */
  private saveState(changes: Partial<IngestorState>): Promise<void> {
    this.state = {
      slot: this.config.slotName,
      slotLsn: '',
      snapshotted: [],
      snapshotCompleted: false,
      ...this.state,
      ...changes,
    };
    const state = this.state;
    this.saving = this.saving.catch(() => undefined).then(() => this.states.save(state));
    return this.saving;
  }

  /** A row inserted into the signal table: (id, type, data) by column position, as Debezium reads them. */
  private signal([id = null, type = null, data = null]: (string | null)[]): void {
    const done = this.state?.signalsDone ?? [];
    if (id !== null && done.includes(id)) return;
    const act = async () => {
      const signal = parseSignal(id, type, data);
      const captured = this.catalog.all().map((t) => t.name);
      if (signal.kind === 'execute-snapshot') {
        const tables = tablesNamed(signal.tables, captured);
        if (tables.length === 0)
          throw new SignalError(`signal ${signal.id}: no captured table matches ${signal.tables.join(', ')}`);
        await this.snapshots.trigger(tables, 0, signal.id);
      } else if (signal.kind === 'stop-snapshot') {
        await this.snapshots.cancel(signal.tables.length === 0 ? [] : tablesNamed(signal.tables, captured));
      } else if (signal.kind === 'pause-snapshot' || signal.kind === 'resume-snapshot') {
        this.snapshots.setPaused(signal.kind === 'pause-snapshot');
      } else {
        this.logger.info({ signal: signal.id, message: signal.message }, 'signal log');
      }
      await this.saveState({ signalsDone: [...done, signal.id].slice(-SIGNALS_REMEMBERED) });
    };
    act().catch((error: Error) => {
      this.logger.error({ signal: id, type, reason: error.message }, 'signal not acted on');
    });
  }

  private async checkSignalTable(name: string): Promise<void> {
    if (!/^[^.]+\.[^.]+$/.test(name))
      throw new TrunklineError(
        Code.InvalidArgument,
        `--signal-table must name a schema.table, got "${name}"`,
      );
    const [schema, table] = splitName(name);
    const { rows } = await this.sql.query<{ columns: number }>(
      `SELECT count(*)::int AS columns FROM pg_attribute a
         JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped`,
      [schema, table],
    );
    if ((rows[0]?.columns ?? 0) < 3)
      throw new TrunklineError(
        Code.FailedPrecondition,
        `--signal-table ${name} does not exist (or has fewer than 3 columns); create it: ${signalTableDdl(name)}`,
      );
  }

  /** The relation ids of `schema.table` names, which must all exist. */
  private async relationsNamed(names: readonly string[]): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    for (const name of names) {
      const [schema, table] = splitName(name);
      const { rows } = await this.sql.query<{ oid: number }>(
        `SELECT c.oid::int AS oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')`,
        [schema, table],
      );
      if (rows[0] === undefined) throw new TrunklineError(Code.NotFound, `table ${name} does not exist`);
      found.set(name, rows[0].oid);
    }
    return found;
  }

  private startTimers(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [setInterval(() => this.stream?.acknowledge(this.tracker.confirmed), 500)];
    if (this.config.heartbeatInterval > 0) {
      this.timers.push(
        setInterval(() => {
          this.sql
            .query('SELECT pg_logical_emit_message(false, $1, $2)', [HEARTBEAT_PREFIX, ''])
            .catch((error: Error) => this.logger.warn({ reason: error.message }, 'heartbeat failed'));
        }, this.config.heartbeatInterval),
      );
    }
  }
}

/** Waits for `work` (its failure ignored), `ms` at most. */
async function within(ms: number, work: Promise<unknown> | undefined): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    (work ?? Promise.resolve()).catch(() => undefined),
    new Promise((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

/** `schema.table` into its parts (the schema is the part before the first dot). */
function splitName(name: string): [string, string] {
  const dot = name.indexOf('.');
  if (dot <= 0 || dot === name.length - 1)
    throw new TrunklineError(Code.InvalidArgument, `"${name}" is not a schema.table name`);
  return [name.slice(0, dot), name.slice(dot + 1)];
}

function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
