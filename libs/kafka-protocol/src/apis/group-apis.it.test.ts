// The group, config and SASL API descriptions against a live broker: every version the broker
// advertises is sent a meaningful request, and each response must decode with nothing left
// over, re-encode to exactly the bytes the broker sent, and say what the request implies.
import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { describeWithApacheKafka } from '@trunkline/testing';
import { Kafka, logLevel } from 'kafkajs';
import { ByteWriter } from '../codec/byte-writer';
import { compileStruct } from '../codec/struct-codec';
import { ErrorCode } from '../errors';
import { decodeResponse, encodeRequest, encodeResponse } from '../frames';
import { field } from '../schema/fields';
import type { ApiSpec, RequestOf, ResponseOf } from '../schema/message';
import { AlterConfigs } from './alter-configs';
import { ApiVersions } from './api-versions';
import { DeleteGroups } from './delete-groups';
import { DescribeConfigs } from './describe-configs';
import { DescribeGroups } from './describe-groups';
import { FindCoordinator } from './find-coordinator';
import { Heartbeat } from './heartbeat';
import { IncrementalAlterConfigs } from './incremental-alter-configs';
import { JoinGroup } from './join-group';
import { LeaveGroup } from './leave-group';
import { ListGroups } from './list-groups';
import { OffsetCommit } from './offset-commit';
import { OffsetFetch } from './offset-fetch';
import { SaslAuthenticate } from './sasl-authenticate';
import { SaslHandshake } from './sasl-handshake';
import { SyncGroup } from './sync-group';

const CLIENT_ID = 'trunkline-group-apis-test';
const RESOURCE_TOPIC = 2;
const RESOURCE_BROKER = 4;
const UNKNOWN_OPERATIONS = -2147483648;

const GROUP_APIS = [
  FindCoordinator,
  JoinGroup,
  SyncGroup,
  Heartbeat,
  OffsetCommit,
  OffsetFetch,
  DescribeGroups,
  ListGroups,
  LeaveGroup,
  DeleteGroups,
];
const CONFIG_APIS = [DescribeConfigs, AlterConfigs, IncrementalAlterConfigs];
const SASL_APIS = [SaslHandshake, SaslAuthenticate];
const ALL_APIS: readonly ApiSpec[] = [...GROUP_APIS, ...CONFIG_APIS, ...SASL_APIS];

// The payloads of the "consumer" protocol type: what a Java consumer puts in JoinGroup and
// SyncGroup (ConsumerProtocolSubscription and ConsumerProtocolAssignment, version 0).
const subscriptionCodec = compileStruct(
  {
    fields: [
      field.int16('version'),
      field.arrayOf('topics', '0+', 'string'),
      field.nullableBytes('userData', '0+', '0+'),
    ],
  },
  0,
  false,
);
const assignmentCodec = compileStruct(
  {
    fields: [
      field.int16('version'),
      field.array('assignedPartitions', '0+', [
        field.string('topic'),
        field.arrayOf('partitions', '0+', 'int32'),
      ]),
      field.nullableBytes('userData', '0+', '0+'),
    ],
  },
  0,
  false,
);

function serialize(write: (writer: ByteWriter) => void): Buffer {
  const writer = new ByteWriter();
  write(writer);
  return Buffer.concat(writer.finish());
}

/** Where two buffers first differ, with some bytes of each around it, for a readable failure. */
function firstDifference(actual: Buffer, expected: Buffer): string | undefined {
  if (actual.equals(expected)) return undefined;
  let i = 0;
  while (i < actual.length && i < expected.length && actual[i] === expected[i]) i++;
  const around = (b: Buffer) => b.subarray(Math.max(0, i - 8), i + 16).toString('hex');
  return `re-encoded ${actual.length} bytes, broker sent ${expected.length}; first difference at ${i}: ${around(actual)} vs ${around(expected)}`;
}

/** One connection to the broker, one request in flight at a time. */
class Connection {
  private buffered = Buffer.alloc(0);
  private waiter: { resolve: (frame: Buffer) => void; reject: (error: Error) => void } | undefined;
  private failure: Error | undefined;
  private correlationId = 0;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (data) => {
      this.buffered = Buffer.concat([this.buffered, data]);
      this.deliver();
    });
    const fail = (error: Error) => {
      this.failure = error;
      this.waiter?.reject(error);
      this.waiter = undefined;
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('the broker closed the connection')));
  }

  static open(bootstrap: string): Promise<Connection> {
    const [host, port] = bootstrap.split(':');
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), host!, () => {
        socket.off('error', reject);
        resolve(new Connection(socket));
      });
      socket.once('error', reject);
    });
  }

  private deliver(): void {
    if (this.waiter === undefined || this.buffered.length < 4) return;
    const size = this.buffered.readInt32BE(0);
    if (this.buffered.length < 4 + size) return;
    const frame = this.buffered.subarray(4, 4 + size);
    this.buffered = this.buffered.subarray(4 + size);
    const { resolve } = this.waiter;
    this.waiter = undefined;
    resolve(frame);
  }

  private nextFrame(): Promise<Buffer> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.deliver();
    });
  }

  /** Sends a request; returns the decoded response once it has passed the byte-exact check. */
  async send<A extends ApiSpec>(
    api: A,
    version: number,
    body: Partial<RequestOf<A>>,
  ): Promise<ResponseOf<A>> {
    const correlationId = ++this.correlationId;
    for (const chunk of encodeRequest(
      api,
      { apiKey: api.apiKey, apiVersion: version, correlationId, clientId: CLIENT_ID },
      body,
    )) {
      this.socket.write(chunk);
    }
    const frame = await this.nextFrame();
    const decoded = decodeResponse(api, version, frame); // throws on bytes left over
    expect(decoded.correlationId).toBe(correlationId);
    const again = Buffer.concat(encodeResponse(api, version, correlationId, decoded.body)).subarray(4);
    expect({ api: api.name, version, difference: firstDifference(again, frame) }).toEqual({
      api: api.name,
      version,
      difference: undefined,
    });
    roundTripped.add(`${api.name} v${version}`);
    return decoded.body as ResponseOf<A>;
  }

  close(): void {
    this.socket.removeAllListeners('close');
    this.socket.destroy();
  }
}

/** "Api vN" of every exchange that decoded and re-encoded byte-exactly. */
const roundTripped = new Set<string>();

describeWithApacheKafka('group, config and SASL APIs', (broker) => {
  const runId = randomUUID().slice(0, 8);
  const topic = `group-apis-${runId}`;
  const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  let connection: Connection;
  let advertised: Map<number, { min: number; max: number }>;
  let nodeId: number;
  const [bootstrapHost, bootstrapPort] = broker.bootstrap.split(':');

  function versions(api: ApiSpec): number[] {
    const range = advertised.get(api.apiKey);
    if (range === undefined) return [];
    return Array.from({ length: range.max - range.min + 1 }, (_, i) => range.min + i);
  }

  /** The version of `api` used in round `round`: the round number, within what the broker serves. */
  function versionFor(api: ApiSpec, round: number): number {
    const range = advertised.get(api.apiKey);
    if (range === undefined) throw new Error(`the broker does not serve ${api.name}`);
    return Math.min(Math.max(round, range.min), range.max);
  }

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: 2, configEntries: [{ name: 'retention.ms', value: '3600000' }] }],
    });
    nodeId = (await admin.describeCluster()).brokers[0]!.nodeId;
    // A fresh Kafka creates __consumer_offsets and loads its coordinator on first use, answering
    // COORDINATOR_NOT_AVAILABLE / LOAD_IN_PROGRESS meanwhile: kafkajs retries those, so once it
    // can describe a group the rounds below see a ready coordinator.
    await admin.describeGroups([`group-apis-${runId}-warmup`]);
    connection = await Connection.open(broker.bootstrap);
    const apiVersions = await connection.send(ApiVersions, 3, {
      clientSoftwareName: 'trunkline-test',
      clientSoftwareVersion: '0',
    });
    advertised = new Map(
      apiVersions.apiKeys.map((k) => [k.apiKey, { min: k.minVersion, max: k.maxVersion }]),
    );
  });

  afterAll(async () => {
    connection?.close();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  // Round r uses version r of each group API, or the nearest the broker serves: rounds 0 to 9
  // cover every version of all ten. Each round is one consumer's whole life in a fresh group.
  const ROUNDS = Array.from({ length: 10 }, (_, r) => r);

  it.each(ROUNDS)('runs a consumer group through its life, round %i', async (round) => {
    const groupId = `group-apis-${runId}-${round}`;
    const v = {
      find: versionFor(FindCoordinator, round),
      join: versionFor(JoinGroup, round),
      sync: versionFor(SyncGroup, round),
      heartbeat: versionFor(Heartbeat, round),
      commit: versionFor(OffsetCommit, round),
      fetch: versionFor(OffsetFetch, round),
      describe: versionFor(DescribeGroups, round),
      list: versionFor(ListGroups, round),
      leave: versionFor(LeaveGroup, round),
      delete: versionFor(DeleteGroups, round),
    };

    // FindCoordinator: this (single) broker coordinates the group.
    const found = await connection.send(
      FindCoordinator,
      v.find,
      v.find < 4 ? { key: groupId, keyType: 0 } : { keyType: 0, coordinatorKeys: [groupId] },
    );
    const coordinator =
      v.find < 4
        ? {
            key: groupId,
            nodeId: found.nodeId,
            host: found.host,
            port: found.port,
            errorCode: found.errorCode,
          }
        : found.coordinators[0];
    expect(found.coordinators).toHaveLength(v.find < 4 ? 0 : 1);
    expect(coordinator).toMatchObject({
      key: groupId,
      nodeId,
      host: bootstrapHost,
      port: Number(bootstrapPort),
      errorCode: ErrorCode.NONE,
    });

    // JoinGroup: from v4 the first join is refused with a member id to join again with.
    const subscription = serialize((w) =>
      subscriptionCodec.write(w, { version: 0, topics: [topic], userData: null }),
    );
    const join = (memberId: string) =>
      connection.send(JoinGroup, v.join, {
        groupId,
        sessionTimeoutMs: 30_000,
        rebalanceTimeoutMs: 60_000,
        memberId,
        groupInstanceId: null,
        protocolType: 'consumer',
        protocols: [{ name: 'range', metadata: subscription }],
        reason: `round ${round}`,
      });
    let joined = await join('');
    if (v.join >= 4) {
      expect(joined).toMatchObject({
        errorCode: ErrorCode.MEMBER_ID_REQUIRED,
        generationId: -1,
        members: [],
      });
      expect(joined.memberId).toMatch(new RegExp(`^${CLIENT_ID}-`));
      joined = await join(joined.memberId);
    }
    const memberId = joined.memberId;
    expect(joined).toMatchObject({
      errorCode: ErrorCode.NONE,
      generationId: 1,
      protocolType: v.join >= 7 ? 'consumer' : null,
      protocolName: 'range',
      leader: memberId,
      skipAssignment: false,
      members: [{ memberId, groupInstanceId: null, metadata: subscription }],
    });
    const generationId = joined.generationId;

    // SyncGroup: the leader (the only member) hands itself both partitions.
    const assignment = serialize((w) =>
      assignmentCodec.write(w, {
        version: 0,
        assignedPartitions: [{ topic, partitions: [0, 1] }],
        userData: null,
      }),
    );
    const synced = await connection.send(SyncGroup, v.sync, {
      groupId,
      generationId,
      memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: [{ memberId, assignment }],
    });
    expect(synced).toMatchObject({
      errorCode: ErrorCode.NONE,
      protocolType: v.sync >= 5 ? 'consumer' : null,
      protocolName: v.sync >= 5 ? 'range' : null,
    });
    expect(synced.assignment.equals(assignment)).toBe(true);

    const beat = await connection.send(Heartbeat, v.heartbeat, {
      groupId,
      generationId,
      memberId,
      groupInstanceId: null,
    });
    expect(beat.errorCode).toBe(ErrorCode.NONE);

    // OffsetCommit, then OffsetFetch what was committed.
    const offset = BigInt(100 + round);
    const committed = await connection.send(OffsetCommit, v.commit, {
      groupId,
      generationIdOrMemberEpoch: generationId,
      memberId,
      groupInstanceId: null,
      retentionTimeMs: -1n,
      topics: [
        {
          name: topic,
          partitions: [
            {
              partitionIndex: 0,
              committedOffset: offset,
              committedLeaderEpoch: 0,
              commitTimestamp: -1n,
              committedMetadata: `round ${round}`,
            },
            {
              partitionIndex: 1,
              committedOffset: 7n,
              committedLeaderEpoch: -1,
              commitTimestamp: -1n,
              committedMetadata: null,
            },
          ],
        },
      ],
    });
    expect(committed.topics).toEqual([
      {
        name: topic,
        partitions: [
          { partitionIndex: 0, errorCode: ErrorCode.NONE },
          { partitionIndex: 1, errorCode: ErrorCode.NONE },
        ],
      },
    ]);

    // Odd versions (and v1, where null is not allowed) name the partitions, even ones ask for all.
    const named = v.fetch < 2 || v.fetch % 2 === 1;
    const topics = named ? [{ name: topic, partitionIndexes: [0, 1] }] : null;
    const fetched = await connection.send(
      OffsetFetch,
      v.fetch,
      v.fetch < 8
        ? { groupId, topics, requireStable: true }
        : { groups: [{ groupId, memberId: null, memberEpoch: -1, topics }], requireStable: true },
    );
    const epoch = v.fetch >= 5 && v.commit >= 6 ? 0 : -1;
    const expectedTopics = [
      {
        name: topic,
        partitions: [
          {
            partitionIndex: 0,
            committedOffset: offset,
            committedLeaderEpoch: epoch,
            metadata: `round ${round}`,
            errorCode: 0,
          },
          { partitionIndex: 1, committedOffset: 7n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
        ],
      },
    ];
    if (v.fetch < 8) {
      expect(fetched).toMatchObject({ errorCode: ErrorCode.NONE, topics: expectedTopics, groups: [] });
    } else {
      expect(fetched).toMatchObject({
        topics: [],
        groups: [{ groupId, errorCode: ErrorCode.NONE, topics: expectedTopics }],
      });
    }

    // DescribeGroups: the group as it stands, and one that does not exist.
    const missing = `${groupId}-missing`;
    const described = await connection.send(DescribeGroups, v.describe, {
      groups: [groupId, missing],
      includeAuthorizedOperations: true,
    });
    expect(described.groups.map((g) => g.groupId).sort()).toEqual([groupId, missing].sort());
    const mine = described.groups.find((g) => g.groupId === groupId)!;
    const other = described.groups.find((g) => g.groupId === missing)!;
    expect(mine).toMatchObject({
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      groupId,
      groupState: 'Stable',
      protocolType: 'consumer',
      protocolData: 'range',
      members: [
        {
          memberId,
          groupInstanceId: null,
          clientId: CLIENT_ID,
          memberMetadata: subscription,
          memberAssignment: assignment,
        },
      ],
    });
    expect(mine.members[0]!.clientHost).toMatch(/127\.0\.0\.1/);
    const operations = mine.authorizedOperations;
    if (v.describe < 3) expect(operations).toBe(UNKNOWN_OPERATIONS);
    else expect(operations).not.toBe(UNKNOWN_OPERATIONS);
    if (v.describe >= 6) {
      expect(other).toMatchObject({ errorCode: ErrorCode.GROUP_ID_NOT_FOUND, members: [] });
      expect(other.errorMessage).toEqual(expect.any(String));
    } else {
      expect(other).toMatchObject({
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        groupState: 'Dead',
        members: [],
      });
    }

    const listed = await connection.send(ListGroups, v.list, {
      statesFilter: ['Stable'],
      typesFilter: ['classic'],
    });
    expect(listed.errorCode).toBe(ErrorCode.NONE);
    expect(listed.groups.find((g) => g.groupId === groupId)).toEqual({
      groupId,
      protocolType: 'consumer',
      groupState: v.list >= 4 ? 'Stable' : '',
      groupType: v.list >= 5 ? 'classic' : '',
    });
    if (v.list >= 4) expect(listed.groups.every((g) => g.groupState === 'Stable')).toBe(true);

    const left = await connection.send(
      LeaveGroup,
      v.leave,
      v.leave < 3
        ? { groupId, memberId }
        : { groupId, members: [{ memberId, groupInstanceId: null, reason: 'done' }] },
    );
    expect(left).toMatchObject({
      errorCode: ErrorCode.NONE,
      members: v.leave < 3 ? [] : [{ memberId, groupInstanceId: null, errorCode: ErrorCode.NONE }],
    });

    // DeleteGroups: the group is empty now (its offsets go with it).
    let deleted = await connection.send(DeleteGroups, v.delete, { groupsNames: [groupId] });
    for (let i = 0; i < 20 && deleted.results[0]?.errorCode === ErrorCode.NON_EMPTY_GROUP; i++) {
      await new Promise((r) => setTimeout(r, 100));
      deleted = await connection.send(DeleteGroups, v.delete, { groupsNames: [groupId] });
    }
    expect(deleted.results).toEqual([{ groupId, errorCode: ErrorCode.NONE }]);
  });

  it('describes the configs of a topic and of the broker, at every version', async () => {
    for (const version of versions(DescribeConfigs)) {
      const response = await connection.send(DescribeConfigs, version, {
        resources: [
          { resourceType: RESOURCE_TOPIC, resourceName: topic, configurationKeys: null },
          {
            resourceType: RESOURCE_BROKER,
            resourceName: String(nodeId),
            configurationKeys: ['num.partitions', 'log.dirs'],
          },
        ],
        includeSynonyms: true,
        includeDocumentation: true,
      });
      const [topicResult, brokerResult] = response.results;
      expect(topicResult).toMatchObject({
        errorCode: 0,
        errorMessage: '',
        resourceType: RESOURCE_TOPIC,
        resourceName: topic,
      });
      const retention = topicResult!.configs.find((c) => c.name === 'retention.ms');
      expect(retention).toMatchObject({
        value: '3600000',
        readOnly: false,
        isDefault: false,
        configSource: 1, // a topic config
        isSensitive: false,
        configType: version >= 3 ? 5 : 0, // long
      });
      // The synonyms: the topic's own setting first, then what it would fall back to.
      expect(retention!.synonyms[0]).toEqual({ name: 'retention.ms', value: '3600000', source: 1 });
      expect(retention!.documentation).toEqual(version >= 3 ? expect.stringMatching(/\w/) : '');
      expect(topicResult!.configs.find((c) => c.name === 'cleanup.policy')).toMatchObject({
        value: 'delete',
        configSource: 5,
      });
      expect(topicResult!.configs.length).toBeGreaterThan(20);

      expect(brokerResult).toMatchObject({
        errorCode: 0,
        resourceType: RESOURCE_BROKER,
        resourceName: String(nodeId),
      });
      expect(brokerResult!.configs.map((c) => c.name).sort()).toEqual(['log.dirs', 'num.partitions']);
      expect(brokerResult!.configs.find((c) => c.name === 'log.dirs')).toMatchObject({
        configSource: 4,
        readOnly: true,
      });
    }
  });

  it('validates config changes with AlterConfigs and IncrementalAlterConfigs, at every version', async () => {
    const missingTopic = `${topic}-missing`;
    for (const version of versions(AlterConfigs)) {
      const response = await connection.send(AlterConfigs, version, {
        resources: [
          {
            resourceType: RESOURCE_TOPIC,
            resourceName: topic,
            configs: [{ name: 'retention.ms', value: '7200000' }],
          },
          {
            resourceType: RESOURCE_TOPIC,
            resourceName: missingTopic,
            configs: [{ name: 'retention.ms', value: '1' }],
          },
        ],
        validateOnly: true,
      });
      expect(response.responses).toHaveLength(2);
      const mine = response.responses.find((r) => r.resourceName === topic);
      const other = response.responses.find((r) => r.resourceName === missingTopic);
      expect(mine).toEqual({
        errorCode: 0,
        errorMessage: null,
        resourceType: RESOURCE_TOPIC,
        resourceName: topic,
      });
      expect(other).toMatchObject({
        errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        resourceType: RESOURCE_TOPIC,
      });
      expect(other!.errorMessage).toEqual(expect.any(String));
    }
    for (const version of versions(IncrementalAlterConfigs)) {
      const response = await connection.send(IncrementalAlterConfigs, version, {
        resources: [
          {
            resourceType: RESOURCE_TOPIC,
            resourceName: topic,
            configs: [
              { name: 'retention.ms', configOperation: 0, value: '7200000' },
              { name: 'cleanup.policy', configOperation: 2, value: 'compact' },
            ],
          },
          {
            resourceType: RESOURCE_TOPIC,
            resourceName: missingTopic,
            configs: [{ name: 'retention.ms', configOperation: 1, value: null }],
          },
        ],
        validateOnly: true,
      });
      const mine = response.responses.find((r) => r.resourceName === topic);
      const other = response.responses.find((r) => r.resourceName === missingTopic);
      expect(mine).toEqual({
        errorCode: 0,
        errorMessage: null,
        resourceType: RESOURCE_TOPIC,
        resourceName: topic,
      });
      expect(other).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
    }
    // validateOnly changed nothing.
    const after = await connection.send(DescribeConfigs, versionFor(DescribeConfigs, 4), {
      resources: [
        {
          resourceType: RESOURCE_TOPIC,
          resourceName: topic,
          configurationKeys: ['retention.ms', 'cleanup.policy'],
        },
      ],
    });
    expect(after.results[0]!.configs.map((c) => [c.name, c.value]).sort()).toEqual([
      ['cleanup.policy', 'delete'],
      ['retention.ms', '3600000'],
    ]);
  });

  it('answers SaslHandshake and SaslAuthenticate on a listener without SASL, at every version', async () => {
    const refusals = [ErrorCode.UNSUPPORTED_SASL_MECHANISM, ErrorCode.ILLEGAL_SASL_STATE];
    for (const version of versions(SaslHandshake)) {
      const fresh = await Connection.open(broker.bootstrap);
      try {
        const response = await fresh.send(SaslHandshake, version, { mechanism: 'PLAIN' });
        expect(refusals).toContain(response.errorCode);
        expect(Array.isArray(response.mechanisms)).toBe(true);
      } finally {
        fresh.close();
      }
    }
    for (const version of versions(SaslAuthenticate)) {
      const fresh = await Connection.open(broker.bootstrap);
      try {
        const response = await fresh.send(SaslAuthenticate, version, {
          authBytes: Buffer.from('\0user\0secret'),
        });
        expect(refusals).toContain(response.errorCode);
        expect(response.authBytes).toBeInstanceOf(Buffer);
        expect(response.sessionLifetimeMs).toBe(0n);
        expect(response.errorMessage).toEqual(expect.any(String));
      } finally {
        fresh.close();
      }
    }
  });

  it('round-tripped every version the broker serves of each API', () => {
    const expected = ALL_APIS.flatMap((api) => versions(api).map((v) => `${api.name} v${v}`));
    expect(expected.length).toBeGreaterThan(60);
    expect(expected.filter((name) => !roundTripped.has(name))).toEqual([]);
  });
});
