import {
  joinToggleValues,
  type PartitionState,
  parseConsumerPerformance,
  segmentBytesFor,
  tierNotReady,
  tierReport,
  topicState,
  type VariantResult,
} from './tier-figures';

const MIB = 1024 * 1024;

function partition(fields: Partial<PartitionState>): PartitionState {
  return {
    logStartOffset: 0n,
    logEndOffset: 0n,
    localLogStartOffset: 0n,
    sizeBytes: 0n,
    segments: 0,
    remoteBytes: 0n,
    remoteSegments: 0,
    uploadLagSegments: 0,
    uploadLagBytes: 0n,
    ...fields,
  };
}

describe('tier replay figures', () => {
  it('reads ConsumerPerformance figures', () => {
    const output = [
      'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec',
      '2026-11-29 09:26:49:458, 2026-11-29 09:26:49:892, 19.5313, 45.0029, 20000, 46082.9493, 218, 216, 90.4225, 92592.5926',
      '',
    ].join('\n');
    expect(parseConsumerPerformance(output)).toEqual({
      records: 20000,
      mb: 19.5313,
      mbPerSec: 45.0029,
      recordsPerSec: 46082.9493,
      rebalanceMs: 218,
      fetchMs: 216,
      fetchMbPerSec: 90.4225,
      fetchRecordsPerSec: 92592.5926,
    });
  });

  it('says what it got when the ConsumerPerformance summary is missing', () => {
    expect(() => parseConsumerPerformance('Exception in thread main')).toThrow(
      'no ConsumerPerformance data.consumed.in.nMsg in:\nException',
    );
  });

  it('joins toggle values given as a separate argument', () => {
    expect(joinToggleValues(['--megabytes', '16', '--s3', 'false', '--json'], ['s3', 'json'])).toEqual([
      '--megabytes',
      '16',
      '--s3=false',
      '--json',
    ]);
    expect(joinToggleValues(['--s3', '--json', 'true'], ['s3', 'json'])).toEqual(['--s3', '--json=true']);
  });

  it('keeps 8 MiB segments for big partitions and shrinks them for small ones', () => {
    expect(segmentBytesFor(256 * MIB, 8 * MIB)).toBe(8 * MIB);
    expect(segmentBytesFor(16 * MIB, 8 * MIB)).toBe(768 * 1024);
    expect(segmentBytesFor(1 * MIB, 8 * MIB)).toBe(256 * 1024);
  });

  it('sums partitions and estimates the size of what left local disk', () => {
    const state = topicState([
      partition({
        logEndOffset: 1000n,
        localLogStartOffset: 900n,
        sizeBytes: 100_000n,
        segments: 2,
        remoteBytes: 950_000n,
        remoteSegments: 19,
      }),
      partition({ logEndOffset: 1000n, sizeBytes: 1_000_000n, segments: 20, uploadLagSegments: 3 }),
    ]);
    expect(state).toEqual({
      records: 2000,
      localBytes: 1_100_000,
      localSegments: 22,
      remoteBytes: 950_000,
      remoteSegments: 19,
      uploadLagSegments: 3,
      uploadLagBytes: 0,
      tierOnlyRecords: 900,
      // 1.1 MB local for 1,100 local records: 1,000 bytes each, 900 more in the tier only.
      totalBytes: 2_000_000,
    });
  });

  it('is ready once ~90% is remote only and nothing waits for upload', () => {
    const tiered = (fields: Partial<PartitionState>) =>
      topicState([
        partition({
          logEndOffset: 1000n,
          localLogStartOffset: 900n,
          sizeBytes: 100_000n,
          remoteBytes: 950_000n,
          ...fields,
        }),
      ]);
    expect(tierNotReady(tiered({}), 1000)).toBeUndefined();
    expect(tierNotReady(tiered({}), 2000)).toBe('1000 of 2000 records in the log');
    expect(tierNotReady(tiered({ uploadLagSegments: 2 }), 1000)).toBe('2 closed segments not uploaded yet');
    expect(tierNotReady(tiered({ remoteBytes: 500_000n }), 1000)).toBe('remote 50% < 85%');
    expect(tierNotReady(tiered({ localLogStartOffset: 500n, sizeBytes: 500_000n }), 1000)).toBe(
      'local 50% > 15%',
    );
  });

  it('reports the better replay and the tier/local ratios', () => {
    const run = (mbPerSec: number) => ({
      records: 1000,
      mb: 1,
      seconds: 1 / mbPerSec,
      mbPerSec,
      recordsPerSec: mbPerSec * 1000,
    });
    const atReplay = topicState([partition({ logEndOffset: 1000n, sizeBytes: 1_000_000n })]);
    const result = (variant: string, cp: number[], js: number[]): VariantResult => ({
      variant,
      tier: 'x',
      records: 1000,
      mb: 1,
      segmentBytes: 8 * MIB,
      atReplay,
      consumerPerformance: cp.map(run),
      kafkajs: js.map(run),
    });
    const report = tierReport('heading', [
      result('local', [100, 80], [40, 50]),
      result('tier-folder', [60, 50], [30, 20]),
    ]);
    expect(report).toContain('| local | 1000 | 1 | 1.0 | 0.0 | 0% | 100.00 | 100000 | 50.00 | 50000 |');
    expect(report).toContain('| tier-folder | ConsumerPerformance | 60.00 | 50.00 |');
    expect(report).toContain('| tier-folder | 0.60 | 0.60 |');
  });
});
