import { randomUUID } from 'node:crypto';
import { ErrorCode } from '@trunkline/kafka-protocol';
import type { Logger } from '@trunkline/runtime';
import { ConsumerGroup, type JoinResult, type Member, type SyncResult } from './consumer-group';
import type { CommittedOffset, OffsetCommit, OffsetStore } from './offset-store';

const MIN_SESSION_TIMEOUT_MS = 6000;
const MAX_SESSION_TIMEOUT_MS = 1_800_000;
const OFFSET_METADATA_MAX_BYTES = 4096;

export interface JoinRequest {
  groupId: string;
  memberId: string;
  groupInstanceId: string | null;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: { name: string; metadata: Buffer }[];
  clientId: string;
  clientHost: string;
  /** v4+: a new member must first fetch its id (MEMBER_ID_REQUIRED), then join with it. */
  requireKnownMemberId: boolean;
}

export interface GroupMemberView {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  metadata: Buffer;
  assignment: Buffer;
}

export interface GroupView {
  groupId: string;
  state: string;
  protocolType: string;
  protocol: string;
  generation: number;
  members: GroupMemberView[];
}

function joinError(errorCode: number, memberId: string): JoinResult {
  return {
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: '',
    memberId,
    members: [],
  };
}

function syncError(errorCode: number): SyncResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
}

/**
 * Kafka's classic consumer-group protocol: members join (two-step with MEMBER_ID_REQUIRED),
 * the coordinator completes the rebalance when every member rejoined or the rebalance
 * timeout passed, the leader's assignment is relayed through SyncGroup unchanged, sessions
 * expire without heartbeats, and every call is fenced by generation.
 */
export class GroupCoordinator {
  private readonly groups = new Map<string, ConsumerGroup>();

  constructor(
    readonly offsets: OffsetStore,
    private readonly logger: Logger,
    private readonly initialRebalanceDelayMs = 0,
  ) {}

  private group(groupId: string): ConsumerGroup {
    let group = this.groups.get(groupId);
    if (group === undefined) {
      group = new ConsumerGroup(groupId);
      this.groups.set(groupId, group);
    }
    return group;
  }

  join(request: JoinRequest): Promise<JoinResult> {
    if (request.groupId === '')
      return Promise.resolve(joinError(ErrorCode.INVALID_GROUP_ID, request.memberId));
    if (
      request.sessionTimeoutMs < MIN_SESSION_TIMEOUT_MS ||
      request.sessionTimeoutMs > MAX_SESSION_TIMEOUT_MS
    ) {
      return Promise.resolve(joinError(ErrorCode.INVALID_SESSION_TIMEOUT, request.memberId));
    }
    const group = this.group(request.groupId);
    if (!group.acceptsProtocols(request.protocolType, request.protocols)) {
      return Promise.resolve(joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, request.memberId));
    }
    let memberId = request.memberId;
    if (memberId === '') {
      memberId = `${request.clientId}-${randomUUID()}`;
      if (request.requireKnownMemberId && request.groupInstanceId === null) {
        const timer = setTimeout(() => {
          group.pending.delete(memberId);
          this.maybeCompleteJoin(group);
        }, request.sessionTimeoutMs);
        timer.unref();
        group.pending.set(memberId, timer);
        return Promise.resolve(joinError(ErrorCode.MEMBER_ID_REQUIRED, memberId));
      }
    } else if (group.pending.has(memberId)) {
      clearTimeout(group.pending.get(memberId));
      group.pending.delete(memberId);
    } else if (!group.members.has(memberId)) {
      return Promise.resolve(joinError(ErrorCode.UNKNOWN_MEMBER_ID, memberId));
    }

    const existing = group.members.get(memberId);
    if (request.groupInstanceId !== null && existing === undefined) {
      // Static membership: a new instance with the same id replaces (fences) the old one.
      const previous = [...group.members.values()].find((m) => m.groupInstanceId === request.groupInstanceId);
      if (previous !== undefined) this.removeMember(group, previous, ErrorCode.FENCED_INSTANCE_ID);
    }
    const unchanged =
      existing !== undefined &&
      existing.protocols.length === request.protocols.length &&
      existing.protocols.every(
        (p, i) => p.name === request.protocols[i]!.name && p.metadata.equals(request.protocols[i]!.metadata),
      );
    const member: Member = existing ?? {
      memberId,
      groupInstanceId: request.groupInstanceId,
      clientId: request.clientId,
      clientHost: request.clientHost,
      sessionTimeoutMs: request.sessionTimeoutMs,
      rebalanceTimeoutMs: request.rebalanceTimeoutMs,
      protocols: request.protocols,
      assignment: Buffer.alloc(0),
    };
    member.sessionTimeoutMs = request.sessionTimeoutMs;
    member.rebalanceTimeoutMs = request.rebalanceTimeoutMs;
    member.protocols = request.protocols;
    if (existing === undefined) group.members.set(memberId, member);
    if (group.members.size === 1) group.protocolType = request.protocolType;
    this.resetSession(group, member);

    if (group.state === 'Stable' && unchanged && group.leader !== memberId) {
      // A follower rejoining with what it had: nothing to rebalance.
      return Promise.resolve(this.joinResult(group, member));
    }
    return new Promise<JoinResult>((resolve) => {
      member.joinWaiter?.(joinError(ErrorCode.UNKNOWN_MEMBER_ID, memberId));
      member.joinWaiter = resolve;
      this.prepareRebalance(group, `${memberId} joined`);
      this.maybeCompleteJoin(group);
    });
  }

  private joinResult(group: ConsumerGroup, member: Member): JoinResult {
    const isLeader = group.leader === member.memberId;
    return {
      errorCode: ErrorCode.NONE,
      generationId: group.generation,
      protocolType: group.protocolType,
      protocolName: group.protocol,
      leader: group.leader ?? '',
      memberId: member.memberId,
      members: isLeader
        ? [...group.members.values()].map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            metadata: m.protocols.find((p) => p.name === group.protocol)?.metadata ?? Buffer.alloc(0),
          }))
        : [],
    };
  }

  private prepareRebalance(group: ConsumerGroup, reason: string): void {
    if (group.state === 'PreparingRebalance') return;
    if (group.state === 'CompletingRebalance') {
      for (const member of group.members.values()) {
        member.syncWaiter?.(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
        member.syncWaiter = undefined;
      }
    }
    const initial = group.state === 'Empty';
    group.state = 'PreparingRebalance';
    this.logger.debug({ group: group.groupId, reason }, 'preparing rebalance');
    clearTimeout(group.rebalanceTimer);
    group.rebalanceTimer = setTimeout(() => this.onRebalanceTimeout(group), group.rebalanceTimeoutMs());
    group.rebalanceTimer.unref();
    if (initial && this.initialRebalanceDelayMs > 0) {
      // group.initial.rebalance.delay.ms: let more members of a starting group arrive first.
      group.delayingInitialJoin = true;
      setTimeout(() => {
        group.delayingInitialJoin = false;
        this.maybeCompleteJoin(group);
      }, this.initialRebalanceDelayMs).unref();
    }
  }

  /** Completes the join phase once every member (and every member id handed out) has joined. */
  private maybeCompleteJoin(group: ConsumerGroup): void {
    if (group.state !== 'PreparingRebalance' || group.delayingInitialJoin) return;
    const everyoneJoined = [...group.members.values()].every((m) => m.joinWaiter !== undefined);
    if (everyoneJoined && group.pending.size === 0) this.completeJoin(group);
  }

  private onRebalanceTimeout(group: ConsumerGroup): void {
    if (group.state !== 'PreparingRebalance') return;
    for (const member of [...group.members.values()]) {
      if (member.joinWaiter === undefined)
        this.removeMember(group, member, ErrorCode.UNKNOWN_MEMBER_ID, false);
    }
    this.completeJoin(group);
  }

  private completeJoin(group: ConsumerGroup): void {
    clearTimeout(group.rebalanceTimer);
    group.rebalanceTimer = undefined;
    group.generation += 1;
    if (group.members.size === 0) {
      group.state = 'Empty';
      group.protocol = null;
      group.leader = null;
      return;
    }
    group.protocol = group.selectProtocol();
    if (group.leader === null || !group.members.has(group.leader))
      group.leader = group.members.keys().next().value!;
    group.state = 'CompletingRebalance';
    this.logger.info(
      {
        group: group.groupId,
        generation: group.generation,
        members: group.members.size,
        protocol: group.protocol,
      },
      'rebalance: members joined',
    );
    for (const member of group.members.values()) {
      const waiter = member.joinWaiter;
      member.joinWaiter = undefined;
      waiter?.(this.joinResult(group, member));
      this.resetSession(group, member);
    }
  }

  sync(
    groupId: string,
    memberId: string,
    generationId: number,
    protocolType: string | null,
    protocolName: string | null,
    assignments: readonly { memberId: string; assignment: Buffer }[],
  ): Promise<SyncResult> {
    const group = this.groups.get(groupId);
    const member = group?.members.get(memberId);
    if (group === undefined || member === undefined)
      return Promise.resolve(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    if (generationId !== group.generation) return Promise.resolve(syncError(ErrorCode.ILLEGAL_GENERATION));
    if (
      (protocolType !== null && protocolType !== group.protocolType) ||
      (protocolName !== null && protocolName !== group.protocol)
    ) {
      return Promise.resolve(syncError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    }
    this.resetSession(group, member);
    const result = (m: Member): SyncResult => ({
      errorCode: ErrorCode.NONE,
      protocolType: group.protocolType,
      protocolName: group.protocol,
      assignment: m.assignment,
    });
    switch (group.state) {
      case 'PreparingRebalance':
        return Promise.resolve(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
      case 'Stable':
        return Promise.resolve(result(member));
      case 'CompletingRebalance':
        return new Promise<SyncResult>((resolve) => {
          member.syncWaiter = resolve;
          if (memberId !== group.leader) return;
          for (const m of group.members.values()) m.assignment = Buffer.alloc(0);
          for (const a of assignments) {
            const target = group.members.get(a.memberId);
            if (target !== undefined) target.assignment = a.assignment;
          }
          group.state = 'Stable';
          this.logger.info(
            { group: group.groupId, generation: group.generation },
            'rebalance: assignment relayed',
          );
          for (const m of group.members.values()) {
            const waiter = m.syncWaiter;
            m.syncWaiter = undefined;
            waiter?.(result(m));
          }
        });
      default:
        return Promise.resolve(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    }
  }

  heartbeat(groupId: string, memberId: string, generationId: number): number {
    const group = this.groups.get(groupId);
    const member = group?.members.get(memberId);
    if (group === undefined || member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.resetSession(group, member);
    if (group.state === 'PreparingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    if (generationId !== group.generation) return ErrorCode.ILLEGAL_GENERATION;
    return ErrorCode.NONE;
  }

  leave(groupId: string, memberId: string, groupInstanceId: string | null): number {
    const group = this.groups.get(groupId);
    if (group === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    const member =
      group.members.get(memberId) ??
      (groupInstanceId === null
        ? undefined
        : [...group.members.values()].find((m) => m.groupInstanceId === groupInstanceId));
    if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.removeMember(group, member, ErrorCode.UNKNOWN_MEMBER_ID);
    this.logger.info({ group: groupId, member: member.memberId }, 'member left');
    return ErrorCode.NONE;
  }

  private resetSession(group: ConsumerGroup, member: Member): void {
    clearTimeout(member.sessionTimer);
    member.sessionTimer = setTimeout(() => {
      if (group.members.get(member.memberId) !== member) return;
      this.logger.info({ group: group.groupId, member: member.memberId }, 'member session expired');
      this.removeMember(group, member, ErrorCode.UNKNOWN_MEMBER_ID);
    }, member.sessionTimeoutMs);
    member.sessionTimer.unref();
  }

  private removeMember(group: ConsumerGroup, member: Member, errorCode: number, rebalance = true): void {
    clearTimeout(member.sessionTimer);
    group.members.delete(member.memberId);
    member.joinWaiter?.(joinError(errorCode, member.memberId));
    member.syncWaiter?.(syncError(errorCode));
    member.joinWaiter = undefined;
    member.syncWaiter = undefined;
    if (group.leader === member.memberId) group.leader = null;
    if (!rebalance) return;
    if (group.members.size === 0 && group.state !== 'PreparingRebalance') {
      group.state = 'Empty';
      group.generation += 1;
      group.protocol = null;
      group.leader = null;
      return;
    }
    this.prepareRebalance(group, `${member.memberId} left`);
    this.maybeCompleteJoin(group);
  }

  /** Validates and persists a commit; returns the error code for every partition. */
  async commitOffsets(
    groupId: string,
    memberId: string,
    generationId: number,
    commits: readonly OffsetCommit[],
  ): Promise<number> {
    if (groupId === '') return ErrorCode.INVALID_GROUP_ID;
    const group = this.groups.get(groupId);
    const standalone = generationId < 0 && memberId === '';
    if (standalone) {
      // Commits from outside the group protocol (admin tools, manual assignment): only while no members.
      if (group !== undefined && group.members.size > 0) return ErrorCode.UNKNOWN_MEMBER_ID;
    } else {
      const member = group?.members.get(memberId);
      if (group === undefined || member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (generationId !== group.generation) return ErrorCode.ILLEGAL_GENERATION;
      if (group.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
      this.resetSession(group, member);
    }
    if (commits.some((c) => (c.committed?.metadata?.length ?? 0) > OFFSET_METADATA_MAX_BYTES)) {
      return ErrorCode.OFFSET_METADATA_TOO_LARGE;
    }
    this.group(groupId);
    await this.offsets.commit(groupId, commits);
    return ErrorCode.NONE;
  }

  committed(groupId: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.offsets.get(groupId, topic, partition);
  }

  /** Groups with members or committed offsets. */
  list(): GroupView[] {
    const ids = new Set([...this.groups.keys(), ...this.offsets.groups()]);
    return [...ids].sort().map((id) => this.describe(id)!);
  }

  describe(groupId: string): GroupView | undefined {
    const group = this.groups.get(groupId);
    if (group === undefined) {
      if (!this.offsets.groups().includes(groupId)) return undefined;
      return { groupId, state: 'Empty', protocolType: 'consumer', protocol: '', generation: 0, members: [] };
    }
    return {
      groupId,
      state: group.state,
      protocolType: group.protocolType ?? (group.members.size === 0 ? 'consumer' : ''),
      protocol:
        group.state === 'Stable' || group.state === 'CompletingRebalance' ? (group.protocol ?? '') : '',
      generation: group.generation,
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: m.protocols.find((p) => p.name === group.protocol)?.metadata ?? Buffer.alloc(0),
        assignment: m.assignment,
      })),
    };
  }

  /** Deletes an empty group and its offsets; returns the error code. */
  async delete(groupId: string): Promise<number> {
    const view = this.describe(groupId);
    if (view === undefined) return ErrorCode.GROUP_ID_NOT_FOUND;
    if (view.members.length > 0) return ErrorCode.NON_EMPTY_GROUP;
    await this.offsets.deleteGroup(groupId);
    this.groups.delete(groupId);
    return ErrorCode.NONE;
  }

  async forgetTopic(topic: string): Promise<void> {
    await this.offsets.forgetTopic(topic);
  }

  close(): void {
    for (const group of this.groups.values()) {
      clearTimeout(group.rebalanceTimer);
      for (const timer of group.pending.values()) clearTimeout(timer);
      for (const member of group.members.values()) clearTimeout(member.sessionTimer);
    }
  }
}
