import { parseEndToEndLatency, parseProducerPerformance } from './perf-output';

describe('Kafka tool output', () => {
  it('reads ProducerPerformance figures', () => {
    const line =
      '300000 records sent, 66770.5 records/sec (65.21 MB/sec), 403.78 ms avg latency, 916.00 ms max latency, 356 ms 50th, 791 ms 95th, 888 ms 99th, 912 ms 99.9th.';
    expect(parseProducerPerformance(`noise\n${line}\n`)).toEqual({
      recordsPerSec: 66770.5,
      mbPerSec: 65.21,
      avgMs: 403.78,
      p50Ms: 356,
      p99Ms: 888,
      p999Ms: 912,
    });
  });

  it('reads EndToEndLatency figures', () => {
    expect(
      parseEndToEndLatency('Avg latency: 4.2722 ms\nPercentiles: 50th = 3, 99th = 10, 99.9th = 130\n'),
    ).toEqual({
      avgMs: 4.2722,
      p50Ms: 3,
      p99Ms: 10,
      p999Ms: 130,
    });
  });

  it('says what it got when the summary is missing', () => {
    expect(() => parseProducerPerformance('Exception in thread main')).toThrow(
      'no ProducerPerformance summary in:\nException',
    );
  });
});
