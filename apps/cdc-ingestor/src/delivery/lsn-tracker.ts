/**
 * Which WAL position may be confirmed to the replication slot. Transactions arrive in commit
 * order, each with the events it produced; the broker may acknowledge events of different
 * partitions in any order. The slot may move to a transaction's end only once its events and
 * those of every transaction before it are acknowledged: then a restart from the confirmed
 * position misses nothing.
 */
export class LsnTracker {
  private readonly queue: { endLsn: bigint; pending: number; sealed: boolean }[] = [];

  private confirmedLsn: bigint;

  constructor(startLsn: bigint) {
    this.confirmedLsn = startLsn;
  }

  /** The position the slot may be told is flushed. */
  get confirmed(): bigint {
    return this.confirmedLsn;
  }

  /** Events not yet acknowledged, over all open and sealed transactions. */
  get pending(): number {
    return this.queue.reduce((n, t) => n + t.pending, 0);
  }

  /** Starts a transaction; its events are added with `add`, its end given to `seal`. */
  begin(): Transaction {
    const entry = { endLsn: 0n, pending: 0, sealed: false };
    this.queue.push(entry);
    return {
      add: () => {
        entry.pending++;
        let done = false;
        return () => {
          if (done) return;
          done = true;
          entry.pending--;
          this.advance();
        };
      },
      seal: (endLsn: bigint) => {
        entry.endLsn = endLsn;
        entry.sealed = true;
        this.advance();
      },
    };
  }

  private advance(): void {
    while (this.queue.length > 0 && this.queue[0]!.sealed && this.queue[0]!.pending === 0) {
      const head = this.queue.shift()!;
      if (head.endLsn > this.confirmedLsn) this.confirmedLsn = head.endLsn;
    }
  }
}

export interface Transaction {
  /** Registers one event of the transaction; call the returned function once it is acknowledged. */
  add(): () => void;
  /** No more events will be added: the commit was read, and the transaction ends at `endLsn`. */
  seal(endLsn: bigint): void;
}
