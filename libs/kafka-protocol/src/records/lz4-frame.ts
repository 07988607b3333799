/// <reference path="./vendor-modules.d.ts" />
import { compressBlock } from 'lz4js';
import { hash as xxh32 } from 'lz4js/xxh32.js';

const LZ4_MAGIC = 0x184d2204;
/**
 * FLG: version 01 and block independence, nothing else (no checksums, no content size). Kafka's
 * KafkaLZ4BlockInputStream refuses dependent blocks, which is what lz4js's own compress() declares
 * (FLG 0x40), so the frame is written here around lz4js's block compressor.
 */
const FLG_VERSION_1_INDEPENDENT = 0x60;
/** BD: 64 KiB maximum block size, the Java client's own choice. */
const BD_64KB = 0x40;
const MAX_BLOCK = 64 * 1024;
/**
 * lz4js lets the last match of a block start 10 bytes before its end where the LZ4 spec asks for
 * 12; decoders that decompress into a buffer of exactly the maximum block size (lz4-java, used by
 * Kafka) then reject a full block. Blocks a little shorter than the maximum never reach that edge.
 */
const BLOCK_BYTES = MAX_BLOCK - 16;
const UNCOMPRESSED_BLOCK = 0x80000000;
const HASH_TABLE_SIZE = 1 << 16;

/** An LZ4 frame of independent blocks, as Kafka clients (Java, librdkafka, kafkajs) read it. */
export function lz4Frame(payload: Buffer): Buffer {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(7);
  header.writeUInt32LE(LZ4_MAGIC, 0);
  header[4] = FLG_VERSION_1_INDEPENDENT;
  header[5] = BD_64KB;
  header[6] = (xxh32(0, header, 4, 2) >>> 8) & 0xff;
  parts.push(header);
  const scratch = Buffer.alloc(BLOCK_BYTES + Math.ceil(BLOCK_BYTES / 255) + 16);
  for (let at = 0; at < payload.length; at += BLOCK_BYTES) {
    const block = payload.subarray(at, Math.min(at + BLOCK_BYTES, payload.length));
    // A fresh hash table per block: no match can reach into the previous block.
    const compressed = compressBlock(block, scratch, 0, block.length, new Uint32Array(HASH_TABLE_SIZE));
    const size = Buffer.alloc(4);
    if (compressed === 0 || compressed >= block.length) {
      size.writeUInt32LE((UNCOMPRESSED_BLOCK | block.length) >>> 0, 0);
      parts.push(size, block);
    } else {
      size.writeUInt32LE(compressed, 0);
      parts.push(size, Buffer.from(scratch.subarray(0, compressed)));
    }
  }
  parts.push(Buffer.alloc(4)); // EndMark
  return Buffer.concat(parts);
}
