/// <reference path="./vendor-modules.d.ts" />
import { randomBytes } from 'node:crypto';
import { decompressBlock } from 'lz4js';
import { compressRecords } from './compress';
import { decompressRecords } from './decompress';
import { Compression } from './record-batch';

/** Compressible and incompressible stretches, longer than every codec's block. */
function mixedPayload(): Buffer {
  const text = Buffer.from('key-000042 value {"user":"ada","clicks":17} '.repeat(4000));
  return Buffer.concat([text, randomBytes(70_000), text.subarray(0, 50_000), Buffer.from('tail')]);
}

describe('compressRecords', () => {
  const codecs = Object.entries(Compression);

  it.each(codecs)('round-trips %s through decompressRecords', (_, codec) => {
    for (const payload of [Buffer.alloc(0), Buffer.from('x'), Buffer.from('hello, kafka'), mixedPayload()]) {
      const compressed = compressRecords(codec, payload);
      expect(decompressRecords(codec, compressed).equals(payload)).toBe(true);
    }
  });

  it.each(codecs.filter(([, codec]) => codec !== Compression.none))(
    'actually shrinks text with %s',
    (_, codec) => {
      const text = Buffer.from('the same record again '.repeat(1000));
      expect(compressRecords(codec, text).length).toBeLessThan(text.length / 4);
    },
  );

  it('writes gzip and zstd with their standard magic', () => {
    expect([...compressRecords(Compression.gzip, Buffer.from('a')).subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    expect([...compressRecords(Compression.zstd, Buffer.from('a')).subarray(0, 4)]).toEqual([
      0x28, 0xb5, 0x2f, 0xfd,
    ]);
  });

  it('frames snappy as xerial: magic, version 1, compatible 1, then 32 KiB blocks', () => {
    const payload = mixedPayload();
    const framed = compressRecords(Compression.snappy, payload);
    expect([...framed.subarray(0, 16)]).toEqual([
      0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1,
    ]);
    let blocks = 0;
    for (let at = 16; at < framed.length; at += 4 + framed.readInt32BE(at)) blocks++;
    expect(blocks).toBe(Math.ceil(payload.length / (32 * 1024)));
  });

  it('frames lz4 the way Kafka reads it: version 1, independent blocks, 64 KiB, no content size', () => {
    const framed = compressRecords(Compression.lz4, Buffer.from('a'));
    // Magic (LE), FLG 0x60, BD 0x40, and the descriptor checksum byte for those two bytes.
    expect([...framed.subarray(0, 7)]).toEqual([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82]);
    // One stored block of one byte, then the end mark.
    expect([...framed.subarray(7)]).toEqual([1, 0, 0, 0x80, 0x61, 0, 0, 0, 0]);
  });

  it('writes lz4 blocks that each decompress alone (block independence)', () => {
    const payload = Buffer.from('abcdefgh'.repeat(40_000)); // every block matches its predecessor
    const framed = compressRecords(Compression.lz4, payload);
    const pieces: Buffer[] = [];
    let at = 7;
    for (let size = framed.readUInt32LE(at); size !== 0; size = framed.readUInt32LE(at)) {
      at += 4;
      const length = size & 0x7fffffff;
      if (size & 0x80000000) pieces.push(framed.subarray(at, at + length));
      else {
        const out = new Uint8Array(64 * 1024);
        const end = decompressBlock(framed, out, at, length, 0);
        pieces.push(Buffer.from(out.subarray(0, end)));
      }
      at += length;
    }
    expect(pieces.length).toBe(Math.ceil(payload.length / (64 * 1024 - 16)));
    expect(Buffer.concat(pieces).equals(payload)).toBe(true);
  });

  it('refuses an unknown codec', () => {
    expect(() => compressRecords(5, Buffer.from('a'))).toThrow('unknown compression codec 5');
  });
});
