import type { Row } from '../events/change-event';

/** Prefix of the logical decoding messages that open and close an incremental snapshot window. */
export const WINDOW_PREFIX = 'trunkline.snapshot-window';

export type WindowEdge = 'open' | 'close';

/** The content of a window watermark message. */
export interface Watermark {
  window: string;
  edge: WindowEdge;
}

export function watermarkContent(watermark: Watermark): string {
  return JSON.stringify(watermark);
}

export function parseWatermark(content: string): Watermark | undefined {
  try {
    const parsed = JSON.parse(content) as Partial<Watermark>;
    if (typeof parsed.window !== 'string' || (parsed.edge !== 'open' && parsed.edge !== 'close'))
      return undefined;
    return { window: parsed.window, edge: parsed.edge };
  } catch {
    return undefined;
  }
}

/** One text per key whatever its types: bigints and bytes have no JSON form of their own. */
export function keyIdentity(key: Row): string {
  return JSON.stringify(key, (_name, value: unknown) => {
    if (typeof value === 'bigint') return `${value}n`;
    if (value instanceof Uint8Array) return `0x${Buffer.from(value).toString('hex')}`;
    if (typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'Buffer')
      return `0x${Buffer.from((value as { data: number[] }).data).toString('hex')}`;
    return value;
  });
}

/**
 * One chunk of an incremental snapshot, as DBLog reconciles it with the log: the chunk is read
 * between an `open` and a `close` watermark written to the WAL. Any row that changed in the
 * stream between the two watermarks may be older in the chunk than in the log, so it is
 * dropped from the chunk: the streamed event carries the newer value. What remains is sent at
 * the `close` watermark, before any later change, so a chunk row never overwrites a newer one.
 */
export class SnapshotWindow {
  private opened = false;
  private truncated = false;
  private readonly changed = new Set<string>();
  private chunk: Row[] | undefined;

  constructor(
    readonly id: string,
    readonly relationId: number,
  ) {}

  /** The `open` watermark was read from the stream: changes from here on conflict with the chunk. */
  open(): void {
    this.opened = true;
  }

  get isOpen(): boolean {
    return this.opened;
  }

  /** The chunk as read between the watermarks (set before the `close` watermark is written). */
  setChunk(rows: Row[]): void {
    this.chunk = rows;
  }

  /** A streamed change of this window's table, by key (null: every row, e.g. a truncate). */
  noteChange(key: Row | null): void {
    if (!this.opened) return;
    if (key === null) this.truncated = true;
    else this.changed.add(keyIdentity(key));
  }

  /** The `close` watermark was read: the chunk rows no streamed change superseded, in key order. */
  close(keyOfRow: (row: Row) => Row | null): Row[] {
    if (this.chunk === undefined)
      throw new Error(`snapshot window ${this.id} closed before its chunk was read`);
    if (this.truncated) return [];
    return this.chunk.filter((row) => {
      const key = keyOfRow(row);
      return key === null || !this.changed.has(keyIdentity(key));
    });
  }
}
