// Frames recorded from real clients (kcat, kafkajs, the Java client) talking to Apache Kafka
// (scripts/capture-frames.ts): each must decode with nothing left over and re-encode to the
// very same bytes, named `<api>_<request|response>_v<N>`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiByKey } from './apis/index';
import { ByteReader } from './codec/byte-reader';
import { ByteWriter } from './codec/byte-writer';
import { messageCodec } from './codec/message-codec';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from './frames';
import { inVersions } from './schema/versions';

interface FixtureEntry {
  file: string;
  apiKey: number;
  api: string;
  version: number;
  kind: 'request' | 'response';
  client: string;
}

const dir = join(__dirname, '..', 'fixtures');
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { files: FixtureEntry[] };
const described = manifest.files.filter((f) => {
  const api = apiByKey(f.apiKey);
  return api !== undefined && inVersions(f.version, api.validVersions);
});
const notDescribed = manifest.files.filter((f) => !described.includes(f));

describe('frames captured from real clients and Apache Kafka', () => {
  it('leave out only APIs and versions no description covers yet, each named here', () => {
    expect(described.length).toBeGreaterThan(80);
    const missing = [...new Set(notDescribed.map((f) => `${f.api} v${f.version}`))].sort();
    expect(missing).toEqual([
      'ConsumerGroupDescribe v1',
      'ConsumerGroupHeartbeat v1',
      'DescribeCluster v2',
      'DescribeTopicPartitions v0',
      'ListPartitionReassignments v0',
      'Metadata v13',
      'OffsetDelete v0',
    ]);
  });

  it.each(described.map((f) => [f.file.replace(/\.bin$/, ''), f] as const))(
    '%s round-trips byte for byte',
    (_, fixture) => {
      const api = apiByKey(fixture.apiKey)!;
      const bytes = readFileSync(join(dir, fixture.file));
      if (fixture.kind === 'request') {
        const decoded = decodeRequest(bytes, apiByKey);
        expect(decoded.kind).toBe('decoded');
        if (decoded.kind !== 'decoded') return;
        const again = Buffer.concat(encodeRequest(api, decoded.header, decoded.body)).subarray(4);
        expect(again.toString('hex')).toBe(bytes.toString('hex'));
      } else {
        const { correlationId, body } = decodeResponse(api, fixture.version, bytes);
        const again = Buffer.concat(encodeResponse(api, fixture.version, correlationId, body)).subarray(4);
        expect(again.toString('hex')).toBe(bytes.toString('hex'));
      }
    },
  );

  it('encodes a decoded body the same way through the struct codec alone', () => {
    // Guards the frame helpers: the body codec by itself reproduces a captured request body.
    const fixture = described.find((f) => f.kind === 'request' && f.api === 'Metadata')!;
    const api = apiByKey(fixture.apiKey)!;
    const decoded = decodeRequest(readFileSync(join(dir, fixture.file)), apiByKey);
    if (decoded.kind !== 'decoded') throw new Error('not decoded');
    const writer = new ByteWriter();
    messageCodec(api, api.request, fixture.version).write(writer, decoded.body);
    const reread = messageCodec(api, api.request, fixture.version).read(new ByteReader(writer.toBuffer()));
    expect(reread).toEqual(decoded.body);
  });
});
