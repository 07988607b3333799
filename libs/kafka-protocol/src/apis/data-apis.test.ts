import { ByteReader } from '../codec/byte-reader';
import { ByteWriter } from '../codec/byte-writer';
import { messageCodec } from '../codec/message-codec';
import type { ApiSpec } from '../schema/message';
import { parseVersions } from '../schema/versions';
import { CreatePartitions } from './create-partitions';
import { CreateTopics } from './create-topics';
import golden from './data-apis.golden.json';
import { type SampleVariant, sampleMessage } from './data-apis.samples';
import { DeleteRecords } from './delete-records';
import { DeleteTopics } from './delete-topics';
import { Fetch } from './fetch';
import { InitProducerId } from './init-producer-id';
import { ListOffsets } from './list-offsets';
import { OffsetForLeaderEpoch } from './offset-for-leader-epoch';
import { Produce } from './produce';

const frames: Record<string, string> = golden.frames;

const APIS: [ApiSpec, number, string, string][] = [
  // api, key, versions, flexible versions (as Apache Kafka defines them, from 0)
  [Produce, 0, '0-13', '9+'],
  [Fetch, 1, '0-18', '12+'],
  [ListOffsets, 2, '0-10', '6+'],
  [CreateTopics, 19, '0-7', '5+'],
  [DeleteTopics, 20, '0-6', '4+'],
  [DeleteRecords, 21, '0-2', '2+'],
  [InitProducerId, 22, '0-5', '2+'],
  [OffsetForLeaderEpoch, 23, '0-4', '4+'],
  [CreatePartitions, 37, '0-3', '2+'],
];

function encode(api: ApiSpec, kind: 'request' | 'response', version: number, value: object): string {
  const writer = new ByteWriter();
  messageCodec(api, api[kind], version).write(writer, value as Record<string, unknown>);
  return writer.toBuffer().toString('hex');
}

function decode(api: ApiSpec, kind: 'request' | 'response', version: number, hex: string) {
  const reader = new ByteReader(Buffer.from(hex, 'hex'));
  const value = messageCodec(api, api[kind], version).read(reader);
  expect(reader.remaining).toBe(0);
  return value;
}

describe.each(APIS)('%s', (api, apiKey, validVersions, flexibleVersions) => {
  it('has the key and versions Apache Kafka gives it', () => {
    expect(api).toMatchObject({ apiKey, validVersions, flexibleVersions });
  });

  const { min, max } = parseVersions(api.validVersions);
  const cases: ['request' | 'response', number, SampleVariant][] = [];
  for (let v = min; v <= max; v++)
    for (const kind of ['request', 'response'] as const)
      for (const variant of ['full', 'nulls', 'defaults'] as const) cases.push([kind, v, variant]);

  it.each(cases)(
    '%s v%i encodes as Apache Kafka does, and decodes what it encodes (%s sample)',
    (kind, version, variant) => {
      const hex = frames[`${api.name}/${kind}/v${version}/${variant}`];
      expect(hex).toBeDefined();
      const value = sampleMessage(api, kind, version, variant);
      expect(encode(api, kind, version, value)).toBe(hex);
      const decoded = decode(api, kind, version, hex!);
      expect(decoded).toMatchObject(value);
      expect(encode(api, kind, version, decoded)).toBe(hex);
    },
  );
});

describe('tagged fields', () => {
  it('leaves out a tagged struct at its default, and gives it back as the default', () => {
    const partition = {
      index: 0,
      errorCode: 0,
      baseOffset: 5n,
      currentLeader: { leaderId: -1, leaderEpoch: -1 },
    };
    const withDefault = encode(Produce, 'response', 10, {
      responses: [{ name: 't', partitionResponses: [partition] }],
    });
    const without = encode(Produce, 'response', 10, {
      responses: [{ name: 't', partitionResponses: [{ ...partition, currentLeader: undefined }] }],
    });
    expect(withDefault).toBe(without);
    const decoded = decode(Produce, 'response', 10, withDefault) as {
      responses: { partitionResponses: { currentLeader: unknown }[] }[];
    };
    expect(decoded.responses[0]!.partitionResponses[0]!.currentLeader).toEqual({
      leaderId: -1,
      leaderEpoch: -1,
    });
  });

  it('sends a tagged struct that differs from its default in any field', () => {
    const encoded = encode(Fetch, 'request', 15, { replicaState: { replicaId: 3, replicaEpoch: -1n } });
    const decoded = decode(Fetch, 'request', 15, encoded);
    expect(decoded.replicaState).toEqual({ replicaId: 3, replicaEpoch: -1n });
    expect(decoded.replicaId).toBe(-1); // v0-14 only
  });

  it("leaves out Fetch v18's high watermark while it is Long.MAX_VALUE", () => {
    const partition = { partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 };
    const atDefault = encode(Fetch, 'request', 18, { topics: [{ partitions: [partition] }] });
    const withHighWatermark = encode(Fetch, 'request', 18, {
      topics: [{ partitions: [{ ...partition, highWatermark: 42n }] }],
    });
    expect(withHighWatermark.length).toBeGreaterThan(atDefault.length);
    const decoded = decode(Fetch, 'request', 18, atDefault) as {
      topics: { partitions: { highWatermark: bigint }[] }[];
    };
    expect(decoded.topics[0]!.partitions[0]!.highWatermark).toBe(0x7fffffffffffffffn);
  });
});
