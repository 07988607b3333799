/**
 * Refreshes of one index, on demand but at most one every `minGapMs`: each caller of `next`
 * gets the first refresh that starts after it asked, so it learns when its writes became
 * searchable, and many batches share one refresh. The index's own refresh interval stays as a
 * backstop (a refresh that fails still leaves the writes searchable by the next automatic one).
 */
export class RefreshScheduler {
  private waiting:
    | { promise: Promise<void>; resolve: () => void; reject: (error: unknown) => void }
    | undefined;
  private running = false;
  private lastStarted = 0;

  constructor(
    private readonly refresh: () => Promise<void>,
    private readonly minGapMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Resolves when a refresh that started after this call has finished. */
  next(): Promise<void> {
    if (this.waiting === undefined) {
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      // Nobody may be listening for a failure: that only leaves freshness unmeasured.
      promise.catch(() => undefined);
      this.waiting = { promise, resolve, reject };
      this.schedule();
    }
    return this.waiting.promise;
  }

  private schedule(): void {
    if (this.running || this.waiting === undefined) return;
    this.running = true;
    const delay = Math.max(0, this.lastStarted + this.minGapMs - this.now());
    setTimeout(() => void this.run(), delay).unref();
  }

  private async run(): Promise<void> {
    const callers = this.waiting!;
    this.waiting = undefined;
    this.lastStarted = this.now();
    try {
      await this.refresh();
      callers.resolve();
    } catch (error) {
      callers.reject(error);
    } finally {
      this.running = false;
      this.schedule();
    }
  }
}
