import fc from 'fast-check';
import { KeyPartitioner, murmur2 } from './key-partitioner';

// kafkajs's own murmur2 (a port of the Java client's), to check ours picks the same partitions.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2') as (
  key: Buffer,
) => number;

describe('murmur2', () => {
  it('hashes as the Java client does (its test vectors)', () => {
    // From Apache Kafka's UtilsTest.testMurmur2.
    expect(murmur2(Buffer.from('21'))).toBe(-973932308);
    expect(murmur2(Buffer.from('foobar'))).toBe(-790332482);
    expect(murmur2(Buffer.from('a-little-bit-long-string'))).toBe(-985981536);
    expect(murmur2(Buffer.from('a-little-bit-longer-string'))).toBe(-1486304829);
    expect(murmur2(Buffer.from('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'))).toBe(-58897971);
    expect(murmur2(Buffer.from([97, 98, 99]))).toBe(479470107);
  });

  it('agrees with kafkajs on any key', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const key = Buffer.from(bytes);
        expect(murmur2(key)).toBe(kafkajsMurmur2(key));
      }),
    );
  });
});

describe('KeyPartitioner', () => {
  it('puts a key where kafkajs DefaultPartitioner puts it', () => {
    const partitioner = new KeyPartitioner();
    for (let i = 0; i < 1000; i++) {
      const key = Buffer.from(`key-${i}`);
      expect(partitioner.partition(key, 7)).toBe((kafkajsMurmur2(key) & 0x7fffffff) % 7);
    }
  });

  it('spreads records without a key over every partition', () => {
    const partitioner = new KeyPartitioner();
    const seen = new Set(Array.from({ length: 30 }, () => partitioner.partition(null, 3)));
    expect(seen).toEqual(new Set([0, 1, 2]));
  });
});
