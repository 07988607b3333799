// The internal offsets topic is compacted like any compacted topic: old commits go, the
// latest of each partition stays and is what a restarted broker loads.
import { BrokerAdminService } from '@trunkline/contracts/broker/v1/broker_admin';
import { OffsetCommit } from '@trunkline/kafka-protocol';
import { createGrpcClient } from '@trunkline/runtime';
import { RawKafkaConnection, TrunklineTestBroker, waitUntil } from '@trunkline/testing';
import { Kafka, logLevel } from 'kafkajs';

const broker = new TrunklineTestBroker();
afterAll(() => broker.destroy(), 30_000);

it('compacts __consumer_offsets and keeps every group at its last commit across a restart', async () => {
  await broker.start(['--log-cleaner-backoff', '100ms']);
  const admin = createGrpcClient(BrokerAdminService, broker.grpcAddress);
  // Small segments, so that commits fill closed segments the cleaner may rewrite.
  await admin.alterTopicConfig({
    name: '__consumer_offsets',
    set: { 'segment.bytes': '2048', 'min.cleanable.dirty.ratio': '0.01' },
  });
  const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  await kafkaAdmin.createTopics({ topics: [{ topic: 'positions', numPartitions: 3 }] });
  // Simple commits (no generation), as an admin tool or a manually assigned consumer makes them.
  const connection = await RawKafkaConnection.open(broker.bootstrap);
  for (let round = 1; round <= 60; round++) {
    const response = (await connection.request(OffsetCommit, 8, {
      groupId: 'reader',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      topics: [
        {
          name: 'positions',
          partitions: [0, 1, 2].map((partition) => ({
            partitionIndex: partition,
            committedOffset: BigInt(round * 10 + partition),
            committedMetadata: null,
          })),
        },
      ],
    })) as { topics: { partitions: { errorCode: number }[] }[] };
    expect(response.topics[0]!.partitions.map((p) => p.errorCode)).toEqual([0, 0, 0]);
  }
  connection.close();
  const offsetsPartition = async () => {
    const described = await admin.describeTopic({ name: '__consumer_offsets' });
    return described.topic!.partitions.reduce((sum, p) => sum + p.sizeBytes, 0n);
  };
  const before = await offsetsPartition();
  await waitUntil(
    'the cleaner to compact __consumer_offsets',
    async () =>
      broker.process.logs().filter((e) => e.msg === 'log cleaned' && e.topic === '__consumer_offsets'),
    (passes) => passes.length > 0,
  );
  await waitUntil('the offsets topic to shrink', offsetsPartition, (bytes) => bytes < before / 2n);
  await kafkaAdmin.disconnect();
  admin.close();

  await broker.stop();
  await broker.start(['--log-cleaner-backoff', '100ms']);
  const restarted = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await restarted.connect();
  const [committed] = await restarted.fetchOffsets({ groupId: 'reader', topics: ['positions'] });
  expect(committed!.partitions.map((p) => [p.partition, p.offset]).sort()).toEqual([
    [0, '600'],
    [1, '601'],
    [2, '602'],
  ]);
  await restarted.disconnect();
}, 120_000);
