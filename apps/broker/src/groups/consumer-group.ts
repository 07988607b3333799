/** Kafka's classic group states. */
export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface JoinResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
}

export interface SyncResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export interface Member {
  readonly memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocols: { name: string; metadata: Buffer }[];
  assignment: Buffer;
  /** Set while the member waits in JoinGroup for the rebalance to complete. */
  joinWaiter?: (result: JoinResult) => void;
  /** Set while the member waits in SyncGroup for the leader's assignment. */
  syncWaiter?: (result: SyncResult) => void;
  sessionTimer?: NodeJS.Timeout;
}

export class ConsumerGroup {
  state: GroupState = 'Empty';
  generation = 0;
  protocolType: string | null = null;
  protocol: string | null = null;
  leader: string | null = null;
  readonly members = new Map<string, Member>();
  /** Member ids handed out with MEMBER_ID_REQUIRED that have not joined yet (KIP-394). */
  readonly pending = new Map<string, NodeJS.Timeout>();
  rebalanceTimer: NodeJS.Timeout | undefined;
  delayingInitialJoin = false;

  constructor(readonly groupId: string) {}

  /** Protocols every member supports; the group can only use one of these. */
  commonProtocols(): string[] {
    const members = [...this.members.values()];
    if (members.length === 0) return [];
    return members[0]!.protocols
      .map((p) => p.name)
      .filter((name) => members.every((m) => m.protocols.some((p) => p.name === name)));
  }

  /** Kafka's choice: each member votes for its most preferred common protocol; most votes wins. */
  selectProtocol(): string | null {
    const candidates = this.commonProtocols();
    if (candidates.length === 0) return null;
    const votes = new Map<string, number>();
    for (const member of this.members.values()) {
      const choice = member.protocols.find((p) => candidates.includes(p.name))!.name;
      votes.set(choice, (votes.get(choice) ?? 0) + 1);
    }
    return [...votes.entries()].sort(
      (a, b) => b[1] - a[1] || candidates.indexOf(a[0]) - candidates.indexOf(b[0]),
    )[0]![0];
  }

  /** Whether a member with these protocols could join without breaking the group's agreement. */
  acceptsProtocols(protocolType: string, protocols: readonly { name: string }[]): boolean {
    if (this.members.size === 0) return protocolType.length > 0 && protocols.length > 0;
    if (protocolType !== this.protocolType) return false;
    const common = this.commonProtocols();
    return protocols.some((p) => common.includes(p.name));
  }

  rebalanceTimeoutMs(): number {
    return Math.max(0, ...[...this.members.values()].map((m) => m.rebalanceTimeoutMs));
  }
}
