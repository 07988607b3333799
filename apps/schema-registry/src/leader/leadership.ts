import { errors } from '../registry/registry-error';
import type { InstanceIdentity } from './leader-elector';

export type WriteTarget = { local: true } | { local: false; leader: InstanceIdentity };

/**
 * Where writes go right now. An instance elected leader first reads `_schemas` to its end
 * (so ids it assigns follow every id already given) and only then takes writes; until some
 * instance is ready to lead, writers wait.
 */
export class Leadership {
  private target: WriteTarget | undefined;
  private elected: InstanceIdentity | undefined;
  private waiting = new Set<() => void>();

  constructor(private readonly catchUp: () => Promise<void>) {}

  get current(): WriteTarget | undefined {
    return this.target;
  }

  /** The instance taking writes (this one included), once it is ready to; undefined before. */
  get leader(): InstanceIdentity | undefined {
    return this.elected;
  }

  /** The elector's callback: called on every election result. */
  async changed(leader: InstanceIdentity | undefined, isSelf: boolean): Promise<void> {
    this.target = undefined;
    this.elected = undefined;
    if (leader === undefined) return;
    if (isSelf) await this.catchUp();
    this.target = isSelf ? { local: true } : { local: false, leader };
    this.elected = leader;
    for (const wake of this.waiting) wake();
    this.waiting.clear();
  }

  /** Resolves with the write target, waiting up to `timeoutMs` for an election; 50004 after that. */
  async writeTarget(timeoutMs: number): Promise<WriteTarget> {
    if (this.target !== undefined) return this.target;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.waiting.add(done);
    });
    if (this.target === undefined) throw errors.unknownLeader();
    return this.target;
  }
}
