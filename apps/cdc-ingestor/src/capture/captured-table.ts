import type { TableCodec } from '../columns';
import type { TableEncoder } from '../encoding/event-encoder';

export type TableState = 'capturing' | 'snapshotting' | 'stopped';

/** A table the ingestor captures: how its rows are read and encoded, and how it is doing. */
export interface CapturedTable {
  readonly relationId: number;
  /** `schema.table` */
  readonly name: string;
  readonly topic: string;
  codec: TableCodec;
  encoder: TableEncoder;
  /** The relation columns the codec was built for, to notice ALTER TABLE. */
  shape: string;
  state: TableState;
  lastError: string;
  eventsSent: number;
  snapshotRows: number;
  snapshotTotalRows: number;
  snapshotDone: boolean;
}
