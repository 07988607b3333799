import type { CapturedTable } from '../capture/captured-table';
import { CONNECTOR_VERSION } from '../capture/change-capture';
import type { ChangeEnvelope, Row, SourceInfo } from '../events/change-event';
import type { TextRow } from './chunked-reader';
import type { SnapshotOptions } from './snapshot-runner';

/**
 * Turns one table's snapshot rows (text columns in the codec's field order) into `r` events and
 * their encoded keys. The row is parsed column by column straight into its fields (what
 * textRow + parseRow + resolveUnchanged make of it: a snapshot row has every column and no
 * unchanged TOAST), and the rows share one frozen `source` block, which is the same for all
 * of them but the last (the caller gives that one a copy of its own).
 */
export class SnapshotEvents {
  private readonly source: SourceInfo;
  private lastMs = 0;
  private lastTsMs = 0n;

  constructor(
    private readonly table: CapturedTable,
    consistentLsn: bigint,
    started: bigint,
    options: Pick<SnapshotOptions, 'topicPrefix' | 'database'>,
  ) {
    // Frozen: the Avro writer then writes it once and reuses its bytes for every row.
    this.source = Object.freeze({
      version: CONNECTOR_VERSION,
      connector: 'postgresql',
      name: options.topicPrefix,
      ts_ms: started,
      snapshot: 'true',
      db: options.database,
      sequence: JSON.stringify([null, consistentLsn.toString()]),
      schema: table.codec.table.schema,
      table: table.codec.table.table,
      txId: null,
      lsn: consistentLsn,
      xmin: null,
    });
  }

  next(values: TextRow): { key: Buffer | null; envelope: ChangeEnvelope } {
    const { codec, encoder } = this.table;
    const after: Row = {};
    const fields = codec.fields;
    for (let i = 0; i < fields.length; i++) {
      const { field, codec: column } = fields[i]!;
      const text = values[i];
      after[field] = text === null || text === undefined ? null : column.parse(text);
    }
    let key: Row | null = null;
    if (codec.keyFields.length > 0) {
      // keyOf, without its intermediate arrays.
      key = {};
      for (const { field } of codec.keyFields) key[field] = after[field] ?? null;
    }
    return {
      key: encoder.encodeKey(key),
      envelope: { before: null, after, op: 'r', ts_ms: this.now(), source: this.source },
    };
  }

  /** When the event is made, as the envelope's ts_ms (one bigint per millisecond, not per row). */
  private now(): bigint {
    const ms = Date.now();
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.lastTsMs = BigInt(ms);
    }
    return this.lastTsMs;
  }
}
