import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Fetch } from '../apis/fetch';
import { decodeResponse } from '../frames';
import { validateRecordBatches } from './record-batch';
import { readRecords } from './records';

describe('records compressed by a real client', () => {
  it('decode from every codec kcat (librdkafka) writes: gzip, snappy, lz4, zstd', () => {
    // A Fetch response captured from Apache Kafka holding kcat's batches of each codec.
    const frame = readFileSync(join(__dirname, '..', '..', 'fixtures', 'fetch_response_v11.bin'));
    const { body } = decodeResponse(Fetch, 11, frame);
    const responses = body.responses as { partitions: { records: Buffer | null }[] }[];
    const batches = responses.flatMap((t) =>
      t.partitions.flatMap((p) => validateRecordBatches(p.records ?? Buffer.alloc(0))),
    );
    const codecs = new Set(batches.map((b) => b.compression));
    expect([...codecs].sort()).toEqual(expect.arrayContaining([1, 2, 3, 4]));
    for (const batch of batches) {
      const records = readRecords(batch);
      expect(records).toHaveLength(batch.recordsCount);
      for (const record of records) expect(record.value === null || record.value.length > 0).toBe(true);
    }
  });
});
