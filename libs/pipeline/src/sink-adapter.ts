import type { SinkBatch, SinkTable } from './sink-change';

/**
 * One engine a sink service writes to (an index, a collection, a table per source table). The
 * pipeline calls `prepare` before any change that needs a table's current shape, then `apply`
 * with each partition's changes in offset order, and commits a partition's offset only once
 * `apply` returned: an adapter returns when the engine holds the batch durably.
 *
 * `apply` must be idempotent: a batch may come again after a crash or a replay. Per key, a
 * change with a lower `lsn` than the row's is ignored, and one with the same `lsn` wins (changes
 * of one transaction, in offset order). A truncate empties the table of rows older than it.
 *
 * Errors: a TrunklineError with a transient code (UNAVAILABLE, DEADLINE_EXCEEDED, …) is retried
 * with backoff; ChangesRejected names changes refused for good (the rest of the batch applied);
 * anything else fails the batch, which the pipeline then applies change by change to find the
 * culprits.
 */
export interface SinkAdapter {
  /** Creates the table's structure, or evolves it to `table` (columns added, mapping updated). */
  prepare(table: SinkTable): Promise<void>;
  apply(batch: SinkBatch): Promise<void>;
  /**
   * For engines that show durable writes to readers only later (a search engine's refresh):
   * resolves once readers see every change applied to `table` so far (rejects if that could
   * not be made sure of). Without it, what `apply` wrote is visible when it returns.
   */
  visible?(table: SinkTable): Promise<void>;
  /**
   * Offsets stored with the data, for engines that write both in one transaction: then they,
   * not the consumer group's, say where to resume. Undefined for engines without transactions.
   */
  storedOffsets?(topic: string): Promise<Map<number, bigint>>;
  /**
   * Starts building every table anew beside the live ones (a new index generation, a new
   * database file); what it returns takes the replayed changes. Undefined when the engine
   * cannot rebuild.
   */
  rebuild?(): Promise<SinkRebuild>;
  /** What the engine is and where, for status: `opensearch http://…`, `sqlite /…/search.db`. */
  describe(): string;
  close(): Promise<void>;
}

/** Tables being rebuilt beside the live ones. */
export interface SinkRebuild extends SinkAdapter {
  /**
   * Makes the rebuilt tables the live ones in one step (alias swap, file switch) and drops the
   * old ones; the live adapter then reads and writes the rebuilt tables.
   */
  swap(): Promise<void>;
  /** Drops what was built, leaving the live tables as they are. */
  discard(): Promise<void>;
}
