// An idempotent producer's retry is answered with the original offset and written once;
// a gap in sequence numbers is refused. Same expectations on both brokers.
import { buildRecordBatch, ErrorCode, InitProducerId, Produce } from '@trunkline/kafka-protocol';
import { describeEachBroker, RawKafkaConnection } from '@trunkline/testing';
import { Kafka, logLevel } from 'kafkajs';

interface ProduceResult {
  errorCode: number;
  baseOffset: bigint;
}

describeEachBroker('an idempotent producer', (broker) => {
  const topic = `idempotent-${Date.now().toString(36)}`;
  let connection: RawKafkaConnection;
  let producerId: bigint;
  let producerEpoch: number;

  beforeAll(async () => {
    const admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1 }] });
    await admin.disconnect();
    connection = await RawKafkaConnection.open(broker.bootstrap);
    const init = (await connection.request(InitProducerId, 4, {
      transactionalId: null,
      transactionTimeoutMs: 60_000,
      producerId: -1n,
      producerEpoch: -1,
    })) as { errorCode: number; producerId: bigint; producerEpoch: number };
    expect(init.errorCode).toBe(ErrorCode.NONE);
    producerId = init.producerId;
    producerEpoch = init.producerEpoch;
  });

  afterAll(() => connection.close());

  async function send(baseSequence: number, values: string[]): Promise<ProduceResult> {
    const batch = buildRecordBatch(
      values.map((v) => ({ value: Buffer.from(v) })),
      { producerId, producerEpoch, baseSequence },
    );
    const response = (await connection.request(Produce, 8, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 10_000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }],
    })) as { responses: { partitionResponses: ProduceResult[] }[] };
    return response.responses[0]!.partitionResponses[0]!;
  }

  async function highWatermark(): Promise<string> {
    const admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const [partition] = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    return partition!.high;
  }

  it('answers a retried batch with its original offset and stores it once', async () => {
    expect(await send(0, ['a', 'b'])).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0n });
    expect(await send(2, ['c'])).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 2n });
    // The retry of the first batch, as a client sends it after a lost response.
    expect(await send(0, ['a', 'b'])).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0n });
    expect(await highWatermark()).toBe('3');
  });

  it('refuses a gap in the sequence', async () => {
    expect((await send(10, ['gap'])).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(await highWatermark()).toBe('3');
    expect(await send(3, ['d'])).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 3n });
  });
});
