/** A row as decoded from a change event: field name to value (longs as bigints). */
export type Row = Record<string, unknown>;

/** Debezium's operation codes: create, update, delete, read (snapshot), truncate. */
export type ChangeOperation = 'c' | 'u' | 'd' | 'r' | 't';

/**
 * One record of a change topic as a sink applies it. A tombstone (the null value after a
 * delete) is a `d` with neither `before` nor `after`.
 */
export interface SinkChange {
  topic: string;
  partition: number;
  offset: bigint;
  /** `schema.table` in the source database. */
  table: string;
  /** The key record (the table's primary key); null for a truncate. */
  key: Row | null;
  op: ChangeOperation;
  before: Row | null;
  after: Row | null;
  /**
   * The source position the change comes from (`source.lsn`): a later change of a key never has
   * a lower one, so engines keep it as the row's version and ignore anything older. Several
   * changes of one transaction share it; the later offset wins between them.
   */
  lsn: bigint;
  /** Commit time in the source, ms since the epoch (`source.ts_ms`): where freshness starts. */
  commitTimeMs: number;
  tombstone: boolean;
}

/** Changes of one partition in offset order, handed to an adapter at once. */
export interface SinkBatch {
  topic: string;
  partition: number;
  table: SinkTable;
  changes: SinkChange[];
  /** The offset after the batch's last record: what is committed once the batch is durable. */
  nextOffset: bigint;
}

/** What a column holds, as far as a sink needs to map it. */
export type SinkColumnType =
  | 'string'
  | 'integer'
  | 'float'
  | 'boolean'
  | 'decimal'
  | 'timestamp'
  | 'date'
  | 'time'
  | 'json'
  | 'bytes'
  | 'array'
  | 'vector';

export interface SinkColumn {
  name: string;
  type: SinkColumnType;
  nullable: boolean;
  /** For an `array`, its elements' type. */
  items?: SinkColumnType;
}

/** A source table as sinks see it, from its registered value schema. */
export interface SinkTable {
  /** `schema.table` */
  name: string;
  topic: string;
  /** Key columns, in key order. */
  key: string[];
  columns: SinkColumn[];
  /** The registered value schema's id: a new one means the table evolved. */
  schemaId: number;
}
