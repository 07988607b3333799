// Bad input gets a clear error or a closed connection, never a crash and never a bad write.
import { randomBytes } from 'node:crypto';
import { ApiVersions, buildRecordBatch, ErrorCode, Metadata, Produce } from '@trunkline/kafka-protocol';
import { RawKafkaConnection, TrunklineTestBroker } from '@trunkline/testing';
import fc from 'fast-check';
import { Kafka, logLevel } from 'kafkajs';

const broker = new TrunklineTestBroker();

beforeAll(() => broker.start(['--max-request-bytes', '65536']), 60_000);
afterAll(() => broker.destroy());

function frame(body: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

async function stillServing(): Promise<void> {
  const connection = await RawKafkaConnection.open(broker.bootstrap);
  const response = await connection.request(ApiVersions, 3, {
    clientSoftwareName: 'test',
    clientSoftwareVersion: '1',
  });
  expect(response.errorCode).toBe(ErrorCode.NONE);
  connection.close();
}

function closedLogLine(reason: RegExp) {
  return broker.process.waitForLog(
    (e) => e.msg === 'closing connection' && reason.test(String(e.reason)),
    5000,
  );
}

describe('the broker under bad input', () => {
  it('answers ApiVersions at an unknown version with UNSUPPORTED_VERSION and the full list (KIP-511)', async () => {
    const connection = await RawKafkaConnection.open(broker.bootstrap);
    const header = Buffer.alloc(10);
    header.writeInt16BE(ApiVersions.apiKey, 0);
    header.writeInt16BE(99, 2);
    header.writeInt32BE(7, 4);
    header.writeInt16BE(-1, 8);
    const reply = connection.nextFrame();
    connection.write(frame(Buffer.concat([header, randomBytes(5)])));
    const bytes = await reply;
    expect(bytes.readInt32BE(0)).toBe(7);
    expect(bytes.readInt16BE(4)).toBe(ErrorCode.UNSUPPORTED_VERSION);
    const apiCount = bytes.readInt32BE(6);
    expect(apiCount).toBeGreaterThan(20);
    connection.close();
  });

  it('closes a connection that sends an unknown API and says why', async () => {
    const connection = await RawKafkaConnection.open(broker.bootstrap);
    const header = Buffer.alloc(10);
    header.writeInt16BE(999, 0);
    header.writeInt16BE(0, 2);
    connection.write(frame(header));
    await connection.closed;
    await closedLogLine(/api key 999/);
    await stillServing();
  });

  it('closes a connection whose frame is larger than --max-request-bytes, before reading it', async () => {
    const connection = await RawKafkaConnection.open(broker.bootstrap);
    const size = Buffer.alloc(4);
    size.writeInt32BE(10 * 1024 * 1024);
    connection.write(size);
    await connection.closed;
    await closedLogLine(/exceeds the limit of 65536/);
    await stillServing();
  });

  it('closes a connection that sends a truncated request body', async () => {
    const connection = await RawKafkaConnection.open(broker.bootstrap);
    const header = Buffer.alloc(10);
    header.writeInt16BE(Metadata.apiKey, 0);
    header.writeInt16BE(4, 2);
    header.writeInt16BE(-1, 8);
    connection.write(frame(Buffer.concat([header, Buffer.from([0, 0, 0, 5])])));
    await connection.closed;
    await closedLogLine(/malformed request/);
    await stillServing();
  });

  it('refuses a batch whose CRC does not match with CORRUPT_MESSAGE, writing nothing', async () => {
    const admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'crc', numPartitions: 1 }] });
    const batch = buildRecordBatch([{ key: Buffer.from('k'), value: Buffer.from('value') }]);
    batch.writeUInt8(batch.readUInt8(batch.length - 1) ^ 0xff, batch.length - 1);
    const connection = await RawKafkaConnection.open(broker.bootstrap);
    const response = (await connection.request(Produce, 8, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 5000,
      topicData: [{ name: 'crc', partitionData: [{ index: 0, records: batch }] }],
    })) as { responses: { partitionResponses: { errorCode: number; errorMessage: string }[] }[] };
    const partition = response.responses[0]!.partitionResponses[0]!;
    expect(partition.errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(partition.errorMessage).toMatch(/CRC32C mismatch/);
    const offsets = await admin.fetchTopicOffsets('crc');
    expect(offsets[0]).toMatchObject({ high: '0', low: '0' });
    await admin.disconnect();
    connection.close();
  });

  it('survives random and mutated frames from many connections', async () => {
    const valid = Buffer.concat([
      Buffer.from([0, 3, 0, 4, 0, 0, 0, 1, 0xff, 0xff]),
      Buffer.from([0xff, 0xff, 0xff, 0xff, 1]),
    ]);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 256 }).map((b) => frame(Buffer.from(b))),
          fc
            .array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), {
              minLength: 1,
              maxLength: 4,
            })
            .map((flips) => {
              const mutated = Buffer.from(valid);
              for (const [at, value] of flips) mutated[at] = value;
              return frame(mutated);
            }),
          fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => Buffer.from(b)),
        ),
        async (bytes) => {
          const connection = await RawKafkaConnection.open(broker.bootstrap);
          connection.write(bytes);
          await Promise.race([connection.closed, new Promise((resolve) => setTimeout(resolve, 30))]);
          connection.close();
        },
      ),
      { numRuns: 300 },
    );
    await stillServing();
    expect(broker.process.output()).not.toMatch(/"level":"(error|fatal)"/);
  }, 60_000);
});
