import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { describeWithApacheKafka } from '@trunkline/testing';
import { ErrorCode } from '../errors';
import { decodeResponse, encodeRequest, encodeResponse } from '../frames';
import { BatchLayout, validateRecordBatches } from '../records/record-batch';
import { buildRecordBatch } from '../records/records';
import { field } from '../schema/fields';
import { type ApiSpec, defineApi, type RequestOf, type ResponseOf } from '../schema/message';
import { inVersions, parseVersions } from '../schema/versions';
import { ApiVersions } from './api-versions';
import { CreatePartitions } from './create-partitions';
import { CreateTopics } from './create-topics';
import { DeleteRecords } from './delete-records';
import { DeleteTopics } from './delete-topics';
import { Fetch } from './fetch';
import { InitProducerId } from './init-producer-id';
import { ListOffsets } from './list-offsets';
import { Metadata } from './metadata';
import { OffsetForLeaderEpoch } from './offset-for-leader-epoch';
import { Produce } from './produce';

/** A request body in which any field may be left out (it is then sent at its default). */
type DeepPartial<T> = T extends Buffer | bigint
  ? T
  : T extends (infer U)[]
    ? DeepPartial<U>[]
    : T extends object
      ? { [K in keyof T]?: DeepPartial<T[K]> }
      : T;

class ConnectionClosed extends Error {}

/** One connection to the broker: size-prefixed frames out, responses matched by correlation id. */
class Connection {
  private received = Buffer.alloc(0);
  private readonly pending = new Map<number, { resolve: (f: Buffer) => void; reject: (e: Error) => void }>();
  private nextCorrelationId = 1;
  private closed = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (data) => this.onData(data));
    socket.on('close', () => this.fail(new ConnectionClosed('the broker closed the connection')));
    socket.on('error', (error) => this.fail(error));
  }

  static open(bootstrap: string): Promise<Connection> {
    const [host, port] = bootstrap.split(',')[0]!.split(':') as [string, string];
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), host, () => {
        socket.off('error', reject);
        resolve(new Connection(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Sends one request; resolves with the response frame (after the size), header included. */
  send(api: ApiSpec, apiVersion: number, body: object): Promise<{ correlationId: number; frame: Buffer }> {
    if (this.closed) return Promise.reject(new ConnectionClosed('connection already closed'));
    const correlationId = this.nextCorrelationId++;
    const frames = encodeRequest(
      api,
      { apiKey: api.apiKey, apiVersion, correlationId, clientId: 'data-apis' },
      body,
    );
    return new Promise((resolve, reject) => {
      this.pending.set(correlationId, { resolve: (frame) => resolve({ correlationId, frame }), reject });
      this.socket.write(Buffer.concat(frames));
    });
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private onData(data: Buffer): void {
    this.received = Buffer.concat([this.received, data]);
    while (this.received.length >= 4) {
      const size = this.received.readInt32BE(0);
      if (this.received.length < 4 + size) return;
      const frame = this.received.subarray(4, 4 + size);
      this.received = this.received.subarray(4 + size);
      const correlationId = frame.readInt32BE(0);
      const waiter = this.pending.get(correlationId);
      this.pending.delete(correlationId);
      waiter?.resolve(frame);
    }
  }

  private fail(error: Error): void {
    this.closed = true;
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}

const ZERO_UUID = Buffer.alloc(16);

/** Just enough of FindCoordinator (key 10) v1 to find a transaction coordinator. */
const FindCoordinator = defineApi({
  apiKey: 10,
  name: 'FindCoordinator',
  validVersions: '1',
  flexibleVersions: 'none',
  request: [field.string('key', '1'), field.int8('keyType', '1')],
  response: [
    field.int32('throttleTimeMs', '1'),
    field.int16('errorCode', '1'),
    field.nullableString('errorMessage', '1', '1'),
    field.int32('nodeId', '1'),
    field.string('host', '1'),
    field.int32('port', '1'),
  ],
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Versions of `api` that both this description and the broker (per ApiVersions) support. */
function versionsOf(api: ApiSpec, advertised: Map<number, { min: number; max: number }>): number[] {
  const ours = parseVersions(api.validVersions);
  const theirs = advertised.get(api.apiKey);
  if (theirs === undefined) return [];
  const versions: number[] = [];
  for (let v = Math.max(ours.min, theirs.min); v <= Math.min(ours.max, theirs.max); v++) versions.push(v);
  return versions;
}

// Jest collects tests before any broker is asked, so the versions tested are the ones Apache
// Kafka 4.1 serves; a broker advertising fewer fails the test of the versions it lacks. Older
// versions (Kafka 4.x closes the connection on them) are checked against the bytes Kafka's own
// serializers produce, in data-apis.test.ts.
const SERVED: Record<string, [number, number]> = {
  Produce: [3, 13], // 4.x advertises 0 (KAFKA-18659) but refuses v0-2.
  Fetch: [4, 18],
  ListOffsets: [1, 10],
  OffsetForLeaderEpoch: [2, 4],
  DeleteRecords: [0, 2],
  InitProducerId: [0, 5],
  CreateTopics: [2, 7],
  DeleteTopics: [1, 6],
  CreatePartitions: [0, 3],
};
const served = (name: keyof typeof SERVED): number[] => {
  const [min, max] = SERVED[name]!;
  return Array.from({ length: max - min + 1 }, (_, i) => min + i);
};

describeWithApacheKafka('data and topic APIs against a live broker', (broker) => {
  let connection: Connection;
  let advertised: Map<number, { min: number; max: number }>;
  const prefix = `data-apis-${randomUUID().slice(0, 8)}`;
  const topic = `${prefix}-main`;
  const partitionsTopic = `${prefix}-parts`;
  let topicId: Buffer;
  let leaderEpoch: number;
  let nodeId: number;
  /** Topic ids CreateTopics returned (v7+), for DeleteTopics by id. */
  const createdTopicIds = new Map<string, Buffer>();

  /**
   * Sends a request, decodes the response (no byte may be left over), checks that re-encoding
   * the decoded value gives back exactly the bytes the broker sent, and returns the value.
   */
  async function exchange<A extends ApiSpec>(
    api: A,
    version: number,
    body: DeepPartial<RequestOf<A>>,
  ): Promise<ResponseOf<A>> {
    const { correlationId, frame } = await connection.send(api, version, body as object);
    const decoded = decodeResponse(api, version, frame);
    expect(decoded.correlationId).toBe(correlationId);
    const again = Buffer.concat(encodeResponse(api, version, correlationId, decoded.body)).subarray(4);
    expect(again.toString('hex')).toBe(frame.toString('hex'));
    return decoded.body as ResponseOf<A>;
  }

  /** Retries while the broker answers with one of `retriable` (a topic still being set up). */
  async function until<T>(attempt: () => Promise<T>, done: (t: T) => boolean): Promise<T> {
    for (let i = 0; ; i++) {
      const result = await attempt();
      if (done(result) || i === 50) return result;
      await sleep(200);
    }
  }

  async function createTopic(name: string, numPartitions: number) {
    const response = await exchange(CreateTopics, 7, {
      topics: [{ name, numPartitions, replicationFactor: 1 }],
      timeoutMs: 30_000,
    });
    expect(response.topics[0]).toMatchObject({ name, errorCode: ErrorCode.NONE });
    return response.topics[0]!;
  }

  async function waitForLeader(name: string, partitions = 1) {
    const metadata = await until(
      () => exchange(Metadata, 12, { topics: [{ name }], allowAutoTopicCreation: false }),
      (m) =>
        m.topics[0]?.errorCode === ErrorCode.NONE &&
        m.topics[0].partitions.length === partitions &&
        m.topics[0].partitions.every((p) => p.errorCode === ErrorCode.NONE && p.leaderId >= 0),
    );
    expect(metadata.topics[0]!.errorCode).toBe(ErrorCode.NONE);
    return metadata;
  }

  beforeAll(async () => {
    connection = await Connection.open(broker.bootstrap);
    const versions = await exchange(ApiVersions, 3, {
      clientSoftwareName: 'trunkline-tests',
      clientSoftwareVersion: '0',
    });
    advertised = new Map(versions.apiKeys.map((k) => [k.apiKey, { min: k.minVersion, max: k.maxVersion }]));
    const created = await createTopic(topic, 1);
    topicId = created.topicId;
    expect(topicId.equals(ZERO_UUID)).toBe(false);
    const metadata = await waitForLeader(topic);
    leaderEpoch = metadata.topics[0]!.partitions[0]!.leaderEpoch;
    nodeId = metadata.topics[0]!.partitions[0]!.leaderId;
    await createTopic(partitionsTopic, 1);
    await waitForLeader(partitionsTopic);
  });

  afterAll(async () => {
    if (connection === undefined) return;
    try {
      await exchange(DeleteTopics, 6, {
        topics: [{ name: topic }, { name: partitionsTopic }],
        timeoutMs: 30_000,
      });
    } finally {
      connection.close();
    }
  });

  it('advertises at least the versions tested here', () => {
    const apis = {
      Produce,
      Fetch,
      ListOffsets,
      OffsetForLeaderEpoch,
      DeleteRecords,
      InitProducerId,
      CreateTopics,
      DeleteTopics,
      CreatePartitions,
    };
    for (const [name, api] of Object.entries(apis)) {
      const tested = served(name as keyof typeof SERVED);
      for (const v of tested) expect(versionsOf(api, advertised)).toContain(v);
      // Every version the broker serves is described.
      expect(inVersions(advertised.get(api.apiKey)!.max, api.validVersions)).toBe(true);
    }
  });

  describe('CreateTopics', () => {
    it.each(served('CreateTopics'))(
      'v%i creates a topic with configs, and reports a duplicate',
      async (v) => {
        const name = `${prefix}-ct${v}`;
        const response = await exchange(CreateTopics, v, {
          topics: [
            {
              name,
              numPartitions: 2,
              replicationFactor: 1,
              configs: [
                { name: 'retention.ms', value: '3600000' },
                { name: 'cleanup.policy', value: 'delete' },
              ],
            },
          ],
          timeoutMs: 30_000,
          validateOnly: false,
        });
        expect(response.throttleTimeMs).toBe(0);
        const result = response.topics[0]!;
        expect(result).toMatchObject({ name, errorCode: ErrorCode.NONE, errorMessage: null });
        if (v >= 5) {
          expect(result).toMatchObject({ numPartitions: 2, replicationFactor: 1, topicConfigErrorCode: 0 });
          expect(result.configs).toEqual(
            expect.arrayContaining([expect.objectContaining({ name: 'retention.ms', value: '3600000' })]),
          );
        } else {
          expect(result).toMatchObject({ numPartitions: -1, replicationFactor: -1, configs: [] });
        }
        expect(result.topicId.equals(ZERO_UUID)).toBe(v < 7);
        if (v >= 7) createdTopicIds.set(name, result.topicId);

        const again = await exchange(CreateTopics, v, {
          topics: [{ name, numPartitions: 1, replicationFactor: 1 }],
          timeoutMs: 30_000,
          validateOnly: true,
        });
        expect(again.topics[0]!.errorCode).toBe(ErrorCode.TOPIC_ALREADY_EXISTS);
        expect(again.topics[0]!.errorMessage).toEqual(expect.stringContaining(name));
      },
    );

    it.each(served('CreateTopics').filter((v) => v >= 4))(
      'v%i takes -1 partitions and replication factor for the broker defaults (validate only)',
      async (v) => {
        const response = await exchange(CreateTopics, v, {
          topics: [{ name: `${prefix}-defaults${v}`, numPartitions: -1, replicationFactor: -1 }],
          timeoutMs: 30_000,
          validateOnly: true,
        });
        expect(response.topics[0]!.errorCode).toBe(ErrorCode.NONE);
        if (v >= 5) expect(response.topics[0]!.numPartitions).toBeGreaterThan(0);
      },
    );
  });

  /** The batches produced to `topic`, in order, and the offset of the next record. */
  const produced: { baseOffset: bigint; batch: Buffer }[] = [];
  let logEndOffset = 0n;

  describe('Produce', () => {
    it.each(served('Produce'))('v%i appends a record batch at the next offset', async (v) => {
      const batch = buildRecordBatch([
        { key: Buffer.from(`k${v}`), value: Buffer.from(`produced at v${v}`) },
        { key: null, value: Buffer.from('second'), headers: [{ key: 'h', value: Buffer.from('x') }] },
      ]);
      const response = await exchange(Produce, v, {
        transactionalId: null,
        acks: -1,
        timeoutMs: 30_000,
        topicData: [
          {
            ...(v >= 13 ? { topicId } : { name: topic }),
            partitionData: [{ index: 0, records: batch }],
          },
        ],
      });
      expect(response.throttleTimeMs).toBe(0);
      expect(response.nodeEndpoints).toEqual([]);
      const topicResponse = response.responses[0]!;
      if (v >= 13) expect(topicResponse.topicId.equals(topicId)).toBe(true);
      else expect(topicResponse.name).toBe(topic);
      expect(topicResponse.partitionResponses).toEqual([
        {
          index: 0,
          errorCode: ErrorCode.NONE,
          baseOffset: logEndOffset,
          logAppendTimeMs: -1n,
          logStartOffset: v >= 5 ? 0n : -1n,
          recordErrors: [],
          errorMessage: null,
          currentLeader: { leaderId: -1, leaderEpoch: -1 },
        },
      ]);
      produced.push({ baseOffset: logEndOffset, batch });
      logEndOffset += 2n;
    });

    it('reports a partition that does not exist', async () => {
      const response = await exchange(Produce, 13, {
        acks: 1,
        timeoutMs: 30_000,
        topicData: [
          {
            topicId,
            partitionData: [{ index: 7, records: buildRecordBatch([{ value: Buffer.from('x') }]) }],
          },
        ],
      });
      expect(response.responses[0]!.partitionResponses[0]).toMatchObject({
        index: 7,
        errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        baseOffset: -1n,
      });
    });
  });

  describe('Fetch', () => {
    it.each(served('Fetch'))('v%i returns every batch produced, as produced', async (v) => {
      expect(produced.length).toBeGreaterThan(0);
      const response = await exchange(Fetch, v, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 1 << 20,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [
          {
            ...(v >= 13 ? { topicId } : { topic }),
            partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }],
          },
        ],
        forgottenTopicsData: [],
        rackId: '',
      });
      expect(response).toMatchObject({ throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0 });
      const topicResponse = response.responses[0]!;
      if (v >= 13) expect(topicResponse.topicId.equals(topicId)).toBe(true);
      else expect(topicResponse.topic).toBe(topic);
      const partition = topicResponse.partitions[0]!;
      expect(partition).toMatchObject({
        partitionIndex: 0,
        errorCode: ErrorCode.NONE,
        highWatermark: logEndOffset,
        lastStableOffset: logEndOffset,
        logStartOffset: v >= 5 ? 0n : -1n,
        abortedTransactions: null,
        preferredReadReplica: -1,
        divergingEpoch: { epoch: -1, endOffset: -1n },
        currentLeader: { leaderId: -1, leaderEpoch: -1 },
        snapshotId: { endOffset: -1n, epoch: -1 },
      });
      const batches = validateRecordBatches(partition.records!);
      expect(batches.map((b) => b.baseOffset)).toEqual(produced.map((p) => p.baseOffset));
      batches.forEach((b, i) => {
        const sent = produced[i]!.batch;
        // The broker assigns baseOffset and partitionLeaderEpoch; everything from magic on is ours.
        expect(b.bytes.subarray(BatchLayout.magic).equals(sent.subarray(BatchLayout.magic))).toBe(true);
        expect(b.bytes.readInt32BE(BatchLayout.partitionLeaderEpoch)).toBe(leaderEpoch);
      });
    });

    it.each(served('Fetch').filter((v) => v >= 7))(
      'v%i opens a fetch session, and reads committed records with an aborted-transaction list',
      async (v) => {
        const response = await exchange(Fetch, v, {
          maxWaitMs: 0,
          minBytes: 0,
          maxBytes: 1 << 20,
          isolationLevel: 1,
          sessionId: 0,
          sessionEpoch: 0,
          topics: [
            {
              ...(v >= 13 ? { topicId } : { topic }),
              partitions: [{ partition: 0, fetchOffset: logEndOffset - 2n, partitionMaxBytes: 1 << 20 }],
            },
          ],
        });
        expect(response.errorCode).toBe(ErrorCode.NONE);
        expect(response.sessionId).not.toBe(0);
        const partition = response.responses[0]!.partitions[0]!;
        expect(partition.errorCode).toBe(ErrorCode.NONE);
        expect(partition.abortedTransactions).toEqual([]);
        expect(validateRecordBatches(partition.records!).map((b) => b.baseOffset)).toEqual([
          logEndOffset - 2n,
        ]);
      },
    );

    it('reports an offset out of range', async () => {
      const response = await exchange(Fetch, 18, {
        maxWaitMs: 0,
        minBytes: 0,
        topics: [
          { topicId, partitions: [{ partition: 0, fetchOffset: 1_000_000n, partitionMaxBytes: 1024 }] },
        ],
      });
      expect(response.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    });
  });

  describe('ListOffsets', () => {
    it.each(served('ListOffsets'))('v%i lists the latest and earliest offsets', async (v) => {
      const list = (timestamp: bigint) =>
        exchange(ListOffsets, v, {
          replicaId: -1,
          isolationLevel: 0,
          topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp }] }],
          timeoutMs: 10_000,
        });
      const latest = await list(-1n);
      expect(latest.throttleTimeMs).toBe(0);
      expect(latest.topics).toEqual([
        {
          name: topic,
          partitions: [
            {
              partitionIndex: 0,
              errorCode: ErrorCode.NONE,
              oldStyleOffsets: [],
              timestamp: -1n,
              offset: logEndOffset,
              leaderEpoch: v >= 4 ? leaderEpoch : -1,
            },
          ],
        },
      ]);
      const earliest = await list(-2n);
      expect(earliest.topics[0]!.partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, offset: 0n });
    });

    it.each(served('ListOffsets').filter((v) => v >= 7))(
      'v%i finds the record with the max timestamp',
      async (v) => {
        const response = await exchange(ListOffsets, v, {
          replicaId: -1,
          topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -3n }] }],
          timeoutMs: 10_000,
        });
        const partition = response.topics[0]!.partitions[0]!;
        expect(partition.errorCode).toBe(ErrorCode.NONE);
        expect(partition.timestamp).toBeGreaterThan(0n);
        expect(partition.offset).toBeGreaterThanOrEqual(0n);
        expect(partition.offset).toBeLessThan(logEndOffset);
      },
    );
  });

  describe('OffsetForLeaderEpoch', () => {
    it.each(served('OffsetForLeaderEpoch'))('v%i gives the end offset of the current epoch', async (v) => {
      const response = await exchange(OffsetForLeaderEpoch, v, {
        replicaId: -1,
        topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: leaderEpoch, leaderEpoch }] }],
      });
      expect(response).toEqual({
        throttleTimeMs: 0,
        topics: [
          {
            topic,
            partitions: [{ errorCode: ErrorCode.NONE, partition: 0, leaderEpoch, endOffset: logEndOffset }],
          },
        ],
      });
    });

    it('fences a stale current leader epoch', async () => {
      if (leaderEpoch === 0) return; // no older epoch to claim
      const response = await exchange(OffsetForLeaderEpoch, 4, {
        topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: leaderEpoch - 1, leaderEpoch }] }],
      });
      expect(response.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.FENCED_LEADER_EPOCH);
    });

    it('reports an epoch newer than the leader knows', async () => {
      const response = await exchange(OffsetForLeaderEpoch, 4, {
        topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: leaderEpoch + 5, leaderEpoch }] }],
      });
      expect(response.topics[0]!.partitions[0]).toMatchObject({
        errorCode: ErrorCode.UNKNOWN_LEADER_EPOCH,
        leaderEpoch: -1,
        endOffset: -1n,
      });
    });
  });

  describe('DeleteRecords', () => {
    it.each(served('DeleteRecords'))('v%i moves the log start offset forward', async (v) => {
      const offset = BigInt(v + 1);
      const response = await exchange(DeleteRecords, v, {
        topics: [{ name: topic, partitions: [{ partitionIndex: 0, offset }] }],
        timeoutMs: 30_000,
      });
      expect(response).toEqual({
        throttleTimeMs: 0,
        topics: [{ name: topic, partitions: [{ partitionIndex: 0, lowWatermark: offset, errorCode: 0 }] }],
      });
      const earliest = await exchange(ListOffsets, 10, {
        replicaId: -1,
        topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -2n }] }],
      });
      expect(earliest.topics[0]!.partitions[0]!.offset).toBe(offset);
    });

    it('refuses an offset beyond the high watermark', async () => {
      const response = await exchange(DeleteRecords, 2, {
        topics: [{ name: topic, partitions: [{ partitionIndex: 0, offset: logEndOffset + 100n }] }],
        timeoutMs: 30_000,
      });
      expect(response.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    });
  });

  describe('InitProducerId', () => {
    // The first ids are handed out once the broker has a block of them from the controller.
    const retriable: number[] = [
      ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
      ErrorCode.NOT_COORDINATOR,
      ErrorCode.COORDINATOR_NOT_AVAILABLE,
      ErrorCode.CONCURRENT_TRANSACTIONS,
    ];

    it.each(served('InitProducerId'))('v%i gives an idempotent producer an id', async (v) => {
      const response = await until(
        () =>
          exchange(InitProducerId, v, {
            transactionalId: null,
            transactionTimeoutMs: 60_000,
            producerId: -1n,
            producerEpoch: -1,
          }),
        (r) => !retriable.includes(r.errorCode),
      );
      expect(response).toMatchObject({ throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerEpoch: 0 });
      expect(response.producerId).toBeGreaterThanOrEqual(0n);
    });

    it.each(served('InitProducerId').filter((v) => v >= 3))(
      'v%i gives a transactional producer an id, then bumps its epoch',
      async (v) => {
        const transactionalId = `${prefix}-txn${v}`;
        // Looking the coordinator up is what makes the broker create __transaction_state.
        const coordinator = await until(
          () => exchange(FindCoordinator, 1, { key: transactionalId, keyType: 1 }),
          (r) => r.errorCode === ErrorCode.NONE,
        );
        expect(coordinator.nodeId).toBe(nodeId);
        const init = (producerId: bigint, producerEpoch: number) =>
          until(
            () =>
              exchange(InitProducerId, v, {
                transactionalId,
                transactionTimeoutMs: 60_000,
                producerId,
                producerEpoch,
              }),
            (r) => !retriable.includes(r.errorCode),
          );
        const first = await init(-1n, -1);
        expect(first.errorCode).toBe(ErrorCode.NONE);
        const second = await init(first.producerId, first.producerEpoch);
        expect(second).toMatchObject({ errorCode: ErrorCode.NONE, producerId: first.producerId });
        expect(second.producerEpoch).toBe(first.producerEpoch + 1);
      },
      20_000,
    );
  });

  describe('CreatePartitions', () => {
    let count = 1;
    it.each(served('CreatePartitions'))('v%i adds a partition', async (v) => {
      count++;
      const response = await exchange(CreatePartitions, v, {
        topics: [
          {
            name: partitionsTopic,
            count,
            // Alternately placed by the broker and placed by hand.
            assignments: v % 2 === 0 ? null : [{ brokerIds: [nodeId] }],
          },
        ],
        timeoutMs: 30_000,
        validateOnly: false,
      });
      expect(response).toEqual({
        throttleTimeMs: 0,
        results: [{ name: partitionsTopic, errorCode: ErrorCode.NONE, errorMessage: null }],
      });
      const metadata = await waitForLeader(partitionsTopic, count);
      expect(metadata.topics[0]!.partitions).toHaveLength(count);
    });

    it.each(served('CreatePartitions'))('v%i refuses to shrink a topic, with a message', async (v) => {
      const response = await exchange(CreatePartitions, v, {
        topics: [{ name: partitionsTopic, count: 1, assignments: null }],
        timeoutMs: 30_000,
        validateOnly: true,
      });
      expect(response.results[0]!.errorCode).toBe(ErrorCode.INVALID_PARTITIONS);
      expect(response.results[0]!.errorMessage).toEqual(expect.any(String));
    });
  });

  describe('DeleteTopics', () => {
    it.each(served('DeleteTopics'))('v%i deletes a topic', async (v) => {
      // v1-v5 delete by name the topics CreateTopics v2-v6 made; v6 deletes by id the one v7 made.
      const name = `${prefix}-ct${v + 1}`;
      const id = createdTopicIds.get(name);
      const response = await exchange(DeleteTopics, v, {
        topics: v >= 6 ? [{ name: null, topicId: id! }] : [],
        topicNames: v < 6 ? [name] : [],
        timeoutMs: 30_000,
      });
      expect(response.throttleTimeMs).toBe(0);
      expect(response.responses).toEqual([
        {
          name,
          topicId: v >= 6 ? id : ZERO_UUID,
          errorCode: ErrorCode.NONE,
          errorMessage: null,
        },
      ]);
    });

    it.each(served('DeleteTopics'))('v%i reports a topic that does not exist', async (v) => {
      const name = `${prefix}-absent`;
      const response = await exchange(DeleteTopics, v, {
        topics: [{ name }],
        topicNames: [name],
        timeoutMs: 30_000,
      });
      expect(response.responses[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      if (v >= 5) expect(response.responses[0]!.errorMessage).toEqual(expect.any(String));
    });
  });
});
