// The group, config and SASL API descriptions without a broker: every version described
// encodes and decodes back, and the versions Apache Kafka 4 no longer serves (so the live
// test cannot reach them) are checked byte by byte against the protocol guide's grammar.
import { ByteReader } from '../codec/byte-reader';
import { ByteWriter } from '../codec/byte-writer';
import { messageCodec } from '../codec/message-codec';
import type { FieldSpec, StructSpec } from '../schema/fields';
import type { ApiSpec, MessageSpec } from '../schema/message';
import { inVersions, parseVersions } from '../schema/versions';
import { AlterConfigs } from './alter-configs';
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

const APIS: readonly ApiSpec[] = [
  FindCoordinator,
  JoinGroup,
  Heartbeat,
  LeaveGroup,
  SyncGroup,
  OffsetCommit,
  OffsetFetch,
  DescribeGroups,
  ListGroups,
  DeleteGroups,
  DescribeConfigs,
  AlterConfigs,
  IncrementalAlterConfigs,
  SaslHandshake,
  SaslAuthenticate,
];

function encode(api: ApiSpec, message: MessageSpec, version: number, value: object): Buffer {
  const writer = new ByteWriter();
  messageCodec(api, message, version).write(writer, value as Record<string, unknown>);
  return Buffer.concat(writer.finish());
}

function decode(api: ApiSpec, message: MessageSpec, version: number, bytes: Buffer): Record<string, unknown> {
  const reader = new ByteReader(bytes);
  const value = messageCodec(api, message, version).read(reader);
  expect(reader.remaining).toBe(0);
  return value;
}

/**
 * A value for every field, none of them at its default, so that a field misplaced or of the
 * wrong type shows. Nullable fields are null in odd versions where they may be.
 */
function sample(spec: StructSpec, version: number, seed: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  spec.fields.forEach((f, i) => {
    out[f.name] = sampleValue(f, version, seed * 31 + i + 1);
  });
  return out;
}

function sampleValue(f: FieldSpec, version: number, seed: number): unknown {
  if (inVersions(version, f.nullable) && version % 2 === 1) return null;
  if (f.kind === 'struct') return sample(f.struct, version, seed);
  if (f.kind === 'array') {
    const element = f.element;
    return [0, 1].map((i) =>
      typeof element === 'string' ? primitiveSample(element, seed + i) : sample(element, version, seed + i),
    );
  }
  return primitiveSample(f.type, seed);
}

function primitiveSample(type: string, seed: number): unknown {
  switch (type) {
    case 'bool':
      return true;
    case 'int8':
      return (seed % 100) + 1;
    case 'int16':
      return (seed % 30_000) + 1;
    case 'int32':
      return seed + 1;
    case 'int64':
      return BigInt(seed) * 1_000_000_007n;
    case 'string':
      return `s${seed}-é`;
    case 'bytes':
      return Buffer.from([seed & 0xff, 0, 0xff]);
    default:
      throw new Error(`no sample for ${type}`);
  }
}

/** The value restricted to the fields of `version` (what a decoder at that version can see). */
function inVersion(
  spec: StructSpec,
  version: number,
  value: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of spec.fields) {
    if (!inVersions(version, f.versions)) continue;
    const v = value[f.name];
    if (f.kind === 'struct' && v !== null)
      out[f.name] = inVersion(f.struct, version, v as Record<string, unknown>);
    else if (f.kind === 'array' && typeof f.element !== 'string' && v !== null) {
      const element = f.element;
      out[f.name] = (v as Record<string, unknown>[]).map((e) => inVersion(element, version, e));
    } else out[f.name] = v;
  }
  return out;
}

function allVersions(api: ApiSpec): number[] {
  const { min, max } = parseVersions(api.validVersions);
  return Array.from({ length: max - min + 1 }, (_, i) => min + i);
}

describe.each(APIS.map((api) => [api.name, api] as const))('%s', (_name, api) => {
  it.each(allVersions(api))('round-trips the request and the response at v%i', (version) => {
    for (const message of [api.request, api.response]) {
      const value = sample(message, version, version + 1);
      const bytes = encode(api, message, version, value);
      const decoded = decode(api, message, version, bytes);
      expect(inVersion(message, version, decoded)).toEqual(inVersion(message, version, value));
      expect(encode(api, message, version, decoded).equals(bytes)).toBe(true);
    }
  });
});

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('versions Apache Kafka 4 no longer serves, against the protocol guide', () => {
  it('OffsetCommit v0: group_id [topics [partitions partition_index committed_offset committed_metadata]]', () => {
    const bytes = encode(OffsetCommit, OffsetCommit.request, 0, {
      groupId: 'g',
      topics: [
        { name: 't', partitions: [{ partitionIndex: 1, committedOffset: 10n, committedMetadata: null }] },
      ],
    });
    expect(bytes.toString('hex')).toBe(
      hex('0001 67  00000001 0001 74  00000001 00000001 000000000000000a ffff').toString('hex'),
    );
  });

  it('OffsetCommit v1: adds generation_id and member_id, and commit_timestamp per partition', () => {
    const value = {
      groupId: 'g',
      generationIdOrMemberEpoch: 5,
      memberId: 'm',
      topics: [
        {
          name: 't',
          partitions: [
            { partitionIndex: 0, committedOffset: 10n, commitTimestamp: 1000n, committedMetadata: 'x' },
          ],
        },
      ],
    };
    const bytes = encode(OffsetCommit, OffsetCommit.request, 1, value);
    expect(bytes.toString('hex')).toBe(
      hex(
        '0001 67  00000005  0001 6d  00000001 0001 74  00000001 00000000 000000000000000a 00000000000003e8 0001 78',
      ).toString('hex'),
    );
    expect(decode(OffsetCommit, OffsetCommit.request, 1, bytes)).toMatchObject({
      ...value,
      groupInstanceId: null,
      retentionTimeMs: -1n,
    });
    // v2 drops the timestamp for a retention time, before the topics.
    const v2 = encode(OffsetCommit, OffsetCommit.request, 2, { ...value, retentionTimeMs: -1n });
    expect(v2.toString('hex')).toBe(
      hex(
        '0001 67  00000005  0001 6d  ffffffffffffffff  00000001 0001 74  00000001 00000000 000000000000000a 0001 78',
      ).toString('hex'),
    );
  });

  it('OffsetCommit responses before v3 have no throttle time', () => {
    const bytes = hex('00000001 0001 74  00000001 00000000 0000');
    expect(decode(OffsetCommit, OffsetCommit.response, 0, bytes)).toEqual({
      throttleTimeMs: 0,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0 }] }],
    });
  });

  it('OffsetFetch v0: group_id [topics name [partition_indexes]], and topics may not be null before v2', () => {
    const bytes = encode(OffsetFetch, OffsetFetch.request, 0, {
      groupId: 'g',
      topics: [{ name: 't', partitionIndexes: [0, 2] }],
    });
    expect(bytes.toString('hex')).toBe(
      hex('0001 67  00000001 0001 74  00000002 00000000 00000002').toString('hex'),
    );
    expect(() => encode(OffsetFetch, OffsetFetch.request, 1, { groupId: 'g', topics: null })).toThrow(
      TypeError,
    );
    expect(encode(OffsetFetch, OffsetFetch.request, 2, { groupId: 'g', topics: null }).toString('hex')).toBe(
      '000167ffffffff',
    );
  });

  it('OffsetFetch v0/v1 responses: no top-level error code, no leader epoch', () => {
    // [topics name [partitions partition_index committed_offset metadata error_code]]
    const bytes = hex('00000001 0001 74  00000001 00000003 ffffffffffffffff 0000 0003');
    const decoded = decode(OffsetFetch, OffsetFetch.response, 0, bytes);
    expect(decoded).toEqual({
      throttleTimeMs: 0,
      topics: [
        {
          name: 't',
          partitions: [
            { partitionIndex: 3, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: 3 },
          ],
        },
      ],
      errorCode: 0,
      groups: [],
    });
    // v2 appends the top-level error code.
    expect(decode(OffsetFetch, OffsetFetch.response, 2, Buffer.concat([bytes, hex('0010')])).errorCode).toBe(
      16,
    );
  });

  it('DescribeConfigs v0: isDefault instead of a source, no synonyms', () => {
    const request = encode(DescribeConfigs, DescribeConfigs.request, 0, {
      resources: [{ resourceType: 2, resourceName: 't', configurationKeys: null }],
    });
    expect(request.toString('hex')).toBe(hex('00000001 02 0001 74 ffffffff').toString('hex'));
    // throttle_time_ms [results error_code error_message resource_type resource_name
    //   [configs name value read_only is_default is_sensitive]]
    const response = hex('00000000 00000001 0000 ffff 02 0001 74 00000001 0001 6b 0001 76 00 01 00');
    expect(decode(DescribeConfigs, DescribeConfigs.response, 0, response)).toEqual({
      throttleTimeMs: 0,
      results: [
        {
          errorCode: 0,
          errorMessage: null,
          resourceType: 2,
          resourceName: 't',
          configs: [
            {
              name: 'k',
              value: 'v',
              readOnly: false,
              isDefault: true,
              configSource: -1,
              isSensitive: false,
              synonyms: [],
              configType: 0,
              documentation: '',
            },
          ],
        },
      ],
    });
  });
});

describe('defaults of fields a version lacks', () => {
  it('JoinGroup v0 has no rebalance timeout; decoders see -1, and null instance ids', () => {
    const bytes = encode(JoinGroup, JoinGroup.request, 0, {
      groupId: 'g',
      sessionTimeoutMs: 10_000,
      memberId: '',
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
    });
    expect(bytes.toString('hex')).toBe(
      hex('0001 67 00002710 0000 0008 636f6e73756d6572 00000001 0005 72616e6765 00000000').toString('hex'),
    );
    expect(decode(JoinGroup, JoinGroup.request, 0, bytes)).toMatchObject({
      rebalanceTimeoutMs: -1,
      groupInstanceId: null,
      reason: null,
    });
  });

  it('FindCoordinator v0 answers error_code node_id host port; v4+ coordinators per key', () => {
    const v0 = hex('0000 00000001 0009 3132372e302e302e31 00004a94');
    expect(decode(FindCoordinator, FindCoordinator.response, 0, v0)).toEqual({
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: '',
      nodeId: 1,
      host: '127.0.0.1',
      port: 19092,
      coordinators: [],
    });
  });

  it('OffsetFetch v9: member id null and epoch -1 unless the consumer protocol is used', () => {
    const bytes = encode(OffsetFetch, OffsetFetch.request, 9, { groups: [{ groupId: 'g', topics: null }] });
    // compact array of 1, "g", null member id, epoch -1, null topics, tags; require_stable; tags
    expect(bytes.toString('hex')).toBe(hex('02 02 67 00 ffffffff 00 00 00 00').toString('hex'));
    expect(decode(OffsetFetch, OffsetFetch.request, 9, bytes)).toMatchObject({
      groups: [{ groupId: 'g', memberId: null, memberEpoch: -1, topics: null }],
    });
  });

  it('DescribeGroups: authorized operations unknown before v3, error message null before v6', () => {
    const bytes = hex('00000001 0000 0001 67 0004 44656164 0000 0000 00000000');
    expect(decode(DescribeGroups, DescribeGroups.response, 0, bytes)).toEqual({
      throttleTimeMs: 0,
      groups: [
        {
          errorCode: 0,
          errorMessage: null,
          groupId: 'g',
          groupState: 'Dead',
          protocolType: '',
          protocolData: '',
          members: [],
          authorizedOperations: -2147483648,
        },
      ],
    });
  });
});
