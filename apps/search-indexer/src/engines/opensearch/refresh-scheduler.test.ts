import { RefreshScheduler } from './refresh-scheduler';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('RefreshScheduler', () => {
  it('shares one refresh between the callers that asked before it started', async () => {
    let refreshes = 0;
    const scheduler = new RefreshScheduler(async () => void refreshes++, 20);
    await Promise.all([scheduler.next(), scheduler.next(), scheduler.next()]);
    expect(refreshes).toBe(1);
  });

  it('gives a caller who asks during a refresh the next one, at least the gap later', async () => {
    const started: number[] = [];
    let release!: () => void;
    const scheduler = new RefreshScheduler(async () => {
      started.push(Date.now());
      if (started.length === 1) await new Promise<void>((resolve) => (release = resolve));
    }, 50);
    const first = scheduler.next();
    await sleep(5);
    const second = scheduler.next();
    expect(second).not.toBe(first);
    release();
    await first;
    await second;
    expect(started).toHaveLength(2);
    expect(started[1]! - started[0]!).toBeGreaterThanOrEqual(45);
  });

  it('rejects the callers of a failed refresh and refreshes again for later ones', async () => {
    let calls = 0;
    const scheduler = new RefreshScheduler(async () => {
      calls++;
      if (calls === 1) throw new Error('unavailable');
    }, 1);
    await expect(scheduler.next()).rejects.toThrow('unavailable');
    await expect(scheduler.next()).resolves.toBeUndefined();
    expect(calls).toBe(2);
  });
});
