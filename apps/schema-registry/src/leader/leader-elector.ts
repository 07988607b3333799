import { kafkaLogCreator } from '@trunkline/kafka-client';
import type { Logger } from '@trunkline/runtime';
import { type Admin, AssignerProtocol, type Consumer, Kafka, type PartitionAssigner } from 'kafkajs';

/** What an instance tells the others through its group membership. */
export interface InstanceIdentity {
  instanceId: string;
  /** Base URL followers forward writes to. */
  url: string;
  /** Whether it may be elected (--leader-eligibility). */
  eligible: boolean;
}

interface MemberInfo extends InstanceIdentity {
  /** True while it is the leader, so a rebalance keeps the leader where it is. */
  leading: boolean;
}

export interface LeaderElectorOptions {
  brokers: string[];
  groupId: string;
  /** The group subscribes to this topic; its only partition is the leader's token. */
  topic: string;
  identity: InstanceIdentity;
  sessionTimeoutMs: number;
  logger: Logger;
  /** Called whenever leadership changes, before the new leader accepts writes. */
  onChange(leader: InstanceIdentity | undefined, isSelf: boolean): Promise<void> | void;
}

const PROTOCOL = 'trunkline-schema-registry-leader';

/**
 * Elects one writer among registry instances through a consumer group on the broker: every
 * instance is a member, and the group's assignor gives the topic's one partition, the
 * leadership, to a single eligible member (the current leader while it stays). A member
 * that stops heartbeating (killed, partitioned) leaves the group after the session timeout
 * and the partition, so the leadership, moves to another member.
 */
export class LeaderElector {
  private readonly kafka: Kafka;
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private leading = false;
  /** Whether the last election made this instance leader; claimed at the next one for stability. */
  private ledLast = false;
  private current: InstanceIdentity | undefined;
  private generation = 0;
  private stopped = false;

  constructor(private readonly options: LeaderElectorOptions) {
    this.kafka = new Kafka({
      clientId: `schema-registry-elector-${options.identity.instanceId}`,
      brokers: options.brokers,
      logCreator: kafkaLogCreator(options.logger),
    });
    this.admin = this.kafka.admin();
    this.consumer = this.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: Math.max(500, Math.floor(options.sessionTimeoutMs / 5)),
      rebalanceTimeout: options.sessionTimeoutMs * 2,
      maxWaitTimeInMs: Math.max(250, Math.floor(options.sessionTimeoutMs / 10)),
      partitionAssigners: [this.assigner()],
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 5000 },
    });
  }

  get leader(): InstanceIdentity | undefined {
    return this.current;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  async start(): Promise<void> {
    await this.admin.connect();
    await this.consumer.connect();
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      const owns = (payload.memberAssignment[this.options.topic] ?? []).includes(0);
      this.joined(owns).catch((error: Error) =>
        this.options.logger.error({ reason: error.message }, 'leadership change failed'),
      );
    });
    // While the group rebalances a new leader may be chosen: nobody writes until it is.
    this.consumer.on(this.consumer.events.REBALANCING, () => {
      void this.change(undefined, false, ++this.generation);
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      this.options.logger.warn({ reason: payload.error.message }, 'leader election consumer restarts');
      void this.change(undefined, false, ++this.generation);
    });
    await this.consumer.subscribe({ topic: this.options.topic });
    // The partition is a token, not data to read: the leader never fetches it.
    await this.consumer.run({ autoCommit: false, eachBatch: async () => undefined });
    this.consumer.pause([{ topic: this.options.topic }]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.consumer.disconnect();
    await this.admin.disconnect();
  }

  private async joined(owns: boolean): Promise<void> {
    const generation = ++this.generation;
    this.ledLast = owns;
    if (owns) {
      await this.change(this.options.identity, true, generation);
      return;
    }
    this.leading = false;
    // Followers learn who leads from the group description (the owner of the partition).
    for (let attempt = 0; attempt < 50 && !this.stopped && generation === this.generation; attempt++) {
      const leader = await this.describeLeader().catch(() => undefined);
      if (leader !== undefined) {
        await this.change(leader, false, generation);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (generation === this.generation) await this.change(undefined, false, generation);
  }

  private async change(
    leader: InstanceIdentity | undefined,
    isSelf: boolean,
    generation: number,
  ): Promise<void> {
    if (generation !== this.generation) return;
    const before = this.current;
    this.current = leader;
    if (isSelf !== this.leading || before?.instanceId !== leader?.instanceId) {
      this.options.logger.info(
        { leader: leader?.instanceId, url: leader?.url, self: isSelf },
        isSelf ? 'elected leader' : leader === undefined ? 'no leader elected' : 'following leader',
      );
    }
    await this.options.onChange(leader, isSelf);
    if (generation === this.generation) this.leading = isSelf;
  }

  private async describeLeader(): Promise<InstanceIdentity | undefined> {
    const { groups } = await this.admin.describeGroups([this.options.groupId]);
    for (const member of groups[0]?.members ?? []) {
      if (member.memberAssignment.length === 0) continue;
      const assignment = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
      if (!(assignment?.assignment[this.options.topic] ?? []).includes(0)) continue;
      const metadata = AssignerProtocol.MemberMetadata.decode(member.memberMetadata);
      return metadata === null ? undefined : identityOf(parseMember(metadata.userData));
    }
    return undefined;
  }

  private assigner(): PartitionAssigner {
    return () => ({
      name: PROTOCOL,
      version: 1,
      protocol: ({ topics }) => {
        const info: MemberInfo = { ...this.options.identity, leading: this.ledLast };
        return {
          name: PROTOCOL,
          metadata: AssignerProtocol.MemberMetadata.encode({
            version: 1,
            topics,
            userData: Buffer.from(JSON.stringify(info)),
          }),
        };
      },
      assign: async ({ members }) => {
        const candidates = members
          .map((member) => {
            const metadata = AssignerProtocol.MemberMetadata.decode(member.memberMetadata);
            return {
              memberId: member.memberId,
              info: metadata === null ? undefined : parseMember(metadata.userData),
            };
          })
          .filter((c) => c.info?.eligible === true)
          .sort((a, b) => a.memberId.localeCompare(b.memberId));
        const chosen = candidates.find((c) => c.info?.leading) ?? candidates[0];
        return members.map((member) => ({
          memberId: member.memberId,
          memberAssignment: AssignerProtocol.MemberAssignment.encode({
            version: 1,
            assignment: member.memberId === chosen?.memberId ? { [this.options.topic]: [0] } : {},
            userData: Buffer.alloc(0),
          }),
        }));
      },
    });
  }
}

function parseMember(userData: Buffer): MemberInfo | undefined {
  try {
    return JSON.parse(userData.toString('utf8')) as MemberInfo;
  } catch {
    return undefined;
  }
}

function identityOf(info: MemberInfo | undefined): InstanceIdentity | undefined {
  return info === undefined
    ? undefined
    : { instanceId: info.instanceId, url: info.url, eligible: info.eligible };
}
