/** When acknowledged data reaches the disk (`--fsync`). */
export type FsyncPolicy = 'always' | 'interval' | 'never';

/** What the durability scheduler needs of a log. */
export interface Syncable {
  /** fsyncs what is written and returns the offset up to which data is now durable. */
  syncWritten(): Promise<bigint>;
}

interface Waiter {
  upTo: bigint;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit: with `always`, appends wait for an fsync that covers them, and every
 * append that arrives while an fsync runs shares the next one, across partitions. With
 * `interval` a timer fsyncs what changed; with `never` the OS decides.
 */
export class Durability {
  private readonly dirty = new Map<Syncable, Waiter[]>();
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly policy: FsyncPolicy,
    intervalMs = 1000,
  ) {
    if (policy === 'interval') {
      this.timer = setInterval(() => void this.syncRound().catch(() => undefined), intervalMs);
      this.timer.unref();
    }
  }

  /** Resolves when data of `log` up to `upTo` (exclusive) is durable under this policy. */
  afterWrite(log: Syncable, upTo: bigint): Promise<void> {
    if (this.policy !== 'always') {
      if (this.policy === 'interval' && !this.dirty.has(log)) this.dirty.set(log, []);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiters = this.dirty.get(log) ?? [];
      waiters.push({ upTo, resolve, reject });
      this.dirty.set(log, waiters);
      this.running ??= this.drain();
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.dirty.size > 0) await this.syncRound();
    } finally {
      this.running = undefined;
    }
  }

  private async syncRound(): Promise<void> {
    const round = [...this.dirty.entries()];
    this.dirty.clear();
    await Promise.all(
      round.map(async ([log, waiters]) => {
        try {
          const durable = await log.syncWritten();
          const later = waiters.filter((w) => w.upTo > durable);
          for (const w of waiters) if (w.upTo <= durable) w.resolve();
          if (later.length > 0) this.dirty.set(log, [...later, ...(this.dirty.get(log) ?? [])]);
        } catch (error) {
          for (const w of waiters) w.reject(error);
        }
      }),
    );
  }

  /** fsyncs everything still dirty (clean shutdown). */
  async flushAll(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.running;
    if (this.dirty.size > 0) await this.syncRound();
  }
}
