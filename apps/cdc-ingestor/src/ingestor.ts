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
import { TableSelection } from './capture/table-selection';
import { EventProducer } from './delivery/event-producer';
import { LsnTracker } from './delivery/lsn-tracker';
import { avroFormat } from './encoding/avro-format';
import type { EventFormat } from './encoding/event-encoder';
import { jsonFormat } from './encoding/json-format';
import { protobufFormat } from './encoding/protobuf-format';
import { runSnapshot } from './snapshot/snapshot-runner';
import { IngestorStateStore } from './state/ingestor-state';

export interface IngestorConfig {
  sourceUrl: string;
  kafkaBrokers: string[];
  schemaRegistryUrl: string;
  tables: string;
  excludeTables?: string | undefined;
  topicPrefix: string;
  slotName: string;
  publicationName: string;
  snapshotMode: 'initial' | 'never' | 'initial-only' | 'when-needed';
  snapshotChunkSize: number;
  valueFormat: 'avro' | 'protobuf' | 'json';
  heartbeatInterval: number;
  maxBufferedBytes: number;
  stateTopic: string;
}

export type Phase = 'starting' | 'snapshotting' | 'streaming' | 'paused' | 'reconnecting' | 'stopped';

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
  private tracker = new LsnTracker(0n);
  private capture: ChangeCapture | undefined;
  private replication: ReplicationConnection | undefined;
  private stream: ReplicationStream | undefined;
  private timers: NodeJS.Timeout[] = [];
  private stopping = false;
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
    this.producer = new EventProducer(this.kafka, {
      logger,
      // kafkajs groups a request's records per partition in quadratic time: moderate batches.
      maxBatchRecords: 1000,
      maxBufferedBytes: config.maxBufferedBytes,
      requestTimeoutMs: 30_000,
    });
    this.registry = new SchemaRegistryClient({ url: config.schemaRegistryUrl });
    this.sql = new Client(this.connectionConfig());
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
    this.catalog = new TableCatalog(this.sql, this.registry, format, this.config.topicPrefix, this.logger);
    const relationIds = await this.selectTables();
    await this.producer.connect();
    for (const id of relationIds) await this.catalog.ensure(id);
    await this.createTopics();
    await this.preparePublication();
    this.running = this.runSlot().catch((error: Error) => {
      this.logger.error({ err: error }, 'the ingestor stopped on an error');
      this.phase = 'stopped';
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const timer of this.timers) clearInterval(timer);
    this.capture?.stop();
    this.stream?.resume();
    await this.producer.flush().catch(() => undefined);
    if (this.replication) {
      this.replication.acknowledge(this.tracker.confirmed);
      await this.replication.close().catch(() => undefined);
    }
    await this.running?.catch(() => undefined);
    await this.producer.stop();
    await this.sql.end().catch(() => undefined);
    this.phase = 'stopped';
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

  private async selectTables(): Promise<number[]> {
    const selection = new TableSelection(this.config.tables, this.config.excludeTables ?? '');
    const { rows } = await this.sql.query<{ oid: number; schema: string; table: string; has_key: boolean }>(
      `SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS table,
              EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) AS has_key
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
        ORDER BY 2, 3`,
    );
    const chosen: number[] = [];
    for (const row of rows) {
      if (!selection.matches(row.schema, row.table)) continue;
      if (!row.has_key) {
        this.logger.warn(
          { table: `${row.schema}.${row.table}` },
          'table has no primary key: not captured (add a primary key, or exclude it with --exclude-tables)',
        );
        continue;
      }
      chosen.push(row.oid);
    }
    this.logger.info(
      { tables: rows.filter((r) => chosen.includes(r.oid)).map((r) => `${r.schema}.${r.table}`) },
      'tables selected',
    );
    return chosen;
  }

  private async createTopics(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        topics: this.catalog.all().map((t) => ({ topic: t.topic, numPartitions: 1 })),
      });
    } finally {
      await admin.disconnect();
    }
  }

  private async preparePublication(): Promise<void> {
    const tables = this.catalog
      .all()
      .map((t) => ({ schema: t.codec.table.schema, name: t.codec.table.table }));
    if (await publicationExists(this.sql, this.config.publicationName))
      await setPublicationTables(this.sql, this.config.publicationName, tables);
    else await createPublication(this.sql, this.config.publicationName, tables);
  }

  /** Decides between snapshot and streaming from what the slot and the state topic say. */
  private async runSlot(): Promise<void> {
    const states = new IngestorStateStore(this.kafka, this.config.stateTopic);
    const { slotName, snapshotMode } = this.config;
    let slot = await getSlot(this.sql, slotName);
    const state = await states.load(slotName);
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
          });
        } finally {
          await reader.end().catch(() => undefined);
        }
        const snapshotted = this.catalog.all().map((t) => t.name);
        await states.save({
          slot: slotName,
          slotLsn: formatLsn(startLsn),
          snapshotted,
          snapshotCompleted: true,
        });
        this.logger.info({ tables: snapshotted.length }, 'snapshot done');
      } else {
        await states.save({
          slot: slotName,
          slotLsn: formatLsn(startLsn),
          snapshotted: [],
          snapshotCompleted: true,
        });
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
        this.stream = await this.replication.startReplication(this.config.slotName, {
          startLsn: this.tracker.confirmed,
          publications: [this.config.publicationName],
          protoVersion: 1,
          messages: true,
        });
        this.phase = 'streaming';
        attempt = 0;
        this.startTimers();
        this.capture = new ChangeCapture(this.catalog, this.producer, this.tracker, {
          topicPrefix: this.config.topicPrefix,
          database: this.database,
          logger: this.logger,
        });
        this.logger.info(
          { slot: this.config.slotName, from: formatLsn(this.tracker.confirmed) },
          'streaming',
        );
        await this.capture.run(this.stream);
        if (this.stopping) return;
        throw new Error('the replication stream ended');
      } catch (error) {
        if (this.stopping) return;
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
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
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

function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
