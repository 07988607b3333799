/**
 * Samples of the last `windowMs`, for quantiles in status (the Prometheus histogram keeps the
 * long run). Bounded: beyond `maxSamples` the oldest are dropped first.
 */
export class SampleWindow {
  private times: number[] = [];
  private values: number[] = [];

  constructor(
    private readonly windowMs: number,
    private readonly maxSamples = 20_000,
    private readonly now: () => number = Date.now,
  ) {}

  add(value: number): void {
    this.times.push(this.now());
    this.values.push(value);
    if (this.times.length > this.maxSamples * 2) this.trim(this.times.length - this.maxSamples);
  }

  /** The q-quantile (0..1) of the window's samples, and how many there are; 0 when none. */
  quantiles(qs: readonly number[]): { values: number[]; count: number } {
    this.expire();
    const sorted = this.values.slice(-this.maxSamples).sort((a, b) => a - b);
    if (sorted.length === 0) return { values: qs.map(() => 0), count: 0 };
    return {
      values: qs.map(
        (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? sorted[0]!,
      ),
      count: sorted.length,
    };
  }

  private expire(): void {
    const oldest = this.now() - this.windowMs;
    let drop = 0;
    while (drop < this.times.length && this.times[drop]! < oldest) drop += 1;
    if (drop > 0) this.trim(drop);
  }

  private trim(count: number): void {
    this.times = this.times.slice(count);
    this.values = this.values.slice(count);
  }
}

/** Events per second over the last `windowSeconds`, counted in one-second buckets. */
export class RateWindow {
  private readonly buckets = new Map<number, number>();

  constructor(
    private readonly windowSeconds = 10,
    private readonly now: () => number = Date.now,
  ) {}

  add(count: number): void {
    const second = Math.floor(this.now() / 1000);
    this.buckets.set(second, (this.buckets.get(second) ?? 0) + count);
    for (const key of this.buckets.keys()) if (key <= second - this.windowSeconds) this.buckets.delete(key);
  }

  perSecond(): number {
    const second = Math.floor(this.now() / 1000);
    let total = 0;
    for (const [key, count] of this.buckets) if (key > second - this.windowSeconds) total += count;
    return total / this.windowSeconds;
  }
}
