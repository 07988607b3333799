import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { type BrokerAdminService, GroupState } from '@trunkline/contracts/broker/v1/broker_admin';
import { parseStoredBatches, readRecords } from '@trunkline/kafka-protocol';
import { Code, type Listener, type ServiceImpl, serviceInfo, TrunklineError } from '@trunkline/runtime';
import type { BrokerState } from '../broker-state';
import { KafkaError } from '../kafka-error';
import { asAdmin } from './admin-errors';
import { resolveOffset } from './offset-spec';
import { describeTopic } from './topic-views';

const GROUP_STATES: Record<string, GroupState> = {
  Empty: GroupState.EMPTY,
  PreparingRebalance: GroupState.PREPARING_REBALANCE,
  CompletingRebalance: GroupState.COMPLETING_REBALANCE,
  Stable: GroupState.STABLE,
  Dead: GroupState.DEAD,
};

export interface AdminContext {
  state: BrokerState;
  dataDir: string;
  instanceId: string;
  version: string;
  startedAt: Date;
  listeners(): readonly Listener[];
}

/** Reads a consumer assignment (ConsumerProtocol v0-3): the topics and partitions a member owns. */
function assignedPartitions(assignment: Buffer): { topic: string; partition: number }[] {
  if (assignment.length < 6) return [];
  try {
    let at = 2; // version
    const topics = assignment.readInt32BE(at);
    at += 4;
    const owned: { topic: string; partition: number }[] = [];
    for (let t = 0; t < topics; t++) {
      const length = assignment.readInt16BE(at);
      at += 2;
      const topic = assignment.toString('utf8', at, at + length);
      at += length;
      const count = assignment.readInt32BE(at);
      at += 4;
      for (let p = 0; p < count; p++) {
        owned.push({ topic, partition: assignment.readInt32BE(at) });
        at += 4;
      }
    }
    return owned;
  } catch {
    return []; // Not the consumer protocol (e.g. Connect): nothing to show.
  }
}

export function brokerAdmin(context: AdminContext): ServiceImpl<typeof BrokerAdminService> {
  const { state } = context;
  const topicOrThrow = (name: string) => {
    const topic = state.topics.topic(name);
    if (topic === undefined) throw new TrunklineError(Code.NotFound, `topic "${name}" does not exist`);
    return topic;
  };
  const groupOrThrow = (groupId: string) => {
    const view = state.groups.describe(groupId);
    if (view === undefined) throw new TrunklineError(Code.NotFound, `group "${groupId}" does not exist`);
    return view;
  };

  return {
    getBrokerInfo() {
      const topics = state.topics.list();
      const logs = topics.flatMap((t) => state.topics.partitions(t.name));
      return {
        info: serviceInfo('broker', context),
        nodeId: state.nodeId,
        clusterId: state.topics.catalog.clusterId,
        storage: {
          dataDir: context.dataDir,
          bytes: BigInt(logs.reduce((sum, log) => sum + log.sizeBytes, 0)),
          topics: topics.length,
          partitions: logs.length,
          segments: BigInt(logs.reduce((sum, log) => sum + log.segmentCount, 0)),
          tier: state.topics.tier?.store.description ?? '',
          remoteBytes: BigInt(logs.reduce((sum, log) => sum + log.storage().remoteBytes, 0)),
        },
      };
    },

    createTopic(request) {
      return asAdmin(async () => {
        const partitions = request.partitions === 0 ? state.topics.defaults.partitions : request.partitions;
        const replication = request.replicationFactor === 0 ? 1 : request.replicationFactor;
        state.topics.validateNew(request.name, partitions, replication, request.configs);
        if (request.validateOnly) {
          return {
            topic: {
              name: request.name,
              partitions: Array.from({ length: partitions }, (_, partition) => ({
                partition,
                leader: state.nodeId,
              })),
            },
          };
        }
        const topic = await state.topics.create(request.name, partitions, request.configs);
        return { topic: describeTopic(state.topics, topic, state.nodeId) };
      });
    },

    deleteTopic(request) {
      return asAdmin(async () => {
        topicOrThrow(request.name);
        await state.topics.delete(request.name);
        state.producers.forget(request.name);
        await state.groups.forgetTopic(request.name);
        return {};
      });
    },

    listTopics(request) {
      return {
        topics: state.topics
          .list()
          .filter((t) => (request.includeInternal || !t.internal) && t.name.startsWith(request.prefix))
          .map((t) => ({
            name: t.name,
            partitions: t.partitions,
            internal: t.internal,
            sizeBytes: BigInt(state.topics.partitions(t.name).reduce((sum, log) => sum + log.sizeBytes, 0)),
          })),
      };
    },

    describeTopic(request) {
      return { topic: describeTopic(state.topics, topicOrThrow(request.name), state.nodeId) };
    },

    alterTopicConfig(request) {
      return asAdmin(async () => {
        topicOrThrow(request.name);
        const changes: Record<string, string | null> = { ...request.set };
        for (const name of request.delete) changes[name] = null;
        await state.topics.alterConfigs(request.name, changes, request.validateOnly);
        return { configs: describeTopic(state.topics, topicOrThrow(request.name), state.nodeId).configs };
      });
    },

    listGroups() {
      return {
        groups: state.groups.list().map((g) => ({
          groupId: g.groupId,
          state: GROUP_STATES[g.state] ?? GroupState.UNSPECIFIED,
          protocolType: g.protocolType,
          members: g.members.length,
        })),
      };
    },

    describeGroup(request) {
      const view = groupOrThrow(request.groupId);
      return {
        groupId: view.groupId,
        state: GROUP_STATES[view.state] ?? GroupState.UNSPECIFIED,
        protocolType: view.protocolType,
        protocol: view.protocol,
        generation: view.generation,
        members: view.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId ?? '',
          clientId: m.clientId,
          clientHost: m.clientHost,
          assignments: assignedPartitions(m.assignment),
        })),
        offsets: state.groups.offsets
          .all(view.groupId)
          .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
          .map((o) => {
            const end = state.topics.partition(o.topic, o.partition)?.highWatermark ?? -1n;
            return {
              topic: o.topic,
              partition: o.partition,
              committedOffset: o.committed.offset,
              logEndOffset: end,
              lag: end >= 0n ? end - o.committed.offset : 0n,
              metadata: o.committed.metadata ?? '',
            };
          }),
      };
    },

    resetGroupOffsets(request) {
      return asAdmin(async () => {
        const view = state.groups.describe(request.groupId);
        if (view !== undefined && view.members.length > 0) {
          throw new TrunklineError(
            Code.FailedPrecondition,
            `group "${request.groupId}" has ${view.members.length} active members; stop them before resetting offsets`,
          );
        }
        const committed = state.groups.offsets.all(request.groupId);
        const topics =
          request.topics.length > 0 ? request.topics : [...new Set(committed.map((c) => c.topic))];
        const resets = [];
        for (const name of topics) {
          topicOrThrow(name);
          for (const [partition, log] of state.topics.partitions(name).entries()) {
            const previous = state.groups.committed(request.groupId, name, partition)?.offset ?? -1n;
            resets.push({
              topic: name,
              partition,
              previousOffset: previous,
              newOffset: await resolveOffset(log, request.to, true),
            });
          }
        }
        if (!request.dryRun) {
          const now = BigInt(Date.now());
          const code = await state.groups.commitOffsets(
            request.groupId,
            '',
            -1,
            resets.map((r) => ({
              topic: r.topic,
              partition: r.partition,
              committed: { offset: r.newOffset, leaderEpoch: -1, metadata: '', commitTimestamp: now },
            })),
          );
          if (code !== 0) throw new KafkaError(code, `the broker refused the commit (Kafka error ${code})`);
        }
        return { resets, applied: !request.dryRun };
      });
    },

    deleteGroup(request) {
      return asAdmin(async () => {
        const code = await state.groups.delete(request.groupId);
        if (code !== 0)
          throw new KafkaError(code, `cannot delete group "${request.groupId}" (Kafka error ${code})`);
        return {};
      });
    },

    deleteRecords(request) {
      return asAdmin(async () => {
        topicOrThrow(request.topic);
        const partitions = [];
        for (const target of request.partitions) {
          const log = state.topics.partition(request.topic, target.partition);
          if (log === undefined)
            throw new TrunklineError(
              Code.NotFound,
              `partition ${target.partition} of "${request.topic}" does not exist`,
            );
          const before = target.beforeOffset < 0n ? log.highWatermark : target.beforeOffset;
          if (before > log.highWatermark) {
            throw new TrunklineError(
              Code.OutOfRange,
              `offset ${before} is beyond the high watermark ${log.highWatermark}`,
            );
          }
          partitions.push({
            partition: target.partition,
            lowWatermark: await log.deleteRecordsBefore(before),
          });
        }
        return { partitions };
      });
    },

    async *tail(request, call) {
      const topic = topicOrThrow(request.topic);
      const partitions =
        request.partitions.length > 0
          ? request.partitions
          : Array.from({ length: topic.partitions }, (_, i) => i);
      const positions = new Map<number, bigint>();
      for (const partition of partitions) {
        const log = state.topics.partition(topic.name, partition);
        if (log === undefined)
          throw new TrunklineError(Code.NotFound, `partition ${partition} of "${topic.name}" does not exist`);
        positions.set(partition, await resolveOffset(log, request.from));
      }
      let sent = 0n;
      const limit = request.maxRecords > 0n ? request.maxRecords : -1n;
      for (;;) {
        let progressed = false;
        for (const [partition, position] of positions) {
          const log = state.topics.partition(topic.name, partition)!;
          if (position >= log.highWatermark) continue;
          const batches = parseStoredBatches(await log.read(position, 1 << 20));
          for (const batch of batches) {
            for (const record of readRecords(batch)) {
              if (record.offset < position) continue;
              yield {
                record: {
                  topic: topic.name,
                  partition,
                  offset: record.offset,
                  timestamp: timestampFromMs(Number(record.timestamp)),
                  ...(record.key === null ? {} : { key: record.key }),
                  ...(record.value === null ? {} : { value: record.value }),
                  headers: record.headers.map((h) => ({
                    key: h.key,
                    ...(h.value === null ? {} : { value: h.value }),
                  })),
                },
              };
              sent++;
              if (sent === limit) return;
            }
            positions.set(partition, batch.lastOffset + 1n);
            progressed = true;
          }
        }
        if (progressed) continue;
        if (!request.follow || call.signal.aborted || call.shutdown.aborted) return;
        const logs = partitions.map((p) => state.topics.partition(topic.name, p)!);
        const stop = new AbortController();
        const abort = () => stop.abort();
        call.signal.addEventListener('abort', abort, { once: true });
        call.shutdown.addEventListener('abort', abort, { once: true });
        await Promise.race(logs.map((log) => log.waitForAppend(1000, stop.signal)));
        stop.abort();
      }
    },
  };
}
