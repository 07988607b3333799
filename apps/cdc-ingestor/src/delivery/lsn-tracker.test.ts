import { LsnTracker } from './lsn-tracker';

describe('LsnTracker', () => {
  it('confirms a transaction once all its events and all earlier ones are acknowledged', () => {
    const tracker = new LsnTracker(10n);
    const first = tracker.begin();
    const a = first.add();
    const b = first.add();
    first.seal(100n);
    const second = tracker.begin();
    const c = second.add();
    second.seal(200n);

    c();
    expect(tracker.confirmed).toBe(10n); // the first transaction is still open
    b();
    expect(tracker.confirmed).toBe(10n);
    a();
    expect(tracker.confirmed).toBe(200n);
    expect(tracker.pending).toBe(0);
  });

  it('waits for the commit before confirming, and ignores a second acknowledgement', () => {
    const tracker = new LsnTracker(0n);
    const tx = tracker.begin();
    const ack = tx.add();
    ack();
    ack();
    expect(tracker.confirmed).toBe(0n);
    tx.seal(50n);
    expect(tracker.confirmed).toBe(50n);
  });

  it('confirms transactions without events (other tables, heartbeats) in order', () => {
    const tracker = new LsnTracker(0n);
    const busy = tracker.begin();
    const ack = busy.add();
    busy.seal(10n);
    tracker.begin().seal(20n);
    expect(tracker.confirmed).toBe(0n);
    ack();
    expect(tracker.confirmed).toBe(20n);
  });
});
