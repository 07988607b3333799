/**
 * Caps the cleaner's disk traffic (Kafka's log.cleaner.io.max.bytes.per.second): callers
 * report bytes read or written and are made to wait whenever they run ahead of the rate.
 */
export class IoThrottle {
  private windowStart = Date.now();
  private windowBytes = 0;

  constructor(private readonly bytesPerSecond: number) {}

  async consumed(bytes: number, signal?: AbortSignal): Promise<void> {
    if (!Number.isFinite(this.bytesPerSecond) || this.bytesPerSecond <= 0) return;
    this.windowBytes += bytes;
    const elapsed = Date.now() - this.windowStart;
    const due = (this.windowBytes / this.bytesPerSecond) * 1000;
    if (due > elapsed) await sleep(due - elapsed, signal);
    if (elapsed > 1000) {
      this.windowStart = Date.now();
      this.windowBytes = 0;
    }
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', abort, { once: true });
  });
}
