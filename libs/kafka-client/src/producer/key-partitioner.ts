/**
 * Kafka's murmur2 (the Java client's Utils.murmur2), on 32-bit integers. The Java client and
 * kafkajs's DefaultPartitioner hash keys with it, so a key lands in the same partition whichever
 * of them wrote it before: changing producers keeps each key's records in one ordered partition.
 */
export function murmur2(data: Uint8Array): number {
  const m = 0x5bd1e995;
  const length = data.length;
  let h = 0x9747b28c ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  // The Java original's switch falls through: the 1 to 3 trailing bytes, then one mix.
  const tail = length & 3;
  if (tail >= 3) h ^= data[whole + 2]! << 16;
  if (tail >= 2) h ^= data[whole + 1]! << 8;
  if (tail >= 1) {
    h ^= data[whole]!;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * The partition of a keyed record, as the Java client's (pre-KIP-480) and kafkajs's default
 * partitioners choose it; records without a key go round-robin.
 */
export class KeyPartitioner {
  private counter = Math.floor(Math.random() * 0x7fffffff);

  partition(key: Buffer | null, partitions: number): number {
    if (key !== null) return (murmur2(key) & 0x7fffffff) % partitions;
    this.counter = (this.counter + 1) & 0x7fffffff;
    return this.counter % partitions;
  }
}
