import type { SinkAdapter } from './sink-adapter';
import type { SinkBatch, SinkTable } from './sink-change';

/**
 * An adapter that forwards to another one and can be pointed elsewhere between calls: a
 * rebuild writes into its new tables until they are swapped in, then into the live adapter,
 * which serves them from then on. `switchTo` waits for the calls in flight and holds new ones
 * until the switch is done, so no call reaches an adapter that already refuses it.
 */
export class SwitchableAdapter implements SinkAdapter {
  private readonly inFlight = new Set<Promise<unknown>>();
  private gate: Promise<void> | undefined;

  constructor(private target: SinkAdapter) {}

  prepare(table: SinkTable): Promise<void> {
    return this.forward((adapter) => adapter.prepare(table));
  }

  apply(batch: SinkBatch): Promise<void> {
    return this.forward((adapter) => adapter.apply(batch));
  }

  visible(table: SinkTable): Promise<void> {
    return this.target.visible?.(table) ?? Promise.resolve();
  }

  describe(): string {
    return this.target.describe();
  }

  /** The adapters it forwards to are closed by their owners. */
  async close(): Promise<void> {}

  /** Waits for the calls in flight, runs `between` (the swap), then forwards to `next`. */
  async switchTo(next: SinkAdapter, between: () => Promise<void>): Promise<void> {
    let open = () => {};
    this.gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    try {
      await Promise.allSettled([...this.inFlight]);
      await between();
      this.target = next;
    } finally {
      this.gate = undefined;
      open();
    }
  }

  private async forward<T>(call: (adapter: SinkAdapter) => Promise<T>): Promise<T> {
    while (this.gate !== undefined) await this.gate;
    const pending = call(this.target);
    this.inFlight.add(pending);
    try {
      return await pending;
    } finally {
      this.inFlight.delete(pending);
    }
  }
}
