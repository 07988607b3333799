/// <reference path="./vendor-modules.d.ts" />
import { gzipSync } from 'node:zlib';
import { Encoder as ZstdEncoder } from '@toondepauw/node-zstd';
import { compress as snappyBlock } from 'snappyjs';
import { XERIAL_MAGIC } from './decompress';
import { lz4Frame } from './lz4-frame';
import { Compression } from './record-batch';

/** xerial's default block: the Java client's SnappyOutputStream writes 32 KiB chunks. */
const XERIAL_BLOCK_BYTES = 32 * 1024;
/** zstd's default level, the one the Java client and librdkafka use unless configured. */
const ZSTD_LEVEL = 3;

let zstdEncoder: ZstdEncoder | undefined;

/** Snappy as the Java client writes it: the xerial header (version 1, compatible 1), then blocks. */
function snappy(payload: Buffer): Buffer {
  const header = Buffer.alloc(XERIAL_MAGIC.length + 8);
  XERIAL_MAGIC.copy(header, 0);
  header.writeInt32BE(1, XERIAL_MAGIC.length);
  header.writeInt32BE(1, XERIAL_MAGIC.length + 4);
  const parts: Buffer[] = [header];
  for (let at = 0; at < payload.length; at += XERIAL_BLOCK_BYTES) {
    const block = snappyBlock(payload.subarray(at, at + XERIAL_BLOCK_BYTES));
    const length = Buffer.alloc(4);
    length.writeInt32BE(block.length, 0);
    parts.push(length, block);
  }
  return Buffer.concat(parts);
}

/**
 * The inverse of decompressRecords: compresses a batch's records section with the batch's codec,
 * in the framing Kafka clients read (the log cleaner rewrites compacted batches with their codec).
 */
export function compressRecords(codec: number, payload: Buffer): Buffer {
  switch (codec) {
    case Compression.none:
      return payload;
    case Compression.gzip:
      return gzipSync(payload);
    case Compression.snappy:
      return snappy(payload);
    case Compression.lz4:
      return lz4Frame(payload);
    case Compression.zstd:
      zstdEncoder ??= new ZstdEncoder(ZSTD_LEVEL);
      return zstdEncoder.encodeSync(payload);
    default:
      throw new RangeError(`unknown compression codec ${codec}`);
  }
}
